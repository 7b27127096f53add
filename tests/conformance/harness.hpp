// Black-box conformance harness. RelayProcess (relay_process.cpp) starts the
// real server binary (clasp-relay, or `clasp server`) on a kernel-chosen port
// and stops it again; Client (ws_client.cpp) speaks CLASP frames to it over
// one WebSocket connection; harness.cpp has the small helpers. Nothing here
// knows the server's internals: tests see only bytes on the wire.
//
// Single-threaded by design: each Client owns its io_context, which runs only
// inside the Client's own calls, so a client that the test does not read from
// really stops reading (used for the slow-consumer test). Every wait has a
// deadline; no call blocks forever.
//
// Environment:
//   CLASP_RELAY_BIN   path of clasp-relay (started with --host 127.0.0.1 --ws-port 0)
//   CLASP_SERVER_BIN  path of clasp (started as `clasp server --bind 127.0.0.1 --port 0`)
//   CLASP_TEST_URL    ws://host:port of a running server: no process is started, and
//                     tests that need their own server with special flags are skipped
//   CLASP_CONFORMANCE_SLOW=1  also run tests that must wait for a fixed 10 s timer
//   CLASP_CONFORMANCE_KEEP_LOGS=1  keep each started server's folder (stdout/stderr logs)
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <source_location>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/codec.hpp"
#include "core/messages.hpp"

namespace clasp::conformance {

using Bytes = std::vector<std::uint8_t>;
using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using Loc = std::source_location;

// How long a test waits for a frame the spec says must come.
inline constexpr milliseconds kExpectTimeout{3000};
// How long "nothing arrives" is watched, where only silence can be checked.
inline constexpr milliseconds kQuietWindow{250};

struct Endpoint {
  std::string host;
  std::uint16_t port = 0;
  std::string url() const { return "ws://" + host + ":" + std::to_string(port); }
};

enum class Flavour {
  Relay,        // $CLASP_RELAY_BIN --host 127.0.0.1 --ws-port 0 <flags>
  ClaspServer,  // $CLASP_SERVER_BIN server --bind 127.0.0.1 --port 0 <flags>
};

// One running server process. Its stdout and stderr go to files in a fresh
// temporary folder, which is also its working directory (hermetic: no config
// or state file of an earlier run is picked up).
class RelayProcess {
 public:
  // Starts the binary and waits up to 10 s for the line
  // "listening on ws://HOST:PORT". On failure returns nullptr with `error`
  // naming the cause (missing environment variable, early exit with its
  // stderr, timeout).
  static std::unique_ptr<RelayProcess> start(Flavour flavour,
                                             const std::vector<std::string>& extraArgs,
                                             std::string& error);
  ~RelayProcess();  // SIGTERM, SIGKILL after 3 s, then removes the folder
  RelayProcess(const RelayProcess&) = delete;
  RelayProcess& operator=(const RelayProcess&) = delete;

  const Endpoint& endpoint() const { return endpoint_; }
  pid_t pid() const { return pid_; }
  // Its working directory, which also holds stdout.log and stderr.log.
  const std::filesystem::path& dir() const { return dir_; }
  // True while the process has not exited; otherwise `status` describes how it ended.
  bool alive(std::string* status = nullptr);
  // The last lines of the process's stdout and stderr, for failure messages.
  std::string logTail() const;

  // The endpoint of another listener's startup line ("listening on
  // SCHEME://HOST:PORT", e.g. scheme "mqtt"), waiting up to `timeout` for it.
  std::optional<Endpoint> listeningOn(std::string_view scheme, milliseconds timeout);
  // Sends `sig` (SIGHUP, SIGTERM...) and returns at once.
  void signal(int sig);
  // Waits up to `timeout` for the process to end by itself (no signal sent).
  // Its exit code when it exited normally; nullopt when it is still running
  // or died by a signal (`status` says which).
  std::optional<int> waitForExit(milliseconds timeout, std::string* status = nullptr);
  // Everything the process wrote to stdout and stderr so far (its logs).
  std::string output() const;
  // Waits up to `timeout` until `needle` occurs at least `count` times in
  // output(); true if it did.
  bool waitForOutput(std::string_view needle, milliseconds timeout, std::size_t count = 1);
  // Crash simulation: SIGKILL and reap, so the process is gone on return.
  void kill9();
  // Graceful stop: SIGTERM, then waits up to `timeout` for the exit. Returns
  // the exit code when the process exited by itself; nullopt when it died by
  // a signal or did not end in time (it is then SIGKILLed). `status`, when
  // given, describes how it ended.
  std::optional<int> stop(milliseconds timeout, std::string* status = nullptr);

