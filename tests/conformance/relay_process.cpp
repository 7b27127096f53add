// RelayProcess and the shared server: fork/exec of the server binary with its
// output in a fresh temporary folder, the "listening on ws://HOST:PORT"
// startup line, SIGTERM/SIGKILL on destruction, and CLASP_TEST_URL for an
// external server. The persistence suite also uses kill9() (crash), stop()
// (graceful, with the exit code) and runExpectingExit() (startup refusals).
// Runs on the test thread only.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "harness.hpp"

namespace clasp::conformance {

namespace {

constexpr milliseconds kStartupTimeout{10000};

std::string readFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The last `count` lines of `text`.
std::string tailLines(const std::string& text, std::size_t count) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::string out;
  for (std::size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i) {
    out += lines[i] + "\n";
  }
  return out;
}

// Finds "listening on ws://HOST:PORT" (or another scheme's line) in the process's output.
std::optional<Endpoint> parseListening(const std::string& out, std::string_view marker = "listening on ws://") {
  std::size_t at = out.find(marker);
  if (at == std::string::npos) return std::nullopt;
  std::size_t start = at + marker.size();
  std::size_t end = out.find_first_of(" \t\r\n/", start);
  if (end == std::string::npos) return std::nullopt;  // line not complete yet
  std::string hostPort = out.substr(start, end - start);
  std::size_t colon = hostPort.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  Endpoint ep;
  ep.host = hostPort.substr(0, colon);
  if (ep.host.size() >= 2 && ep.host.front() == '[') ep.host = ep.host.substr(1, ep.host.size() - 2);
  if (ep.host == "0.0.0.0" || ep.host.empty()) ep.host = "127.0.0.1";
  int port = std::atoi(hostPort.c_str() + colon + 1);
  if (port <= 0 || port > 65535) return std::nullopt;
  ep.port = static_cast<std::uint16_t>(port);
  return ep;
}

std::optional<Endpoint> parseUrl(std::string_view url) {
  if (!url.starts_with("ws://")) return std::nullopt;
  url.remove_prefix(5);
  if (url.ends_with("/")) url.remove_suffix(1);
  std::size_t colon = url.rfind(':');
  if (colon == std::string_view::npos) return Endpoint{std::string(url), 7330};
  Endpoint ep{std::string(url.substr(0, colon)), 0};
  int port = std::atoi(std::string(url.substr(colon + 1)).c_str());
  if (port <= 0 || port > 65535) return std::nullopt;
  ep.port = static_cast<std::uint16_t>(port);
  return ep;
}

const char* envOrNull(const char* name) {
  const char* v = std::getenv(name);
  return (v != nullptr && *v != '\0') ? v : nullptr;
}

struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

std::string describeStatus(int status) {
  if (WIFEXITED(status)) return "exited with code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "ended (status " + std::to_string(status) + ")";
}

}  // namespace

