// util.h - small helpers shared by the core: ids, time, MD5, record encoding.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model.h"

namespace rgw {

// Cryptographically random lower-case hex string of 2*nbytes characters.
std::string random_hex(size_t nbytes);

// Wall-clock time in nanoseconds since the epoch.
int64_t now_ns();

// A new multipart upload id: 32 hex characters, the initiation time first,
// so that ids of one key sort in the order the uploads were initiated
// (ListMultipartUploads pages by key, then id).
std::string new_upload_id(int64_t initiated_ns);

std::string to_hex(const unsigned char* data, size_t len);

// The S3 ETag of a multipart object: the MD5 of the parts' binary MD5s,
// "-" and the number of parts.  Part ETags are hex MD5s.
std::string multipart_etag(const std::vector<std::string>& part_etags);

// The time before which gc may reclaim leftovers: now minus the grace, the
// grace clamped to [0, 100 years] so that no arithmetic overflows.
int64_t gc_cutoff_ns(const GcOptions& options);

// Crash points, for tests of crash safety: when the environment variable
// LIBRGW_CRASH_AT names this point, the process dies here at once
// (_exit(77): no destructors, no flushing), as if it had been SIGKILLed.
// With LIBRGW_CRASH_AFTER=N too, the point is passed N times first (by any
// thread), so that the writes acknowledged before the crash can be checked.
// The variables are read once per process; unset, this is one branch.
void crash_point(const char* name);
// Drop points, for tests of what a crash leaves after an answer: true when
// LIBRGW_DROP_AT names this point; the caller then skips a write it would
// have sent after answering, as a process that died at once would.  Read
// once per process, like crash_point.
bool drop_point(const char* name);

// No-wait mode, for store calls made on a door's event loop (rgw_request_
// try_start()): while a NoWaitScope lives on this thread, a store call that
// would have to wait -- for a lock another thread holds, for the network, for
// a disk write -- fails with -EWOULDBLOCK instead, having changed nothing,
// and the door runs the whole call again on an I/O thread.  Drivers call
// fail_if_no_wait() before anything that may wait; the scope remembers that
// it did (would_have_waited()), even if a caller caught the error, so that
// the result of the attempt is never used.
bool no_wait();
void fail_if_no_wait(const char* what);
// A driver about to change something (send a write) in a no-wait try: a
// try that changed something can no longer be given up and run again, so
// from here on it leaves no-wait mode, and what would have waited waits
// (or suspends the try's fiber where the driver can: async_reads.h).  A try
// that would already have waited is given up here instead, unchanged.
void begin_side_effects(const char* what);
// This thread's no-wait state, exchanged for `state` (TryStateAside in
// async_reads.h: a try's fiber keeps its own across a suspension).
struct NoWaitState {
  bool no_wait = false;
  bool would_have_waited = false;
};
NoWaitState exchange_no_wait_state(NoWaitState state);
class NoWaitScope {
 public:
  NoWaitScope();
  ~NoWaitScope();
  NoWaitScope(const NoWaitScope&) = delete;
  NoWaitScope& operator=(const NoWaitScope&) = delete;
  bool would_have_waited() const;

 private:
  bool outer_;
  bool outer_waited_;
};

// Incremental MD5 (OpenSSL EVP).
class Md5 {
 public:
  Md5();
  ~Md5();
  Md5(const Md5&) = delete;
  Md5& operator=(const Md5&) = delete;
  void update(const void* data, size_t len);
  std::string hex_digest();  // finishes the digest; call once
  // The digest of the bytes so far; update() may go on after it.
  std::string hex_digest_so_far() const;

 private:
  void* ctx_;
};

// Compact, versioned binary records for metadata kept as bytes (RADOS xattrs
// and omap values, SQLite blobs).  Integers are little-endian fixed width;
// strings are u32 length + bytes.  Decoders throw rgw::Error(-EIO) on
// truncated input.
class Encoder {
 public:
  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u32(uint32_t v);
  void u64(uint64_t v);
  void i64(int64_t v) { u64(static_cast<uint64_t>(v)); }
  void str(const std::string& s);
  void attrs(const Attrs& a);
  const std::string& bytes() const { return out_; }

 private:
  std::string out_;
};

class Decoder {
 public:
  // Reads `in` in place: it must outlive the decoder (a temporary cannot).
  explicit Decoder(const std::string& in) : in_(in) {}
  explicit Decoder(std::string&&) = delete;
  uint8_t u8();
  uint32_t u32();
  uint64_t u64();
  int64_t i64() { return static_cast<int64_t>(u64()); }
  std::string str();
  Attrs attrs();
  bool done() const { return pos_ == in_.size(); }

 private:
  void need(size_t n);
  const std::string& in_;
  size_t pos_ = 0;
};

}  // namespace rgw

// The records of the model (users, buckets, objects, uploads).
#include "codec.h"  // IWYU pragma: export
