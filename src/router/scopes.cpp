// Scope checks (D-17) with the one D-1 matcher. Linear in the number of
// grants, which tokens keep small.
#include "router/scopes.hpp"

namespace clasp::router {

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
