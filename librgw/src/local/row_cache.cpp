// row_cache.cpp - object rows kept for reads, per process (row_cache.h).
#include "local/row_cache.h"

#include <utility>

namespace rgw::local {

std::string RowCache::key(const std::string& bucket_id, const std::string& version_id,
                          const std::string& object_key) {
  // Bucket and version ids never hold a NUL: the key, last, may.
  std::string k;
  k.reserve(bucket_id.size() + version_id.size() + object_key.size() + 2);
  k.append(bucket_id).push_back('\0');
  k.append(version_id).push_back('\0');
  k.append(object_key);
  return k;
}

std::shared_ptr<const RowCache::Row> RowCache::find(const std::string& key, bool with_body) {
  std::lock_guard<std::mutex> l(mu_);
  if (rows_.empty()) return nullptr;
  if (!changes_.unchanged_since(begun_)) {
    drop_locked(0);
    return nullptr;
  }
  auto it = rows_.find(key);
  if (it == rows_.end() || (with_body && !it->second->with_body)) return nullptr;
  ++hits_;
  return it->second;
}

void RowCache::keep(const std::string& key, std::shared_ptr<const Row> row,
                    const ChangeCounters::Before& before) {
  if (!before.quiet || !changes_.unchanged_since(before.begun)) return;
  const size_t size = approximate_size(key, *row);
  if (size > kMaxBytes / 16) return;  // a row with very large metadata: not kept
  std::lock_guard<std::mutex> l(mu_);
  if (begun_ != before.begun || rows_.size() >= kMaxRows || bytes_ + size > kMaxBytes)
    drop_locked(before.begun);
  auto [it, inserted] = rows_.try_emplace(key, row);
  if (!inserted) {
    bytes_ -= approximate_size(key, *it->second);
    it->second = std::move(row);
  }
  bytes_ += size;
}

uint64_t RowCache::hits() const {
  std::lock_guard<std::mutex> l(mu_);
  return hits_;
}

size_t RowCache::approximate_size(const std::string& key, const Row& row) {
  const ObjectInfo& info = row.row.info;
  size_t n = 256 + 2 * key.size() + row.row.data_id.size() + info.version_id.size() +
             info.etag.size() + info.acl.owner.size();
  for (const auto& g : info.acl.grants) n += 64 + g.grantee.id.size();
  for (const auto& [name, value] : info.attrs) n += 64 + name.size() + value.size();
  for (const auto& s : row.body) n += 64 + s.data_id.size() + (s.bytes ? s.bytes->size() : 0);
  return n;
}

void RowCache::drop_locked(uint64_t begun) {
  rows_.clear();
  bytes_ = 0;
  begun_ = begun;
}

}  // namespace rgw::local
