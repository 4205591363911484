// versioned_writes.cpp - Swift's X-Versions-Location and X-History-Location
// (versioned_writes.h).
#include "swift/versioned_writes.h"

#include <cstdio>
#include <optional>

#include "errors.h"
#include "swift/metadata.h"
#include "swift/swift_error.h"
#include "util.h"

namespace rgw::swift {

namespace {

const char* const kStack = "stack";
const char* const kHistory = "history";

// "<len as 3 hex digits><name>/": where the versions of `object` are kept.
std::string archive_prefix(const std::string& object) {
  char len[16];
  std::snprintf(len, sizeof len, "%03zx", object.size());
  return len + object + "/";
}

std::string archive_name(const std::string& object, int64_t ns) {
  // Swift's internal timestamp: 16 characters, zero-padded (seconds of ten
  // digits until 2286).
  std::string ts = x_timestamp(ns);
  if (ts.size() < 16) ts.insert(0, 16 - ts.size(), '0');
  return archive_prefix(object) + ts;
}

bool is_marker(const ObjectInfo& o) {
  auto ct = o.attrs.find("content-type");
  return ct != o.attrs.end() && ct->second == kDeleteMarkerType;
}

// The archive of a container that keeps versions, checked: it exists and
// belongs to the container's account (versions are written on the account's
// behalf, never into another's container).  412 otherwise.
std::optional<BucketInfo> archive_of(Context& ctx, const BucketInfo& container) {
  auto loc = container.attrs.find(kVersionsLocationAttr);
  if (loc == container.attrs.end() || loc->second.empty()) return std::nullopt;
  BucketInfo archive;
  try {
    archive = ctx.store.get_bucket(loc->second);
  } catch (const Error& e) {
    if (e.code() != RGW_ERR_NO_SUCH_BUCKET) throw;
    throw_swift(412, "The versions container " + loc->second + " does not exist");
  }
  if (archive.owner != container.owner)
    throw_swift(412, "The versions container " + loc->second + " belongs to another account");
  return archive;
}

std::string mode_of(const BucketInfo& container) {
  auto m = container.attrs.find(kVersionsModeAttr);
  return m != container.attrs.end() ? m->second : kStack;
}

// Copies the current object (if any) into the archive, which is looked up
// (412 when missing) only once there is something to archive (as Swift: a
// first write needs no archive); false if there was none.
bool copy_current(Context& ctx, const BucketInfo& container, const std::string& object,
                  std::optional<BucketInfo> archive = std::nullopt) {
  ObjectInfo cur;
  try {
    cur = ctx.store.stat_object(ObjectRef{container.name, object, ""});
  } catch (const Error& e) {
    if (e.code() == RGW_ERR_NO_SUCH_KEY) return false;
    throw;
  }
  if (!archive) archive = archive_of(ctx, container);
  if (!archive) return false;
  try {
    CopyOptions options;  // attributes and expiry as they are
    ctx.store.copy_object(ObjectRef{container.name, object, cur.version_id}, archive->name,
                          archive_name(object, cur.mtime_ns), options);
  } catch (const Error& e) {
    // Replaced or removed since the stat: the writer that did it archived it.
    if (e.code() == RGW_ERR_NO_SUCH_KEY || e.code() == RGW_ERR_NO_SUCH_VERSION) return false;
    throw;
  }
  return true;
}

// The two newest archived versions of `object` (newest first), paging the
// archive's listing with bounded memory.
std::vector<ObjectInfo> newest_two(Context& ctx, const BucketInfo& archive,
                                   const std::string& object) {
  std::vector<ObjectInfo> last;
  ListParams p;
  p.prefix = archive_prefix(object);
  for (;;) {
    ListResult r = ctx.store.list_objects(archive.name, p);
    for (auto& o : r.objects) {
      last.insert(last.begin(), std::move(o));
      if (last.size() > 2) last.pop_back();
    }
    if (!r.truncated) return last;
    p.marker = r.next_marker;
  }
}

// Copies archived version `v` over the object; false if it went meanwhile.
bool restore(Context& ctx, const BucketInfo& container, const BucketInfo& archive,
             const ObjectInfo& v, const std::string& object) {
  try {
    ctx.store.copy_object(ObjectRef{archive.name, v.key, ""}, container.name, object,
                          CopyOptions{});
  } catch (const Error& e) {
    if (e.code() == RGW_ERR_NO_SUCH_KEY) return false;
    throw;
  }
  return true;
}

void remove(Context& ctx, const std::string& bucket, const std::string& key) {
  ctx.store.remove_object(ObjectRef{bucket, key, ""}, RemoveOptions{});
}

bool exists(Context& ctx, const std::string& bucket, const std::string& key) {
  try {
    ctx.store.stat_object(ObjectRef{bucket, key, ""});
    return true;
  } catch (const Error& e) {
    if (e.code() == RGW_ERR_NO_SUCH_KEY) return false;
    throw;
  }
}

void answer_deleted(Context& ctx) { ctx.resp.set_body(204, "", "text/html; charset=UTF-8"); }

// Stack mode: the newest archived version comes back.
void pop(Context& ctx, const BucketInfo& container, const BucketInfo& archive,
         const std::string& object) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::vector<ObjectInfo> newest = newest_two(ctx, archive, object);
    if (newest.empty()) {  // nothing archived: an ordinary delete
      if (!exists(ctx, container.name, object)) throw_swift(404);
      remove(ctx, container.name, object);
      return answer_deleted(ctx);
    }
    const ObjectInfo& top = newest[0];
    if (!is_marker(top)) {
      if (!restore(ctx, container, archive, top, object)) continue;
      remove(ctx, archive.name, top.key);
      return answer_deleted(ctx);
    }
    // The newest is a delete marker (history mode wrote it): a current
    // object goes back to the deleted state; otherwise the version before
    // the marker comes back, and the marker goes.
    if (exists(ctx, container.name, object)) {
      remove(ctx, container.name, object);
      return answer_deleted(ctx);
    }
    if (newest.size() > 1 && !is_marker(newest[1])) {
      if (!restore(ctx, container, archive, newest[1], object)) continue;
      remove(ctx, archive.name, newest[1].key);
    }
    remove(ctx, archive.name, top.key);
    return answer_deleted(ctx);
  }
  throw_swift(409, "The versions kept changing during the delete");
}