  // How a process that was expected to refuse to start ended.
  struct Outcome {
    bool exited = false;          // it ended by itself within the timeout
    std::optional<int> exitCode;  // set when it exited normally (not by a signal)
    std::string status;           // "exited with code 1", "still running after ..."
    std::string out, err;         // its complete stdout and stderr
    std::string commandLine;
  };
  // Starts the binary like start() and waits up to `timeout` for it to exit
  // (it is SIGKILLed if it does not). For startup-failure tests. `error` is
  // set only when the binary cannot be started at all.
  static Outcome runExpectingExit(Flavour flavour, const std::vector<std::string>& extraArgs,
                                  milliseconds timeout, std::string& error);

 private:
  RelayProcess() = default;
  // fork/exec with output and working directory in a fresh temporary folder;
  // does not wait for anything. nullptr (and `error`) on failure.
  static std::unique_ptr<RelayProcess> spawn(Flavour flavour, const std::vector<std::string>& extraArgs,
                                             std::string& error);
  // Waits up to `timeout` for the process to end; true when it has.
  bool waitExit(milliseconds timeout);
  pid_t pid_ = -1;
  int inotify_ = -1;  // watches dir_ for writes (startup line), set up before fork
  int exitStatus_ = 0;
  bool reaped_ = false;
  std::filesystem::path dir_;
  Endpoint endpoint_;
  std::string commandLine_;
};

// True when CLASP_TEST_URL names an external server.
bool externalServer();
// The server most tests share: CLASP_TEST_URL, or a RelayProcess of the
// default flavour started on first use and kept until the test binary exits.
// nullptr (and `error`) when none can be had; a failed start is not retried.
const Endpoint* sharedEndpoint(std::string& error);
// Whether the shared process (if we started one) is still running.
bool sharedServerAlive(std::string& status);

// A short rendering of a message for failure output: type and key fields.
std::string describe(const Message& m);
// Hex dump ("53 01 00 01 ff").
std::string hex(std::span<const std::uint8_t> bytes);
// Bytes from hex text; spaces ignored.
Bytes fromHex(std::string_view hexText);
// A complete frame for `m` (the core encoder), with the given QoS.
Bytes frameOf(const Message& m, std::optional<QoS> qos = std::nullopt);
// Server wall clock estimate in µs (same host: the local wall clock).
std::uint64_t nowMicros();

struct ConnectOptions {
  bool offerSubprotocol = true;  // request Sec-WebSocket-Protocol: clasp
  int receiveBuffer = 0;         // SO_RCVBUF before connecting; 0 = OS default
};

// A frame received from the server, decoded.
struct Received {
  FrameHeader header;
  Message message;
  std::size_t frameSize = 0;    // bytes the frame occupies
  std::size_t messageSize = 0;  // bytes of the WebSocket message that carried it
};

// One WebSocket connection speaking CLASP. Calls that can fail a test take a
// source location so the failure points at the test line, not at this file.
class Client {
 public:
  explicit Client(std::string name = "conformance");
  ~Client();  // drops the TCP connection (no close handshake)
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const std::string& name() const { return name_; }
  // Session id from this client's WELCOME (empty before hello()).
  const std::string& session() const { return session_; }

  // TCP connect plus WebSocket upgrade (5 s). Adds a failure and returns false
  // when either fails.
  bool connect(const Endpoint& ep, ConnectOptions options = {}, Loc loc = Loc::current());
  // Sec-WebSocket-Protocol of the upgrade response ("" if absent).
  std::string acceptedSubprotocol() const;

