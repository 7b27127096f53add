// Writes the fuzz seed corpora from the specification itself: every frame of
// protocol.md §15 and of the JS client capture (frame_decoder), their payloads
// (message_decoder), and the pattern/address pairs of the §8.6 matcher table
// (pattern_parser, as "pattern\0address"). Usage: fuzz_seed_corpus <dir>.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/frame.hpp"
#include "spec_vectors.hpp"

namespace fs = std::filesystem;
using clasp::test::ByteVec;

namespace {

void write(const fs::path& dir, int& n, const ByteVec& bytes) {
  std::ofstream out(dir / ("seed-" + std::to_string(n++)), std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

void addFrame(const fs::path& root, int& nf, int& nm, const ByteVec& frame) {
  write(root / "frame_decoder", nf, frame);
  if (auto f = clasp::parseFrame(frame))
    write(root / "message_decoder", nm, ByteVec(f->payload.begin(), f->payload.end()));
}

// Rows of the §8.6 table: | `pattern` | `address` | ...
int addPatternRows(const fs::path& dir) {
  std::ifstream in(std::string(CLASP_SPEC_DIR) + "/protocol.md");
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    if (line.rfind("| `/", 0) != 0) continue;
    std::size_t a = line.find('`'), b = line.find('`', a + 1);
    std::size_t c = line.find('`', b + 1), d = line.find('`', c + 1);
    if (d == std::string::npos) continue;
    std::string seed = line.substr(a + 1, b - a - 1);
    seed += '\0';
    seed += line.substr(c + 1, d - c - 1);
    write(dir, n, ByteVec(seed.begin(), seed.end()));
  }
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus-root>\n", argv[0]);
    return 2;
  }
  fs::path root = argv[1];
  for (const char* t : {"frame_decoder", "message_decoder", "pattern_parser"})
    fs::create_directories(root / t);
  int nf = 0, nm = 0;
  for (const auto& [id, frames] : clasp::test::loadProtocolVectors())
    for (const auto& f : frames) {
      if (id == "TV-43") {
        write(root / "message_decoder", nm, f);  // payloads only
        continue;
      }
      addFrame(root, nf, nm, f);
    }
  for (const auto& [id, f] : clasp::test::loadDecodeOnlyVectors()) addFrame(root, nf, nm, f);
  for (const auto& v : clasp::test::loadJsClientVectors()) addFrame(root, nf, nm, v.frame);
  int np = addPatternRows(root / "pattern_parser");
  std::printf("seeds: %d frames, %d payloads, %d pattern pairs\n", nf, nm, np);
  return nf > 0 && nm > 0 && np > 0 ? 0 : 1;
}
