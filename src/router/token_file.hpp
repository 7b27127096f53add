// TokenFile: the pre-shared token list of `--token-file` (router.md R11.2,
// the reference standalone router's format, plus an expiry extension; see
// docs/decisions.md "Token file"). One token per line:
//
//     <token>[ <scope>,<scope>,...][ expires=<unix seconds>]
//
// `#` starts a comment line, blank lines are skipped, fields are separated
// by spaces or tabs, a token without scopes gets `admin:/**` (R11.2). A
// token past its `expires=` second is Expired (302); an unknown one is
// Invalid "token not found" (R1.4 item 4). Every token is claimed, so this
// validator never answers NotMine.
//
// Parsing is pure (text in, validator or error out); the caller reads the
// file, so the router library stays free of I/O. Errors name `source:line`
// and what is wrong, never the token itself. Immutable once built: safe to
// share across threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "router/auth.hpp"

namespace clasp::router {

class TokenFile final : public TokenValidator {
 public:
  // Longest token accepted, in the file and in a HELLO. Bounds the work of
  // the constant-time scan a hostile HELLO can cause.
  static constexpr std::size_t kMaxTokenLength = 1024;

  // `source` names the file in error messages and subjects ("<source>:<line>").
  // Fails (Errc::InvalidValue) on a bad line, a repeated token, or no token.
  static Result<std::shared_ptr<const TokenFile>> parse(std::string_view text, std::string_view source);

  TokenVerdict validate(std::string_view token, std::uint64_t wallMicros) const override;

  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string token;
    Scopes scopes;
    std::optional<std::uint64_t> expiresSeconds;  // unix seconds; absent = never
    std::string subject;                          // "<source>:<line>", safe to log
  };

  explicit TokenFile(std::vector<Entry> entries) : entries_(std::move(entries)) {}

  std::vector<Entry> entries_;
};

}  // namespace clasp::router