// History mode: the object is archived, a marker records the delete.
void push(Context& ctx, const BucketInfo& container, const BucketInfo& archive,
          const std::string& object) {
  copy_current(ctx, container, object, archive);
  auto marker = ctx.store.open_writer(archive.name, archive_name(object, now_ns()));
  WriteOptions options;
  options.attrs["content-type"] = kDeleteMarkerType;
  marker->commit(options);
  if (!exists(ctx, container.name, object)) throw_swift(404);
  remove(ctx, container.name, object);
  answer_deleted(ctx);
}

}  // namespace

void apply_versioning_headers(const http::Request& req, Attrs& attrs) {
  const std::string* versions = req.header("x-versions-location");
  const std::string* history = req.header("x-history-location");
  if (versions && history && !versions->empty() && !history->empty())
    throw_swift(400, "Only one of X-Versions-Location or X-History-Location may be specified");
  const std::string* value = versions && !versions->empty() ? versions : history;
  if (!value) value = versions;
  if (value) {
    std::string name;
    if (!http::percent_decode(*value, name)) throw_swift(400, "Invalid versions location");
    name = name.substr(0, name.find('/'));  // as Swift: the container part only
    if (name.size() > kMaxContainerNameLength)
      throw_swift(400, "Container name length of " + std::to_string(name.size()) + " longer than " +
                           std::to_string(kMaxContainerNameLength));
    if (name.empty()) {
      attrs.erase(kVersionsLocationAttr);
      attrs.erase(kVersionsModeAttr);
    } else {
      attrs[kVersionsLocationAttr] = name;
      attrs[kVersionsModeAttr] = value == history ? kHistory : kStack;
    }
    return;  // setting wins over removing
  }
  if (req.header("x-remove-versions-location") || req.header("x-remove-history-location")) {
    attrs.erase(kVersionsLocationAttr);
    attrs.erase(kVersionsModeAttr);
  }
}

void versioning_headers(Response& resp, const Attrs& attrs) {
  auto loc = attrs.find(kVersionsLocationAttr);
  if (loc == attrs.end() || !http::safe_header_value(loc->second)) return;
  auto mode = attrs.find(kVersionsModeAttr);
  const bool history = mode != attrs.end() && mode->second == kHistory;
  resp.set_header(history ? "X-History-Location" : "X-Versions-Location",
                  http::uri_encode(loc->second, false));
}

void archive_current(Context& ctx, const BucketInfo& container, const std::string& object) {
  if (container.attrs.count(kVersionsLocationAttr)) copy_current(ctx, container, object);
}

bool versioned_delete(Context& ctx, const BucketInfo& container, const std::string& object) {
  auto archive = archive_of(ctx, container);
  if (!archive) return false;
  if (mode_of(container) == kHistory)
    push(ctx, container, *archive, object);
  else
    pop(ctx, container, *archive, object);
  return true;
}

}  // namespace rgw::swift
