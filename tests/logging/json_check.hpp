// Test helpers of the logging suite: whole-file reads, and a check that a
// log file is JSON lines (python3's json module, strict: no raw control
// characters, valid UTF-8) with time (RFC 3339 UTC, milliseconds), level
// and message on every line.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace clasp::logtest {

inline std::string readAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// `mixed`: lines not starting with '{' are allowed (text lines logged while
// the format was being switched) and skipped.
inline ::testing::AssertionResult jsonLines(const std::filesystem::path& file, bool mixed = false) {
  static constexpr const char* kScript = R"PY(
import json, re, sys
ok, n = True, 0
for i, raw in enumerate(open(sys.argv[1], 'rb').read().split(b'\n')):
    if not raw or (sys.argv[2] == '1' and not raw.startswith(b'{')):
        continue
    n += 1
    try:
        o = json.loads(raw.decode('utf-8'))
        assert isinstance(o, dict), 'not an object'
        assert re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z', o['time']), 'time'
        assert o['level'] in ('trace', 'debug', 'info', 'warn', 'error', 'critical'), 'level'
        assert isinstance(o['message'], str), 'message'
    except Exception as e:
        print('line %d: %r: %r' % (i + 1, e, raw[:300]))
        ok = False
print('%d JSON lines' % n)
sys.exit(0 if ok and n > 0 else 1)
)PY";
  const std::filesystem::path script = file.string() + ".check.py";
  std::ofstream(script) << kScript;
  const std::string cmd = "python3 '" + script.string() + "' '" + file.string() + "' " + (mixed ? "1" : "0") + " 2>&1";
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return ::testing::AssertionFailure() << "cannot run python3";
  std::array<char, 512> buf{};
  while (std::fgets(buf.data(), static_cast<int>(buf.size()), p)) out += buf.data();
  const int status = ::pclose(p);
  std::filesystem::remove(script);
  if (status != 0) return ::testing::AssertionFailure() << file << " is not JSON lines:\n" << out;
  return ::testing::AssertionSuccess() << out;
}

}  // namespace clasp::logtest
