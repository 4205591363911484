// rows.h - what the local driver reads of an object version: its row of
// `objects` and the files of its body.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "model.h"

namespace rgw::local {

// A body of at most this many bytes is kept in the database (table
// inline_bodies), not in a file: its PUT then needs no file of its own, no
// fsync of one and no rename, only the batch's COMMIT (group_commit.h).
constexpr size_t kInlineBodyMax = 16 * 1024;

// The data ids of inline bodies start with this character, which a file's
// (hex) never does.
constexpr char kInlineIdMark = '=';
inline bool is_inline_id(const std::string& data_id) {
  return !data_id.empty() && data_id[0] == kInlineIdMark;
}

// One piece of an object's body: a whole body, or one part of a multipart
// one.  A file under data/, or an inline body's bytes.
struct Segment {
  std::string data_id;
  uint64_t size = 0;
  std::shared_ptr<const std::string> bytes;  // an inline body's; null for a file
};

// One version's row of `objects` (versions.cpp).
struct VersionRow {
  int64_t seq = 0;
  std::string data_id;  // a file's id, an inline body's (is_inline_id), or ""
                        // for a multipart body (segments) or a delete marker
  ObjectInfo info;      // version_id, is_latest, delete_marker from the columns
};

}  // namespace rgw::local
