// Pattern: a validated, pre-split subscription/scope pattern and THE matcher
// (DECISIONS D-1: one matcher for delivery, snapshots, GET, QUERY, REPLAY,
// scopes, rules and federation). Also patternCovers(), the scope-escalation
// check of D-17. Immutable values: safe to share read-only across threads.
//
// Grammar (per segment, after the leading '/'): `**` = zero or more whole
// segments; `*` = exactly one segment; a segment holding '*' among other bytes
// (`zone5*`, `b**`, `*x*`) = one segment whose bytes match the glob, each run
// of '*' matching any run of bytes; anything else = byte-exact literal. Every
// other character, `? [ ] { } ! \` included, is literal. "/" has zero
// segments: `/**` matches it, `/*` does not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/address.hpp"
#include "core/result.hpp"

namespace clasp {

enum class SegmentKind : std::uint8_t {
  Literal,     // no '*': byte-exact
  Star,        // exactly "*": any one segment
  DoubleStar,  // exactly "**": zero or more segments
  Glob,        // '*' plus other bytes (or 3+ stars): one segment, glob match
};

// How one pattern segment matches; the index and Pattern must agree on this.
SegmentKind classifySegment(std::string_view segment);

// Within-segment glob: each run of '*' in `glob` matches any run (possibly
// empty) of bytes of `segment`; other bytes must be equal. A '*' inside
// `segment` is only matched by a '*' of the glob, which is what makes this
// usable as a glob-inclusion test in patternCovers.
bool segmentGlobMatch(std::string_view glob, std::string_view segment);

class Pattern {
 public:
  // Validates per D-1 (Errc::PatternError on failure) and splits once.
  static Result<Pattern> parse(std::string_view text);

  // True when the address is in the pattern's set. Addresses are expected to
  // be valid (D-2); one that does not start with '/' or has more than
  // kMaxAddressSegments segments matches nothing. No allocation.
  bool matches(std::string_view address) const;

  const std::string& text() const { return text_; }
  // No '*' anywhere: matches exactly the address spelled like the pattern.
  bool isExact() const { return exact_; }
  std::size_t segmentCount() const { return segments_.size(); }
  std::string_view segment(std::size_t i) const {
    return std::string_view(text_).substr(segments_[i].offset, segments_[i].length);
  }
  SegmentKind segmentKind(std::size_t i) const { return segments_[i].kind; }

  bool operator==(const Pattern& other) const { return text_ == other.text_; }

 private:
  // Offsets rather than string_views, so copies and moves stay valid.
  struct Segment {
    std::uint16_t offset;
    std::uint16_t length;
    SegmentKind kind;
  };

  Pattern() = default;

  std::string text_;
  std::vector<Segment> segments_;
  bool exact_ = true;
};

// Convenience for one-off checks: false when the pattern is invalid (D-1).
// Does not allocate.
bool patternMatches(std::string_view pattern, std::string_view address);

// True only when every address `inner` can match is also matched by `outer`
// (D-17: a subscription is allowed only inside a granted pattern). Sound:
// never true when some address escapes `outer`. Exact for literal, `*` and
// `**` segments; it may say false when only a union of several outer globs
// covers an inner glob, when only the 64-segment limit keeps an address out,
// or past a fixed work budget (hostile inputs). No allocation.
bool patternCovers(const Pattern& outer, const Pattern& inner);

}  // namespace clasp
