// clasp-bench: the project's load tool for CLASP relays. One subcommand per
// benchmark mode; today `fanout` (1 publisher -> N subscribers). This file
// only parses flags (CLI11): a bad flag is one line on stderr and exit code 2.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "bench/fanout.hpp"

namespace {

constexpr int kUsageError = 2;

void addFanoutFlags(CLI::App& cmd, clasp::bench::FanoutOptions& o, std::string& kind) {
  cmd.add_option("--url", o.url, "Relay WebSocket URL (ws://host:port[/path])")->capture_default_str();
  cmd.add_option("-n,--subscribers", o.subscribers, "Subscriber sessions, all on /bench/**")
      ->capture_default_str()
      ->check(CLI::Range(1u, 100000u));
  cmd.add_option("--duration", o.durationSeconds, "Seconds measured")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 86400.0));
  cmd.add_option("--warmup", o.warmupSeconds, "Seconds sent before measuring")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 3600.0));
  cmd.add_option("--rate", o.rate, "Messages per second; 0 = as fast as the window allows")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{100'000'000}));
  cmd.add_option("--window", o.window,
                 "Most messages awaiting their ACK, and most the slowest subscriber may lag behind")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1'000'000u));
  cmd.add_option("--kind", kind, "set: param SETs; event: PUBLISH events with QoS Confirm")
      ->capture_default_str()
      ->transform(CLI::IsMember({"set", "event"}, CLI::ignore_case));
  cmd.add_option("--threads", o.threads, "Event-loop threads of the tool (leave cores to the relay)")
      ->capture_default_str()
      ->check(CLI::Range(1u, 64u));
  cmd.add_option("--addresses", o.addresses, "The publisher cycles over /bench/0 .. /bench/<addresses-1>")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1'000'000u));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"clasp-bench: load generator for CLASP relays", "clasp-bench"};
  app.require_subcommand(1);
  app.footer("Example: clasp-bench fanout --url ws://127.0.0.1:7330 --subscribers 100 --duration 5");
  clasp::bench::FanoutOptions fanout;
  std::string kind = "set";
  CLI::App* fanoutCmd = app.add_subcommand(
      "fanout",
      "1 publisher -> N subscribers over WebSocket: deliveries/s, loss and end-to-end latency.\n"
      "Prints a summary on stderr and one JSON line on stdout.");
  addFanoutFlags(*fanoutCmd, fanout, kind);

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

  // A relay that drops the connection must not kill the tool mid-write.
  signal(SIGPIPE, SIG_IGN);
  if (fanoutCmd->parsed()) {
    fanout.kind = kind == "event" ? clasp::bench::MessageKind::Event : clasp::bench::MessageKind::Set;
    return clasp::bench::runFanout(fanout);
  }
  return kUsageError;
}
