// `-V` text: a support request should be answerable from this output alone
// (which features, which libraries, sanitizers or not).
#include <sqlite3.h>

#include <boost/version.hpp>
#include <spdlog/version.h>

#include "cli/flags.hpp"

namespace clasp::cli {

std::string versionText(const std::string& program) {
  std::string features = program == "clasp-relay" ? "websocket mqtt osc" : "websocket";
  features += " persist journal replay ttl token-auth metrics json-logs";
  if (program != "clasp-relay") features += " config-file";
  std::string build = CLASP_BUILD_TYPE;
#if defined(__SANITIZE_ADDRESS__)
  build += " asan+ubsan";
#endif
  return program + " " + kVersion + "\n" +
         "protocol: CLASP v1 binary frames (v0 MessagePack decoded)\n"
         "features: " + features + "\n" +
         "build: " + build + ", GCC " + std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) +
         ", C++23, Boost " + std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000) +
         ", SQLite " + sqlite3_libversion() + ", spdlog " + std::to_string(SPDLOG_VER_MAJOR) + "." +
         std::to_string(SPDLOG_VER_MINOR) + "\n";
}

}  // namespace clasp::cli
