// clasp-bench: the project's load tool for CLASP relays (and, for comparison,
// MQTT brokers). One subcommand per benchmark mode: fanout, latency, conns.
// This file only parses flags (CLI11): a bad flag is one line on stderr and
// exit code 2. CLI11 2.1 does not wrap text, so every description is wrapped
// by hand to fit 80 columns, and validators keep their ranges out of the
// type column (the ranges are in the descriptions where they matter).
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "bench/conns.hpp"
#include "bench/fanout.hpp"

namespace {

constexpr int kUsageError = 2;

using clasp::bench::EventLoop;

// A check whose text stays out of the help's type column.
template <class T>
CLI::Validator range(T lo, T hi) {
  return CLI::Range(lo, hi).description("");
}

CLI::Option* urlFlag(CLI::App& cmd, std::string& url) {
  return cmd
      .add_option("--url", url, "ws://host:port[/path] (CLASP over WebSocket)\nor mqtt://host[:port] (MQTT 3.1.1)")
      ->type_name("URL")
      ->capture_default_str();
}

void durationFlags(CLI::App& cmd, clasp::bench::FanoutOptions& o) {
  cmd.add_option("--duration", o.durationSeconds, "Seconds measured")
      ->type_name("S")
      ->capture_default_str()
      ->check(range(0.001, 86400.0));
  cmd.add_option("--warmup", o.warmupSeconds, "Seconds sent before measuring")
      ->type_name("S")
      ->capture_default_str()
      ->check(range(0.0, 3600.0));
}

void kindFlags(CLI::App& cmd, std::string& kind, std::string& timing) {
  cmd.add_option("--kind", kind, "CLASP only. set: param SETs; event: event\nPUBLISHes; both with QoS Confirm")
      ->type_name("KIND")
      ->capture_default_str()
      ->check(CLI::IsMember({"set", "event"}, CLI::ignore_case).description(""));
  cmd.add_option("--timing", timing,
                 "How the tool waits for a scheduled send:\n"
                 "spin: sleep, then poll the last few us (the\n"
                 "margin adapts to this machine's wake-up lag);\n"
                 "sleep: plain sleep (late by the wake-up lag);\n"
                 "busy: never sleep, so deliveries are read at\n"
                 "once too (one core busy per loop)")
      ->type_name("MODE")
      ->capture_default_str()
      ->check(CLI::IsMember({"spin", "sleep", "busy"}, CLI::ignore_case).description(""));
}

void addFanoutFlags(CLI::App& cmd, clasp::bench::FanoutOptions& o, std::string& kind, std::string& timing) {
  urlFlag(cmd, o.url);
  cmd.add_option("-n,--subscribers", o.subscribers,
                 "Subscriber sessions, all on /bench/**\n(MQTT: bench/#), 0-100000; 0 (CLASP only):\n"
                 "no deliveries, just sent/s and ACK latency")
      ->type_name("N")
      ->capture_default_str()
      ->check(range(0u, 100000u));
  cmd.add_option("-p,--publishers", o.publishers,
                 "Publisher sessions; with several, publisher p\nsends to /bench/<p>/<n>, 1-1000")
      ->type_name("P")
      ->capture_default_str()
      ->check(range(1u, 1000u));
  durationFlags(cmd, o);
  cmd.add_option("--rate", o.rate, "Messages per second, all publishers\ntogether; 0 = as fast as the window allows")
      ->type_name("R")
      ->capture_default_str()
      ->check(range(std::uint64_t{0}, std::uint64_t{100'000'000}));
  cmd.add_option("--window", o.window,
                 "Most messages awaiting their ACK per\npublisher (CLASP), and most the slowest\n"
                 "subscriber may lag behind")
      ->type_name("W")
      ->capture_default_str()
      ->check(range(1u, 1'000'000u));
  kindFlags(cmd, kind, timing);
  cmd.add_option("--threads", o.threads, "Event-loop threads of the tool (leave\ncores to the server), 1-64")
      ->type_name("T")
      ->capture_default_str()
      ->check(range(1u, 64u));
  cmd.add_option("--addresses", o.addresses,
                 "Each publisher cycles over this many\naddresses: /bench/0 .. /bench/<A-1>")
      ->type_name("A")
      ->capture_default_str()
      ->check(range(1u, 1'000'000u));
}

void addLatencyFlags(CLI::App& cmd, clasp::bench::FanoutOptions& o, std::string& kind, std::string& timing) {
  urlFlag(cmd, o.url);
  durationFlags(cmd, o);
  cmd.add_option("--rate", o.rate, "Messages per second, on a fixed schedule")
      ->type_name("R")
      ->capture_default_str()
      ->check(range(std::uint64_t{1}, std::uint64_t{10'000'000}));
  kindFlags(cmd, kind, timing);
}

void addConnsFlags(CLI::App& cmd, clasp::bench::ConnsOptions& o) {
  urlFlag(cmd, o.url);
  cmd.add_option("-n,--connections", o.connections, "Sessions to open, 1-1000000")
      ->type_name("N")
      ->capture_default_str()
      ->check(range(1u, 1'000'000u));
  cmd.add_option("--concurrency", o.concurrency, "Most sessions being set up at once")
      ->type_name("C")
      ->capture_default_str()
      ->check(range(1u, 1'000'000u));
  cmd.add_option("--hold", o.holdSeconds,
                 "Seconds all sessions stay open and idle\nbefore memory is read and they close")
      ->type_name("S")
      ->capture_default_str()
      ->check(range(0.0, 86400.0));
  cmd.add_option("--server-pid", o.serverPid,
                 "The server's pid: report its memory per\nsession from /proc/PID/status (VmRSS,\nRssAnon)")
      ->type_name("PID")
      ->check(range(1, 1 << 30));
  cmd.add_option("--threads", o.threads, "Event-loop threads of the tool, 1-64")
      ->type_name("T")
      ->capture_default_str()
      ->check(range(1u, 64u));
}

EventLoop::Timing timingOf(const std::string& t) {
  if (t == "sleep") return EventLoop::Timing::Sleep;
  if (t == "busy") return EventLoop::Timing::BusyPoll;
  return EventLoop::Timing::Spin;
}

// fanout and latency: --kind and --timing arrive as checked text.
int runFanout(clasp::bench::FanoutOptions& o, const std::string& kind, const std::string& timing) {
  o.kind = kind == "event" ? clasp::bench::MessageKind::Event : clasp::bench::MessageKind::Set;
  o.timing = timingOf(timing);
  return clasp::bench::runFanout(o);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"clasp-bench: load generator for CLASP relays and MQTT brokers", "clasp-bench"};
  app.require_subcommand(1);
  app.footer(
      "Each mode prints a live line and a summary on stderr and one JSON\n"
      "line on stdout. `clasp-bench MODE --help` lists a mode's flags.\n"
      "Example: clasp-bench fanout --url ws://127.0.0.1:7330 -n 100");

