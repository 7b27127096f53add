// Structured fields for log lines: `slog::info({{"port", 7330}}, "serving")`
// logs through spdlog's default logger like spdlog::info, and the fields
// become JSON members in --log-format json and ` key=value` in text.
// The fields reach the formatter through a thread-local span that is set
// only for the duration of the call: spdlog formats synchronously on the
// calling thread, so nothing is copied or allocated for them. Keys are
// constants chosen at the call site (snake_case, never time/level/message);
// values may be client-provided text, the formatter escapes them.
#pragma once

#include <spdlog/spdlog.h>

#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace clasp::slog {

using Value = std::variant<std::string_view, std::int64_t, std::uint64_t, bool>;

// One key/value pair. Holds views: it lives only as long as the log call.
struct Field {
  std::string_view key;
  Value value;

  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, bool v) : key(k), value(v) {}
  template <std::signed_integral T>
  Field(std::string_view k, T v) : key(k), value(static_cast<std::int64_t>(v)) {}
  template <std::unsigned_integral T>
    requires(!std::same_as<T, bool>)
  Field(std::string_view k, T v) : key(k), value(static_cast<std::uint64_t>(v)) {}
};

using Fields = std::initializer_list<Field>;

namespace detail {
inline thread_local std::span<const Field> current;

class Scope {
 public:
  explicit Scope(std::span<const Field> fields) : saved_(current) { current = fields; }
  ~Scope() { current = saved_; }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  std::span<const Field> saved_;
};
}  // namespace detail

// The fields of the line being formatted on this thread (empty outside a
// slog call). For formatters.
inline std::span<const Field> currentFields() { return detail::current; }

template <class... Args>
void log(spdlog::level::level_enum level, Fields fields, spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::logger* logger = spdlog::default_logger_raw();
  if (!logger->should_log(level)) return;
  detail::Scope scope(std::span<const Field>(fields.begin(), fields.size()));
  logger->log(level, fmt, std::forward<Args>(args)...);
}

template <class... Args>
void trace(Fields fields, spdlog::format_string_t<Args...> fmt, Args&&... args) {
  log(spdlog::level::trace, fields, fmt, std::forward<Args>(args)...);
}
template <class... Args>
void debug(Fields fields, spdlog::format_string_t<Args...> fmt, Args&&... args) {
  log(spdlog::level::debug, fields, fmt, std::forward<Args>(args)...);
}
template <class... Args>
void info(Fields fields, spdlog::format_string_t<Args...> fmt, Args&&... args) {
  log(spdlog::level::info, fields, fmt, std::forward<Args>(args)...);
}
template <class... Args>
void warn(Fields fields, spdlog::format_string_t<Args...> fmt, Args&&... args) {
  log(spdlog::level::warn, fields, fmt, std::forward<Args>(args)...);
}
template <class... Args>
void error(Fields fields, spdlog::format_string_t<Args...> fmt, Args&&... args) {
  log(spdlog::level::err, fields, fmt, std::forward<Args>(args)...);
}

}  // namespace clasp::slog
