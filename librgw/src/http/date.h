// date.h - the time formats of HTTP headers, conditionals and listings.
#pragma once

#include <cstdint>
#include <string>

namespace rgw::http {

// "2009-10-12T17:50:30.000Z" (listings, CopyObjectResult).
std::string iso8601_ms(int64_t epoch_ns);
// "Mon, 12 Oct 2009 17:50:30 GMT" (Last-Modified, Date).
std::string http_date(int64_t epoch_seconds);
// Parses an HTTP date: RFC 1123, RFC 850 or asctime form, as RFC 9110 asks
// recipients to accept.  False if it is none of them.
bool parse_http_date(const std::string& text, int64_t* epoch_seconds);

}  // namespace rgw::http
