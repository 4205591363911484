// test_row_cache.cpp - the local driver's cache of object rows
// (local/row_cache.h) seen from two handles on one store, as two processes
// see it: rows are kept and used while nothing writes, and every kind of
// write by the other handle (overwrite, removal, metadata update, multipart
// completion, a version's removal) is seen by the next read.  A writer that
// dies inside its transaction stops the keeping until the next write
// transaction closes the gap.  A kept row's expiry is checked at each read.
// A reader racing an overwriter never reads a version older than the last
// acknowledged one.  The cache's size is bounded.
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "check.hpp"
#include "errors.h"
#include "local/change_counters.h"
#include "local/local_store.h"
#include "local/shared_counter.h"

using namespace rgw;
using rgw::local::LocalStore;

namespace {

ObjectInfo put(Store& s, const std::string& bucket, const std::string& key, const std::string& body,
               const WriteOptions& options = WriteOptions()) {
  auto w = s.open_writer(bucket, key);
  w->write(body.data(), body.size());
  return w->commit(options);
}

std::string get(Store& s, const std::string& bucket, const std::string& key,
                const std::string& version_id = "") {
  auto r = s.open_reader(ObjectRef{bucket, key, version_id}, ReadOptions());
  std::string out(r->remaining(), '\0');
  size_t got = 0;
  while (got < out.size()) got += r->read(&out[got], out.size() - got);
  return out;
}

ObjectInfo stat(Store& s, const std::string& bucket, const std::string& key,
                const std::string& version_id = "") {
  return s.stat_object(ObjectRef{bucket, key, version_id});
}

// Reads key through `reader` until a read is answered from its cache.
void warm(LocalStore& reader, const std::string& bucket, const std::string& key) {
  for (int i = 0; i < 3; ++i) {
    const uint64_t before = reader.row_cache_hits();
    get(reader, bucket, key);
    if (reader.row_cache_hits() > before) return;
  }
  CHECK(!"a read was never answered from the cache");
}

void test_kept_while_nothing_writes(LocalStore& a, LocalStore& b) {
  put(b, "b", "k", "one");
  CHECK_EQ(get(a, "b", "k"), std::string("one"));
  uint64_t hits = a.row_cache_hits();
  for (int i = 0; i < 5; ++i) CHECK_EQ(get(a, "b", "k"), std::string("one"));
  CHECK_EQ(a.row_cache_hits(), hits + 5);
  // A stat keeps a row without the body files; a GET after it reads them.
  put(b, "b", "s", "stat me");
  CHECK_EQ(stat(a, "b", "s").size, uint64_t{7});
  hits = a.row_cache_hits();
  CHECK_EQ(stat(a, "b", "s").size, uint64_t{7});
  CHECK_EQ(a.row_cache_hits(), hits + 1);
  CHECK_EQ(get(a, "b", "s"), std::string("stat me"));
  CHECK_EQ(a.row_cache_hits(), hits + 1);
  CHECK_EQ(get(a, "b", "s"), std::string("stat me"));
  CHECK_EQ(a.row_cache_hits(), hits + 2);
}

void test_other_handle_writes_are_seen(LocalStore& a, LocalStore& b) {
  put(b, "b", "k", "one");
  warm(a, "b", "k");
  put(b, "b", "k", "two, longer");
  CHECK_EQ(get(a, "b", "k"), std::string("two, longer"));
  CHECK_EQ(stat(a, "b", "k").size, uint64_t{11});

  // Metadata only.
  warm(a, "b", "k");
  AttrsUpdate update;
  update.attrs = Attrs{{"x-amz-meta-colour", "blue"}};
  b.update_object(ObjectRef{"b", "k", ""}, update);
  CHECK_EQ(stat(a, "b", "k").attrs["x-amz-meta-colour"], std::string("blue"));

  // Removal; the missing key is kept too, and a new write is seen.
  warm(a, "b", "k");
  b.remove_object(ObjectRef{"b", "k", ""}, RemoveOptions());
  CHECK_THROWS(get(a, "b", "k"), RGW_ERR_NO_SUCH_KEY);
  const uint64_t hits = a.row_cache_hits();
  CHECK_THROWS(stat(a, "b", "k"), RGW_ERR_NO_SUCH_KEY);
  CHECK_THROWS(get(a, "b", "k"), RGW_ERR_NO_SUCH_KEY);
  CHECK_EQ(a.row_cache_hits(), hits + 2);
  put(b, "b", "k", "three");
  CHECK_EQ(get(a, "b", "k"), std::string("three"));

  // A multipart completion over a kept row.
  warm(a, "b", "k");
  UploadInfo up = b.create_upload("b", "k", WriteOptions());
  std::vector<std::pair<int, std::string>> parts;
  for (int n = 1; n <= 2; ++n) {
    auto w = b.open_part_writer("b", up.upload_id, n);
    const std::string body(1000, static_cast<char>('a' + n));
    w->write(body.data(), body.size());
    parts.emplace_back(n, w->commit(WriteOptions()).etag);
  }
  b.complete_upload("b", up.upload_id, parts, "0123456789abcdef0123456789abcdef-2", WriteOptions());
  CHECK_EQ(get(a, "b", "k"), std::string(1000, 'b') + std::string(1000, 'c'));
  CHECK_EQ(stat(a, "b", "k").etag, std::string("0123456789abcdef0123456789abcdef-2"));

  // A handle's own writes, too.
  warm(a, "b", "k");
  put(a, "b", "k", "four");
  CHECK_EQ(get(a, "b", "k"), std::string("four"));
}

void test_versions(LocalStore& a, LocalStore& b) {
  BucketInfo v = b.get_bucket("v");
  v.versioning = Versioning::enabled;
  b.update_bucket(v);
  const ObjectInfo first = put(b, "v", "k", "first");
  put(b, "v", "k", "second");
  CHECK_EQ(get(a, "v", "k", first.version_id), std::string("first"));
  CHECK_EQ(get(a, "v", "k"), std::string("second"));
  const uint64_t hits = a.row_cache_hits();
  CHECK_EQ(get(a, "v", "k", first.version_id), std::string("first"));
  CHECK_EQ(a.row_cache_hits(), hits + 1);
  b.remove_object(ObjectRef{"v", "k", first.version_id}, RemoveOptions());
  CHECK_THROWS(get(a, "v", "k", first.version_id), RGW_ERR_NO_SUCH_VERSION);
  warm(a, "v", "k");
  b.remove_object(ObjectRef{"v", "k", ""}, RemoveOptions());  // a delete marker
  CHECK_THROWS(get(a, "v", "k"), RGW_ERR_NO_SUCH_KEY);
}

void test_expiry_is_checked_at_each_read(LocalStore& a, LocalStore& b) {
  // A kept row whose delete_at passes, with no write anywhere meanwhile.
  WriteOptions soon;
  soon.delete_at = static_cast<int64_t>(::time(nullptr)) + 2;
  put(b, "b", "e", "short-lived", soon);
  warm(a, "b", "e");
  const uint64_t hits = a.row_cache_hits();
  while (::time(nullptr) < soon.delete_at + 1) ::usleep(100000);
  CHECK_THROWS(get(a, "b", "e"), RGW_ERR_NO_SUCH_KEY);
  CHECK_THROWS(stat(a, "b", "e"), RGW_ERR_NO_SUCH_KEY);
  CHECK_EQ(a.row_cache_hits(), hits + 2);  // answered from the kept row
}

void test_dead_writer(const std::string& dir, LocalStore& a, LocalStore& b) {
  put(b, "b", "d", "dead");
  warm(a, "b", "d");
  {
    // A writer that takes its ticket and never ends it: a process that died
    // inside its transaction (or one still in it).
    local::SharedWords words(dir + "/bucket-epoch");
    local::ChangeCounters counters(words.word(local::SharedWords::kChangesBegun),
                                   words.word(local::SharedWords::kChangesEnded));
    counters.begin();
  }
  const uint64_t hits = a.row_cache_hits();
  for (int i = 0; i < 4; ++i) CHECK_EQ(get(a, "b", "d"), std::string("dead"));
  CHECK_EQ(a.row_cache_hits(), hits);  // nothing kept while a write may be open
  put(b, "b", "other", "x");           // the next transaction closes the gap
  warm(a, "b", "d");
}

void test_racing_overwrites(LocalStore& a, LocalStore& b) {
  put(b, "b", "race", "0");
  std::atomic<int> acknowledged{0};
  std::atomic<bool> done{false};
  std::atomic<int> stale{0}, reads{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t)
    readers.emplace_back([&] {
      while (!done.load()) {
        const int floor = acknowledged.load();
        const int seen = std::stoi(get(a, "b", "race"));
        if (seen < floor) ++stale;
        ++reads;
      }
    });
  for (int i = 1; i <= 200; ++i) {
    put(b, "b", "race", std::to_string(i));
    acknowledged.store(i);
    if (i % 20 == 0) ::usleep(2000);  // let reads fill and use the cache
  }
  done.store(true);
  for (auto& t : readers) t.join();
  CHECK_EQ(stale.load(), 0);
  CHECK(reads.load() > 200);
  CHECK_EQ(get(a, "b", "race"), std::string("200"));
}

void test_bounded(LocalStore& a) {
  // Missing keys are kept as rows too: more distinct keys than the cache
  // holds empty it, and the first key is read from the database again.
  CHECK_THROWS(stat(a, "b", "missing-0"), RGW_ERR_NO_SUCH_KEY);
  uint64_t hits = a.row_cache_hits();
  CHECK_THROWS(stat(a, "b", "missing-0"), RGW_ERR_NO_SUCH_KEY);
  CHECK_EQ(a.row_cache_hits(), hits + 1);
  for (size_t i = 1; i <= local::RowCache::kMaxRows; ++i)
    CHECK_THROWS(stat(a, "b", "missing-" + std::to_string(i)), RGW_ERR_NO_SUCH_KEY);
  hits = a.row_cache_hits();
  CHECK_THROWS(stat(a, "b", "missing-0"), RGW_ERR_NO_SUCH_KEY);
  CHECK_EQ(a.row_cache_hits(), hits);
}

}  // namespace

int main() {
  char tmpl[] = "/tmp/test_row_cache.XXXXXX";
  const char* made = ::mkdtemp(tmpl);
  if (!made) {
    std::perror("mkdtemp");
    return 2;
  }
  const std::string dir = std::string(made) + "/store";
  {
    LocalStore a(dir), b(dir);
    User alice;
    alice.uid = "alice";
    b.create_user(alice);
    for (const char* name : {"b", "v"}) {
      BucketInfo info;
      info.name = name;
      info.owner = "alice";
      b.create_bucket(info);
    }
    test_kept_while_nothing_writes(a, b);
    test_other_handle_writes_are_seen(a, b);
    test_versions(a, b);
    test_expiry_is_checked_at_each_read(a, b);
    test_dead_writer(dir, a, b);
    test_racing_overwrites(a, b);
    test_bounded(a);
  }
  std::filesystem::remove_all(made);
  return check::report();
}
