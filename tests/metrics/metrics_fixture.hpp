// The metrics suite's helpers: HTTP requests with curl, scrapes parsed by
// the prometheus_client parser (exposition_to_json.py), sample lookup by
// name and labels, listening-socket counts from /proc, and a fixture that
// starts a server with the exporter on a kernel-chosen port. Real binaries,
// real clients; waits poll a condition with a deadline, never sleep.
//
// Environment (set by CMake): CLASP_RELAY_BIN, CLASP_SERVER_BIN,
// CLASP_METRICS_PYTHON (an interpreter with prometheus_client),
// CLASP_METRICS_PARSER (exposition_to_json.py), CLASP_CURL.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fixture.hpp"

namespace clasp::conformance {

struct HttpReply {
  int status = 0;            // 0: no response (connection failed or timed out)
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

// curl -i with `extra` arguments (e.g. "-X POST", "-I") against url.
HttpReply httpRequest(const std::string& url, const std::string& extra = "");

// One parsed scrape.
struct Scrape {
  bool ok = false;
  std::string error;  // why it is not ok (HTTP status, parser message)
  std::string text;   // the raw exposition
  std::map<std::string, std::string> types;  // family name -> type
  // "name{k=v,...}" (labels sorted) -> value; +Inf/NaN as doubles.
  std::map<std::string, double> samples;

  std::optional<double> get(const std::string& name, const std::map<std::string, std::string>& labels = {}) const;
  // 0 when absent (a counter that has not moved may still be absent).
  double value(const std::string& name, const std::map<std::string, std::string>& labels = {}) const {
    return get(name, labels).value_or(0);
  }
};

Scrape scrape(std::uint16_t port);
std::string sampleKey(const std::string& name, const std::map<std::string, std::string>& labels);

// Listening TCP sockets owned by `pid` (from /proc/<pid>/fd and /proc/net/tcp{,6}).
int listeningSockets(pid_t pid);

// Polls `check` until it returns true or `timeout` passes; true if it did.
bool eventually(const std::function<bool()>& check, milliseconds timeout = milliseconds{5000});

class MetricsTest : public ConformanceTest {
 protected:
  void SetUp() override;  // no shared server; skips without binaries or parser
  // Starts a server with `args` and waits for its "listening on http://" line.
  bool startWithMetrics(Flavour flavour, std::vector<std::string> args);
  // Connects a client and completes HELLO.
  std::unique_ptr<Client> helloClient(const std::string& name);

  std::unique_ptr<RelayProcess> server_;
  std::uint16_t httpPort_ = 0;
  std::string base() const { return "http://127.0.0.1:" + std::to_string(httpPort_); }
};

}  // namespace clasp::conformance
