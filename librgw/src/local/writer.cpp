// writer.cpp - the write path of the local driver: LocalWriter keeps a body
// of at most kInlineBodyMax bytes in memory and publishes it into the
// database (table inline_bodies); a larger one (and every part) it streams
// into tmp/, fsyncs, and publishes with a rename under data/.  Either way
// the object's rows are committed under the store's lock, in a batch with
// other writers' (LocalStore::publish, group_commit.h).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "errors.h"
#include "local/group_commit.h"
#include "local/local_store.h"

namespace rgw::local {

std::unique_ptr<ObjectWriter> LocalStore::open_writer(const std::string& bucket,
                                                      const std::string& key) {
  validate_object_key(key);
  BucketInfo b = get_bucket(bucket);
  return std::make_unique<LocalWriter>(*this, b, key);
}

// Called by LocalWriter::commit with the body durable in tmp/: moves it
// under data/ and commits its index row, in a batch with other writers'
// publishes (group_commit.h).  Both happen under the store's write lock,
// which gc takes too, so gc never sees a published body that has no row yet.
ObjectInfo LocalStore::publish(const BucketInfo& bucket, ObjectInfo info,
                               const std::string& data_id, const std::string& tmp_path,
                               const std::string* inline_bytes, const WriteOptions& conditions) {
  return group_commit_->publish([&](std::string& renamed) {
    // The bucket may have been removed (or removed and re-created) meanwhile.
    BucketInfo cur = get_bucket_locked(bucket.name);
    if (cur.id != bucket.id)
      fail(RGW_ERR_NO_SUCH_BUCKET, "bucket '" + bucket.name + "' was removed during the upload");
    if (!conditions.if_match.empty() || !conditions.if_none_match.empty()) {
      VersionRow row;
      const bool found = find_version_locked(cur.id, info.key, "", &row);
      check_write_conditions(conditions, found ? &row.info : nullptr);
    }
    if (inline_bytes) {  // the body goes in with its row: no file to publish
      Stmt(*db_, "INSERT INTO inline_bodies(data_id, bytes) VALUES(?, ?)")
          .bind(1, data_id)
          .bind_blob(2, *inline_bytes)
          .run();
    } else {
      const std::string final_path = data_path(data_id);
      make_dir(dir_ + "/data/" + data_id.substr(0, 2));
      if (::rename(tmp_path.c_str(), final_path.c_str()) != 0)
        fail_errno(errno, "publish object body");
      renamed = final_path;
      crash_point("local:put:after-rename");
    }
    ObjectInfo out = put_version_locked(cur, std::move(info), data_id);
    queue_expiry_locked(bucket.name, out.key, out.delete_at);
    return out;
  });
}

LocalWriter::LocalWriter(LocalStore& store, BucketInfo bucket, std::string key)
    : store_(store), bucket_(std::move(bucket)), key_(std::move(key)), id_(random_hex(16)) {
  tmp_path_ = store_.dir() + "/tmp/" + id_;
}

LocalWriter::LocalWriter(LocalStore& store, BucketInfo bucket, std::string key,
                         std::string upload_id, int part_number)
    : LocalWriter(store, std::move(bucket), std::move(key)) {
  upload_id_ = std::move(upload_id);
  part_number_ = part_number;
  open_file();  // a part's body is always a file (segments name files)
}

void LocalWriter::open_file() {
  fd_ = ::open(tmp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd_ < 0) fail_errno(errno, "create " + tmp_path_);
  in_tmp_ = true;
}

void LocalWriter::write_file(const char* data, size_t len) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = ::write(fd_, data + done, len - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      // Part of the chunk may be in the file: the body is no longer what
      // the caller sent, so this writer can only be aborted now.
      int err = errno;
      failed_ = std::string("write object body: ") + std::strerror(err);
      fail_errno(err, "write object body");
    }
    done += static_cast<size_t>(n);
  }
}

LocalWriter::~LocalWriter() {
  if (!finished_) abort();
}

void LocalWriter::write(const char* data, size_t len) {
  if (finished_) fail(RGW_ERR_INVALID_ARGUMENT, "write after commit or abort");
  if (!failed_.empty()) fail(RGW_ERR_INVALID_ARGUMENT, "writer failed earlier: " + failed_);
  if (!in_tmp_ && size_ + len <= kInlineBodyMax) {
    buffer_.append(data, len);  // still small enough to go inline
  } else {
    if (!in_tmp_) {  // too large for inline: what was kept goes to a file first
      open_file();
      write_file(buffer_.data(), buffer_.size());
      std::string().swap(buffer_);
    }
    write_file(data, len);
  }
  md5_.update(data, len);
  size_ += len;
}

ObjectInfo LocalWriter::commit(const WriteOptions& options) {
  if (finished_) fail(RGW_ERR_INVALID_ARGUMENT, "commit after commit or abort");
  if (!failed_.empty()) fail(RGW_ERR_INVALID_ARGUMENT, "writer failed earlier: " + failed_);
  crash_point(part_number_ ? "local:part:before-publish" : "local:put:before-publish");
  const bool inline_body = !in_tmp_;  // parts always have their file
  if (!inline_body) {
    if (::fsync(fd_) != 0) fail_errno(errno, "fsync object body");
    ::close(fd_);
    fd_ = -1;
  }
  // A part keeps its MD5 and no attributes (the upload has them).
  ObjectInfo info = committed_object_info(key_, size_, md5_.hex_digest(),
                                          part_number_ ? WriteOptions{} : options);
  try {
    if (part_number_)
      info =
          store_.publish_part(bucket_, upload_id_, part_number_, std::move(info), id_, tmp_path_);
    else if (inline_body)
      info = store_.publish(bucket_, std::move(info), kInlineIdMark + id_, "", &buffer_, options);
    else
      info = store_.publish(bucket_, std::move(info), id_, tmp_path_, nullptr, options);
  } catch (...) {
    abort();  // the body, if still in tmp/, goes
    throw;
  }
  finished_ = true;
  return info;
}

void LocalWriter::abort() {
  if (finished_) return;
  finished_ = true;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (in_tmp_) ::unlink(tmp_path_.c_str());  // none for an inline body
}

}  // namespace rgw::local
