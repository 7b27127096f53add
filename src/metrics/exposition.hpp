// Exposition: the Prometheus text format 0.0.4 (what GET /metrics returns).
// The writer appends families to one string: `# HELP` and `# TYPE` lines,
// then samples with escaped label values; histograms are written from
// non-cumulative bucket counts as cumulative `_bucket{le=...}` lines, `_sum`
// and `_count`. It knows nothing about where values come from (the
// collector in cli/ gathers them); pure, no I/O.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace clasp::metrics {

inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

enum class Type : std::uint8_t { Counter, Gauge, Histogram };

using Label = std::pair<std::string_view, std::string_view>;

class TextWriter {
 public:
  // Starts a family: name (counters end in _total), help text, type.
  void family(std::string_view name, std::string_view help, Type type);
  // One sample line: `name{labels} value`.
  void sample(std::string_view name, std::span<const Label> labels, double value);
  void sample(std::string_view name, double value) { sample(name, {}, value); }
  // A histogram's series for one label set. `buckets` are non-cumulative
  // counts, one per bound plus the +Inf bucket; bounds and sum are divided
  // by `scale` (1e9 turns nanoseconds into seconds).
  void histogram(std::string_view name, std::span<const Label> labels, std::span<const std::uint64_t> bounds,
                 std::span<const std::uint64_t> buckets, std::uint64_t sum, double scale);

  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }

  // Label values: backslash, double quote and newline are escaped.
  static void appendEscaped(std::string& out, std::string_view value);
  // HELP text: backslash and newline are escaped.
  static void appendHelp(std::string& out, std::string_view help);
  // Go-style float text; +Inf, -Inf and NaN as Prometheus spells them.
  static void appendNumber(std::string& out, double value);

 private:
  void labels(std::span<const Label> labels, std::string_view extraName = {}, std::string_view extraValue = {});
  std::string out_;
};

}  // namespace clasp::metrics
