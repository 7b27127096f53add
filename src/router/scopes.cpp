// Scope checks (D-17) with the one D-1 matcher. Linear in the number of
// grants, which tokens keep small.
#include "router/scopes.hpp"

#include <cctype>
#include <optional>

namespace clasp::router {

namespace {

bool equalsLower(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[i])) != lower[i]) return false;
  return true;
}

std::optional<Action> parseAction(std::string_view a) {
  if (equalsLower(a, "read") || equalsLower(a, "r")) return Action::Read;
  if (equalsLower(a, "write") || equalsLower(a, "w")) return Action::Write;
  if (equalsLower(a, "admin") || equalsLower(a, "a") || a == "*") return Action::Admin;
  return std::nullopt;
}

}  // namespace

Result<Grant> parseGrant(std::string_view text) {
  auto bad = [&](std::string_view why) {
    // Scope texts come from operators' files and tokens: quote a bounded prefix.
    std::string quoted(text.substr(0, 200));
    return fail(Errc::PatternError, "invalid scope '" + quoted + "': " + std::string(why));
  };
  // Split at the first ':'; patterns may contain ':' (D-2 allows it), actions never do.
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) return bad("expected action:pattern");
  auto action = parseAction(text.substr(0, colon));
  if (!action) return bad("unknown action (read, write or admin)");
  auto pattern = Pattern::parse(text.substr(colon + 1));
  if (!pattern) return bad(pattern.error().message);
  return Grant{*action, std::move(*pattern)};
}

Result<Scopes> parseScopes(std::span<const std::string> texts) {
  std::vector<Grant> grants;
  grants.reserve(texts.size());
  for (const std::string& t : texts) {
    auto g = parseGrant(t);
    if (!g) return std::unexpected(std::move(g.error()));
    grants.push_back(std::move(*g));
  }
  return Scopes::granted(std::move(grants));
}

bool Scopes::allows(Action need, std::string_view address) const {
  if (all_) return true;
  for (const Grant& g : grants_)
    if (g.action >= need && g.pattern.matches(address)) return true;
  return false;
}

bool Scopes::canSubscribe(const Pattern& pattern) const {
  if (all_) return true;
  for (const Grant& g : grants_)
    if (g.action >= Action::Read && patternCovers(g.pattern, pattern)) return true;
  return false;
}

}  // namespace clasp::router
