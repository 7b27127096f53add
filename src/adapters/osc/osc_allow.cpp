// CIDR parsing and matching for --osc-allow (D-18).
#include "adapters/osc/osc_allow.hpp"

#include <charconv>

namespace clasp::osc {

namespace ip = boost::asio::ip;

namespace {

std::array<std::uint8_t, 16> toV6Bytes(const ip::address& a) {
  if (a.is_v4()) return ip::make_address_v6(ip::v4_mapped, a.to_v4()).to_bytes();
  return a.to_v6().to_bytes();
}

}  // namespace

Result<AllowList> AllowList::build(const std::vector<std::string>& networks, bool requireAuth) {
  AllowList list;
  std::vector<std::string> texts = networks;
  if (texts.empty()) {
    if (!requireAuth) {
      list.all_ = true;
      return list;
    }
    texts = {"127.0.0.0/8", "::1"};  // D-18: loopback only while auth is on
  }
  for (const std::string& text : texts) {
    auto bad = [&](const char* why) {
      return fail(Errc::InvalidValue, "--osc-allow '" + text + "': " + why);
    };
    const std::size_t slash = text.find('/');
    boost::system::error_code ec;
    ip::address addr = ip::make_address(text.substr(0, slash), ec);
    if (ec) return bad("not an IP address");
    const unsigned width = addr.is_v4() ? 32 : 128;
    unsigned prefix = width;
    if (slash != std::string::npos) {
      const char* b = text.data() + slash + 1;
      const char* e = text.data() + text.size();
      auto [p, err] = std::from_chars(b, e, prefix);
      if (b == e || err != std::errc{} || p != e || prefix > width) return bad("bad prefix length");
    }
    Net n;
    n.bytes = toV6Bytes(addr);
    n.prefix = addr.is_v4() ? prefix + 96 : prefix;
    n.text = text;
    // Host bits set ("10.1.2.3/8") are ignored: the network is what counts.
    list.nets_.push_back(std::move(n));
  }
  return list;
}

bool AllowList::allows(const ip::address& source) const {
  if (all_) return true;
  const auto bytes = toV6Bytes(source);
  for (const Net& n : nets_) {
    unsigned bits = n.prefix;
    std::size_t i = 0;
    bool match = true;
    for (; bits >= 8; bits -= 8, ++i) {
      if (bytes[i] != n.bytes[i]) {
        match = false;
        break;
      }
    }
    if (match && bits != 0) {
      const auto mask = static_cast<std::uint8_t>(0xFF << (8 - bits));
      match = (bytes[i] & mask) == (n.bytes[i] & mask);
    }
    if (match) return true;
  }
  return false;
}

std::string AllowList::describe() const {
  if (all_) return "any source";
  std::string s;
  for (const Net& n : nets_) {
    if (!s.empty()) s += ", ";
    s += n.text;
  }
  return s;
}

}  // namespace clasp::osc
