// Placeholder until the OSC front door lands: refuses to listen.
#include "adapters/osc/osc_endpoint.hpp"

namespace clasp::osc {

struct OscEndpoint::Impl {};

OscEndpoint::OscEndpoint(transport::Server&, OscConfig) : impl_(std::make_unique<Impl>()) {}
OscEndpoint::~OscEndpoint() = default;

Result<std::uint16_t> OscEndpoint::listen(const std::string&, std::uint16_t) {
  return fail(Errc::InternalError, "OSC is not available yet");
}

}  // namespace clasp::osc
