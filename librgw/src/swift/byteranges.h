// byteranges.h - a GET of several ranges: a multipart/byteranges body
// (RFC 9110, 14.6), streamed from one reader per range, opened as reached.
//
//   --<boundary>\r\n
//   Content-Type: <the object's>\r\n
//   Content-Range: bytes <first>-<last>/<size>\r\n
//   \r\n
//   <the range's bytes>\r\n
//   ... one part per range ...
//   --<boundary>--
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "store.h"

namespace rgw::swift {

// Ranges a multi-range GET serves at most (more: the whole object, as Swift).
inline constexpr size_t kMaxRanges = 50;

struct Span {
  uint64_t offset = 0, length = 0;
};

// Opens a reader of [offset, offset + length) of the object.
using SpanOpener = std::function<std::unique_ptr<ObjectReader>(uint64_t, uint64_t)>;

// A random boundary ("librgw" and 32 hex digits).
std::string new_boundary();

// The body's reader; its remaining() is the whole body's length.
std::unique_ptr<ObjectReader> open_byteranges_reader(const ObjectInfo& info,
                                                     std::vector<Span> spans, uint64_t size,
                                                     const std::string& content_type,
                                                     const std::string& boundary, SpanOpener open);

}  // namespace rgw::swift
