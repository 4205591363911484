// slo.cpp - static large object manifests (see slo.h).
#include "swift/slo.h"

#include <cerrno>

#include "errors.h"
#include "json.h"
#include "swift/listing.h"
#include "swift/metadata.h"
#include "swift/swift_error.h"

namespace rgw::swift {

namespace {

bool split_path(const std::string& path, std::string& container, std::string& key) {
  if (path.size() < 4 || path[0] != '/') return false;
  size_t slash = path.find('/', 1);
  if (slash == std::string::npos || slash == 1 || slash + 1 == path.size()) return false;
  container = path.substr(1, slash - 1);
  key = path.substr(slash + 1);
  return true;
}

}  // namespace

std::vector<SloEntry> parse_put_manifest(std::string_view body) {
  Json doc;
  std::string error;
  if (!parse_json(body, &doc, &error, 4))
    throw_swift(400, "Manifest must be valid JSON.\n" + error);
  if (doc.type != Json::Type::array) throw_swift(400, "Manifest must be a list.");
  if (doc.items.empty()) throw_swift(400, "Manifest must have at least one segment.");
  if (doc.items.size() > kMaxSloSegments)
    throw_swift(400, "Too many segments in the manifest; max " + std::to_string(kMaxSloSegments));
  std::vector<SloEntry> out;
  size_t index = 0;
  for (const Json& item : doc.items) {
    ++index;
    auto bad = [&](const std::string& why) {
      throw_swift(400, "Index " + std::to_string(index - 1) + ": " + why);
    };
    if (item.type != Json::Type::object) bad("not a JSON object");
    for (const auto& m : item.members)
      if (m.first != "path" && m.first != "etag" && m.first != "size_bytes")
        bad(m.first == "range" ? "segment ranges are not supported" : "unknown key " + m.first);
    const Json* path = item.get("path");
    SloEntry e;
    if (!path || path->type != Json::Type::string || !split_path(path->text, e.container, e.key))
      bad("\"path\" must be a string of the form /container/object");
    if (const Json* etag = item.get("etag")) {
      if (etag->type == Json::Type::string)
        e.etag = etag->text;
      else if (etag->type != Json::Type::null)
        bad("\"etag\" must be a string or null");
    }
    if (const Json* size = item.get("size_bytes")) {
      uint64_t n = 0;
      if (size->as_uint(&n))
        e.size = n;
      else if (size->type != Json::Type::null)
        bad("\"size_bytes\" must be an integer or null");
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::string stored_manifest(const std::vector<Segment>& segments,
                            const std::vector<ObjectInfo>& infos) {
  std::string out = "[";
  for (size_t i = 0; i < segments.size(); ++i) {
    const Segment& s = segments[i];
    auto ct = infos[i].attrs.find("content-type");
    if (i) out += ", ";
    out += "{\"name\": " + json_string("/" + s.container + "/" + s.key) + ", \"hash\": \"" +
           s.etag + "\", \"bytes\": " + std::to_string(s.size) + ", \"content_type\": " +
           json_string(ct == infos[i].attrs.end() ? "application/octet-stream" : ct->second) +
           ", \"last_modified\": \"" + listing_time(infos[i].mtime_ns) + "\"}";
  }
  return out + "]";
}

LargeObject load_slo(const std::string& body) {
  Json doc;
  std::string error;
  if (!parse_json(body, &doc, &error, 4) || doc.type != Json::Type::array)
    fail(-EIO, "static large object manifest unreadable: " + error);
  LargeObject slo;
  for (const Json& item : doc.items) {
    const Json* name = item.get("name");
    const Json* hash = item.get("hash");
    const Json* bytes = item.get("bytes");
    Segment s;
    if (!name || name->type != Json::Type::string || !hash || hash->type != Json::Type::string ||
        !bytes || !bytes->as_uint(&s.size) || !split_path(name->text, s.container, s.key))
      fail(-EIO, "static large object manifest unreadable");
    s.etag = hash->text;
    slo.size += s.size;
    slo.segments.push_back(std::move(s));
  }
  slo.etag = segments_etag(slo.segments);
  return slo;
}

std::string raw_manifest(const LargeObject& slo) {
  std::string out = "[";
  for (const auto& s : slo.segments) {
    if (out.size() > 1) out += ", ";
    out += "{\"path\": " + json_string("/" + s.container + "/" + s.key) + ", \"etag\": \"" +
           s.etag + "\", \"size_bytes\": " + std::to_string(s.size) + "}";
  }
  return out + "]";
}

}  // namespace rgw::swift
