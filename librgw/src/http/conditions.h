// conditions.h - HTTP conditional requests and byte ranges (RFC 9110), as the protocols apply them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "http/request.h"
#include "model.h"

namespace rgw::http {

// The status a conditional request gets against an object: 0 (go on), 304
// or 412.  Headers are named as given (prefix "" for If-Match..., or
// "x-amz-copy-source-" for CopyObject's source conditions, which answer 412
// where a GET would answer 304).
int evaluate_conditions(const http::Request& req, const ObjectInfo& info,
                        const std::string& prefix = "");

// A single-range Range header.
struct ByteRange {
  enum class Kind { none, from_to, from, suffix } kind = Kind::none;
  uint64_t first = 0, last = 0;  // from_to: first..last; from: first..; suffix: last `last` bytes
};

// Parses "bytes=a-b", "bytes=a-", "bytes=-n".  Anything else (several
// ranges, other units, bad syntax) is Kind::none: the whole object is sent,
// as HTTP asks for a Range header it cannot use.
ByteRange parse_range(const std::string* header);

// Parses a Range header of one or more ranges ("bytes=0-9, 20-, -5"), at
// most max of them; empty (send the whole object) if any is malformed or
// there are more than max.
std::vector<ByteRange> parse_ranges(const std::string* header, size_t max);

// Resolves a range against an object size: false if unsatisfiable (416).
bool resolve_range(const ByteRange& range, uint64_t size, uint64_t* offset, uint64_t* length);

}  // namespace rgw::http
