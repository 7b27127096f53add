// The logging module in process (src/cli/logging.hpp, src/log/fields.hpp):
// JSON lines stay valid whatever bytes a message or field holds, text
// escapes control characters and quotes field values, level and format can
// be switched while other threads log, and every failure is an error value.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "cli/logging.hpp"
#include "json_check.hpp"
#include "log/fields.hpp"

namespace clasp::cli {
namespace {

using logtest::jsonLines;
using logtest::readAll;

class LoggingModule : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("clasp-logging-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    // Back to the console before the file goes away.
    (void)configureLogging(LogOptions{});
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::filesystem::path dir_;
};

// A client may put anything in an address or a name: quotes, backslashes,
// control bytes, bytes that are not UTF-8.
const std::string kHostile = std::string("/a\"b\\c\x01\x1f\n\t\x7f") + "\xff\xfe" + "\xc3(" + "/\xe2\x82";

TEST_F(LoggingModule, JsonLinesStayValidForHostileText) {
  const auto file = dir_ / "json.log";
  ASSERT_TRUE(configureLogging({"trace", "json", file.string()}));
  slog::info({{"address", kHostile},
              {"count", -3},
              {"bytes", std::size_t{7}},
              {"ok", true},
              {"time", "a field that collides"},
              {kHostile, "hostile key"}},
             "refused {}", kHostile);
  spdlog::warn("plain spdlog call: {}", kHostile);
  slog::trace({}, "trace line");
  ASSERT_TRUE(jsonLines(file));
  const std::string text = readAll(file);
  EXPECT_NE(text.find(R"("level":"info")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("level":"warn")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("count":-3,"bytes":7,"ok":true)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("field_time":"a field that collides")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(\"b\\c\u0001\u001f\n\t)"), std::string::npos) << text;
}

TEST_F(LoggingModule, TextEscapesControlCharactersAndQuotesFieldValues) {
  const auto file = dir_ / "text.log";
  ASSERT_TRUE(configureLogging({"info", "text", file.string()}));
  slog::info({{"address", "/a b\"c"}, {"port", 7330}, {"empty", ""}, {"plain", "/x/y"}}, "line one\nline two\x1b");
  const std::string text = readAll(file);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  EXPECT_NE(text.find(R"( info line one\nline two\x1b address="/a b\"c" port=7330 empty="" plain=/x/y)"),
            std::string::npos)
      << text;
}

TEST_F(LoggingModule, LevelAndFormatSwitchWhileThreadsLog) {
  const auto file = dir_ / "switch.log";
  ASSERT_TRUE(configureLogging({"info", "json", file.string()}));
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&done, t] {
      for (int i = 0; !done.load(); ++i) {
        slog::info({{"thread", t}, {"i", i}}, "line \"{}\"", i);
        slog::debug({{"thread", t}}, "debug line");
      }
    });
  }
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(setLogFormat(i % 2 == 0 ? "text" : "json"));
    ASSERT_TRUE(setLogLevel(i % 3 == 0 ? "debug" : "info"));
  }
  done = true;
  for (auto& th : threads) th.join();
  ASSERT_TRUE(setLogFormat("json"));
  slog::info({}, "last");
  // Every line is whole: JSON lines parse, text lines start with a time.
  EXPECT_TRUE(jsonLines(file, true));
  std::istringstream in(readAll(file));
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("{")) continue;
    ASSERT_TRUE(line.size() > 24 && line[4] == '-' && line[10] == 'T' && line[23] == ' ') << line;
  }
  ASSERT_TRUE(setLogLevel("error"));
  slog::warn({}, "filtered out");
  EXPECT_EQ(readAll(file).find("filtered out"), std::string::npos);
}

TEST_F(LoggingModule, ErrorsAreValues) {
  EXPECT_FALSE(configureLogging({"loud", "text", ""}));
  EXPECT_FALSE(configureLogging({"info", "xml", ""}));
  auto bad = configureLogging({"info", "text", (dir_ / "missing" / "x.log").string()});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find((dir_ / "missing" / "x.log").string()), std::string::npos) << bad.error().message;
  ASSERT_TRUE(configureLogging({"info", "text", ""}));
  EXPECT_FALSE(setLogLevel("loud"));
  EXPECT_FALSE(setLogFormat("xml"));
  EXPECT_TRUE(reopenLogFile());  // console: nothing to reopen
}

TEST_F(LoggingModule, ReopenFollowsThePathAndKeepsTheOldFileOnFailure) {
  const auto file = dir_ / "r.log";
  ASSERT_TRUE(configureLogging({"info", "text", file.string()}));
  slog::info({}, "before the move");
  std::filesystem::rename(file, dir_ / "r.log.1");
  ASSERT_TRUE(reopenLogFile());
  slog::info({}, "after the move");
  EXPECT_NE(readAll(dir_ / "r.log.1").find("before the move"), std::string::npos);
  EXPECT_EQ(readAll(dir_ / "r.log.1").find("after the move"), std::string::npos);
  EXPECT_NE(readAll(file).find("after the move"), std::string::npos);
  // A directory where the file should be: the reopen fails, the old file stays.
  std::filesystem::rename(file, dir_ / "r.log.2");
  std::filesystem::create_directory(file);
  EXPECT_FALSE(reopenLogFile());
  slog::info({}, "still here");
  EXPECT_NE(readAll(dir_ / "r.log.2").find("still here"), std::string::npos);
}

}  // namespace
}  // namespace clasp::cli