std::unique_ptr<RelayProcess> RelayProcess::spawn(Flavour flavour,
                                                  const std::vector<std::string>& extraArgs,
                                                  std::string& error) {
  const char* envName = flavour == Flavour::Relay ? "CLASP_RELAY_BIN" : "CLASP_SERVER_BIN";
  const char* bin = envOrNull(envName);
  if (bin == nullptr) {
    error = std::string(envName) + " not set: point it at the " +
            (flavour == Flavour::Relay ? "clasp-relay" : "clasp") +
            " binary, or set CLASP_TEST_URL=ws://host:port to test a running server";
    return nullptr;
  }
  std::error_code ec;
  std::filesystem::path binPath = std::filesystem::absolute(bin, ec);
  if (ec || !std::filesystem::exists(binPath)) {
    error = std::string(envName) + "=" + bin + ": no such file";
    return nullptr;
  }

  std::vector<std::string> args{binPath.string()};
  if (flavour == Flavour::Relay) {
    args.insert(args.end(), {"--host", "127.0.0.1", "--ws-port", "0"});
  } else {
    args.insert(args.end(), {"server", "--bind", "127.0.0.1", "--port", "0"});
  }
  args.insert(args.end(), extraArgs.begin(), extraArgs.end());

  std::unique_ptr<RelayProcess> p(new RelayProcess());
  for (const auto& a : args) p->commandLine_ += (p->commandLine_.empty() ? "" : " ") + a;

  std::filesystem::path tmp = std::filesystem::temp_directory_path(ec);
  if (ec) tmp = "/tmp";
  std::string templ = (tmp / "clasp-conformance-XXXXXX").string();
  if (::mkdtemp(templ.data()) == nullptr) {
    error = "mkdtemp failed: " + std::string(std::strerror(errno));
    return nullptr;
  }
  p->dir_ = templ;
  const std::string outPath = (p->dir_ / "stdout.log").string();
  const std::string errPath = (p->dir_ / "stderr.log").string();
  const std::string dirPath = p->dir_.string();

  // Startup is awaited on events, not by polling: inotify reports writes to
  // the log folder (watched before fork, so none is missed) and a pidfd
  // reports the child's death.
  p->inotify_ = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (p->inotify_ >= 0) ::inotify_add_watch(p->inotify_, dirPath.c_str(), IN_MODIFY | IN_CREATE | IN_CLOSE_WRITE);

  // Everything the child touches is prepared before fork (only
  // async-signal-safe calls happen in the child).
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();

  pid_t pid = ::fork();
  if (pid < 0) {
    error = "fork failed: " + std::string(std::strerror(errno));
    return nullptr;
  }
  if (pid == 0) {
    // Die with the test binary, even if it crashes.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    int out = ::open(outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open(errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0 || err < 0 || ::chdir(dirPath.c_str()) != 0) ::_exit(126);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    ::execv(argv[0], argv.data());
    static constexpr char kMsg[] = "conformance harness: execv failed\n";
    [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, kMsg, sizeof kMsg - 1);
    ::_exit(127);
  }
  p->pid_ = pid;
  return p;
}

std::unique_ptr<RelayProcess> RelayProcess::start(Flavour flavour,
                                                  const std::vector<std::string>& extraArgs,
                                                  std::string& error) {
  std::unique_ptr<RelayProcess> p = spawn(flavour, extraArgs, error);
  if (!p) return nullptr;
  const std::filesystem::path outPath = p->dir_ / "stdout.log";
  const std::filesystem::path errPath = p->dir_ / "stderr.log";
  const int inotify = p->inotify_;

  // Startup: wait for the listening line, the child's death or the deadline.
  const auto deadline = SteadyClock::now() + kStartupTimeout;
  FdCloser pidfd{static_cast<int>(::syscall(SYS_pidfd_open, p->pid_, 0))};
  for (;;) {
    if (auto ep = parseListening(readFile(outPath))) {
      p->endpoint_ = *ep;
      return p;
    }
    std::string status;
    if (!p->alive(&status)) {
      error = "`" + p->commandLine_ + "` " + status + " before printing 'listening on ws://...'\n" +
              p->logTail();
      return nullptr;
    }
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - SteadyClock::now());
    if (left.count() <= 0) {
      error = "`" + p->commandLine_ + "` printed no 'listening on ws://HOST:PORT' line within 10 s";
      if (parseListening(readFile(errPath))) error += " on stdout (it went to stderr)";
      error += "\n" + p->logTail();
      return nullptr;  // the destructor stops the process
    }
    pollfd fds[2] = {{inotify, POLLIN, 0}, {pidfd.fd, POLLIN, 0}};
    ::poll(fds, 2, static_cast<int>(left.count()));
    char drain[4096];
    while (inotify >= 0 && ::read(inotify, drain, sizeof drain) > 0) {
    }
  }
}

