// request.h - an HTTP request as the core sees it, whatever door it came in by.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rgw::http {

struct Request {
  std::string method;     // upper case, as sent ("GET")
  std::string raw_uri;    // request target as sent: "/bucket/key?x=y"
  std::string raw_path;   // raw_uri up to '?', still percent-encoded
  std::string raw_query;  // after '?', still percent-encoded ("" if none)
  // Query parameters, percent-decoded ('+' stays '+'), in order of arrival.
  // A parameter without '=' has an empty value.
  std::vector<std::pair<std::string, std::string>> query;
  // Headers with lower-case names, values trimmed, in order of arrival.  A
  // repeated header appears several times.
  std::vector<std::pair<std::string, std::string>> headers;
  // The client's address as the door saw it ("192.0.2.1", "2001:db8::1"), or
  // "" if the door did not say: what IP conditions (Swift's
  // temp_url_ip_range) test.
  std::string remote_addr;

  // Splits raw_uri into raw_path, raw_query and query.  False if the URI is
  // not origin-form ("/...") or has a bad percent escape.
  bool parse_uri(std::string uri);

  // First value of a header (name in lower case), or nullptr.
  const std::string* header(std::string_view name) const;
  // All values of a header joined with ',' (as HTTP allows), "" if absent.
  std::string header_joined(std::string_view name) const;
  bool has_query(std::string_view name) const;
  // First value of a query parameter, or nullptr.
  const std::string* query_param(std::string_view name) const;
};

// Parses 1 to 19 decimal digits (nothing else: no sign, no spaces), as
// Content-Length and byte ranges are written.
bool parse_decimal(std::string_view s, uint64_t* out);

// Percent-decodes s; false on a malformed escape.  '+' is kept as is.
bool percent_decode(std::string_view s, std::string& out);

// AWS URI encoding: every byte but A-Z a-z 0-9 - _ . ~ as %XX (upper-case
// hex); '/' kept when encode_slash is false.
std::string uri_encode(std::string_view s, bool encode_slash);

}  // namespace rgw::http
