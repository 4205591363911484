// slo.h - static large objects: `PUT ?multipart-manifest=put` with a JSON
// list of segments ({"path": "/container/object", "etag": ..., "size_bytes":
// ...}), each checked when the manifest is written; the manifest object's
// body keeps them ({"name", "hash", "bytes", "content_type",
// "last_modified"}, as Swift's `?multipart-manifest=get` shows them) and its
// attributes the total size and ETag.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "swift/large_object.h"

namespace rgw::swift {

inline constexpr const char* kSloAttr = "x-static-large-object";  // "True"
inline constexpr const char* kSloEtagAttr = "x-slo-etag";         // segments' ETag
inline constexpr const char* kSloSizeAttr = "x-slo-size";         // total bytes
inline constexpr size_t kMaxSloSegments = 1000;
inline constexpr size_t kMaxSloManifestSize = 2 * 1024 * 1024;

struct SloEntry {
  std::string container, key;  // from "path": "/container/object"
  std::optional<std::string> etag;
  std::optional<uint64_t> size;
};

// A PUT manifest; 400 with what is wrong.
std::vector<SloEntry> parse_put_manifest(std::string_view body);

// The manifest object's body for checked segments (infos: their objects).
std::string stored_manifest(const std::vector<Segment>& segments,
                            const std::vector<ObjectInfo>& infos);

// The segments a stored manifest body lists (-EIO if it is not one).
LargeObject load_slo(const std::string& body);

// The manifest in PUT's form (?multipart-manifest=get&format=raw).
std::string raw_manifest(const LargeObject& slo);

}  // namespace rgw::swift
