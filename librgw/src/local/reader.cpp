// reader.cpp - the read path of the local driver: an object's current row and
// body (lookup), LocalReader (a range across the pieces of a body: files,
// opened up front so that gc cannot pull them away, or an inline body's
// bytes), open_reader and stat_object.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "errors.h"
#include "local/local_store.h"

namespace rgw::local {
namespace {

// A reader opens the files of this many segments at once (later ones as it
// reaches them), so that a 10000-part object does not need 10000 descriptors.
constexpr size_t kEagerSegments = 64;

// Reads a range across the segments of a body.  The files covering the
// range are opened up front (up to kEagerSegments of them): an open file
// outlives gc's unlink, so the object read stays the one that was opened.
// An inline body's bytes are held by the reader.
class LocalReader : public ObjectReader {
 public:
  struct Seg {
    std::string path;
    uint64_t start = 0, size = 0;
    int fd = -1;
    std::shared_ptr<const std::string> bytes;  // an inline body: no file
  };
  LocalReader(std::vector<Seg> segs, ObjectInfo info, uint64_t offset, uint64_t length)
      : segs_(std::move(segs)), info_(std::move(info)), pos_(offset), end_(offset + length) {}
  ~LocalReader() override {
    for (auto& s : segs_)
      if (s.fd >= 0) ::close(s.fd);
  }
  const ObjectInfo& info() const override { return info_; }
  uint64_t remaining() const override { return end_ - pos_; }
  bool file_range(int* fd, uint64_t* offset) const override {
    // The rest of the range within the current segment, already open.
    if (idx_ >= segs_.size() || pos_ >= end_) return false;
    const Seg& s = segs_[idx_];
    if (s.fd < 0 || pos_ < s.start || end_ > s.start + s.size) return false;
    *fd = s.fd;
    *offset = pos_ - s.start;
    return true;
  }
  bool memory_range(const char** data, size_t* len) const override {
    // The rest of the range within the current segment, an inline body.
    if (idx_ >= segs_.size() || pos_ >= end_) return false;
    const Seg& s = segs_[idx_];
    if (!s.bytes || pos_ < s.start || end_ > s.start + s.size) return false;
    *data = s.bytes->data() + (pos_ - s.start);
    *len = static_cast<size_t>(end_ - pos_);
    return true;
  }
  size_t read(char* buf, size_t len) override {
    if (pos_ >= end_) return 0;
    if (len > end_ - pos_) len = end_ - pos_;
    while (idx_ < segs_.size() && pos_ >= segs_[idx_].start + segs_[idx_].size) {
      if (segs_[idx_].fd >= 0) ::close(segs_[idx_].fd);
      segs_[idx_].fd = -1;
      ++idx_;
    }
    if (idx_ == segs_.size()) fail(-EIO, "object body is shorter than its recorded size");
    Seg& s = segs_[idx_];
    len = static_cast<size_t>(std::min<uint64_t>(len, s.start + s.size - pos_));
    if (s.bytes) {
      if (s.bytes->size() != s.size) fail(-EIO, "inline body is not its recorded size");
      std::memcpy(buf, s.bytes->data() + (pos_ - s.start), len);
      pos_ += len;
      return len;
    }
    if (s.fd < 0) {
      s.fd = ::open(s.path.c_str(), O_RDONLY | O_CLOEXEC);
      if (s.fd < 0 && errno == ENOENT)
        fail(RGW_ERR_CONFLICT,
             "object '" + info_.key + "' was overwritten and reclaimed while read");
      if (s.fd < 0) fail_errno(errno, "open body of '" + info_.key + "'");
    }
    for (;;) {
      ssize_t n = ::pread(s.fd, buf, len, static_cast<off_t>(pos_ - s.start));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail_errno(errno, "read object body");
      if (n == 0) fail(-EIO, "object body is shorter than its recorded size");
      pos_ += static_cast<uint64_t>(n);
      return static_cast<size_t>(n);
    }
  }

