// test_index_batch.cpp - grouped bucket index writes (rados/index_batch.h)
// against a real cluster: every change gets the answer an op of its own
// would have given, whatever it was grouped with.
//
// Usage: test_index_batch CEPH_CONF   (tests/integration/test_core_capi.py
// runs it on the test cluster; make test-sanitize under ASan/UBSan)
#include <rados/librados.h>

#include <cerrno>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "check.h"
#include "rados/index_batch.h"
#include "rados/librados_util.h"

using rgw::rados::IndexBatcher;
using rgw::rados::IndexChange;

namespace {

rados_ioctx_t io;
std::string run_tag;

std::shared_ptr<IndexChange> pending(const std::string& key, const std::string& stamp) {
  auto c = std::make_shared<IndexChange>();
  c->kind = IndexChange::Kind::kPending;
  c->pending = key;
  c->stamp = stamp;
  return c;
}

// Sets `key` to `entry` if its value and `key`'s marker ("~" + key) are
// older, and drops `drop` (if any).
std::shared_ptr<IndexChange> entry(const std::string& key, const std::string& value,
                                   const std::string& drop = "") {
  auto c = std::make_shared<IndexChange>();
  c->kind = IndexChange::Kind::kEntry;
  c->key = key;
  c->entry = value;
  c->removed = "~" + key;
  c->pending = drop;
  return c;
}

std::map<std::string, std::string> omap(const std::string& oid) {
  std::map<std::string, std::string> out;
  std::vector<rgw::rados::KV> page;
  bool more = false;
  if (rgw::rados::omap_page(io, oid, "", "", 100000, page, more) == 0)
    for (auto& [k, v] : page) out[k] = v;
  return out;
}

std::string fresh_object(const char* name) {
  std::string oid = run_tag + "." + name;
  CHECK(rados_write_full(io, oid.c_str(), "", 0) == 0);
  return oid;
}

// A change in flight first, so that the ones submitted right after it
// queue behind it and travel together in the next op.
std::shared_ptr<IndexChange> lead(IndexBatcher& b, const std::string& oid, int round) {
  auto c = pending("lead" + std::to_string(round), "t");
  b.submit(oid, c);
  return c;
}

void set_key(const std::string& oid, const std::string& k, const std::string& v) {
  rgw::rados::WriteOp op;
  rgw::rados::omap_set_in(op, {{k, v}});
  CHECK(rados_write_op_operate(op.op, io, oid.c_str(), nullptr, 0) == 0);
}

// One change fails its assertion in a group: it alone gets -ECANCELED, the
// others (entries and a pending record) land.
void test_failed_assertion_in_a_group() {
  IndexBatcher b(io);
  const std::string oid = fresh_object("cmp");
  int grouped = 0;
  for (int round = 0; round < 20; ++round) {
    const std::string n = std::to_string(round);
    set_key(oid, "k" + n, "5");
    set_key(oid, "pa" + n, "t");
    const auto before = b.counts();
    auto l = lead(b, oid, round);
    auto a = entry("a" + n, "7", "pa" + n);
    auto k = entry("k" + n, "3");  // older than what is there
    auto c = entry("c" + n, "7");
    auto p = pending("pz" + n, "t");
    for (const auto& x : {a, k, c, p}) b.submit(oid, x);
    CHECK(b.wait(*l) == 0);
    CHECK(b.wait(*a) == 0);
    CHECK(b.wait(*k) == -ECANCELED);
    CHECK(b.wait(*c) == 0);
    CHECK(b.wait(*p) == 0);
    const auto after = b.counts();
    // Grouped: the lead, one op for the four, then four ops one by one.
    if (after.ops - before.ops < after.changes - before.changes) ++grouped;
    auto m = omap(oid);
    CHECK(m["a" + n] == "7" && m["k" + n] == "5" && m["c" + n] == "7" && m["pz" + n] == "t");
    CHECK(m.count("pa" + n) == 0);
  }
  CHECK(grouped > 0);
  printf("failed assertion: %d of 20 rounds grouped\n", grouped);
}

// Removals grouped with entries: the one whose marker is newer than the
// entry removes it and leaves its marker; the one older than the entry
// there fails alone.
void test_removals_in_a_group() {
  IndexBatcher b(io);
  const std::string oid = fresh_object("rm");
  for (int round = 0; round < 10; ++round) {
    const std::string n = std::to_string(round);
    set_key(oid, "r" + n, "3");
    set_key(oid, "q" + n, "9");
    set_key(oid, "pr" + n, "t");
    auto l = lead(b, oid, round);
    auto r = std::make_shared<IndexChange>();
    r->kind = IndexChange::Kind::kRemove;
    r->key = "r" + n;
    r->entry = "5";
    r->removed = "~r" + n;
    r->pending = "pr" + n;
    auto q = std::make_shared<IndexChange>(*r);
    q->key = "q" + n;
    q->removed = "~q" + n;
    q->pending.clear();
    auto e = entry("e" + n, "7");
    for (const auto& x : {r, q, e}) b.submit(oid, x);
    CHECK(b.wait(*l) == 0);
    CHECK(b.wait(*r) == 0);
    CHECK(b.wait(*q) == -ECANCELED);
    CHECK(b.wait(*e) == 0);
    auto m = omap(oid);
    CHECK(m.count("r" + n) == 0 && m["~r" + n] == "5" && m.count("pr" + n) == 0);
    CHECK(m["q" + n] == "9" && m.count("~q" + n) == 0 && m["e" + n] == "7");
  }
}

// Two changes of one key never share an op: each is checked against what
// the other left (together, both would pass against the old value, and the
// older one, set last, would win).
void test_one_key_twice() {
  IndexBatcher b(io);
  const std::string oid = fresh_object("twice");
  for (int round = 0; round < 20; ++round) {
    const std::string key = "s" + std::to_string(round);
    auto l = lead(b, oid, round);
    auto newer = entry(key, "2");
    auto older = entry(key, "1");
    b.submit(oid, newer);
    b.submit(oid, older);
    CHECK(b.wait(*l) == 0);
    CHECK(b.wait(*newer) == 0);
    CHECK(b.wait(*older) == -ECANCELED);
    CHECK(omap(oid)[key] == "2");
  }
}

// A removed index object (a removed bucket): every change of the group
// gets -ENOENT, and the object is not re-created.
void test_missing_index() {
  IndexBatcher b(io);
  const std::string oid = run_tag + ".gone";
  auto l = lead(b, oid, 0);
  auto a = entry("a", "7");
  auto p = pending("p", "t");
  b.submit(oid, a);
  b.submit(oid, p);
  CHECK(b.wait(*l) == -ENOENT);
  CHECK(b.wait(*a) == -ENOENT);
  CHECK(b.wait(*p) == -ENOENT);
  uint64_t size = 0;
  time_t mtime = 0;
  CHECK(rados_stat(io, oid.c_str(), &size, &mtime) == -ENOENT);
}

// More changes queued than one op carries: several ops, every change lands.
void test_many_queued() {
  IndexBatcher b(io);
  const std::string oid = fresh_object("many");
  const auto before = b.counts();
  auto l = lead(b, oid, 0);
  std::vector<std::shared_ptr<IndexChange>> all;
  for (int i = 0; i < 150; ++i) {
    all.push_back(i % 2 ? pending("p" + std::to_string(i), "t")
                        : entry("e" + std::to_string(i), "7"));
    b.submit(oid, all.back());
  }
  CHECK(b.wait(*l) == 0);
  int ok = 0;
  for (const auto& c : all) ok += b.wait(*c) == 0;
  CHECK(ok == 150);
  const auto after = b.counts();
  CHECK(after.changes - before.changes == 151);
  CHECK(after.ops - before.ops >= 3);  // at most 64 changes per op
  CHECK(omap(oid).size() == 151);
}

// Threads of one process writing one index at once: all land, grouped.
void test_threads() {
  IndexBatcher b(io);
  const std::string oid = fresh_object("threads");
  std::vector<std::thread> threads;
  std::vector<int> failed(8, 0);
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        const std::string n = std::to_string(t) + "." + std::to_string(i);
        auto p = pending("p" + n, "t");
        b.submit(oid, p);
        if (b.wait(*p) != 0) ++failed[t];
        if (b.run(oid, entry("e" + n, "7", "p" + n)) != 0) ++failed[t];
      }
    });
  for (auto& t : threads) t.join();
  int failures_seen = 0;
  for (int f : failed) failures_seen += f;
  CHECK(failures_seen == 0);
  auto m = omap(oid);
  CHECK(m.size() == 800);  // the entries; no pending record is left
  for (const auto& [k, v] : m) CHECK(k[0] == 'e' && v == "7");
  const auto n = b.counts();
  CHECK(n.changes == 1600);
  printf("threads: 1600 changes in %llu ops\n", static_cast<unsigned long long>(n.ops));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: test_index_batch CEPH_CONF\n");
    return 2;
  }
  rados_t cluster = nullptr;
  if (rados_create2(&cluster, "ceph", "client.admin", 0) < 0 ||
      rados_conf_read_file(cluster, argv[1]) < 0 || rados_connect(cluster) < 0) {
    fprintf(stderr, "cannot connect to the cluster of %s\n", argv[1]);
    return 2;
  }
  io = rgw::rados::open_pool(cluster, "index-batch-test");
  run_tag = "t" + std::to_string(time(nullptr)) + "." + std::to_string(getpid());
  test_failed_assertion_in_a_group();
  test_removals_in_a_group();
  test_one_key_twice();
  test_missing_index();
  test_many_queued();
  test_threads();
  rados_ioctx_destroy(io);
  rados_shutdown(cluster);
  printf("test_index_batch: %d checks, %d failed\n", checks, failures);
  printf("%d passed, %d failed\n", checks - failures, failures);
  return failures ? 1 : 0;
}
