// Prometheus text format writer; see exposition.hpp.
#include "metrics/exposition.hpp"

#include <charconv>
#include <cmath>
#include <vector>

namespace clasp::metrics {

void TextWriter::family(std::string_view name, std::string_view help, Type type) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  appendHelp(out_, help);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += type == Type::Counter ? " counter\n" : type == Type::Gauge ? " gauge\n" : " histogram\n";
}

void TextWriter::sample(std::string_view name, std::span<const Label> ls, double value) {
  out_ += name;
  labels(ls);
  out_ += ' ';
  appendNumber(out_, value);
  out_ += '\n';
}

void TextWriter::histogram(std::string_view name, std::span<const Label> ls, std::span<const std::uint64_t> bounds,
                           std::span<const std::uint64_t> buckets, std::uint64_t sum, double scale) {
  std::uint64_t cumulative = 0;
  std::string le;
  for (std::size_t i = 0; i <= bounds.size(); ++i) {
    cumulative += i < buckets.size() ? buckets[i] : 0;
    le.clear();
    if (i < bounds.size()) appendNumber(le, static_cast<double>(bounds[i]) / scale);
    else le = "+Inf";
    out_ += name;
    out_ += "_bucket";
    labels(ls, "le", le);
    out_ += ' ';
    appendNumber(out_, static_cast<double>(cumulative));
    out_ += '\n';
  }
  out_ += name;
  out_ += "_sum";
  labels(ls);
  out_ += ' ';
  appendNumber(out_, static_cast<double>(sum) / scale);
  out_ += '\n';
  // _count from the buckets, so it always equals the +Inf bucket.
  out_ += name;
  out_ += "_count";
  labels(ls);
  out_ += ' ';
  appendNumber(out_, static_cast<double>(cumulative));
  out_ += '\n';
}

void TextWriter::labels(std::span<const Label> ls, std::string_view extraName, std::string_view extraValue) {
  if (ls.empty() && extraName.empty()) return;
  out_ += '{';
  bool first = true;
  auto one = [&](std::string_view n, std::string_view v) {
    if (!first) out_ += ',';
    first = false;
    out_ += n;
    out_ += "=\"";
    appendEscaped(out_, v);
    out_ += '"';
  };
  for (const auto& [n, v] : ls) one(n, v);
  if (!extraName.empty()) one(extraName, extraValue);
  out_ += '}';
}

void TextWriter::appendEscaped(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
}

void TextWriter::appendHelp(std::string& out, std::string_view help) {
  for (char c : help) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
}

void TextWriter::appendNumber(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
    return;
  }
  if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
    return;
  }
  // Integral values (counters, most gauges) print without an exponent.
  if (std::fabs(value) < 9.007199254740992e15 && value == std::floor(value)) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<std::int64_t>(value));
    out.append(buf, end);
    return;
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);  // shortest round-trip form
  out.append(buf, end);
}

}  // namespace clasp::metrics
