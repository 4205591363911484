// expiry.cpp - the expirer's pass over the expiry queue (expiry.h).
#include "expiry.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>

#include "errors.h"

namespace rgw {

std::string expiry_lease_name(unsigned shard) {
  char name[32];
  std::snprintf(name, sizeof name, "expiry.%02u", shard);
  return name;
}

namespace {

using Clock = std::chrono::steady_clock;

// Drains one leased shard; false when the caller asked to stop.
bool drain_shard(Store& store, const ExpiryOptions& o, unsigned shard, int64_t due,
                 ExpiryReport& report) {
  const std::string lease = expiry_lease_name(shard);
  auto renewed = Clock::now();
  const auto renew_every = std::chrono::seconds(o.lease_seconds) / 3;
  for (;;) {
    std::vector<ExpiryEntry> entries = store.list_expiry(shard, due, o.batch);
    if (entries.empty()) return true;
    std::vector<ExpiryEntry> removed = store.expire_objects(entries);
    report.removed += removed.size();
    report.stale += entries.size() - removed.size();
    if (o.progress && !o.progress(report, removed)) return false;
    if (Clock::now() - renewed >= renew_every) {
      // Lost (it ran out and another expirer took it): leave the shard to
      // it; the guarded removals keep a moment of overlap harmless.
      if (!store.take_lease(lease, o.holder, o.lease_seconds)) return true;
      renewed = Clock::now();
    }
  }
}

}  // namespace

ExpiryReport run_expirer(Store& store, const ExpiryOptions& o) {
  if (o.holder.empty()) fail(RGW_ERR_INVALID_ARGUMENT, "the expirer needs a lease holder name");
  if (o.lease_seconds < 1) fail(RGW_ERR_INVALID_ARGUMENT, "lease_seconds must be at least 1");
  ExpiryOptions opts = o;
  if (opts.batch == 0) opts.batch = 1000;
  const int64_t due = static_cast<int64_t>(std::time(nullptr));
  // Expirers starting together begin at different shards.
  std::random_device rd;
  const unsigned first = rd() % kExpiryShards;
  ExpiryReport report;
  for (unsigned i = 0; i < kExpiryShards; ++i) {
    const unsigned shard = (first + i) % kExpiryShards;
    const std::string lease = expiry_lease_name(shard);
    if (!store.take_lease(lease, opts.holder, opts.lease_seconds)) {
      report.shards_busy++;
      continue;
    }
    bool go_on;
    try {
      go_on = drain_shard(store, opts, shard, due, report);
    } catch (...) {
      try {
        store.drop_lease(lease, opts.holder);
      } catch (...) {
      }
      throw;
    }
    store.drop_lease(lease, opts.holder);
    report.shards_done++;
    if (!go_on) break;
  }
  return report;
}

}  // namespace rgw
