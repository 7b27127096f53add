// AllowList: which source addresses may use the OSC front door (D-18).
// With --osc-allow networks, exactly those; without, everyone in open mode
// and loopback only (127.0.0.0/8, ::1) when the router requires auth.
// IPv4-mapped IPv6 sources (::ffff:a.b.c.d) match IPv4 networks.
#pragma once

#include <array>
#include <boost/asio/ip/address.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace clasp::osc {

class AllowList {
 public:
  // `networks`: CIDR texts ("10.0.0.0/8", "192.168.1.7", "fd00::/8"); a bare
  // address is a single host. Errc::InvalidValue names the bad entry.
  static Result<AllowList> build(const std::vector<std::string>& networks, bool requireAuth);

  bool allows(const boost::asio::ip::address& source) const;
  bool allowsAll() const { return all_; }
  // For the startup log: "any", or the networks.
  std::string describe() const;

 private:
  struct Net {
    std::array<std::uint8_t, 16> bytes{};  // IPv4 stored as IPv4-mapped IPv6
    unsigned prefix = 0;                   // over the 128 bits
    std::string text;
  };
  bool all_ = false;
  std::vector<Net> nets_;
};

}  // namespace clasp::osc