  // Sends one binary WebSocket message holding m's frame. Adds a failure and
  // returns false if the write fails or takes over 5 s.
  bool send(const Message& m, std::optional<QoS> qos = std::nullopt, Loc loc = Loc::current());
  // Sends arbitrary bytes as one binary WebSocket message (checked like send).
  bool sendRaw(std::span<const std::uint8_t> bytes, Loc loc = Loc::current());
  // As sendRaw, without failing the test: for writes that may race a close.
  bool trySendRaw(std::span<const std::uint8_t> bytes);
  bool sendText(std::string_view text, Loc loc = Loc::current());
  // A WebSocket-level ping (control frame), not CLASP PING.
  bool sendWebSocketPing(Loc loc = Loc::current());

  // HELLO (features 0xF8, this client's name) immediately followed by a
  // PING, then expects WELCOME, one or more SNAPSHOTs and the PONG. The PING
  // marks the end of the initial snapshot, which has no end marker of its own
  // (R1.3: frames pipelined after HELLO are processed after the snapshot).
  struct Greeting {
    Welcome welcome;
    std::vector<Snapshot> snapshots;
  };
  std::optional<Greeting> hello(std::uint8_t version = 1, Loc loc = Loc::current());
  // The token later HELLOs from hello() carry (authenticated servers, R1.4); "" = none.
  void setToken(std::string token) { token_ = std::move(token); }

  // The next frame within `timeout`, or nullopt (timeout or connection
  // ended). Never fails the test by itself, except for frames the server
  // should never send (undecodable bytes, text messages).
  std::optional<Received> nextFrame(milliseconds timeout);
  std::optional<Message> next(milliseconds timeout);

  // The next message, which must be a T: fails (and returns nullopt) if
  // another type, a close or nothing arrives within `timeout`.
  template <class T>
  std::optional<T> expect(milliseconds timeout = kExpectTimeout, Loc loc = Loc::current());
  // expect<ErrorMsg>() whose code must equal `code`.
  std::optional<ErrorMsg> expectError(std::uint16_t code, milliseconds timeout = kExpectTimeout,
                                      Loc loc = Loc::current());
  // Fails if any frame arrives (or the connection ends) within `window`.
  // Only for places where the spec promises silence and no barrier exists.
  bool expectNothing(milliseconds window = kQuietWindow, Loc loc = Loc::current());
  // The connection must end with a WebSocket close frame carrying `code`
  // within `timeout`, with no data frame before it.
  bool expectClose(std::uint16_t code, milliseconds timeout = kExpectTimeout,
                   Loc loc = Loc::current());
  // Sends PING; the very next frame must be PONG. Proves no direct reply
  // (ACK, ERROR, SNAPSHOT...) to earlier frames of this client is pending.
  bool pingPong(Loc loc = Loc::current());

  // Reads everything until the connection ends or `timeout` passes.
  struct Drained {
    std::vector<Message> messages;
    bool ended = false;                    // the connection is over
    std::optional<std::uint16_t> closeCode;  // set when a close frame arrived
  };
  Drained drainUntilClosed(milliseconds timeout);

  // True once the connection has ended (close frame, EOF or error); runs
  // pending I/O for up to `wait` first.
  bool ended(milliseconds wait = milliseconds{0});
  std::optional<std::uint16_t> closeCode() const;
  // How the connection ended, for messages ("close 1002 'reason'", "eof").
  std::string endDescription() const;

  // Graceful WebSocket close (1000), waiting up to 2 s, then drops the socket.
  void close();

 private:
  std::optional<Message> expectAny(const char* what, milliseconds timeout, Loc loc);
  bool write(bool binary, std::span<const std::uint8_t> bytes, Loc loc, bool check);

  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string name_;
  std::string session_;
  std::string token_;
};

template <class T>
const char* typeName() {
  return messageTypeName(Message(T{}).type());
}

template <class T>
std::optional<T> Client::expect(milliseconds timeout, Loc loc) {
  std::optional<Message> m = expectAny(typeName<T>(), timeout, loc);
  if (!m) return std::nullopt;
  if (T* t = std::get_if<T>(&m->variant())) return std::move(*t);
  ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line()))
      << name_ << ": expected " << typeName<T>() << " but received " << describe(*m);
  return std::nullopt;
}

}  // namespace clasp::conformance
