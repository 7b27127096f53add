// Scopes (D-17): what one session may read and write. read ⊂ write ⊂ admin;
// read:P allows SUBSCRIBE/GET/QUERY/REPLAY on addresses matching P, write:P
// adds SET, PUBLISH and locks. A subscription is allowed only when a granted
// pattern covers every address the requested pattern can match. The default,
// allow-all, is what open mode uses; a token's scope list narrows it.
//
// Scope text (router.md R7.2): `action:pattern`, action `read`/`r`,
// `write`/`w`, `admin`/`a`/`*` in any case, pattern per D-1. Subscribing
// needs any of the three actions (R7.3 Fix: admin is never refused).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/pattern.hpp"
#include "core/result.hpp"

namespace clasp::router {

enum class Action : unsigned char { Read = 1, Write = 2, Admin = 3 };

struct Grant {
  Action action;
  Pattern pattern;
};

class Scopes {
 public:
  static Scopes allowAll() { return Scopes(true, {}); }
  static Scopes granted(std::vector<Grant> grants) { return Scopes(false, std::move(grants)); }

  bool isAllowAll() const { return all_; }
  bool canRead(std::string_view address) const { return allows(Action::Read, address); }
  bool canWrite(std::string_view address) const { return allows(Action::Write, address); }
  // True when every address `pattern` can match is readable.
  bool canSubscribe(const Pattern& pattern) const;
  const std::vector<Grant>& grants() const { return grants_; }

 private:
  Scopes(bool all, std::vector<Grant> grants) : all_(all), grants_(std::move(grants)) {}
  bool allows(Action need, std::string_view address) const;

  bool all_;
  std::vector<Grant> grants_;
};

// One scope string; the error (Errc::PatternError) quotes the text and says
// what is wrong with it.
Result<Grant> parseGrant(std::string_view text);
// A token's scope list; the first bad entry is the error. An empty list
// grants nothing.
Result<Scopes> parseScopes(std::span<const std::string> texts);

}  // namespace clasp::router
