// Loads the test vectors straight from the specification folder so the tests
// can never drift from the spec text: protocol.md §15 (TV-NN hex blocks and
// the decode-only D-NN table) and vectors/js-client-3.3.2.json.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace clasp::test {

using ByteVec = std::vector<std::uint8_t>;

ByteVec fromHex(const std::string& hex);  // spaces ignored
std::string toHex(const std::uint8_t* p, std::size_t n);

// "TV-04" -> every hex line of that section, in order.
std::map<std::string, std::vector<ByteVec>> loadProtocolVectors();
// "D-01" -> the frame of that decode-only row.
std::map<std::string, ByteVec> loadDecodeOnlyVectors();

struct JsVector {
  std::string call;
  ByteVec frame;
};
std::vector<JsVector> loadJsClientVectors();

}  // namespace clasp::test
