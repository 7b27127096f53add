// TokenFile parsing and lookup. The lookup compares the presented token with
// every entry, each comparison touching every byte of the longer of the two,
// and never stops at the first match: how long a HELLO takes depends on the
// number and lengths of the tokens, not on how many leading bytes a guess
// got right. Files are small (operators write them by hand), so the linear
// scan costs nothing measurable.
#include "router/token_file.hpp"

#include <charconv>
#include <unordered_map>

namespace clasp::router {

namespace {

bool isBlank(char c) { return c == ' ' || c == '\t'; }

// Splits a line into fields separated by runs of spaces or tabs.
std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && isBlank(line[i])) ++i;
    std::size_t start = i;
    while (i < line.size() && !isBlank(line[i])) ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

// Equal contents, in time that depends only on the two lengths.
bool constantTimeEqual(std::string_view a, std::string_view b) {
  const std::size_t n = a.size() > b.size() ? a.size() : b.size();
  unsigned diff = a.size() == b.size() ? 0u : 1u;
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned>(x ^ y);
  }
  return diff == 0;
}

constexpr std::string_view kExpires = "expires=";

}  // namespace

Result<std::shared_ptr<const TokenFile>> TokenFile::parse(std::string_view text, std::string_view source) {
  std::vector<Entry> entries;
  // Repeated tokens are an operator mistake (two scope lists for one token);
  // a hash of the text finds them without quadratic work.
  std::unordered_map<std::string_view, std::size_t> seen;
  std::size_t lineNo = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++lineNo;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // files edited on Windows

    auto bad = [&](const std::string& what) {
      return fail(Errc::InvalidValue, std::string(source) + ":" + std::to_string(lineNo) + ": " + what);
    };
    const auto f = fields(line);
    if (f.empty() || f[0].front() == '#') continue;

    const std::string_view token = f[0];
    if (token.size() > kMaxTokenLength)
      return bad("token longer than " + std::to_string(kMaxTokenLength) + " bytes");
    if (auto it = seen.find(token); it != seen.end())
      return bad("token repeats the one on line " + std::to_string(it->second));

    std::optional<std::vector<std::string>> scopeTexts;
    std::optional<std::uint64_t> expires;
    for (std::size_t i = 1; i < f.size(); ++i) {
      const std::string_view field = f[i];
      if (field.starts_with(kExpires)) {
        if (expires) return bad("'expires=' given twice");
        const std::string_view digits = field.substr(kExpires.size());
        std::uint64_t v = 0;
        auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
        if (digits.empty() || ec != std::errc{} || ptr != digits.data() + digits.size())
          return bad("'" + std::string(field.substr(0, 40)) + "': expires= wants unix seconds");
        expires = v;
        continue;
      }
      // Scopes come right after the token, before any expires= field.
      if (scopeTexts || expires) return bad("unexpected field '" + std::string(field.substr(0, 40)) + "'");
      scopeTexts.emplace();
      std::size_t start = 0;
      for (;;) {
        const std::size_t comma = field.find(',', start);
        const std::string_view item =
            field.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        if (item.empty()) return bad("empty scope in '" + std::string(field.substr(0, 200)) + "'");
        scopeTexts->emplace_back(item);
        if (comma == std::string_view::npos) break;
        start = comma + 1;
      }
    }

    // R11.2: a bare token is an administrator's.
    static const std::vector<std::string> kDefault{"admin:/**"};
    auto scopes = parseScopes(scopeTexts ? *scopeTexts : kDefault);
    if (!scopes) return bad(scopes.error().message);

    seen.emplace(token, lineNo);
    entries.push_back(Entry{std::string(token), std::move(*scopes), expires,
                            std::string(source) + ":" + std::to_string(lineNo)});
  }
  if (entries.empty())
    return fail(Errc::InvalidValue, std::string(source) + ": no tokens (authenticated mode needs at least one)");
  return std::shared_ptr<const TokenFile>(new TokenFile(std::move(entries)));
}

TokenVerdict TokenFile::validate(std::string_view token, std::uint64_t wallMicros) const {
  TokenVerdict v;
  v.kind = TokenVerdict::Kind::Invalid;
  v.reason = "token not found";  // R1.4: the pre-shared-key wording
  if (token.size() > kMaxTokenLength) return v;
  const Entry* hit = nullptr;
  for (const Entry& e : entries_)
    if (constantTimeEqual(e.token, token) && hit == nullptr) hit = &e;
  if (hit == nullptr) return v;
  v.reason.clear();
  if (hit->expiresSeconds && wallMicros / 1'000'000 >= *hit->expiresSeconds) {
    v.kind = TokenVerdict::Kind::Expired;
    return v;
  }
  v.kind = TokenVerdict::Kind::Valid;
  v.subject = hit->subject;
  v.scopes = hit->scopes;
  return v;
}

}  // namespace clasp::router
