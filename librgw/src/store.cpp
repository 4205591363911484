// store.cpp - behaviour shared by every driver.
#include "store.h"

#include <cerrno>
#include <vector>

#include "errors.h"
#include "util.h"

namespace rgw {

void check_version(const ObjectRef& ref) {
  if (!ref.version_id.empty() && ref.version_id != "null")
    fail(RGW_ERR_NO_SUCH_VERSION,
         "no version '" + ref.version_id + "' of '" + ref.key + "' in '" + ref.bucket + "'");
}

void check_write_conditions(const WriteOptions& o, const ObjectInfo* current) {
  if (current && (current->delete_marker || is_expired(*current))) current = nullptr;
  if (!o.if_match.empty()) {
    if (!current) fail(RGW_ERR_NO_SUCH_KEY, "no current object to match " + o.if_match);
    if (o.if_match != "*" && o.if_match != current->etag)
      fail(RGW_ERR_PRECONDITION_FAILED,
           "the current object has etag " + current->etag + ", not " + o.if_match);
  }
  if (!o.if_none_match.empty() && current &&
      (o.if_none_match == "*" || o.if_none_match == current->etag))
    fail(RGW_ERR_PRECONDITION_FAILED, "the current object matches " + o.if_none_match);
}

ObjectInfo Store::stat_version(const ObjectRef& ref) { return stat_object(ref); }

unsigned expiry_shard(const std::string& bucket, const std::string& key) {
  // FNV-1a over "bucket/key": stable across builds and machines, so every
  // writer and every expirer agree on an object's shard.
  uint32_t h = 2166136261u;
  auto mix = [&h](const std::string& s) {
    for (unsigned char c : s) h = (h ^ c) * 16777619u;
  };
  mix(bucket);
  mix("/");
  mix(key);
  return h % kExpiryShards;
}

void fail_etag_changed(const std::string& key, const std::string& etag,
                       const std::string& expected) {
  fail(RGW_ERR_CONFLICT, "object '" + key + "' changed: etag " + etag + ", expected " + expected);
}

ObjectInfo Store::copy_object(const ObjectRef& src_ref, const std::string& dst_bucket,
                              const std::string& dst_key, const CopyOptions& options) {
  // A copy reads a whole body: never on a door's loop.
  fail_if_no_wait("a copy");
  auto reader = open_reader(src_ref, ReadOptions{});
  const ObjectInfo src = reader->info();
  get_bucket(dst_bucket);  // fail early with NoSuchBucket
  auto writer = open_writer(dst_bucket, dst_key);
  std::vector<char> buf(1 << 20);
  for (;;) {
    size_t n = reader->read(buf.data(), buf.size());
    if (n == 0) break;
    writer->write(buf.data(), n);
  }
  // A multipart ETag ("...-N") is not the MD5 of the bytes: keep the MD5 the
  // writer computed, as S3 does for a copy.
  WriteOptions out;
  out.attrs = options.attrs ? *options.attrs : src.attrs;
  out.acl = options.acl;
  out.delete_at = options.delete_at ? *options.delete_at : src.delete_at;
  return writer->commit(out);
}

}  // namespace rgw

namespace rgw {

namespace {
[[noreturn]] void multipart_unsupported() {
  fail(-ENOTSUP, "this store driver does not support multipart uploads");
}
}  // namespace

UploadInfo Store::create_upload(const std::string&, const std::string&, const WriteOptions&) {
  multipart_unsupported();
}
UploadInfo Store::get_upload(const std::string&, const std::string&) { multipart_unsupported(); }
std::unique_ptr<ObjectWriter> Store::open_part_writer(const std::string&, const std::string&, int) {
  multipart_unsupported();
}
std::vector<PartInfo> Store::list_parts(const std::string&, const std::string&) {
  multipart_unsupported();
}
std::vector<PartInfo> Store::list_part_uploads(const std::string& bucket,
                                               const std::string& upload_id) {
  return list_parts(bucket, upload_id);
}
std::vector<UploadInfo> Store::list_uploads(const std::string&, const std::string&,
                                            const std::string&, const std::string&, size_t) {
  multipart_unsupported();
}
ObjectInfo Store::complete_upload(const std::string&, const std::string&,
                                  const std::vector<std::pair<int, std::string>>&,
                                  const std::string&, const WriteOptions&) {
  multipart_unsupported();
}
void Store::abort_upload(const std::string&, const std::string&) { multipart_unsupported(); }

}  // namespace rgw
