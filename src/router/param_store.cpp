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
  if (created && !tombstones_.empty()) {
    // D-11: continue above the deletion's revision. The order list keeps the
    // name until it is trimmed; a stale name there is skipped then.
    if (auto t = tombstones_.find(set.address); t != tombstones_.end()) {
      p.revision = t->second;
      tombstones_.erase(t);
    }
  }
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
  markChanged(it->first, &p);
  return p;
}

std::vector<std::string> ParamStore::releaseLocks(std::string_view holder) {
  std::vector<std::string> released;
  for (auto& [address, p] : params_) {
    if (p.lockHolder.empty() || p.lockHolder != holder) continue;
    p.lockHolder.clear();
    p.revision += 1;
    markChanged(address, &p);
    released.push_back(address);
  }
  return released;
}

std::vector<std::pair<std::string, std::uint64_t>> ParamStore::expire(std::uint64_t monoNow,
                                                                      std::uint32_t defaultTtlSeconds) {
  std::vector<std::pair<std::string, std::uint64_t>> removed;
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
      std::string address = it->first;
      auto next = std::next(it);
      std::uint64_t revision = erase(it);
      removed.emplace_back(std::move(address), revision);
      it = next;
    } else {
      ++it;
    }
  }
  return removed;
}

std::uint64_t ParamStore::erase(Map::iterator it) {
  const std::uint64_t revision = it->second.revision + 1;
  std::string address = it->first;
  params_.erase(it);
  remember(address, revision);
  markChanged(address, nullptr);
  return revision;
}

void ParamStore::remember(const std::string& address, std::uint64_t revision) {
  auto [t, added] = tombstones_.insert_or_assign(address, revision);
  (void)t;
  if (!added) return;
  tombstoneOrder_.push_back(address);
  while (tombstones_.size() > kMaxTombstones && !tombstoneOrder_.empty()) {
    tombstones_.erase(tombstoneOrder_.front());
    tombstoneOrder_.pop_front();
  }
  // Names of re-created addresses linger in the order list; drop them in bulk.
  if (tombstoneOrder_.size() > 2 * kMaxTombstones) {
    std::erase_if(tombstoneOrder_, [&](const std::string& a) { return !tombstones_.contains(a); });
  }
}

std::uint64_t ParamStore::tombstone(std::string_view address) const {
  auto it = tombstones_.find(address);
  return it == tombstones_.end() ? 0 : it->second;
}

void ParamStore::restore(std::string address, Param p) {
  tombstones_.erase(address);
  params_.insert_or_assign(std::move(address), std::move(p));
}

void ParamStore::restoreTombstone(const std::string& address, std::uint64_t revision) {
  params_.erase(address);
  remember(address, revision);
}

void ParamStore::markChanged(const std::string& address, Param* p) {
  if (!tracking_) return;
  if (p) {
    if (p->dirty) return;
    p->dirty = true;
  }
  changed_.push_back(address);
}

std::vector<std::string> ParamStore::takeChanged() {
  std::vector<std::string> out;
  out.swap(changed_);
  for (const std::string& a : out)
    if (Param* p = find(a)) p->dirty = false;
  return out;
}

}  // namespace clasp::router
