// reader.cpp - the read path of the RADOS driver: open_reader (one read op for
// the head's xattrs and an inline body, synchronous or, on a door's event
// loop, asynchronous: async_reads.h), RadosReader (a range streamed from the
// stripes of the body's segments, one window of read-ahead; an inline body
// is handed over in memory), stat_object, and how a head's xattrs are read
// as an object.
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "async_reads.h"
#include "errors.h"
#include "rados/rados_store.h"

namespace rgw::rados {
namespace {

// The head's read, submitted from the event loop: its result stays here for
// the request's later tries (read_head).  The completion's callback (on a
// librados thread) only tells the AsyncReads.
struct HeadRead : AsyncRead {
  ReadOp op{kAsyncRead};
  XattrIter xi;
  Xattrs x;  // xi drained, once
  bool drained = false;
  int xrv = 0, read_rv = 0, rv = 0;
  size_t got = 0;
  HeadBytes buf;
  rados_completion_t c = nullptr;
  AsyncReads* reads = nullptr;

  ~HeadRead() override {
    if (c) {
      rados_aio_wait_for_complete_and_cb(c);
      rados_aio_release(c);
    }
  }
  static void done(rados_completion_t c, void* arg) {
    auto* h = static_cast<HeadRead*>(arg);
    h->rv = rados_aio_get_return_value(c);
    h->reads->completed();
  }
};

class RadosReader : public ObjectReader {
 public:
  RadosReader(RadosStore& store, ObjectInfo info, std::string head, Manifest m, uint64_t offset,
              uint64_t end, HeadBytes inline_data, size_t inline_len);
  ~RadosReader() override = default;
  const ObjectInfo& info() const override { return info_; }
  uint64_t remaining() const override { return end_ - pos_; }
  size_t read(char* buf, size_t len) override;
  bool memory_range(const char** data, size_t* len) const override {
    if (!inline_) return false;
    *data = idata_.get() + (pos_ - start_);
    *len = static_cast<size_t>(end_ - pos_);
    return true;
  }

 private:
  struct Window {
    uint64_t off = 0;
    size_t len = 0;
    std::unique_ptr<char[]> data;
    std::unique_ptr<Completion> c;
    size_t got = 0;
    std::string oid;
  };
  void issue(Window& w, uint64_t off);
  void finish(Window& w);

