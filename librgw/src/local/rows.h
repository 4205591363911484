// rows.h - what the local driver reads of an object version: its row of
// `objects` and the files of its body.
#pragma once

#include <cstdint>
#include <string>

#include "model.h"

namespace rgw::local {

// One file of an object's body: a whole body, or one part of a multipart one.
struct Segment {
  std::string data_id;
  uint64_t size = 0;
};

// One version's row of `objects` (versions.cpp).
struct VersionRow {
  int64_t seq = 0;
  std::string data_id;  // "" for a multipart body (segments) or a delete marker
  ObjectInfo info;      // version_id, is_latest, delete_marker from the columns
};

}  // namespace rgw::local
