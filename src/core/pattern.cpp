// The single D-1 matcher over split segments, the within-segment glob, and
// the D-17 cover test. Both matchers are the classic greedy wildcard scan with
// one backtrack point (the last star seen): it is exact here because every
// token other than the star consumes exactly one unit (a segment, or a byte),
// and it runs in O(pattern x subject) time with no recursion and no heap.
// patternCovers is a bounded worst-case simulation, described at its body.
#include "core/pattern.hpp"

#include <array>
#include <bitset>
#include <cstdint>
#include <utility>

namespace clasp {
namespace {

// A split address or pattern as offsets into its text. Plain integer arrays
// are left uninitialised, so a call does not pay for zeroing 64 string_views.
struct Split {
  int count;
  std::uint32_t begin[kMaxAddressSegments];
  std::uint32_t length[kMaxAddressSegments];

  std::string_view at(std::string_view text, int i) const {
    return text.substr(begin[i], length[i]);
  }
};

// Same rules as splitSegments: false when the text does not start with '/' or
// has more than kMaxAddressSegments segments; "/" has none.
bool splitText(std::string_view text, Split& out) {
  out.count = 0;
  if (text.empty() || text.front() != '/') return false;
  if (text.size() == 1) return true;
  for (std::size_t pos = 1; pos <= text.size();) {
    std::size_t end = pos;
    while (end < text.size() && text[end] != '/') ++end;
    if (out.count == static_cast<int>(kMaxAddressSegments)) return false;
    out.begin[out.count] = static_cast<std::uint32_t>(pos);
    out.length[out.count] = static_cast<std::uint32_t>(end - pos);
    ++out.count;
    pos = end + 1;
  }
  return true;
}

bool segmentMatches(SegmentKind kind, std::string_view pat, std::string_view segment) {
  switch (kind) {
    case SegmentKind::Literal:
      return pat == segment;
    case SegmentKind::Star:
      return true;
    case SegmentKind::Glob:
      return segmentGlobMatch(pat, segment);
    case SegmentKind::DoubleStar:
      break;  // handled by the caller: it spans segments
  }
  return false;
}

// `**` plays the role of the star. When a later token fails, the last `**`
// swallows one more segment and the scan resumes after it; earlier `**`s never
// need to move because the last one can absorb anything they would.
// `pat(i)` gives {kind, text} of pattern segment i.
template <class PatternAt>
bool matchSplit(int np, PatternAt pat, std::string_view address, const Split& addr) {
  const int na = addr.count;
  int pi = 0;
  int ai = 0;
  int starP = -1;
  int starA = 0;
  while (ai < na) {
    if (pi < np && pat(pi).first == SegmentKind::DoubleStar) {
      starP = pi++;
      starA = ai;
    } else if (pi < np && segmentMatches(pat(pi).first, pat(pi).second, addr.at(address, ai))) {
      ++pi;
      ++ai;
    } else if (starP >= 0) {
      pi = starP + 1;
      ai = ++starA;
    } else {
      return false;
    }
  }
  while (pi < np && pat(pi).first == SegmentKind::DoubleStar) ++pi;
  return pi == np;
}

}  // namespace

SegmentKind classifySegment(std::string_view segment) {
  if (segment.find('*') == std::string_view::npos) return SegmentKind::Literal;
  if (segment == "*") return SegmentKind::Star;
  if (segment == "**") return SegmentKind::DoubleStar;
  return SegmentKind::Glob;
}

bool segmentGlobMatch(std::string_view glob, std::string_view segment) {
  std::size_t g = 0;
  std::size_t s = 0;
  std::size_t starG = std::string_view::npos;
  std::size_t starS = 0;
  while (s < segment.size()) {
    if (g < glob.size() && glob[g] == '*') {
      starG = g++;
      starS = s;
    } else if (g < glob.size() && glob[g] == segment[s]) {
      // glob[g] is not '*' here, so a '*' in `segment` never matches a literal.
      ++g;
      ++s;
    } else if (starG != std::string_view::npos) {
      g = starG + 1;
      s = ++starS;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

Result<Pattern> Pattern::parse(std::string_view text) {
  if (auto ok = validatePattern(text); !ok) return std::unexpected(std::move(ok.error()));
  Split split;
  splitText(text, split);
  Pattern p;
  p.text_ = std::string(text);
  p.segments_.reserve(static_cast<std::size_t>(split.count));
  for (int i = 0; i < split.count; ++i) {
    const SegmentKind kind = classifySegment(split.at(text, i));
    if (kind != SegmentKind::Literal) p.exact_ = false;
    // validatePattern capped the text at 1024 bytes, so offsets fit 16 bits.
    p.segments_.push_back(Segment{static_cast<std::uint16_t>(split.begin[i]),
                                  static_cast<std::uint16_t>(split.length[i]), kind});
  }
  return p;
}

bool Pattern::matches(std::string_view address) const {
  Split addr;
  if (!splitText(address, addr)) return false;
  const std::string_view text = text_;
  const auto pat = [&](int i) {
    const Segment& s = segments_[static_cast<std::size_t>(i)];
    return std::pair(s.kind, text.substr(s.offset, s.length));
  };
  return matchSplit(static_cast<int>(segments_.size()), pat, address, addr);
}

bool patternMatches(std::string_view pattern, std::string_view address) {
  // Validity without building an error message: a pattern is valid exactly
  // when it splits (leading '/', <= 64 segments), fits 1024 bytes and has no
  // empty segment.
  Split split;
  if (pattern.size() > kMaxAddressBytes || !splitText(pattern, split)) return false;
  SegmentKind kinds[kMaxAddressSegments];
  for (int i = 0; i < split.count; ++i) {
    if (split.length[i] == 0) return false;
    kinds[i] = classifySegment(split.at(pattern, i));
  }
  Split addr;
  if (!splitText(address, addr)) return false;
  const auto pat = [&](int i) { return std::pair(kinds[i], split.at(pattern, i)); };
  return matchSplit(split.count, pat, address, addr);
}

namespace {

// A pattern as a token list in which every maximal run of `*` and `**`
// segments is rewritten as its `*`s followed by at most one `**` (and `***`,
// a glob of stars only, counts as `*`): the run matches "at least k segments"
// whatever the order, so the meaning is kept while equal runs become equal
// lists (`/**/*`, `/*/**`) and the cover search below has fewer states.
struct Tokens {
  std::size_t count = 0;
  std::array<SegmentKind, kMaxAddressSegments> kind;
  std::array<std::string_view, kMaxAddressSegments> text;
};

// One segment of any content: `*`, or a glob made of stars only.
bool anySegment(SegmentKind kind, std::string_view text) {
  return kind == SegmentKind::Star ||
         (kind == SegmentKind::Glob && text.find_first_not_of('*') == std::string_view::npos);
}

Tokens canonicalTokens(const Pattern& p) {
  Tokens t;
  const std::size_t n = p.segmentCount();
  const auto inRun = [&](std::size_t i) {
    return p.segmentKind(i) == SegmentKind::DoubleStar ||
           anySegment(p.segmentKind(i), p.segment(i));
  };
  for (std::size_t i = 0; i < n;) {
    if (!inRun(i)) {
      t.kind[t.count] = p.segmentKind(i);
      t.text[t.count++] = p.segment(i++);
      continue;
    }
    bool doubleStar = false;
    for (; i < n && inRun(i); ++i) {
      if (p.segmentKind(i) == SegmentKind::DoubleStar) {
        doubleStar = true;
      } else {
        t.kind[t.count] = SegmentKind::Star;
        t.text[t.count++] = "*";
      }
    }
    if (doubleStar) {
      t.kind[t.count] = SegmentKind::DoubleStar;
      t.text[t.count++] = "**";
    }
  }
  return t;
}

using Positions = std::bitset<kMaxAddressSegments + 1>;  // outer positions 0..m

// Adds j+1 for every active outer `**` at j: a `**` may match nothing.
// Increasing j closes chains of `**` in one pass.
Positions closeOver(const Tokens& out, Positions s) {
  for (std::size_t j = 0; j < out.count; ++j) {
    if (s.test(j) && out.kind[j] == SegmentKind::DoubleStar) s.set(j + 1);
  }
  return s;
}

// Outer positions after one more segment, counting only the outer tokens
// that surely accept it (`accepts(j)`); a `**` stays where it is.
template <class Accepts>
Positions advance(const Tokens& out, const Positions& s, Accepts accepts) {
  Positions next;
  for (std::size_t j = 0; j < out.count; ++j) {
    if (!s.test(j)) continue;
    if (out.kind[j] == SegmentKind::DoubleStar) {
      next.set(j);
    } else if (accepts(j)) {
      next.set(j + 1);
    }
  }
  return closeOver(out, next);
}

}  // namespace

// Walks the inner pattern token by token while tracking the set of outer
// positions that are still alive, always assuming the worst segment inner can
// produce: a segment that only the outer tokens which accept ALL of the inner
// token's segments will take (segmentGlobMatch(outer text, inner text): a '*'
// of the inner text is only matched by a '*' of the outer one). An inner `**`
// branches into "k more arbitrary segments" for every k; the position sets it
// yields settle after a few rounds (positions only move forward and a `**`
// never leaves), within 2(m+1) surely. Inclusion holds when every explored state
// that ends inner also ends outer. Smaller position sets are harder, so a
// state is skipped when a state with a subset of its positions is known.
// Exact for literal, `*` and `**` segments; with globs the worst case may not
// be realisable, and a state budget caps hostile inputs: both answer false.
// Addresses are further limited (no '*', non-empty segments, 64 segments);
// inclusion over all segment lists implies inclusion over those.
bool patternCovers(const Pattern& outer, const Pattern& inner) {
  const Tokens in = canonicalTokens(inner);
  const Tokens out = canonicalTokens(outer);
  struct State {
    std::size_t i;
    Positions at;
  };
  constexpr std::size_t kMaxStates = 256;
  std::array<State, kMaxStates> seen;
  std::array<State, kMaxStates> work;
  std::size_t seenCount = 0;
  std::size_t workCount = 0;
  // false: some inner address escapes outer, or the budget ran out.
  const auto push = [&](std::size_t i, const Positions& at) {
    if (at.none()) return false;
    for (std::size_t k = 0; k < seenCount; ++k) {
      if (seen[k].i == i && (seen[k].at & ~at).none()) return true;
    }
    if (seenCount == kMaxStates) return false;
    seen[seenCount++] = State{i, at};
    work[workCount++] = State{i, at};
    return true;
  };
  if (!push(0, closeOver(out, Positions{}.set(0)))) return false;
  while (workCount > 0) {
    const State st = work[--workCount];
    if (st.i == in.count) {
      if (!st.at.test(out.count)) return false;
      continue;
    }
    if (in.kind[st.i] == SegmentKind::DoubleStar) {
      Positions at = st.at;
      for (std::size_t k = 0;; ++k) {
        if (!push(st.i + 1, at)) return false;
        const Positions next =
            advance(out, at, [&](std::size_t j) { return out.kind[j] == SegmentKind::Star; });
        if (next == at) break;
        if (k > 2 * (out.count + 1)) return false;  // cannot happen (it settles); refuse anyway
        at = next;
      }
    } else {
      const std::string_view text = in.text[st.i];
      const Positions next = advance(
          out, st.at, [&](std::size_t j) { return segmentGlobMatch(out.text[j], text); });
      if (!push(st.i + 1, next)) return false;
    }
  }
  return true;
}

}  // namespace clasp