bool RelayProcess::alive(std::string* status) {
  if (!reaped_ && pid_ > 0) {
    int st = 0;
    pid_t r = ::waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      exitStatus_ = st;
    }
  }
  if (reaped_ && status != nullptr) *status = describeStatus(exitStatus_);
  return !reaped_;
}

std::string RelayProcess::logTail() const {
  std::string out = tailLines(readFile(dir_ / "stdout.log"), 15);
  std::string err = tailLines(readFile(dir_ / "stderr.log"), 15);
  return "--- stdout (tail) ---\n" + out + "\n--- stderr (tail) ---\n" + err;
}

std::optional<Endpoint> RelayProcess::listeningOn(std::string_view scheme, milliseconds timeout) {
  const std::string marker = "listening on " + std::string(scheme) + "://";
  const auto deadline = SteadyClock::now() + timeout;
  for (;;) {
    if (auto ep = parseListening(readFile(dir_ / "stdout.log"), marker)) return ep;
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - SteadyClock::now());
    if (left.count() <= 0 || !alive()) return std::nullopt;
    // inotify_ still watches the log folder: wake on the next write.
    pollfd fd{inotify_, POLLIN, 0};
    ::poll(&fd, 1, static_cast<int>(std::min<long long>(left.count(), 100)));
    char drain[4096];
    while (inotify_ >= 0 && ::read(inotify_, drain, sizeof drain) > 0) {
    }
  }
}

bool RelayProcess::waitExit(milliseconds timeout) {
  if (!alive()) return true;
  // Wait for the exit itself (pidfd becomes readable), not by polling.
  FdCloser pidfd{static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0))};
  if (pidfd.fd >= 0) {
    pollfd fd{pidfd.fd, POLLIN, 0};
    ::poll(&fd, 1, static_cast<int>(timeout.count()));
  }
  return !alive();
}

void RelayProcess::signal(int sig) {
  if (pid_ > 0 && alive()) ::kill(pid_, sig);
}

std::optional<int> RelayProcess::waitForExit(milliseconds timeout, std::string* status) {
  if (!waitExit(timeout)) {
    if (status != nullptr) *status = "still running after " + std::to_string(timeout.count()) + " ms";
    return std::nullopt;
  }
  if (status != nullptr) *status = describeStatus(exitStatus_);
  if (WIFEXITED(exitStatus_)) return WEXITSTATUS(exitStatus_);
  return std::nullopt;
}

std::string RelayProcess::output() const {
  return readFile(dir_ / "stdout.log") + readFile(dir_ / "stderr.log");
}

bool RelayProcess::waitForOutput(std::string_view needle, milliseconds timeout, std::size_t count) {
  auto occurrences = [&] {
    const std::string text = output();
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
    return n;
  };
  const auto deadline = SteadyClock::now() + timeout;
  while (occurrences() < count) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - SteadyClock::now());
    if (left.count() <= 0) return false;
    // inotify_ watches the log folder: wake on the next write.
    pollfd fd{inotify_, POLLIN, 0};
    ::poll(&fd, 1, static_cast<int>(std::min<long long>(left.count(), 100)));
    char drain[4096];
    while (inotify_ >= 0 && ::read(inotify_, drain, sizeof drain) > 0) {
    }
  }
  return true;
}

void RelayProcess::kill9() {
  if (pid_ <= 0 || !alive()) return;
  ::kill(pid_, SIGKILL);
  int st = 0;
  if (::waitpid(pid_, &st, 0) == pid_) exitStatus_ = st;
  reaped_ = true;
}

std::optional<int> RelayProcess::stop(milliseconds timeout, std::string* status) {
  if (pid_ > 0 && alive()) {
    ::kill(pid_, SIGTERM);
    if (!waitExit(timeout)) {
      kill9();
      if (status != nullptr) *status = "did not exit within " + std::to_string(timeout.count()) + " ms of SIGTERM";
      return std::nullopt;
    }
  }
  if (status != nullptr) *status = describeStatus(exitStatus_);
  if (WIFEXITED(exitStatus_)) return WEXITSTATUS(exitStatus_);
  return std::nullopt;
}

