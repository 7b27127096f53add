// The two line formats, the reopenable file sink and the logger they make
// up (see logging.hpp). Text is spdlog's pattern_formatter with one custom
// flag (%*) that writes the message with control characters escaped,
// followed by the structured fields as key=value; JSON is a formatter of
// its own that builds each line with nlohmann::json, whose dump replaces
// invalid UTF-8 so that every line stays valid JSON whatever a client sent.
#include "cli/logging.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "log/fields.hpp"

namespace clasp::cli {

namespace {

using spdlog::memory_buf_t;
using spdlog::details::log_msg;

void append(memory_buf_t& dest, std::string_view s) { dest.append(s.data(), s.data() + s.size()); }

// Text: control characters (a client's address may hold a newline) become
// escapes so that one log call is one line.
void appendEscaped(memory_buf_t& dest, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u != 0x7f) {
      dest.push_back(c);
      continue;
    }
    switch (c) {
      case '\n': append(dest, "\\n"); break;
      case '\r': append(dest, "\\r"); break;
      case '\t': append(dest, "\\t"); break;
      default:
        append(dest, "\\x");
        dest.push_back(kHex[u >> 4]);
        dest.push_back(kHex[u & 0xf]);
    }
  }
}

// A text field value: bare when it is one plain word, otherwise quoted with
// quotes and backslashes escaped (logfmt style).
void appendTextValue(memory_buf_t& dest, std::string_view s) {
  bool plain = !s.empty();
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '"' || c == '\\' || c == '=') plain = false;
  }
  if (plain) return append(dest, s);
  dest.push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') dest.push_back('\\');
    appendEscaped(dest, std::string_view(&c, 1));
  }
  dest.push_back('"');
}

class MessageAndFieldsFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const log_msg& msg, const std::tm&, memory_buf_t& dest) override {
    appendEscaped(dest, std::string_view(msg.payload.data(), msg.payload.size()));
    for (const slog::Field& f : slog::currentFields()) {
      dest.push_back(' ');
      appendEscaped(dest, f.key);
      dest.push_back('=');
      std::visit(
          [&dest](const auto& v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, std::string_view>) appendTextValue(dest, v);
            else if constexpr (std::is_same_v<V, bool>) append(dest, v ? "true" : "false");
            else fmt::format_to(std::back_inserter(dest), "{}", v);
          },
          f.value);
    }
  }
  std::unique_ptr<spdlog::custom_flag_formatter> clone() const override {
    return std::make_unique<MessageAndFieldsFlag>();
  }
};

std::unique_ptr<spdlog::formatter> textFormatter() {
  auto f = std::make_unique<spdlog::pattern_formatter>();
  f->add_flag<MessageAndFieldsFlag>('*').set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %*");
  return f;
}

std::string_view levelName(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace: return "trace";
    case spdlog::level::debug: return "debug";
    case spdlog::level::info: return "info";
    case spdlog::level::warn: return "warn";
    case spdlog::level::err: return "error";
    case spdlog::level::critical: return "critical";
    default: return "off";
  }
}

// JSON: {"time":"2026-01-02T03:04:05.678Z","level":"info","message":"...",<fields>}
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const log_msg& msg, memory_buf_t& dest) override {
    nlohmann::ordered_json line;
    line["time"] = rfc3339(msg.time);
    line["level"] = levelName(msg.level);
    line["message"] = std::string_view(msg.payload.data(), msg.payload.size());
    for (const slog::Field& f : slog::currentFields()) {
      std::string key(f.key);
      if (key == "time" || key == "level" || key == "message") key.insert(0, "field_");
      std::visit([&](const auto& v) { line[key] = v; }, f.value);
    }
    // replace: invalid UTF-8 becomes U+FFFD instead of an exception.
    append(dest, line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }

 private:
  static std::string rfc3339(spdlog::log_clock::time_point t) {
    using namespace std::chrono;
    const auto secs = floor<seconds>(t);
    const auto millis = duration_cast<milliseconds>(t - secs).count();
    const std::time_t tt = spdlog::log_clock::to_time_t(secs);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                       tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  }
};

