// versions.cpp - the versions of a key in the local driver: each is a row of
// `objects` (bucket id, key, version id), ordered by `seq` (newest highest),
// one of them flagged is_latest (the current version), delete markers
// flagged delete_marker.  Every change here runs inside its caller's
// transaction, so a reader or a listing sees a key's versions before or
// after a write or removal, never in between, and a crash loses nothing
// acknowledged (docs/versioning.md).
#include <cerrno>
#include <memory>
#include <string>
#include <vector>

#include "errors.h"
#include "local/local_store.h"

namespace rgw::local {

bool LocalStore::find_version(Db& db, const std::string& bucket_id, const std::string& key,
                              const std::string& version_id, VersionRow* row) {
  // The current version is found through objects_listing (bucket id,
  // is_latest, key): one index probe however many versions the key has.
  Stmt q(db, version_id.empty()
                 ? "SELECT version_id, seq, is_latest, delete_marker, data_id, record "
                   "FROM objects WHERE bucket_id=? AND is_latest=1 AND key=?"
                 : "SELECT version_id, seq, is_latest, delete_marker, data_id, record "
                   "FROM objects WHERE bucket_id=? AND key=? AND version_id=?");
  if (version_id.empty())
    q.bind(1, bucket_id).bind(2, key);
  else
    q.bind(1, bucket_id).bind(2, key).bind(3, version_id);
  if (!q.step()) return false;
  if (row) {
    row->seq = q.i64(1);
    row->data_id = q.text(4);
    row->info = decode_object_info(q.text(5));
    // The columns are the truth: a promotion changes is_latest only there.
    row->info.version_id = q.text(0);
    row->info.is_latest = q.i64(2) != 0;
    row->info.delete_marker = q.i64(3) != 0;
  }
  return true;
}

ObjectInfo LocalStore::put_version_locked(const BucketInfo& b, ObjectInfo info,
                                          const std::string& data_id) {
  const std::string vid = b.versioning == Versioning::enabled ? new_version_id() : "null";
  int64_t seq = 1;
  {
    Stmt q(*db_, "SELECT coalesce(max(seq), 0) + 1 FROM objects WHERE bucket_id=? AND key=?");
    if (q.bind(1, b.id).bind(2, info.key).step()) seq = q.i64(0);
  }
  // Unversioned and suspended buckets write the null version: the old one
  // goes, wherever it stood among the versions.
  if (vid == "null") drop_version_locked(b.id, info.key, "null");
  Stmt(*db_, "UPDATE objects SET is_latest=0 WHERE bucket_id=? AND is_latest=1 AND key=?")
      .bind(1, b.id)
      .bind(2, info.key)
      .run();
  info.version_id = vid;
  info.is_latest = true;
  Stmt(*db_,
       "INSERT INTO objects(bucket_id, key, version_id, seq, is_latest, delete_marker, size, "
       "data_id, record) VALUES(?, ?, ?, ?, 1, ?, ?, ?, ?)")
      .bind(1, b.id)
      .bind(2, info.key)
      .bind(3, vid)
      .bind(4, seq)
      .bind(5, int64_t{info.delete_marker ? 1 : 0})
      .bind(6, static_cast<int64_t>(info.size))
      .bind(7, data_id)
      .bind_blob(8, encode_object_info(info))
      .run();
  return info;
}

bool LocalStore::drop_version_locked(const std::string& bucket_id, const std::string& key,
                                     const std::string& version_id) {
  VersionRow row;
  if (!find_version_locked(bucket_id, key, version_id, &row)) return false;
  const std::string& vid = row.info.version_id;
  if (is_inline_id(row.data_id)) {
    // Read with its row in one snapshot (read_row): no reader still needs it.
    Stmt(*db_, "DELETE FROM inline_bodies WHERE data_id=?").bind(1, row.data_id).run();
  } else if (!row.data_id.empty()) {
    garbage_locked(row.data_id);
  } else {  // a multipart body (or a delete marker, which has no segments)
    {
      Stmt s(*db_, "SELECT data_id FROM segments WHERE bucket_id=? AND key=? AND version_id=?");
      s.bind(1, bucket_id).bind(2, key).bind(3, vid);
      while (s.step()) garbage_locked(s.text(0));
    }
    Stmt(*db_, "DELETE FROM segments WHERE bucket_id=? AND key=? AND version_id=?")
        .bind(1, bucket_id)
        .bind(2, key)
        .bind(3, vid)
        .run();
  }
  Stmt(*db_, "DELETE FROM objects WHERE bucket_id=? AND key=? AND version_id=?")
      .bind(1, bucket_id)
      .bind(2, key)
      .bind(3, vid)
      .run();
  if (row.info.is_latest)  // the newest remaining version becomes current
    Stmt(*db_,
         "UPDATE objects SET is_latest=1 WHERE bucket_id=?1 AND key=?2 AND seq=(SELECT max(seq) "
         "FROM objects WHERE bucket_id=?1 AND key=?2)")
        .bind(1, bucket_id)
        .bind(2, key)
        .run();
  return true;
}

void LocalStore::read_body(Db& db, const std::string& bucket_id, const VersionRow& row,
                           std::vector<Segment>* body) {
  body->clear();
  if (is_inline_id(row.data_id)) {
    Stmt q(db, "SELECT bytes FROM inline_bodies WHERE data_id=?");
    if (!q.bind(1, row.data_id).step())
      fail(-EIO, "the inline body of '" + row.info.key + "' is missing");
    body->push_back(
        Segment{row.data_id, row.info.size, std::make_shared<const std::string>(q.text(0))});
    return;
  }
  if (!row.data_id.empty()) {
    body->push_back(Segment{row.data_id, row.info.size, nullptr});
    return;
  }
  Stmt s(db,
         "SELECT data_id, size FROM segments WHERE bucket_id=? AND key=? AND version_id=? "
         "ORDER BY n");
  s.bind(1, bucket_id).bind(2, row.info.key).bind(3, row.info.version_id);
  while (s.step()) body->push_back(Segment{s.text(0), static_cast<uint64_t>(s.i64(1)), nullptr});
}

}  // namespace rgw::local