RelayProcess::Outcome RelayProcess::runExpectingExit(Flavour flavour,
                                                     const std::vector<std::string>& extraArgs,
                                                     milliseconds timeout, std::string& error) {
  Outcome o;
  std::unique_ptr<RelayProcess> p = spawn(flavour, extraArgs, error);
  if (!p) return o;
  o.commandLine = p->commandLine_;
  // Waits for the exit, but gives up as soon as the process announces a
  // listener: then it is serving, and will not refuse any more.
  const auto deadline = SteadyClock::now() + timeout;
  FdCloser pidfd{static_cast<int>(::syscall(SYS_pidfd_open, p->pid_, 0))};
  bool listening = false;
  while (p->alive()) {
    listening = readFile(p->dir_ / "stdout.log").find("listening on") != std::string::npos;
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - SteadyClock::now());
    if (listening || left.count() <= 0) break;
    pollfd fds[2] = {{p->inotify_, POLLIN, 0}, {pidfd.fd, POLLIN, 0}};
    ::poll(fds, 2, static_cast<int>(left.count()));
    char drain[4096];
    while (p->inotify_ >= 0 && ::read(p->inotify_, drain, sizeof drain) > 0) {
    }
  }
  o.exited = !p->alive();
  if (o.exited) {
    o.status = describeStatus(p->exitStatus_);
    if (WIFEXITED(p->exitStatus_)) o.exitCode = WEXITSTATUS(p->exitStatus_);
  } else {
    o.status = listening ? "started and is listening"
                         : "still running after " + std::to_string(timeout.count()) + " ms";
    p->kill9();
  }
  o.out = readFile(p->dir_ / "stdout.log");
  o.err = readFile(p->dir_ / "stderr.log");
  return o;  // p's destructor removes its folder
}

RelayProcess::~RelayProcess() {
  if (inotify_ >= 0) ::close(inotify_);
  if (pid_ > 0 && alive()) {
    ::kill(pid_, SIGTERM);
    if (!waitExit(milliseconds(3000))) kill9();
  }
  if (!dir_.empty()) {
    if (envOrNull("CLASP_CONFORMANCE_KEEP_LOGS") != nullptr) {
      std::fprintf(stderr, "[conformance] logs of `%s` kept in %s\n", commandLine_.c_str(),
                   dir_.c_str());
    } else {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }
}

namespace {
struct SharedServer {
  bool tried = false;
  std::optional<Endpoint> endpoint;
  std::unique_ptr<RelayProcess> process;
  std::string error;
};
SharedServer& shared() {
  static SharedServer s;
  return s;
}
}  // namespace

bool externalServer() { return envOrNull("CLASP_TEST_URL") != nullptr; }

const Endpoint* sharedEndpoint(std::string& error) {
  SharedServer& s = shared();
  if (!s.tried) {
    s.tried = true;
    if (const char* url = envOrNull("CLASP_TEST_URL")) {
      s.endpoint = parseUrl(url);
      if (!s.endpoint) s.error = std::string("CLASP_TEST_URL=") + url + " is not ws://host:port";
    } else {
      // The relay is the default shared server; `clasp server` when only it is given.
      Flavour f = envOrNull("CLASP_RELAY_BIN") == nullptr && envOrNull("CLASP_SERVER_BIN") != nullptr
                      ? Flavour::ClaspServer
                      : Flavour::Relay;
      s.process = RelayProcess::start(f, {}, s.error);
      if (s.process) s.endpoint = s.process->endpoint();
    }
  }
  if (!s.endpoint) {
    error = s.error;
    return nullptr;
  }
  return &*s.endpoint;
}

bool sharedServerAlive(std::string& status) {
  SharedServer& s = shared();
  if (!s.process) return true;
  if (s.process->alive(&status)) return true;
  status += "\n" + s.process->logTail();
  return false;
}

}  // namespace clasp::conformance