// --log-file: append-only, created 0640 (less under a stricter umask), one
// write(2) per line so nothing waits in a buffer and concurrent writers to
// the same file do not interleave within a line. reopen() swaps the
// descriptor under the sink's lock.
class ReopenableFileSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit ReopenableFileSink(std::string path) : path_(std::move(path)) {}
  ~ReopenableFileSink() override {
    if (fd_ >= 0) ::close(fd_);
  }
  ReopenableFileSink(const ReopenableFileSink&) = delete;
  ReopenableFileSink& operator=(const ReopenableFileSink&) = delete;

  const std::string& path() const { return path_; }

  Result<void> reopen() {
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0) return fail(Errc::InternalError, "cannot open log file '" + path_ + "': " + std::strerror(errno));
    std::lock_guard<std::mutex> lock(mutex_);
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
    return {};
  }

 protected:
  void sink_it_(const log_msg& msg) override {
    memory_buf_t line;
    formatter_->format(msg, line);
    const char* p = line.data();
    std::size_t left = line.size();
    while (left > 0) {
      const ssize_t n = ::write(fd_, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;  // disk full or similar: the line is lost, the server goes on
      p += n;
      left -= static_cast<std::size_t>(n);
    }
  }
  void flush_() override {}

 private:
  std::string path_;
  int fd_ = -1;
};

std::optional<spdlog::level::level_enum> parseLevel(std::string_view level) {
  if (level == "error") return spdlog::level::err;
  if (level == "warn") return spdlog::level::warn;
  if (level == "info") return spdlog::level::info;
  if (level == "debug") return spdlog::level::debug;
  if (level == "trace") return spdlog::level::trace;
  return std::nullopt;
}

std::unique_ptr<spdlog::formatter> formatterFor(std::string_view format) {
  if (format == "text") return textFormatter();
  if (format == "json") return std::make_unique<JsonFormatter>();
  return nullptr;
}

// Set once by configureLogging, before other threads exist; read-only after.
std::shared_ptr<spdlog::logger> gLogger;
std::shared_ptr<ReopenableFileSink> gFile;

}  // namespace

Result<void> configureLogging(const LogOptions& options) {
  auto level = parseLevel(options.level);
  if (!level) return fail(Errc::InvalidValue, "unknown log level '" + options.level + "'");
  auto formatter = formatterFor(options.format);
  if (!formatter) return fail(Errc::InvalidValue, "unknown log format '" + options.format + "'");
  std::shared_ptr<ReopenableFileSink> file;
  spdlog::sink_ptr sink;
  if (!options.file.empty()) {
    std::error_code ec;
    std::filesystem::path path = std::filesystem::absolute(options.file, ec);
    // Absolute, so that a later change of directory does not move the reopen.
    file = std::make_shared<ReopenableFileSink>(ec ? options.file : path.string());
    if (auto ok = file->reopen(); !ok) return ok;
    sink = file;
  } else {
    sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  }
  sink->set_formatter(std::move(formatter));
  auto logger = std::make_shared<spdlog::logger>("clasp", std::move(sink));
  logger->set_level(*level);
  spdlog::set_default_logger(logger);
  gLogger = std::move(logger);
  gFile = std::move(file);
  return {};
}

Result<void> setLogLevel(std::string_view level) {
  auto parsed = parseLevel(level);
  if (!parsed) return fail(Errc::InvalidValue, "unknown log level '" + std::string(level) + "'");
  if (!gLogger) return fail(Errc::InternalError, "logging is not configured");
  gLogger->set_level(*parsed);
  return {};
}

Result<void> setLogFormat(std::string_view format) {
  auto formatter = formatterFor(format);
  if (!formatter) return fail(Errc::InvalidValue, "unknown log format '" + std::string(format) + "'");
  if (!gLogger) return fail(Errc::InternalError, "logging is not configured");
  gLogger->set_formatter(std::move(formatter));
  return {};
}

Result<void> reopenLogFile() {
  if (!gFile) return {};
  return gFile->reopen();
}

void reopenLogFileAndReport() {
  if (!gFile) return;
  if (auto ok = reopenLogFile(); !ok) {
    slog::error({{"path", gFile->path()}}, "{}; still writing to the old file", ok.error().message);
    return;
  }
  slog::info({{"path", gFile->path()}}, "log file reopened");
}

}  // namespace clasp::cli
