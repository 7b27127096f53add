// OperationsTest helpers: files, joins, refusals and raw TCP probes.
#include "ops_fixture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

namespace clasp::conformance {

std::string OperationsTest::writeFile(const std::string& name, const std::string& text) {
  const std::string path = statePath(name);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  return path;
}

std::unique_ptr<Client> OperationsTest::join(const Endpoint& ep, const std::string& name, Loc loc) {
  auto c = std::make_unique<Client>(name);
  if (!c->connect(ep, {}, loc) || !c->hello(1, loc)) return nullptr;
  return c;
}

bool OperationsTest::expectRefused(const Endpoint& ep, Loc loc) {
  Client c("over-the-limit");
  if (!c.connect(ep, {}, loc)) return false;
  return c.expectClose(1013, kExpectTimeout, loc);
}

namespace {
int connectTcp(const Endpoint& ep) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(ep.port);
  ::inet_pton(AF_INET, ep.host.c_str(), &a.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}
}  // namespace

bool OperationsTest::tcpAccepts(const Endpoint& ep) {
  int fd = connectTcp(ep);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

void OperationsTest::plainHttpProbe(const Endpoint& ep) {
  int fd = connectTcp(ep);
  ASSERT_GE(fd, 0) << "cannot connect to " << ep.url();
  const std::string req = "NOT-HTTP\r\n\r\n";
  ASSERT_EQ(::write(fd, req.data(), req.size()), static_cast<ssize_t>(req.size()));
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[4096];
  while (::read(fd, buf, sizeof buf) > 0) {
  }
  ::close(fd);
}

std::string OperationsTest::expectUsageError(Flavour flavour, const std::vector<std::string>& args, Loc loc) {
  std::string error;
  auto o = RelayProcess::runExpectingExit(flavour, args, milliseconds(10000), error);
  const std::string where = std::string(loc.file_name()) + ":" + std::to_string(loc.line());
  if (!error.empty()) {
    ADD_FAILURE() << where << ": " << error;
    return {};
  }
  if (!o.exited || o.exitCode != 2) {
    ADD_FAILURE() << where << ": `" << o.commandLine << "` should exit with code 2, but " << o.status
                  << "\n--- stderr ---\n" << o.err;
    return {};
  }
  return o.err;
}

}  // namespace clasp::conformance
