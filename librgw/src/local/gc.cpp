// gc.cpp - garbage in the local driver: bodies no row references any more
// (the garbage table), and gc(), which removes them and what dead writers
// left in tmp/ and data/.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <mutex>
#include <string>
#include <vector>

#include "errors.h"
#include "local/local_store.h"

namespace rgw::local {
namespace {

bool is_hex_id(const std::string& name) {
  if (name.size() != 32) return false;
  for (char c : name)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

GcReport LocalStore::gc(const GcOptions& options) {
  GcReport report;
  report.options = &options;
  const int64_t cutoff_ns = gc_cutoff_ns(options);
  // 1. Bodies of overwritten and deleted objects.
  std::vector<std::string> ids;
  {
    std::lock_guard<StoreMutex> l(mu_);
    Stmt q(*db_, "SELECT data_id FROM garbage WHERE since_ns<=?");
    q.bind(1, cutoff_ns);
    while (q.step()) ids.push_back(q.text(0));
  }
  for (const auto& id : ids) {
    remove_file(data_path(id), report);
    std::lock_guard<StoreMutex> l(mu_);
    Stmt(*db_, "DELETE FROM garbage WHERE data_id=?").bind(1, id).run();
  }
  // 2. Leftovers of writers that died: tmp files, and bodies that were
  // published under data/ but never committed to the index.
  const time_t cutoff_s = static_cast<time_t>(cutoff_ns / 1000000000LL);
  for (const auto& name : list_dir(join(dir_, "tmp"))) {
    std::string path = join(join(dir_, "tmp"), name);
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && st.st_mtime <= cutoff_s) remove_file(path, report);
  }
  for (const auto& sub : list_dir(join(dir_, "data"))) {
    std::string subdir = join(join(dir_, "data"), sub);
    for (const auto& name : list_dir(subdir)) {
      if (!is_hex_id(name)) continue;
      std::string path = join(subdir, name);
      struct stat st;
      if (::stat(path.c_str(), &st) != 0 || st.st_mtime > cutoff_s) continue;
      std::lock_guard<StoreMutex> l(mu_);
      Transaction t(*db_);  // the lock publish() holds from rename to commit
      bool referenced =
          Stmt(*db_, "SELECT 1 FROM objects WHERE data_id=? LIMIT 1").bind(1, name).step() ||
          Stmt(*db_, "SELECT 1 FROM segments WHERE data_id=? LIMIT 1").bind(1, name).step() ||
          Stmt(*db_, "SELECT 1 FROM parts WHERE data_id=? LIMIT 1").bind(1, name).step() ||
          Stmt(*db_, "SELECT 1 FROM replaced_parts WHERE data_id=? LIMIT 1").bind(1, name).step() ||
          Stmt(*db_, "SELECT 1 FROM garbage WHERE data_id=?").bind(1, name).step();
      if (!referenced) remove_file(path, report);
      t.commit();
    }
  }
  return report;
}

void LocalStore::garbage_locked(const std::string& data_id) {
  Stmt(*db_, "INSERT OR REPLACE INTO garbage(data_id, since_ns) VALUES(?, ?)")
      .bind(1, data_id)
      .bind(2, now_ns())
      .run();
}

std::vector<std::string> LocalStore::list_dir(const std::string& path) {
  std::vector<std::string> out;
  DIR* d = ::opendir(path.c_str());
  if (!d) return out;
  while (struct dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") out.push_back(n);
  }
  ::closedir(d);
  return out;
}

void LocalStore::remove_file(const std::string& path, GcReport& report) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return;
  if (::unlink(path.c_str()) == 0) {
    report.removed_objects++;
    report.removed_bytes += static_cast<uint64_t>(st.st_size);
    report.counted();
  }
}

}  // namespace rgw::local
