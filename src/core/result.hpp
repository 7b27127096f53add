// Result and Error: how every fallible core function reports failure.
// Core never throws. Error codes are the CLASP wire error codes themselves
// (protocol.md §10, DECISIONS D-3), so a caller can put a core error on the
// wire without a translation table. The message is short English text that
// names the field and the reason; it is built only on the failure path.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <utility>

namespace clasp {

enum class Errc : std::uint16_t {
  BadFrame = 100,            // frame cannot be parsed (magic, length)
  BadMessage = 101,          // well-framed payload cannot be decoded
  UnsupportedVersion = 102,
  InvalidAddress = 200,
  AddressNotFound = 201,
  PatternError = 202,
  Unauthorized = 300,
  Forbidden = 301,
  TokenExpired = 302,
  RevisionConflict = 400,
  LockHeld = 401,
  InvalidValue = 402,
  Rejected = 403,        // bundle member or federation rule refused (router.md §6, App. A)
  TargetNotFound = 404,  // P2P signal to an unknown session (protocol.md §8.7)
  RateLimited = 429,
  InternalError = 500,
  ServiceUnavailable = 501,
  Timeout = 502,
};

struct Error {
  Errc code;
  std::string message;

  std::uint16_t wireCode() const { return static_cast<std::uint16_t>(code); }
};

template <class T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(Errc code, std::string message) {
  return std::unexpected<Error>(Error{code, std::move(message)});
}

}  // namespace clasp