 private:
  std::vector<Seg> segs_;
  size_t idx_ = 0;
  ObjectInfo info_;
  uint64_t pos_, end_;
};

}  // namespace

std::unique_ptr<ObjectReader> LocalStore::open_reader(const ObjectRef& ref,
                                                      const ReadOptions& options) {
  const std::string& key = ref.key;
  const uint64_t offset = options.offset;
  const int64_t length = options.length;
  // A gc pass may unlink a body between the lookup and the open: look again.
  for (int attempt = 0;; ++attempt) {
    std::vector<Segment> body;
    ObjectInfo info = lookup(ref, &body);
    if (offset > info.size)
      fail(RGW_ERR_INVALID_RANGE, "range starts at " + std::to_string(offset) +
                                      " past the end of a " + std::to_string(info.size) +
                                      "-byte object");
    uint64_t avail = info.size - offset;
    uint64_t len = length < 0 ? avail : std::min<uint64_t>(avail, static_cast<uint64_t>(length));
    const uint64_t end = offset + len;
    std::vector<LocalReader::Seg> segs;
    uint64_t start = 0;
    for (const auto& b : body) {  // the segments the range touches
      const uint64_t seg_end = start + b.size;
      if (seg_end > offset && start < end)
        segs.push_back(b.bytes ? LocalReader::Seg{"", start, b.size, -1, b.bytes}
                               : LocalReader::Seg{data_path(b.data_id), start, b.size, -1, {}});
      start = seg_end;
    }
    bool retry = false;
    for (size_t i = 0; i < segs.size() && i < kEagerSegments; ++i) {
      if (segs[i].bytes) continue;
      segs[i].fd = ::open(segs[i].path.c_str(), O_RDONLY | O_CLOEXEC);
      if (segs[i].fd >= 0) continue;
      int err = errno;
      for (size_t j = 0; j < i; ++j)
        if (segs[j].fd >= 0) ::close(segs[j].fd);
      if (err == ENOENT && attempt < 5) {
        retry = true;
        break;
      }
      fail_errno(err, "open body of '" + key + "'");
    }
    if (retry) continue;
    return std::make_unique<LocalReader>(std::move(segs), std::move(info), offset, len);
  }
}

ObjectInfo LocalStore::stat_object(const ObjectRef& ref) { return lookup(ref, nullptr); }

ObjectInfo LocalStore::stat_version(const ObjectRef& ref) {
  validate_object_key(ref.key);
  BucketInfo b = get_bucket_cached(ref.bucket);
  auto conn = readers_->take();
  VersionRow row;
  if (find_version(conn.db(), b.id, ref.key, ref.version_id, &row)) return row.info;
  if (ref.version_id.empty())
    fail(RGW_ERR_NO_SUCH_KEY, "no such key '" + ref.key + "' in bucket '" + ref.bucket + "'");
  fail(RGW_ERR_NO_SUCH_VERSION,
       "no version '" + ref.version_id + "' of '" + ref.key + "' in '" + ref.bucket + "'");
}

std::shared_ptr<const RowCache::Row> LocalStore::read_row(const std::string& bucket_id,
                                                          const ObjectRef& ref, bool with_body) {
  auto conn = readers_->take();
  Db& db = conn.db();
  auto r = std::make_shared<RowCache::Row>();
  // No row or a delete marker: there is no body to read, with_body or not.
  auto bodiless = [&] { return r->with_body = !r->found || r->row.info.delete_marker; };
  r->found = find_version(db, bucket_id, ref.key, ref.version_id, &r->row);
  if (bodiless() || !with_body) return r;
  // A multipart body's segments, or an inline body's bytes, are a second
  // statement: the row is read again with them in one snapshot.  A file's
  // id is in the row.
  std::unique_ptr<ReadTransaction> snapshot;
  if (r->row.data_id.empty() || is_inline_id(r->row.data_id)) {
    snapshot = std::make_unique<ReadTransaction>(db);
    r->found = find_version(db, bucket_id, ref.key, ref.version_id, &r->row);
    if (bodiless()) return r;
  }
  read_body(db, bucket_id, r->row, &r->body);
  r->with_body = true;
  return r;
}

ObjectInfo LocalStore::lookup(const ObjectRef& ref, std::vector<Segment>* body) {
  const std::string& key = ref.key;
  validate_object_key(key);
  BucketInfo b = get_bucket_cached(ref.bucket);
  const std::string cache_key = RowCache::key(b.id, ref.version_id, key);
  std::shared_ptr<const RowCache::Row> row = rows_->find(cache_key, body != nullptr);
  if (!row) {
    const ChangeCounters::Before before = rows_->before_read();
    row = read_row(b.id, ref, body != nullptr);
    rows_->keep(cache_key, row, before);
  }
  if (!row->found) {
    if (!ref.version_id.empty())
      fail(RGW_ERR_NO_SUCH_VERSION,
           "no version '" + ref.version_id + "' of '" + key + "' in '" + ref.bucket + "'");
    fail(RGW_ERR_NO_SUCH_KEY, "no such key '" + key + "' in bucket '" + ref.bucket + "'");
  }
  const ObjectInfo& info = row->row.info;
  if (info.delete_marker)
    fail(RGW_ERR_NO_SUCH_KEY,
         "key '" + key + "' is a delete marker in bucket '" + ref.bucket + "'");
  if (is_expired(info)) fail(RGW_ERR_NO_SUCH_KEY, "key '" + key + "' has expired");
  if (body) *body = row->body;
  return info;
}

}  // namespace rgw::local
