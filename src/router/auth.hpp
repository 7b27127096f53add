// Token validation (router.md R1.4, R7.4; DECISIONS D-17, D-18): the one hook
// through which every front door (CLASP HELLO, the MQTT password) turns a
// token into a subject and scopes. The router asks the configured validator;
// concrete sources (a token file, JWT, pre-shared keys) implement it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "router/scopes.hpp"

namespace clasp::router {

struct TokenVerdict {
  enum class Kind : std::uint8_t {
    Valid,     // `subject` and `scopes` apply
    Expired,   // ERROR 302 "Token has expired"
    Invalid,   // ERROR 300 "Invalid token: <reason>"
    NotMine,   // ERROR 300 "Unrecognized token format" (no validator claims it)
  };
  Kind kind = Kind::NotMine;
  std::string subject;
  Scopes scopes = Scopes::granted({});
  std::string reason;  // Invalid only; never contains the token
};

class TokenValidator {
 public:
  virtual ~TokenValidator() = default;
  // Any thread, router lock held. `wallMicros` is the router's clock.
  virtual TokenVerdict validate(std::string_view token, std::uint64_t wallMicros) const = 0;
};

}  // namespace clasp::router
