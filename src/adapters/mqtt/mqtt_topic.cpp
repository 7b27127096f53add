// Topic name / filter validation and matching (MQTT 5.0 §4.7). Matching walks
// both strings once, level by level, without allocating.
#include "adapters/mqtt/mqtt_topic.hpp"

#include <algorithm>

#include "core/wire_read.hpp"

namespace clasp::mqtt {

namespace {
constexpr std::string_view kSharePrefix = "$share/";
}

bool isValidMqttString(std::string_view s) {
  return s.find('\0') == std::string_view::npos && wire::isValidUtf8(s);
}

bool isValidTopicName(std::string_view topic) {
  return !topic.empty() && topic.find_first_of("+#") == std::string_view::npos &&
         isValidMqttString(topic);
}

SharedFilter splitSharedFilter(std::string_view filter) {
  if (!filter.starts_with(kSharePrefix)) return {{}, filter};
  std::string_view rest = filter.substr(kSharePrefix.size());
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return {rest, {}};
  return {rest.substr(0, slash), rest.substr(slash + 1)};
}

bool isValidTopicFilter(std::string_view filter) {
  if (filter.empty() || !isValidMqttString(filter)) return false;
  if (filter.starts_with(kSharePrefix)) {
    const SharedFilter s = splitSharedFilter(filter);
    // "$share/g" without a filter leaves s.filter empty, which fails below.
    if (s.group.empty() || s.group.find_first_of("+#") != std::string_view::npos) return false;
    filter = s.filter;
    if (filter.empty()) return false;
  }
  for (std::size_t i = 0; i < filter.size(); ++i) {
    const char c = filter[i];
    if (c != '+' && c != '#') continue;
    const bool levelStart = i == 0 || filter[i - 1] == '/';
    const bool levelEnd = i + 1 == filter.size() || filter[i + 1] == '/';
    if (!levelStart || !levelEnd) return false;
    if (c == '#' && i + 1 != filter.size()) return false;
  }
  return true;
}

bool topicMatches(std::string_view filter, std::string_view topic) {
  // §4.7.2: wildcards at the first level never match "$SYS/..."-style topics.
  if (!topic.empty() && topic[0] == '$' && !filter.empty() && (filter[0] == '+' || filter[0] == '#'))
    return false;
  std::size_t f = 0;
  std::size_t t = 0;
  while (true) {
    const std::size_t fEnd = std::min(filter.find('/', f), filter.size());
    const std::string_view fl = filter.substr(f, fEnd - f);
    if (fl == "#") return true;  // matches this level and everything below, or the parent
    const std::size_t tEnd = std::min(topic.find('/', t), topic.size());
    if (fl != "+" && fl != topic.substr(t, tEnd - t)) return false;
    const bool fLast = fEnd == filter.size();
    const bool tLast = tEnd == topic.size();
    if (tLast) {
      // "a/#" also matches "a": the filter may end in exactly one "/#" more.
      return fLast || filter.substr(fEnd) == "/#";
    }
    if (fLast) return false;
    f = fEnd + 1;
    t = tEnd + 1;
  }
}

}  // namespace clasp::mqtt
