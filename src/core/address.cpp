// Address (D-2) and pattern (D-1) syntax checks and the shared splitter.
// One scanner serves both checks so addresses and patterns can never disagree
// on what a segment is; only the '*' rule and the error code differ. Error
// texts follow the reference router's ("invalid address: ..."), which the JS
// client shows to users verbatim.
#include "core/address.hpp"

#include <string>

namespace clasp {
namespace {

enum class Problem {
  None,
  Empty,
  NoLeadingSlash,
  TooLong,
  EmptySegment,
  TooManySegments,
  Wildcard,
};

// Scans once, in the order a reader would fix things: shape first, then size
// limits, then the address-only '*' rule.
Problem checkSyntax(std::string_view text, bool allowStar) {
  if (text.empty()) return Problem::Empty;
  if (text.front() != '/') return Problem::NoLeadingSlash;
  if (text.size() > kMaxAddressBytes) return Problem::TooLong;
  if (text.size() == 1) return Problem::None;  // "/": the root, zero segments
  std::size_t segments = 1;
  bool star = false;
  // text[0] is the leading '/'; every later '/' starts another segment, and
  // the byte before each '/' (and the last byte) must not be a '/'.
  for (std::size_t i = 1; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '/') {
      if (text[i - 1] == '/') return Problem::EmptySegment;
      ++segments;
    } else if (c == '*') {
      star = true;
    }
  }
  if (text.back() == '/') return Problem::EmptySegment;
  if (segments > kMaxAddressSegments) return Problem::TooManySegments;
  if (star && !allowStar) return Problem::Wildcard;
  return Problem::None;
}

// Error messages quote the offending text; a long one is cut at a UTF-8
// character boundary so the message stays a valid wire string.
std::string quoted(std::string_view text) {
  constexpr std::size_t kQuoteBytes = 100;
  if (text.size() <= kQuoteBytes) return std::string(text);
  std::size_t cut = kQuoteBytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  std::string out(text.substr(0, cut));
  out += "...";
  return out;
}

Result<void> report(Problem problem, std::string_view text, Errc code) {
  switch (problem) {
    case Problem::None:
      return {};
    case Problem::Empty:
      return fail(code, "invalid address: empty address");
    case Problem::NoLeadingSlash:
      return fail(code, "invalid address: address must start with '/': " + quoted(text));
    case Problem::TooLong:
      return fail(code, "invalid address: address longer than " +
                            std::to_string(kMaxAddressBytes) + " bytes: " + quoted(text));
    case Problem::EmptySegment:
      return fail(code, "invalid address: empty segment in address: " + quoted(text));
    case Problem::TooManySegments:
      return fail(code, "invalid address: more than " + std::to_string(kMaxAddressSegments) +
                            " segments in address: " + quoted(text));
    case Problem::Wildcard:
      return fail(code, "invalid address: '*' is not allowed in an address: " + quoted(text));
  }
  return fail(Errc::InternalError, "invalid address: unknown problem");
}

}  // namespace

Result<void> validateAddress(std::string_view address) {
  return report(checkSyntax(address, false), address, Errc::InvalidAddress);
}

Result<void> validatePattern(std::string_view pattern) {
  return report(checkSyntax(pattern, true), pattern, Errc::PatternError);
}

bool isPattern(std::string_view text) { return text.find('*') != std::string_view::npos; }

int splitSegments(std::string_view text, std::string_view* out, int cap) {
  if (text.empty() || text.front() != '/') return -1;
  if (text.size() == 1) return 0;
  int count = 0;
  std::size_t start = 1;
  for (;;) {
    const std::size_t slash = text.find('/', start);
    const std::size_t end = slash == std::string_view::npos ? text.size() : slash;
    if (count == cap) return -1;
    out[count++] = text.substr(start, end - start);
    if (slash == std::string_view::npos) return count;
    start = slash + 1;
  }
}

}  // namespace clasp
