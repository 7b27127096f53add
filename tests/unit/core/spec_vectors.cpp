// Parsing of the specification's vector sources for the vector tests. A
// missing or unreadable spec file aborts the test run with a clear message
// rather than passing vacuously.
#include "spec_vectors.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace clasp::test {

namespace {
std::string readFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read spec file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

ByteVec fromHex(const std::string& hex) {
  ByteVec out;
  std::string digits;
  for (char c : hex)
    if (std::isxdigit(static_cast<unsigned char>(c))) digits += c;
  for (std::size_t i = 0; i + 1 < digits.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  return out;
}

std::string toHex(const std::uint8_t* p, std::size_t n) {
  static constexpr char h[] = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    if (i) s += ' ';
    s += h[p[i] >> 4];
    s += h[p[i] & 15];
  }
  return s;
}

namespace {
bool isHexLine(const std::string& line) {
  // "53 01 00 0b ..." : pairs of lower-case hex digits separated by single spaces.
  if (line.size() < 2 || line.size() % 3 != 2) return false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (i % 3 == 2 ? c != ' ' : !hex) return false;
  }
  return true;
}

// "### TV-04 — ..." -> "TV-04"; empty when the line is not a vector heading.
std::string vectorHeading(const std::string& line) {
  if (line.rfind("### TV-", 0) != 0 || line.size() < 11) return {};
  return line.substr(4, 5);
}
}  // namespace

std::map<std::string, std::vector<ByteVec>> loadProtocolVectors() {
  std::istringstream in(readFile(std::string(CLASP_SPEC_DIR) + "/protocol.md"));
  std::map<std::string, std::vector<ByteVec>> out;
  std::string line, current;
  bool inBlock = false;
  while (std::getline(in, line)) {
    if (std::string id = vectorHeading(line); !id.empty()) {
      current = id;
      continue;
    }
    if (line.rfind("## ", 0) == 0 || line.rfind("### ", 0) == 0) current.clear();
    if (line.rfind("```", 0) == 0) {
      inBlock = !inBlock;
      continue;
    }
    if (inBlock && !current.empty() && isHexLine(line)) out[current].push_back(fromHex(line));
  }
  if (out.size() < 43) throw std::runtime_error("protocol.md: expected 43 TV vectors");
  return out;
}

std::map<std::string, ByteVec> loadDecodeOnlyVectors() {
  std::istringstream in(readFile(std::string(CLASP_SPEC_DIR) + "/protocol.md"));
  std::map<std::string, ByteVec> out;
  std::string line;
  while (std::getline(in, line)) {
    // | D-01 | `53 41 ...` | result |
    if (line.rfind("| D-", 0) != 0) continue;
    std::size_t tick = line.find('`');
    std::size_t end = line.find('`', tick + 1);
    if (tick == std::string::npos || end == std::string::npos) continue;
    out[line.substr(2, 4)] = fromHex(line.substr(tick + 1, end - tick - 1));
  }
  if (out.size() < 13) throw std::runtime_error("protocol.md: expected 13 decode-only vectors");
  return out;
}

std::vector<JsVector> loadJsClientVectors() {
  auto j = nlohmann::json::parse(
      readFile(std::string(CLASP_SPEC_DIR) + "/vectors/js-client-3.3.2.json"));
  std::vector<JsVector> out;
  for (const auto& e : j) out.push_back({e.at("call").get<std::string>(), fromHex(e.at("hex"))});
  return out;
}

}  // namespace clasp::test
