// metadata.h - Swift metadata headers and the store's attributes, and
// Swift's timestamps.
//
// One namespace with S3: X-Object-Meta-Color, X-Container-Meta-Color and
// X-Account-Meta-Color are kept as the attribute "x-amz-meta-color" of the
// object, the bucket and the user, so S3's x-amz-meta-color is the same
// value.  Content-Type and the other stored headers keep S3's names too.
#pragma once

#include <cstdint>
#include <string>

#include "http/request.h"
#include "http/response.h"
#include "model.h"

namespace rgw::swift {

inline constexpr const char* kMetaAttrPrefix = "x-amz-meta-";

// Applies the request's metadata headers to attrs, as a POST does: each
// "<prefix>name: value" sets name ("" removes it), each
// "x-remove-<kind>-meta-name" removes it; kind is "object", "container" or
// "account".  Then checks Swift's limits on the user metadata (400).
void apply_meta_headers(const http::Request& req, const std::string& kind, Attrs& attrs);

// The user metadata of attrs as "X-<Kind>-Meta-Name" headers.
void meta_headers(http::Response& resp, const std::string& kind, const Attrs& attrs);

// X-Timestamp: epoch seconds with five decimals ("1454101234.12345").
std::string x_timestamp(int64_t epoch_ns);
// A listing's last_modified: "2016-02-26T10:32:00.123456" (UTC, no zone).
std::string listing_time(int64_t epoch_ns);

}  // namespace rgw::swift
