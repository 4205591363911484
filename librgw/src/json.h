// json.h - a small JSON reader for the documents clients send (Swift SLO
// manifests, S3 bucket policies): RFC 8259 values into a tree, with a depth
// limit.  The caller bounds the input's size.  Object members are kept in a
// map, so their order in the text is not kept (JSON gives it no meaning).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rgw {

struct Json {
  enum class Type { null, boolean, number, string, array, object } type = Type::null;
  bool boolean = false;
  double number = 0;
  std::string text;                     // string value; a number's digits as written
  std::vector<Json> items;              // array
  std::map<std::string, Json> members;  // object (a repeated name: the last wins)

  const Json* get(const std::string& name) const;  // object member or nullptr
  // A non-negative integer number (no fraction, no exponent), else false.
  bool as_uint(uint64_t* out) const;
};

// Parses text; false (with *error) when it is not one JSON value or nests
// deeper than max_depth.
bool parse_json(std::string_view text, Json* out, std::string* error, int max_depth = 16);

}  // namespace rgw
