// libFuzzer target for address/pattern validation, the D-1 matcher,
// patternCovers and PatternIndex. Input: pattern bytes, 0x00, address bytes
// (no 0x00: the whole input is the pattern and the address is "/"). Every
// invariant the three matchers and the validators must share is checked and
// a violation traps, so the fuzzer reports it as a crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/address.hpp"
#include "core/pattern.hpp"
#include "core/pattern_index.hpp"

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

// An address the pattern must match: `**` -> nothing, `*` -> `filler`, each
// glob star -> nothing (a glob of stars only -> `filler`). Empty when the
// result would not be a valid address.
std::string instantiate(const clasp::Pattern& p, std::string_view filler) {
  std::string out;
  for (std::size_t i = 0; i < p.segmentCount(); ++i) {
    switch (p.segmentKind(i)) {
      case clasp::SegmentKind::DoubleStar:
        break;
      case clasp::SegmentKind::Star:
        out += '/';
        out += filler;
        break;
      case clasp::SegmentKind::Literal:
      case clasp::SegmentKind::Glob: {
        out += '/';
        const std::size_t before = out.size();
        for (const char c : p.segment(i)) {
          if (c != '*') out += c;
        }
        if (out.size() == before) out += filler;  // `***`: all stars, still one segment
        break;
      }
    }
  }
  if (out.empty()) out = "/";
  return clasp::validateAddress(out).has_value() ? out : std::string();
}

void fuzzIndex(const clasp::Pattern& p, std::string_view address, bool matches) {
  clasp::PatternIndex<int> index;
  check(index.insert(p.text(), 1).has_value());
  check(index.insert(p.text(), 1).has_value());  // duplicate: stored once
  check(index.insert(p.text(), 2).has_value());
  check(index.insert("/fuzz/**", 3).has_value());
  check(index.size() == 3);
  int seen = 0;
  index.match(address, [&](int v) {
    if (v == 1 || v == 2) ++seen;
  });
  check(seen == (matches ? 2 : 0));
  check(index.remove(p.text(), 1));
  check(!index.remove(p.text(), 1));
  check(index.remove(p.text(), 2));
  check(index.remove("/fuzz/**", 3));
  check(index.empty());
  check(index.nodeCount() == 1);  // everything pruned
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t cut = input.find('\0');
  const std::string_view patternText = input.substr(0, cut);
  const std::string_view address =
      cut == std::string_view::npos ? std::string_view("/") : input.substr(cut + 1);

  const auto validPattern = clasp::validatePattern(patternText);
  const auto parsed = clasp::Pattern::parse(patternText);
  const auto validAddress = clasp::validateAddress(address);
  check(validPattern.has_value() == parsed.has_value());
  if (!validPattern) {
    check(validPattern.error().code == clasp::Errc::PatternError);
    check(!validPattern.error().message.empty());
    check(!clasp::patternMatches(patternText, address));
    clasp::PatternIndex<int> index;
    check(!index.insert(patternText, 1).has_value());
    check(index.empty() && index.nodeCount() == 1);
  }
  if (!validAddress) check(validAddress.error().code == clasp::Errc::InvalidAddress);
  // Same structural rules: a '*'-free text is a valid address exactly when it
  // is a valid pattern.
  if (!clasp::isPattern(address)) {
    check(validAddress.has_value() == clasp::validatePattern(address).has_value());
  }
  if (!parsed) return 0;
  const clasp::Pattern& p = *parsed;

  const bool matches = p.matches(address);
  check(matches == clasp::patternMatches(patternText, address));
  check(clasp::patternCovers(p, p));
  check(p.isExact() == !clasp::isPattern(patternText));
  if (p.isExact()) {
    check(clasp::validateAddress(patternText).has_value());
    check(p.matches(patternText));
    if (validAddress) check(matches == (patternText == address));
  }

  // Addresses built from the pattern must match it, and anything covering
  // the pattern must match them too.
  const auto other = clasp::Pattern::parse(address);
  for (const std::string_view filler : {"x", "zz"}) {
    const std::string built = instantiate(p, filler);
    if (built.empty()) continue;
    check(p.matches(built));
    if (other && clasp::patternCovers(*other, p)) check(other->matches(built));
  }
  const auto all = clasp::Pattern::parse("/**");
  check(all && clasp::patternCovers(*all, p));

  fuzzIndex(p, address, matches);
  return 0;
}
