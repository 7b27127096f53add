// MetricsTest and its helpers: curl for HTTP, the Python parser for the
// exposition, /proc for listening sockets. See metrics_fixture.hpp.
#include "metrics_fixture.hpp"

#include <dirent.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

namespace clasp::conformance {

namespace {

std::string env(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

// Runs a shell command, returns its stdout.
std::string run(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return out;
  std::array<char, 65536> buf;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  ::pclose(p);
  return out;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

HttpReply httpRequest(const std::string& url, const std::string& extra) {
  // -i: status line and headers before the body; -m: never hang the suite.
  std::string out = run(env("CLASP_CURL", "curl") + " -s -i -m 5 " + extra + " '" + url + "' 2>/dev/null");
  HttpReply r;
  std::size_t end = out.find("\r\n\r\n");
  if (out.rfind("HTTP/", 0) != 0 || end == std::string::npos) return r;
  std::istringstream head(out.substr(0, end));
  std::string line;
  std::getline(head, line);
  r.status = std::atoi(line.c_str() + line.find(' ') + 1);
  while (std::getline(head, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    r.headers[lower(line.substr(0, colon))] = value;
  }
  r.body = out.substr(end + 4);
  return r;
}

std::string sampleKey(const std::string& name, const std::map<std::string, std::string>& labels) {
  std::string k = name + "{";
  bool first = true;
  for (const auto& [n, v] : labels) {  // std::map: sorted by label name
    if (!first) k += ",";
    first = false;
    k += n + "=" + v;
  }
  return k + "}";
}

std::optional<double> Scrape::get(const std::string& name, const std::map<std::string, std::string>& labels) const {
  auto it = samples.find(sampleKey(name, labels));
  if (it == samples.end()) return std::nullopt;
  return it->second;
}

Scrape scrape(std::uint16_t port) {
  Scrape s;
  HttpReply r = httpRequest("http://127.0.0.1:" + std::to_string(port) + "/metrics");
  if (r.status != 200) {
    s.error = "GET /metrics answered " + std::to_string(r.status);
    return s;
  }
  s.text = r.body;
  // The exposition goes to the parser through a file: no shell quoting of the body.
  char path[] = "/tmp/clasp-metrics-scrape-XXXXXX";
  int fd = ::mkstemp(path);
  if (fd < 0) {
    s.error = "mkstemp failed";
    return s;
  }
  ::close(fd);
  std::ofstream(path, std::ios::binary) << r.body;
  std::string json = run(env("CLASP_METRICS_PYTHON", "/usr/bin/python3") + " " +
                         env("CLASP_METRICS_PARSER", "exposition_to_json.py") + " < " + path);
  std::remove(path);
  auto doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded()) {
    s.error = "parser printed no JSON: " + json;
    return s;
  }
  if (doc.contains("error")) {
    s.error = "exposition does not parse: " + doc["error"].get<std::string>();
    return s;
  }
  for (const auto& f : doc["families"]) {
    s.types[f["name"].get<std::string>()] = f["type"].get<std::string>();
    for (const auto& smp : f["samples"]) {
      std::map<std::string, std::string> labels;
      for (const auto& [k, v] : smp["labels"].items()) labels[k] = v.get<std::string>();
      double value = 0;
      if (smp["value"].is_string()) {
        const std::string t = smp["value"].get<std::string>();
        value = t == "+Inf" ? HUGE_VAL : t == "-Inf" ? -HUGE_VAL : std::nan("");
      } else {
        value = smp["value"].get<double>();
      }
      s.samples[sampleKey(smp["name"].get<std::string>(), labels)] = value;
    }
  }
  s.ok = true;
  return s;
}

int listeningSockets(pid_t pid) {
  std::set<std::string> inodes;
  const std::string fdDir = "/proc/" + std::to_string(pid) + "/fd";
  if (DIR* d = ::opendir(fdDir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      char target[128];
      ssize_t n = ::readlink((fdDir + "/" + e->d_name).c_str(), target, sizeof target - 1);
      if (n <= 0) continue;
      std::string t(target, static_cast<std::size_t>(n));
      if (t.rfind("socket:[", 0) == 0) inodes.insert(t.substr(8, t.size() - 9));
    }
    ::closedir(d);
  }
  int count = 0;
  for (const char* table : {"/net/tcp", "/net/tcp6"}) {
    std::ifstream in("/proc/" + std::to_string(pid) + table);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string sl, local, remote, state, queues, timer, retr, uid, timeout, inode;
      fields >> sl >> local >> remote >> state >> queues >> timer >> retr >> uid >> timeout >> inode;
      if (state == "0A" && inodes.contains(inode)) ++count;  // 0A = LISTEN
    }
  }
  return count;
}

bool eventually(const std::function<bool()>& check, milliseconds timeout) {
  // The server's counters have no change notification: each check is a
  // scrape (curl and the parser), which also paces the loop.
  const auto deadline = SteadyClock::now() + timeout;
  for (;;) {
    if (check()) return true;
    if (SteadyClock::now() >= deadline) return false;
  }
}

void MetricsTest::SetUp() {
  // Deliberately not ConformanceTest::SetUp(): every test starts its own server.
  if (externalServer()) GTEST_SKIP() << "needs its own server processes, but CLASP_TEST_URL is set";
  if (!std::getenv("CLASP_RELAY_BIN") || !std::getenv("CLASP_SERVER_BIN"))
    GTEST_SKIP() << "CLASP_RELAY_BIN / CLASP_SERVER_BIN not set";
}

bool MetricsTest::startWithMetrics(Flavour flavour, std::vector<std::string> args) {
  std::string error;
  server_ = RelayProcess::start(flavour, args, error);
  if (!server_) {
    ADD_FAILURE() << "server did not start: " << error;
    return false;
  }
  auto http = server_->listeningOn("http", milliseconds{5000});
  if (!http) {
    ADD_FAILURE() << "no 'listening on http://' line\n" << server_->logTail();
    return false;
  }
  httpPort_ = http->port;
  return true;
}

std::unique_ptr<Client> MetricsTest::helloClient(const std::string& name) {
  return openOn(server_->endpoint(), name);
}

}  // namespace clasp::conformance
