// Scopes (D-17): what one session may read and write. read ⊂ write ⊂ admin;
// read:P allows SUBSCRIBE/GET/QUERY/REPLAY on addresses matching P, write:P
// adds SET, PUBLISH and locks. A subscription is allowed only when a granted
// pattern covers every address the requested pattern can match. The default,
// allow-all, is what open mode uses; tokens will plug narrower lists in.
#pragma once

#include <string_view>
#include <vector>

#include "core/pattern.hpp"

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

 private:
  Scopes(bool all, std::vector<Grant> grants) : all_(all), grants_(std::move(grants)) {}
  bool allows(Action need, std::string_view address) const;

  bool all_;
  std::vector<Grant> grants_;
};

}  // namespace clasp::router