  clasp::bench::FanoutOptions fanout;
  std::string fanoutKind = "set", fanoutTiming = "spin";
  CLI::App* fanoutCmd = app.add_subcommand(
      "fanout",
      "P publishers -> N subscribers on one pattern: sent/s,\n"
      "deliveries/s, exact loss, end-to-end latency and (CLASP)\n"
      "ACK latency percentiles.");
  addFanoutFlags(*fanoutCmd, fanout, fanoutKind, fanoutTiming);
  fanoutCmd->footer("Example: clasp-bench fanout --url mqtt://127.0.0.1:1883 -n 100 --rate 10000");

  clasp::bench::FanoutOptions latency;
  latency.mode = "latency";
  latency.subscribers = 1;
  latency.rate = 10'000;
  // Busy: a sleeping subscriber would add its wake-up latency (tens of µs on
  // a VM) to every sample, as much as the relay's whole latency target.
  std::string latencyKind = "set", latencyTiming = "busy";
  CLI::App* latencyCmd = app.add_subcommand(
      "latency",
      "1 publisher -> 1 subscriber at a fixed rate: end-to-end\n"
      "and (CLASP) ACK latency percentiles, and the tool's own\n"
      "send lag.");
  addLatencyFlags(*latencyCmd, latency, latencyKind, latencyTiming);
  latencyCmd->footer("Example: clasp-bench latency --url ws://127.0.0.1:7330 --rate 10000");

  clasp::bench::ConnsOptions conns;
  CLI::App* connsCmd = app.add_subcommand(
      "conns",
      "N sessions, each handshaking and subscribing to its own\n"
      "pattern: sessions ready per second, failures, and the\n"
      "server's memory per session.");
  addConnsFlags(*connsCmd, conns);
  connsCmd->footer(
      "Example: clasp-bench conns -n 10000 --server-pid $(pidof clasp-relay)\n"
      "A relay admits --max-sessions clients (1000 by default).");

  for (CLI::App* cmd : {fanoutCmd, latencyCmd, connsCmd}) cmd->get_formatter()->column_width(24);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::printf("%s", app.help().c_str());  // the selected subcommand's help, if any
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    std::printf("%s", app.help("", CLI::AppFormatMode::All).c_str());
    return 0;
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "clasp-bench: %s\n", e.what());
    return kUsageError;
  }

  // A server that drops the connection must not kill the tool mid-write.
  signal(SIGPIPE, SIG_IGN);
  if (fanoutCmd->parsed()) return runFanout(fanout, fanoutKind, fanoutTiming);
  if (latencyCmd->parsed()) return runFanout(latency, latencyKind, latencyTiming);
  if (connsCmd->parsed()) return clasp::bench::runConns(conns);
  return kUsageError;
}
