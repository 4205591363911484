// listing.h - what account and container listings share: the format
// (?format=, else Accept), the query parameters, and JSON text.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/request.h"

namespace rgw::swift {

enum class Format { text, json, xml };

// ?format=json|xml|plain, else the Accept header (application/json,
// application/xml or text/xml), else text.
Format listing_format(const http::Request& req);
// "text/plain; charset=utf-8", "application/json; charset=utf-8", ...
const char* listing_content_type(Format format);

struct ListingQuery {
  unsigned limit = 10000;
  std::string marker, end_marker, prefix, delimiter;
  bool reverse = false;
};
// limit (1..10000, else 412), marker, end_marker, prefix, delimiter (one
// character, else 412), reverse (true/yes/1/on).
ListingQuery listing_query(const http::Request& req);

// The answer to a bulk delete (DELETE ?multipart-manifest=delete, POST
// ?bulk-delete), in the format asked for: "Number Deleted", "Number Not
// Found", "Response Status" (200 OK, or 400 Bad Request when some failed),
// "Errors" ([path, status] pairs).  The HTTP status itself is 200.
struct DeleteReport {
  size_t deleted = 0, not_found = 0;
  std::vector<std::pair<std::string, std::string>> errors;
};
std::string delete_report_body(const DeleteReport& report, Format format);

// s as a JSON string, quotes included: control characters escaped, UTF-8
// text carried as is (names are valid UTF-8).
std::string json_string(std::string_view s);

}  // namespace rgw::swift