  RadosStore& st_;
  ObjectInfo info_;
  std::string head_;
  Manifest man_;
  std::vector<uint64_t> starts_;  // where each segment of the body starts
  uint64_t pos_, end_;
  bool inline_;
  HeadBytes idata_;  // inline: bytes [start_, start_ + ilen_)
  size_t ilen_;
  uint64_t start_;
  Window cur_;   // received
  Window next_;  // in flight
  bool have_cur_ = false;
  bool have_next_ = false;
};

RadosReader::RadosReader(RadosStore& store, ObjectInfo info, std::string head, Manifest m,
                         uint64_t offset, uint64_t end, HeadBytes inline_data, size_t inline_len)
    : st_(store),
      info_(std::move(info)),
      head_(std::move(head)),
      man_(std::move(m)),
      pos_(offset),
      end_(end),
      inline_(man_.segs.empty()),
      idata_(std::move(inline_data)),
      ilen_(inline_len),
      start_(offset) {
  uint64_t at = 0;
  for (const auto& sg : man_.segs) {
    starts_.push_back(at);
    at += sg.size;
  }
  if (!inline_ && pos_ < end_) {
    issue(next_, pos_);  // start fetching before the first read()
    have_next_ = true;
  }
}

// Reads ahead from `off` to the end of its stripe (at most one window): the
// segment holding `off` (the last one starting at or before it; empty parts
// start where the next one does), then the stripe within it.
void RadosReader::issue(Window& w, uint64_t off) {
  size_t s =
      static_cast<size_t>(std::upper_bound(starts_.begin(), starts_.end(), off) - starts_.begin()) -
      1;
  const Segment& sg = man_.segs[s];
  const uint64_t in_seg = off - starts_[s];
  if (in_seg >= sg.size) fail(-EIO, "corrupt manifest of '" + info_.key + "'");
  uint64_t n = in_seg / man_.stripe;
  uint64_t in = in_seg % man_.stripe;
  uint64_t len = std::min<uint64_t>({kReadWindow, man_.stripe - in, sg.size - in_seg, end_ - off});
  w.off = off;
  w.len = static_cast<size_t>(len);
  w.got = 0;
  if (!w.data) w.data.reset(new char[kReadWindow]);
  w.c = std::make_unique<Completion>();
  w.oid = tail_oid(head_, sg.tag, n);
  int r = rados_aio_read(st_.data_io(), w.oid.c_str(), w.c->c, w.data.get(), w.len, in);
  if (r < 0) {
    w.c->submitted = false;
    w.c.reset();
    rados_fail(r, "read data/" + w.oid);
  }
}

void RadosReader::finish(Window& w) {
  int r = w.c->wait();
  w.c.reset();
  if (r == -ENOENT)
    fail(RGW_ERR_CONFLICT, "object '" + info_.key + "' was overwritten and reclaimed while read");
  if (r < 0) rados_fail(r, "read data/" + w.oid);
  w.got = static_cast<size_t>(r);
  if (w.got < w.len) fail(-EIO, "object body of '" + info_.key + "' is shorter than its size");
}

size_t RadosReader::read(char* buf, size_t len) {
  if (pos_ >= end_ || len == 0) return 0;
  len = static_cast<size_t>(std::min<uint64_t>(len, end_ - pos_));
  if (inline_) {
    std::memcpy(buf, idata_.get() + (pos_ - start_), len);
    pos_ += len;
    return len;
  }
  size_t done = 0;
  while (done < len && pos_ < end_) {
    if (!have_cur_ || pos_ < cur_.off || pos_ >= cur_.off + cur_.got) {
      if (have_next_ && next_.off == pos_) {
        std::swap(cur_, next_);
        have_next_ = false;
        have_cur_ = false;
        finish(cur_);
        have_cur_ = true;
      } else {
        if (have_next_) {
          next_.c.reset();  // waits
          have_next_ = false;
        }
        have_cur_ = false;
        issue(cur_, pos_);
        finish(cur_);
        have_cur_ = true;
      }
      uint64_t after = cur_.off + cur_.got;
      if (after < end_ && !have_next_) {
        issue(next_, after);  // read ahead while the caller consumes this window
        have_next_ = true;
      }
    }
    size_t n = static_cast<size_t>(std::min<uint64_t>(len - done, cur_.off + cur_.got - pos_));
    std::memcpy(buf + done, cur_.data.get() + (pos_ - cur_.off), n);
    done += n;
    pos_ += n;
  }
  return done;
}

}  // namespace

std::unique_ptr<ObjectReader> RadosStore::open_reader(const ObjectRef& ref,
                                                      const ReadOptions& options) {
  validate_object_key(ref.key);  // a NUL would cut the head's oid short: another key's head
  BucketInfo b = get_bucket(ref.bucket);
  const std::string head = head_oid(b, ref.key);
  if (b.versioning == Versioning::unversioned) {
    check_version(ref);
    return open_object(ref.bucket, ref.key, head, head, std::nullopt, options);
  }
  // One index read (the key's entry, or the version's record), then the
  // version's object, as in an unversioned bucket.
  bool latest = false, legacy = false;
  std::optional<VersionEntry> v = find_version(b, ref, &latest, &legacy);
  if (!v || v->info.delete_marker) no_such_key(ref.bucket, ref.key);
  if (legacy) return open_object(ref.bucket, ref.key, head, head, std::nullopt, options);
  if (is_expired(v->info)) no_such_key(ref.bucket, ref.key);
  v->info.is_latest = latest;
  const std::string oid = v->where == VersionWhere::object ? version_oid(head, v->tag) : head;
  return open_object(ref.bucket, ref.key, oid, head, v->info, options);
}

namespace {

// First reads' buffers (kFirstRead bytes) that held a small body, kept by
// the thread for its next first reads.  Without them every GET of a small
// object takes 4 MiB from malloc and gives nearly all of it back, and glibc
// grows and trims its heap with brk every few requests.  A kept buffer had
// at most kSmallBody bytes written to it, and only written pages are
// resident: at most kKeep * kSmallBody bytes per thread.
struct FirstReadPool {
  static constexpr size_t kKeep = 32;
  std::vector<char*> kept;
  ~FirstReadPool() {
    for (char* b : kept) std::free(b);
  }
};
thread_local FirstReadPool t_first_reads;
constexpr size_t kSmallBody = 64u << 10;

}  // namespace

HeadBytes RadosStore::alloc_head_bytes(size_t n) {
  if (n == kFirstRead && !t_first_reads.kept.empty()) {
    HeadBytes b(t_first_reads.kept.back());
    t_first_reads.kept.pop_back();
    return b;
  }
  HeadBytes b(static_cast<char*>(std::malloc(n ? n : 1)));
  if (!b) fail(-ENOMEM, "no memory for a read of " + std::to_string(n) + " bytes");
  return b;
}

// One read op: the head's xattrs, plus `want` bytes at `offset` into a
// buffer of its own (none if want is 0).  On a door's event loop (no-wait
// mode with an AsyncReads) the op is submitted asynchronously and the try
// given up; the next try of the request takes the result.
RadosStore::HeadResult RadosStore::read_head(const std::string& oid, uint64_t offset, size_t want) {
  HeadResult h;
  AsyncReads* reads = no_wait() ? async_reads() : nullptr;
  if (reads) {
    const std::string key =
        "head " + oid + " " + std::to_string(offset) + " " + std::to_string(want);
    // The completed read: the xattrs are kept for a later try; the bytes
    // are handed over.
    auto completed = [&](AsyncRead& found) {
      auto& hr = static_cast<HeadRead&>(found);
      if (!hr.drained && hr.rv >= 0 && hr.xrv >= 0) hr.xi.drain(hr.x);
      hr.drained = true;
      h.r = hr.rv;
      h.xrv = hr.xrv;
      h.read_rv = hr.read_rv;
      h.got = hr.got;
      h.x = hr.x;
      if (want) {
        std::unique_ptr<AsyncRead> owned = reads->take(key);
        h.buf = std::move(static_cast<HeadRead&>(*owned).buf);
      }
      return std::move(h);
    };
    if (AsyncRead* found = reads->find(key)) return completed(*found);
    auto hr = std::make_unique<HeadRead>();
    hr->reads = reads;
    if (want) hr->buf = alloc_head_bytes(want);
    rados_read_op_getxattrs(hr->op.op, &hr->xi.it, &hr->xrv);
    if (want) rados_read_op_read(hr->op.op, offset, want, hr->buf.get(), &hr->got, &hr->read_rv);
    int r = rados_aio_create_completion2(hr.get(), &HeadRead::done, &hr->c);
    if (r < 0) rados_fail(r, "rados_aio_create_completion2");
    r = rados_aio_read_op_operate(hr->op.op, data_, hr->c, oid.c_str(), 0);
    if (r < 0) {
      rados_aio_release(hr->c);
      hr->c = nullptr;
      rados_fail(r, "read data/" + oid);
    }
    reads->add(key, std::move(hr));
    wait_for_async_read("the read of an object's head");
    // Resumed (in a fiber) once the read completed.
    AsyncRead* found = reads->find(key);
    if (!found) fail(-EIO, "the read of data/" + oid + " completed but is not there");
    return completed(*found);
  }
  if (want) h.buf = alloc_head_bytes(want);
  XattrIter xi;
  ReadOp op;
  rados_read_op_getxattrs(op.op, &xi.it, &h.xrv);
  if (want) rados_read_op_read(op.op, offset, want, h.buf.get(), &h.got, &h.read_rv);
  h.r = rados_read_op_operate(op.op, data_, oid.c_str(), 0);
  if (h.r >= 0 && h.xrv >= 0) xi.drain(h.x);
  return h;
}

std::unique_ptr<ObjectReader> RadosStore::open_object(
    const std::string& bucket, const std::string& key, const std::string& oid,
    const std::string& base, const std::optional<ObjectInfo>& known, const ReadOptions& options) {
  const uint64_t offset = options.offset;
  const int64_t length = options.length;
  // One read op: head xattrs plus the range's bytes, which for an inline
  // body (at most kStripe) are all of them.
  size_t want =
      length < 0 ? kFirstRead
                 : static_cast<size_t>(std::min<uint64_t>(static_cast<uint64_t>(length), kStripe));
  if (offset >= kStripe) want = 0;
  HeadResult h = read_head(oid, offset, want);
  if (h.r == -ENOENT) no_such_key(bucket, key);
  if (h.r < 0) rados_fail(h.r, "read data/" + oid);
  if (h.xrv < 0) rados_fail(h.xrv, "getxattrs data/" + oid);
  if (h.read_rv < 0) rados_fail(h.read_rv, "read data/" + oid);
  ObjectInfo info;
  Manifest m;
  if (!parse_head(h.x, &info, &m)) no_such_key(bucket, key);
  if (known) info = *known;
  if (is_expired(info)) no_such_key(bucket, key);
  if (m.size != info.size && (!m.segs.empty() || m.multipart))
    fail(-EIO, "object '" + key + "' does not match its version record");
  if (offset > info.size)
    fail(RGW_ERR_INVALID_RANGE, "range starts at " + std::to_string(offset) +
                                    " past the end of a " + std::to_string(info.size) +
                                    "-byte object");
  uint64_t avail = info.size - offset;
  uint64_t len = length < 0 ? avail : std::min<uint64_t>(avail, static_cast<uint64_t>(length));
  uint64_t end = offset + len;
  if (!m.segs.empty())
    return std::make_unique<RadosReader>(*this, std::move(info), base, std::move(m), offset, end,
                                         nullptr, 0);
  if (h.got < len) fail(-EIO, "object body of '" + key + "' is shorter than its size");
  if (want == kFirstRead && h.got <= kSmallBody) {
    // A small body gets a buffer of its size (a copy of at most 64 KiB),
    // and the first read's goes back to this thread's pool.
    HeadBytes small = alloc_head_bytes(h.got);
    std::memcpy(small.get(), h.buf.get(), h.got);
    if (t_first_reads.kept.size() < FirstReadPool::kKeep)
      t_first_reads.kept.push_back(h.buf.release());
    h.buf = std::move(small);
  } else if (want - h.got > kSmallBody) {
    // Do not hold the first read's buffer for a smaller body: shrinking it
    // moves no bytes (glibc shrinks in place, or remaps).
    if (char* small = static_cast<char*>(std::realloc(h.buf.get(), h.got ? h.got : 1))) {
      (void)h.buf.release();
      h.buf.reset(small);
    }
  }
  return std::make_unique<RadosReader>(*this, std::move(info), base, std::move(m), offset, end,
                                       std::move(h.buf), static_cast<size_t>(len));
}

// The version stat_version finds, unless it is a delete marker or expired.
ObjectInfo RadosStore::stat_object(const ObjectRef& ref) {
  ObjectInfo info = stat_version(ref);
  if (info.delete_marker || is_expired(info)) no_such_key(ref.bucket, ref.key);
  return info;
}

// Markers and expired versions too.
ObjectInfo RadosStore::stat_version(const ObjectRef& ref) {
  const std::string& bucket = ref.bucket;
  const std::string& key = ref.key;
  validate_object_key(key);
  BucketInfo b = get_bucket(bucket);
  if (b.versioning != Versioning::unversioned) {
    bool latest = false, legacy = false;
    std::optional<VersionEntry> v = find_version(b, ref, &latest, &legacy);
    if (!v) no_such_key(bucket, key);
    if (!legacy) {
      v->info.is_latest = latest;
      return v->info;
    }
  } else {
    check_version(ref);
  }
  const std::string head = head_oid(b, key);
  HeadResult h = read_head(head, 0, 0);
  if (h.r == -ENOENT) no_such_key(bucket, key);
  if (h.r < 0) rados_fail(h.r, "stat data/" + head);
  if (h.xrv < 0) rados_fail(h.xrv, "getxattrs data/" + head);
  ObjectInfo info;
  Manifest m;
  if (!parse_head(h.x, &info, &m)) no_such_key(bucket, key);
  return info;
}

void RadosStore::no_such_key(const std::string& bucket, const std::string& key) {
  fail(RGW_ERR_NO_SUCH_KEY, "no such key '" + key + "' in bucket '" + bucket + "'");
}

bool RadosStore::parse_head(Xattrs& x, ObjectInfo* info, Manifest* m) {
  auto i = x.find("rgw.info");
  if (i == x.end()) return false;
  *info = decode_object_info(i->second);
  auto mi = x.find("rgw.manifest");
  if (mi != x.end()) {
    *m = decode_manifest(mi->second);
  } else {
    m->size = info->size;
    m->num_tails = 0;
    m->segs.clear();
  }
  if (m->tag.empty() && x.count("rgw.tag")) m->tag = x["rgw.tag"];
  return true;
}

}  // namespace rgw::rados
