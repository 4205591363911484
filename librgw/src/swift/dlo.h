// dlo.h - dynamic large objects: a manifest object whose X-Object-Manifest
// ("<container>/<prefix>", percent-encoded) names the segments, read at GET
// time as the objects of that container whose names start with the prefix,
// in name order, concatenated.  Nothing is copied: the segments stay
// objects of their own, as in Swift.
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

struct DloSegment {
  std::string key;
  uint64_t size = 0;
  std::string etag;
};

struct Dlo {
  std::string container, prefix;  // decoded
  std::vector<DloSegment> segments;
  uint64_t size = 0;
  std::string etag;  // MD5 of the segments' ETags, as Swift computes it (unquoted)
};

// Splits and decodes an X-Object-Manifest value; 400 if malformed.
void parse_manifest(const std::string& value, std::string& container, std::string& prefix);

// Lists the segments of a manifest (the container must exist: 404).
Dlo load_dlo(Store& store, const std::string& manifest_value);

// A reader of bytes [offset, offset + length) of the concatenation: each
// segment is opened when reached; a segment that changed size since the
// listing fails the read (-EIO), as the bytes would no longer be the ones
// announced.
std::unique_ptr<ObjectReader> open_dlo_reader(Store& store, Dlo dlo, const ObjectInfo& manifest,
                                              uint64_t offset, uint64_t length);

}  // namespace rgw::swift
