// The fixture of the operations suite: what an operator does to a running
// server (config file, environment, SIGHUP reload, SIGTERM drain; contract:
// clasp-server.md "Configuration File", "Environment Variables", "Signals";
// relay-server.md "Graceful Shutdown"; DECISIONS D-24, D-25). Built on the
// persistence fixture: every test starts its own processes with files in a
// per-test folder.
#pragma once

#include <cstdlib>
#include <string>
#include <vector>

#include "../persistence/persistence_fixture.hpp"

namespace clasp::conformance {

// Sets an environment variable for the scope (children inherit it).
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const std::string& value) : name_(std::move(name)) { ::setenv(name_.c_str(), value.c_str(), 1); }
  ~ScopedEnv() { ::unsetenv(name_.c_str()); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
};

class OperationsTest : public PersistenceTest {
 protected:
  // Writes `text` to a file of this test's folder; returns its absolute path.
  std::string writeFile(const std::string& name, const std::string& text);
  // Connects and says HELLO; nullptr (and a failure) when that fails.
  std::unique_ptr<Client> join(const Endpoint& ep, const std::string& name = "client", Loc loc = Loc::current());
  // A connection over the session limit: upgraded, then closed with 1013.
  bool expectRefused(const Endpoint& ep, Loc loc = Loc::current());
  // Whether a TCP connection to the endpoint is accepted at all.
  static bool tcpAccepts(const Endpoint& ep);
  // Sends bytes that are not HTTP (the server logs it at debug level) and
  // reads until the server closes.
  static void plainHttpProbe(const Endpoint& ep);
  // Starts a process expected to refuse its configuration: exit code 2 and
  // the message on stderr. Returns stderr (empty after a failure).
  std::string expectUsageError(Flavour flavour, const std::vector<std::string>& args, Loc loc = Loc::current());
};

}  // namespace clasp::conformance
