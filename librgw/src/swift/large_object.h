// large_object.h - Swift's large objects: a manifest object whose GET
// serves the concatenation of segments, which stay objects of their own
// (nothing is copied):
//   DLO  X-Object-Manifest ("<container>/<prefix>", percent-encoded): the
//        segments are the container's objects under the prefix, in name
//        order, listed at read time;
//   SLO  ?multipart-manifest=put (slo.h): the segments are listed, checked
//        and kept in the manifest object's body when it is written.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "store.h"

namespace rgw::swift {

// The attribute that keeps a manifest's X-Object-Manifest value.
inline constexpr const char* kManifestAttr = "x-object-manifest";
// The most segments one manifest reads (a listing beyond is refused, 409).
inline constexpr size_t kMaxDloSegments = 100000;

struct Segment {
  std::string container, key;
  uint64_t size = 0;
  std::string etag;
};

struct LargeObject {
  std::vector<Segment> segments;
  uint64_t size = 0;
  std::string etag;  // MD5 of the segments' ETags, as Swift computes it (unquoted)
};

// Splits and decodes an X-Object-Manifest value; 400 if malformed.
void parse_manifest(const std::string& value, std::string& container, std::string& prefix);

// Lists the segments of a DLO manifest (the container must exist: 404).
LargeObject load_dlo(Store& store, const std::string& manifest_value);

// The ETag of a large object: the MD5 of its segments' ETags.
std::string segments_etag(const std::vector<Segment>& segments);

// A reader of bytes [offset, offset + length) of the concatenation: each
// segment is opened when reached; a segment that changed size since the
// listing fails the read (-EIO), as the bytes would no longer be the ones
// announced.
std::unique_ptr<ObjectReader> open_large_object_reader(Store& store, LargeObject object,
                                                       const ObjectInfo& manifest, uint64_t offset,
                                                       uint64_t length);

}  // namespace rgw::swift
