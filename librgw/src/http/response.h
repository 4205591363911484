// response.h - what the core answers, whatever the protocol: status,
// headers, and a body that the door pulls in chunks (a fixed string, or a
// stream out of the store).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "store.h"

namespace rgw::http {

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;                      // used when reader is null
  std::unique_ptr<ObjectReader> reader;  // streamed body (GET object)
  // Set by the protocol for streamed and HEAD bodies, else body.size(); -1
  // once the response is sealed: no body and no Content-Length (204, 304).
  int64_t content_length = -1;
  bool head = false;  // HEAD: headers only, no body bytes

  void set_header(const std::string& name, const std::string& value) {
    for (auto& h : headers)
      if (h.first == name) {
        h.second = value;
        return;
      }
    headers.emplace_back(name, value);
  }
  // A fixed body of the given media type.
  void set_body(int st, std::string content, const std::string& content_type) {
    status = st;
    body = std::move(content);
    reader.reset();
    set_header("Content-Type", content_type);
  }
  void set_xml(int st, std::string xml) { set_body(st, std::move(xml), "application/xml"); }
};

// Whether v may go into a response header as is: no control character but
// tab (stored metadata could otherwise inject headers).
bool safe_header_value(const std::string& v);

// The reason phrase of an HTTP status ("OK", "Not Found", ...).
const char* status_reason(int status);

}  // namespace rgw::http
