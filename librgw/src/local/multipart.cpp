// multipart.cpp - multipart uploads in the local driver: uploads and parts in
// the database, part bodies published like object bodies, and completion in
// one transaction (the object's body is its parts' files, no copy).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "errors.h"
#include "listing.h"
#include "local/group_commit.h"
#include "local/local_store.h"

namespace rgw::local {

UploadInfo LocalStore::create_upload(const std::string& bucket, const std::string& key,
                                     const WriteOptions& object) {
  validate_object_key(key);
  std::lock_guard<StoreMutex> l(mu_);
  Transaction t(*db_);
  BucketInfo b = get_bucket_locked(bucket);
  UploadInfo u;
  u.initiated_ns = now_ns();
  u.upload_id = new_upload_id(u.initiated_ns);
  u.key = key;
  u.attrs = object.attrs;
  u.acl = object.acl;
  u.delete_at = object.delete_at;
  Stmt(*db_,
       "INSERT INTO uploads(bucket_id, upload_id, key, initiated_ns, record) VALUES(?, ?, ?, ?, ?)")
      .bind(1, b.id)
      .bind(2, u.upload_id)
      .bind(3, u.key)
      .bind(4, u.initiated_ns)
      .bind_blob(5, encode_upload_info(u))
      .run();
  t.commit();
  return u;
}

UploadInfo LocalStore::get_upload(const std::string& bucket, const std::string& upload_id) {
  std::lock_guard<StoreMutex> l(mu_);
  BucketInfo b = get_bucket_locked(bucket);
  return get_upload_locked(b, upload_id);
}

std::unique_ptr<ObjectWriter> LocalStore::open_part_writer(const std::string& bucket,
                                                           const std::string& upload_id,
                                                           int part_number) {
  validate_part_number(part_number);
  BucketInfo b;
  UploadInfo u;
  {
    std::lock_guard<StoreMutex> l(mu_);
    b = get_bucket_locked(bucket);
    u = get_upload_locked(b, upload_id);
  }
  return std::make_unique<LocalWriter>(*this, b, u.key, upload_id, part_number);
}

// Called by a part writer's commit with the body durable in tmp/: like
// publish(), for a part (which replaces an earlier part of that number), in
// the same batches (group_commit.h).
ObjectInfo LocalStore::publish_part(const BucketInfo& bucket, const std::string& upload_id,
                                    int number, ObjectInfo info, const std::string& data_id,
                                    const std::string& tmp_path) {
  return group_commit_->publish([&](std::string& renamed) {
    BucketInfo cur = get_bucket_locked(bucket.name);
    if (cur.id != bucket.id)
      fail(RGW_ERR_NO_SUCH_BUCKET, "bucket '" + bucket.name + "' was removed during the upload");
    get_upload_locked(cur, upload_id);  // completed or aborted meanwhile: NoSuchUpload
    const std::string final_path = data_path(data_id);
    make_dir(dir_ + "/data/" + data_id.substr(0, 2));
    if (::rename(tmp_path.c_str(), final_path.c_str()) != 0) fail_errno(errno, "publish part body");
    renamed = final_path;
    crash_point("local:part:after-rename");
    // The upload this one replaces stays distinct (a completion may name its
    // etag) in replaced_parts, one per etag: one of this upload's etag is
    // garbage.
    Stmt same(*db_,
              "SELECT data_id FROM replaced_parts WHERE bucket_id=? AND upload_id=? AND "
              "number=? AND etag=?");
    same.bind(1, bucket.id).bind(2, upload_id).bind(3, int64_t{number}).bind(4, info.etag);
    if (same.step()) {
      garbage_locked(same.text(0));
      Stmt(*db_,
           "DELETE FROM replaced_parts WHERE bucket_id=? AND upload_id=? AND number=? AND etag=?")
          .bind(1, bucket.id)
          .bind(2, upload_id)
          .bind(3, int64_t{number})
          .bind(4, info.etag)
          .run();
    }
    Stmt old(*db_,
             "SELECT data_id, etag, size, mtime_ns FROM parts WHERE bucket_id=? AND upload_id=? "
             "AND number=?");
    if (old.bind(1, bucket.id).bind(2, upload_id).bind(3, int64_t{number}).step()) {
      if (old.text(1) == info.etag) {
        garbage_locked(old.text(0));
      } else {
        Stmt(*db_,
             "INSERT INTO replaced_parts(bucket_id, upload_id, number, etag, size, mtime_ns, "
             "data_id) VALUES(?, ?, ?, ?, ?, ?, ?)")
            .bind(1, bucket.id)
            .bind(2, upload_id)
            .bind(3, int64_t{number})
            .bind(4, old.text(1))
            .bind(5, old.i64(2))
            .bind(6, old.i64(3))
            .bind(7, old.text(0))
            .run();
      }
    }
    Stmt(*db_,
         "INSERT OR REPLACE INTO parts(bucket_id, upload_id, number, size, etag, mtime_ns, "
         "data_id) VALUES(?, ?, ?, ?, ?, ?, ?)")
        .bind(1, bucket.id)
        .bind(2, upload_id)
        .bind(3, int64_t{number})
        .bind(4, static_cast<int64_t>(info.size))
        .bind(5, info.etag)
        .bind(6, info.mtime_ns)
        .bind(7, data_id)
        .run();
    return info;
  });
}

std::vector<PartInfo> LocalStore::list_parts(const std::string& bucket,
                                             const std::string& upload_id) {
  std::lock_guard<StoreMutex> l(mu_);
  BucketInfo b = get_bucket_locked(bucket);
  get_upload_locked(b, upload_id);
  std::vector<PartInfo> out;
  Stmt q(*db_,
         "SELECT number, size, etag, mtime_ns FROM parts WHERE bucket_id=? AND upload_id=? "
         "ORDER BY number");
  q.bind(1, b.id).bind(2, upload_id);
  while (q.step())
    out.push_back(
        PartInfo{static_cast<int>(q.i64(0)), static_cast<uint64_t>(q.i64(1)), q.text(2), q.i64(3)});
  return out;
}

std::vector<PartInfo> LocalStore::list_part_uploads(const std::string& bucket,
                                                    const std::string& upload_id) {
  std::lock_guard<StoreMutex> l(mu_);
  BucketInfo b = get_bucket_locked(bucket);
  get_upload_locked(b, upload_id);
  std::vector<PartInfo> out;
  Stmt q(*db_,
         "SELECT number, size, etag, mtime_ns, 0 AS replaced FROM parts "
         "WHERE bucket_id=?1 AND upload_id=?2 UNION ALL "
         "SELECT number, size, etag, mtime_ns, 1 FROM replaced_parts "
         "WHERE bucket_id=?1 AND upload_id=?2 ORDER BY number, replaced, mtime_ns DESC");
  q.bind(1, b.id).bind(2, upload_id);
  while (q.step())
    out.push_back(
        PartInfo{static_cast<int>(q.i64(0)), static_cast<uint64_t>(q.i64(1)), q.text(2), q.i64(3)});
  return out;
}

std::vector<UploadInfo> LocalStore::list_uploads(const std::string& bucket,
                                                 const std::string& prefix,
                                                 const std::string& after_key,
                                                 const std::string& after_id, size_t limit) {
  ListParams lp;
  lp.prefix = prefix;
  validate_list_params(lp);  // after_key is only compared with: any bytes do
  std::lock_guard<StoreMutex> l(mu_);
  BucketInfo b = get_bucket_locked(bucket);
  std::vector<UploadInfo> out;
  Stmt q(*db_,
         "SELECT record FROM uploads WHERE bucket_id=? AND key>=? AND key<? "
         "AND (key>? OR (key=? AND upload_id>?)) ORDER BY key, upload_id LIMIT ?");
  q.bind(1, b.id).bind(2, prefix).bind(3, prefix_end(prefix));
  q.bind(4, after_key).bind(5, after_key).bind(6, after_key.empty() ? std::string() : after_id);
  q.bind(7, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  while (q.step()) out.push_back(decode_upload_info(q.text(0)));
  return out;
}

// One transaction: the chosen parts are checked, the object row (with the
// parts' files as its segments) replaces the old one, whose body goes to gc
// like the unchosen parts' files, and the upload ends.
ObjectInfo LocalStore::complete_upload(const std::string& bucket, const std::string& upload_id,
                                       const std::vector<std::pair<int, std::string>>& parts,
                                       const std::string& etag, const WriteOptions& conditions) {
  const auto want = checked_completion_parts(parts);
  std::lock_guard<StoreMutex> l(mu_);
  Transaction t(*db_);
  BucketInfo b = get_bucket_locked(bucket);
  UploadInfo u = get_upload_locked(b, upload_id);
  if (!conditions.if_match.empty() || !conditions.if_none_match.empty()) {
    VersionRow row;
    const bool found = find_version_locked(b.id, u.key, "", &row);
    check_write_conditions(conditions, found ? &row.info : nullptr);
  }
  struct Part {
    std::string data_id, etag;
    uint64_t size;
  };
  // Every upload of each part: the latest first, then those it replaced.
  std::map<int, std::vector<Part>> have;
  {
    Stmt q(*db_,
           "SELECT number, data_id, etag, size, 0 AS replaced FROM parts "
           "WHERE bucket_id=?1 AND upload_id=?2 UNION ALL "
           "SELECT number, data_id, etag, size, 1 FROM replaced_parts "
           "WHERE bucket_id=?1 AND upload_id=?2 ORDER BY number, replaced");
    q.bind(1, b.id).bind(2, upload_id);
    while (q.step())
      have[static_cast<int>(q.i64(0))].push_back(
          Part{q.text(1), q.text(2), static_cast<uint64_t>(q.i64(3))});
  }
  uint64_t size = 0;
  std::vector<std::string> etags;
  std::map<int, Part> chosen;
  for (const auto& [n, e] : want) {
    auto it = have.find(n);
    if (it == have.end())
      fail(RGW_ERR_INVALID_PART, "part " + std::to_string(n) + " was not uploaded");
    auto p = std::find_if(it->second.begin(), it->second.end(),
                          [&e = e](const Part& x) { return x.etag == e; });
    if (p == it->second.end())
      fail(RGW_ERR_INVALID_PART,
           "part " + std::to_string(n) + " has ETag " + it->second.front().etag + ", not " + e);
    size += p->size;
    etags.push_back(e);
    chosen[n] = *p;
  }
  WriteOptions object;
  object.attrs = u.attrs;
  object.acl = u.acl;
  object.delete_at = u.delete_at;
  object.etag = etag.empty() ? multipart_etag(etags) : etag;
  ObjectInfo info = committed_object_info(u.key, size, "", object);
  info = put_version_locked(b, std::move(info), "");
  queue_expiry_locked(bucket, u.key, info.delete_at);
  int64_t i = 0;
  for (const auto& [n, e] : want) {
    const Part& p = chosen[n];
    Stmt(*db_,
         "INSERT INTO segments(bucket_id, key, version_id, n, data_id, size) "
         "VALUES(?, ?, ?, ?, ?, ?)")
        .bind(1, b.id)
        .bind(2, u.key)
        .bind(3, info.version_id)
        .bind(4, i++)
        .bind(5, p.data_id)
        .bind(6, static_cast<int64_t>(p.size))
        .run();
  }
  for (const auto& [n, uploads] : have)  // the unchosen part uploads
    for (const Part& p : uploads)
      if (!chosen.count(n) || chosen[n].data_id != p.data_id) garbage_locked(p.data_id);
  end_upload_locked(b.id, upload_id, false);
  crash_point("local:complete:before-commit");
  t.commit();
  return info;
}

void LocalStore::abort_upload(const std::string& bucket, const std::string& upload_id) {
  std::lock_guard<StoreMutex> l(mu_);
  Transaction t(*db_);
  BucketInfo b = get_bucket_locked(bucket);
  get_upload_locked(b, upload_id);
  end_upload_locked(b.id, upload_id, true);
  t.commit();
}

UploadInfo LocalStore::get_upload_locked(const BucketInfo& b, const std::string& upload_id) {
  Stmt q(*db_, "SELECT record FROM uploads WHERE bucket_id=? AND upload_id=?");
  if (!q.bind(1, b.id).bind(2, upload_id).step())
    fail(RGW_ERR_NO_SUCH_UPLOAD, "no such upload '" + upload_id + "' in bucket '" + b.name + "'");
  return decode_upload_info(q.text(0));
}

// Drops an upload and its part rows; `garbage`: their files go to gc.
void LocalStore::end_upload_locked(const std::string& bucket_id, const std::string& upload_id,
                                   bool garbage) {
  if (garbage) {
    Stmt q(*db_,
           "SELECT data_id FROM parts WHERE bucket_id=?1 AND upload_id=?2 UNION ALL "
           "SELECT data_id FROM replaced_parts WHERE bucket_id=?1 AND upload_id=?2");
    q.bind(1, bucket_id).bind(2, upload_id);
    while (q.step()) garbage_locked(q.text(0));
  }
  Stmt(*db_, "DELETE FROM parts WHERE bucket_id=? AND upload_id=?")
      .bind(1, bucket_id)
      .bind(2, upload_id)
      .run();
  Stmt(*db_, "DELETE FROM replaced_parts WHERE bucket_id=? AND upload_id=?")
      .bind(1, bucket_id)
      .bind(2, upload_id)
      .run();
  Stmt(*db_, "DELETE FROM uploads WHERE bucket_id=? AND upload_id=?")
      .bind(1, bucket_id)
      .bind(2, upload_id)
      .run();
}

}  // namespace rgw::local
