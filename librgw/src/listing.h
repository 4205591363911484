// listing.h - S3 listing rules shared by the store drivers.
#pragma once

#include <string>

#include "model.h"

namespace rgw {

// The smallest string greater than every string that starts with prefix
// (valid UTF-8 never contains the byte 0xff).
inline std::string prefix_end(const std::string& prefix) { return prefix + "\xff"; }

// The common prefix a key rolls up into, or "" if it is listed as itself.
inline std::string common_prefix(const std::string& key, const ListParams& p) {
  if (p.delimiter.empty() || key.compare(0, p.prefix.size(), p.prefix) != 0) return "";
  size_t d = key.find(p.delimiter, p.prefix.size());
  return d == std::string::npos ? "" : key.substr(0, d + p.delimiter.size());
}

}  // namespace rgw
