// store.cpp - behaviour shared by every driver.
#include "store.h"

#include <cerrno>
#include <vector>

#include "errors.h"

namespace rgw {

ObjectInfo Store::copy_object(const std::string& src_bucket, const std::string& src_key,
                              const std::string& dst_bucket, const std::string& dst_key,
                              const Attrs* replace_attrs) {
  auto reader = open_reader(src_bucket, src_key, 0, -1);
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
  return writer->commit(replace_attrs ? *replace_attrs : src.attrs, src.delete_at);
}

ObjectInfo Store::update_object_attrs(const std::string&, const std::string&, const Attrs&,
                                      const std::string&) {
  fail(-ENOTSUP, "this store driver does not support updating object attributes");
}

}  // namespace rgw

namespace rgw {

namespace {
[[noreturn]] void multipart_unsupported() {
  fail(-ENOTSUP, "this store driver does not support multipart uploads");
}
}  // namespace

UploadInfo Store::create_upload(const std::string&, const std::string&, const Attrs&) {
  multipart_unsupported();
}
UploadInfo Store::get_upload(const std::string&, const std::string&) { multipart_unsupported(); }
std::unique_ptr<ObjectWriter> Store::open_part_writer(const std::string&, const std::string&, int) {
  multipart_unsupported();
}
std::vector<PartInfo> Store::list_parts(const std::string&, const std::string&) {
  multipart_unsupported();
}
std::vector<UploadInfo> Store::list_uploads(const std::string&, const std::string&,
                                            const std::string&, const std::string&, size_t) {
  multipart_unsupported();
}
ObjectInfo Store::complete_upload(const std::string&, const std::string&,
                                  const std::vector<std::pair<int, std::string>>&,
                                  const std::string&) {
  multipart_unsupported();
}
void Store::abort_upload(const std::string&, const std::string&) { multipart_unsupported(); }

}  // namespace rgw

// ---------------------------------------------------------------------------
// Transitional: the reference/options forms over the drivers' older
// methods, until each driver implements them itself.
namespace rgw {

namespace {
void check_version(const ObjectRef& ref) {
  if (!ref.version_id.empty() && ref.version_id != "null")
    fail(RGW_ERR_NO_SUCH_VERSION, "no version '" + ref.version_id + "' of '" + ref.key + "'");
}
[[noreturn]] void not_yet(const char* what) {
  fail(-ENOTSUP, std::string("this store driver does not support ") + what + " yet");
}
}  // namespace

ObjectInfo ObjectWriter::commit(const WriteOptions& options) {
  if (!options.acl.owner.empty() || !options.acl.grants.empty()) not_yet("object policies");
  return commit(options.attrs, options.delete_at, options.etag);
}

User Store::get_user_by_credential(CredentialKind kind, const std::string& id) {
  return kind == CredentialKind::swift_user ? get_user_by_swift_user(id)
                                            : get_user_by_access_key(id);
}

void Store::update_user(const std::string&, const UserUpdate&) { not_yet("updating users"); }

std::unique_ptr<ObjectReader> Store::open_reader(const ObjectRef& ref, const ReadOptions& options) {
  check_version(ref);
  return open_reader(ref.bucket, ref.key, options.offset, options.length);
}

ObjectInfo Store::stat_object(const ObjectRef& ref) {
  check_version(ref);
  return stat_object(ref.bucket, ref.key);
}

void Store::remove_object(const ObjectRef& ref, const RemoveOptions& options) {
  check_version(ref);
  if (!options.if_match.empty()) not_yet("conditional removes");
  remove_object(ref.bucket, ref.key);
}

ObjectInfo Store::copy_object(const ObjectRef& src, const std::string& dst_bucket,
                              const std::string& dst_key, const CopyOptions& options) {
  check_version(src);
  if (!options.acl.owner.empty() || !options.acl.grants.empty()) not_yet("object policies");
  if (options.delete_at) not_yet("setting delete_at on a copy");
  return copy_object(src.bucket, src.key, dst_bucket, dst_key,
                     options.attrs ? &*options.attrs : nullptr);
}

ObjectInfo Store::update_object(const ObjectRef& ref, const AttrsUpdate& update) {
  check_version(ref);
  if (update.acl || update.delete_at) not_yet("updating policies and delete_at");
  Attrs attrs = update.attrs ? *update.attrs : stat_object(ref.bucket, ref.key).attrs;
  return update_object_attrs(ref.bucket, ref.key, attrs, update.if_match);
}

UploadInfo Store::create_upload(const std::string& bucket, const std::string& key,
                                const WriteOptions& object) {
  if (!object.acl.owner.empty() || !object.acl.grants.empty()) not_yet("object policies");
  if (object.delete_at) not_yet("delete_at on uploads");
  return create_upload(bucket, key, object.attrs);
}

}  // namespace rgw
