// MQTT topic names, filters and the matcher: the examples of MQTT 5.0 §4.7
// ("sport/tennis/player1/#", "+/+", "$SYS") plus the validation rules.
#include <gtest/gtest.h>

#include "adapters/mqtt/mqtt_topic.hpp"

namespace clasp::mqtt {
namespace {

TEST(MqttTopic, MultiLevelWildcard) {
  EXPECT_TRUE(topicMatches("sport/tennis/player1/#", "sport/tennis/player1"));
  EXPECT_TRUE(topicMatches("sport/tennis/player1/#", "sport/tennis/player1/ranking"));
  EXPECT_TRUE(topicMatches("sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon"));
  EXPECT_TRUE(topicMatches("sport/#", "sport"));
  EXPECT_TRUE(topicMatches("#", "sport/tennis"));
  EXPECT_TRUE(topicMatches("#", "/"));
  EXPECT_FALSE(topicMatches("sport/tennis/#", "sport/tennisplayer1"));
  EXPECT_FALSE(topicMatches("sport/#", "sports"));
}

TEST(MqttTopic, SingleLevelWildcard) {
  EXPECT_TRUE(topicMatches("sport/tennis/+", "sport/tennis/player1"));
  EXPECT_TRUE(topicMatches("sport/tennis/+", "sport/tennis/player2"));
  EXPECT_FALSE(topicMatches("sport/tennis/+", "sport/tennis/player1/ranking"));
  EXPECT_FALSE(topicMatches("sport/+", "sport"));
  EXPECT_TRUE(topicMatches("sport/+", "sport/"));
  EXPECT_TRUE(topicMatches("+", "finance"));
  EXPECT_TRUE(topicMatches("+/+", "/finance"));
  EXPECT_TRUE(topicMatches("/+", "/finance"));
  EXPECT_FALSE(topicMatches("+", "/finance"));
  EXPECT_TRUE(topicMatches("+/tennis/#", "sport/tennis"));
  EXPECT_TRUE(topicMatches("a/+/c", "a//c"));
}

TEST(MqttTopic, LiteralAndEmptyLevels) {
  EXPECT_TRUE(topicMatches("a/b", "a/b"));
  EXPECT_FALSE(topicMatches("a/b", "a/b/"));
  EXPECT_FALSE(topicMatches("a/b/", "a/b"));
  EXPECT_FALSE(topicMatches("A/b", "a/b"));
  EXPECT_TRUE(topicMatches("/", "/"));
  EXPECT_FALSE(topicMatches("a", "a/b"));
}

TEST(MqttTopic, DollarTopicsAreNotMatchedByFirstLevelWildcards) {
  EXPECT_FALSE(topicMatches("#", "$SYS/monitor/Clients"));
  EXPECT_FALSE(topicMatches("+/monitor/Clients", "$SYS/monitor/Clients"));
  EXPECT_TRUE(topicMatches("$SYS/#", "$SYS/monitor/Clients"));
  EXPECT_TRUE(topicMatches("$SYS/monitor/+", "$SYS/monitor/Clients"));
  EXPECT_TRUE(topicMatches("a/+", "a/$b"));
}

TEST(MqttTopic, TopicNames) {
  EXPECT_TRUE(isValidTopicName("a/b"));
  EXPECT_TRUE(isValidTopicName("/"));
  EXPECT_TRUE(isValidTopicName("caf\xC3\xA9"));
  EXPECT_FALSE(isValidTopicName(""));
  EXPECT_FALSE(isValidTopicName("a/+"));
  EXPECT_FALSE(isValidTopicName("a/#"));
  EXPECT_FALSE(isValidTopicName(std::string_view("a\0b", 3)));
  EXPECT_FALSE(isValidTopicName("\xC0\xAF"));        // overlong
  EXPECT_FALSE(isValidTopicName("\xED\xA0\x80"));    // surrogate
}

TEST(MqttTopic, TopicFilters) {
  for (const char* ok : {"#", "+", "a/#", "a/+/b", "+/+", "/#", "a//b", "$SYS/#", "$share/g/a/+",
                         "$share/g/#", "$share/g//"})
    EXPECT_TRUE(isValidTopicFilter(ok)) << ok;
  for (const char* bad : {"", "a#", "a/#/b", "#/a", "a+", "a/+b", "+a/b", "##", "$share/g",
                          "$share//a", "$share/g+/a", "$share/g/", "$share/#/a"})
    EXPECT_FALSE(isValidTopicFilter(bad)) << bad;
  EXPECT_FALSE(isValidTopicFilter(std::string_view("a\0", 2)));
}

TEST(MqttTopic, SharedFilterSplit) {
  auto s = splitSharedFilter("$share/grp/a/b");
  EXPECT_EQ(s.group, "grp");
  EXPECT_EQ(s.filter, "a/b");
  s = splitSharedFilter("a/b");
  EXPECT_TRUE(s.group.empty());
  EXPECT_EQ(s.filter, "a/b");
}

}  // namespace
}  // namespace clasp::mqtt
