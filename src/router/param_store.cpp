// Param store rules (router.md R3.1-R3.8 with their Fix notes and D-10/D-11):
// an expected revision must equal the current one (0 for a missing param); a
// lock held by another session refuses every write, unlock included; the
// holder may write, re-lock and unlock. TTLs: sliding counts from the last
// access (writes, GET, snapshots), absolute from the write that set it.
#include "router/param_store.hpp"

namespace clasp::router {

const Param* ParamStore::find(std::string_view address) const {
  auto it = params_.find(address);
  return it == params_.end() ? nullptr : &it->second;
}

Param* ParamStore::find(std::string_view address) {
  auto it = params_.find(address);
  return it == params_.end() ? nullptr : &it->second;
}

Result<void> ParamStore::checkWrite(const Set& set, std::string_view writer, std::uint64_t revision,
                                    std::string_view holder) {
  if (set.revision && *set.revision != revision)
    return fail(Errc::RevisionConflict, "RevisionConflict { expected: " + std::to_string(*set.revision) +
                                            ", actual: " + std::to_string(revision) + " }");
  if (!holder.empty() && holder != writer) {
    std::string m = "LockHeld { holder: \"";
    m += holder;
    m += "\" }";
    return fail(Errc::LockHeld, std::move(m));
  }
  return {};
}

Result<void> ParamStore::check(const Set& set, std::string_view writer) const {
  const Param* p = find(set.address);
  return checkWrite(set, writer, p ? p->revision : 0, p ? std::string_view(p->lockHolder) : std::string_view());
}

const Param& ParamStore::apply(const Set& set, std::string_view writer, std::uint64_t wallNow,
                               std::uint64_t monoNow) {
  auto [it, created] = params_.try_emplace(set.address);
  Param& p = it->second;
  if (set.unlock && p.lockHolder == writer) p.lockHolder.clear();
  if (set.lock) p.lockHolder.assign(writer);
  p.value = set.value;
  p.revision += 1;
  p.writer.assign(writer);
  p.timestamp = wallNow;
  p.lastAccess = monoNow;
  if (set.ttl) {
    p.ttl = set.ttl;
    p.ttlSince = monoNow;
  } else if (created) {
    p.ttlSince = monoNow;
  }
  return p;
}

std::vector<std::string> ParamStore::releaseLocks(std::string_view holder) {
  std::vector<std::string> released;
  for (auto& [address, p] : params_) {
    if (p.lockHolder.empty() || p.lockHolder != holder) continue;
    p.lockHolder.clear();
    p.revision += 1;
    released.push_back(address);
  }
  return released;
}

std::vector<std::string> ParamStore::expire(std::uint64_t monoNow, std::uint32_t defaultTtlSeconds) {
  std::vector<std::string> removed;
  for (auto it = params_.begin(); it != params_.end();) {
    const Param& p = it->second;
    std::uint64_t limit = 0, since = 0;
    bool now = false;  // absolute 0: expire at the next sweep (distinct from never)
    if (p.ttl) {
      switch (p.ttl->kind) {
        case Ttl::Kind::Never: break;
        case Ttl::Kind::Sliding:
          limit = p.ttl->seconds;
          since = p.lastAccess;
          break;
        case Ttl::Kind::Absolute:
          limit = p.ttl->seconds;
          since = p.ttlSince;
          now = limit == 0;
          break;
      }
    } else if (defaultTtlSeconds != 0) {
      limit = defaultTtlSeconds;
      since = p.lastAccess;
    }
    if (now || (limit != 0 && monoNow >= since + limit * 1'000'000ull)) {
      removed.push_back(it->first);
      it = params_.erase(it);
    } else {
      ++it;
    }
  }
  return removed;
}

}  // namespace clasp::router
