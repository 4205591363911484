// versioned_writes.h - Swift's object versioning, as Swift's versioned_writes
// middleware defines it (docs/versioning.md): a container names an archive
// container with X-Versions-Location (stack mode) or X-History-Location
// (history mode).
//   Every write that replaces an object (PUT, COPY or X-Copy-From, a SLO
//   manifest, FormPOST) first copies the current object into the archive as
//   "<3 hex digits: the name's length><name>/<its X-Timestamp>".
//   stack mode: DELETE pops the newest archived version back over the
//     object (and drops it from the archive); with none, the object goes.
//   history mode: DELETE archives the current object, writes a zero-byte
//     delete marker (content type kDeleteMarkerType) into the archive, and
//     removes the object.
// The archive must exist and belong to the same account (else 412); the
// copies are the store's own (Store::copy_object), made by the core.
#pragma once

#include <string>

#include "model.h"
#include "swift/op.h"

namespace rgw::swift {

// The container attributes holding the archive's name and the mode.
inline constexpr const char* kVersionsLocationAttr = "swift-versions-location";
inline constexpr const char* kVersionsModeAttr = "swift-versions-mode";  // stack | history
inline constexpr const char* kDeleteMarkerType = "application/x-deleted;swift_versions_deleted=1";

// Container PUT and POST: X-Versions-Location, X-History-Location (400 for
// both at once; an empty value removes), X-Remove-Versions-Location and
// X-Remove-History-Location, into the container's attributes.
void apply_versioning_headers(const http::Request& req, Attrs& attrs);
// Container HEAD and GET: the header naming the archive, if any.
void versioning_headers(Response& resp, const Attrs& attrs);

// Before a write replaces `object` of `container` (loaded by the caller):
// archives the current object when the container keeps versions.
void archive_current(Context& ctx, const BucketInfo& container, const std::string& object);

// DELETE of an object of a container that keeps versions, answered per its
// mode; false (nothing done) when the container keeps none.
bool versioned_delete(Context& ctx, const BucketInfo& container, const std::string& object);

}  // namespace rgw::swift
