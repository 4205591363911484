// response.h - what the core answers: status, headers, and a body that the
// door pulls in chunks (a fixed string, or a stream out of the store).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "store.h"

namespace rgw::s3 {

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;                        // used when reader is null
  std::unique_ptr<ObjectReader> reader;    // streamed body (GET object)
  // Set by the op for streamed and HEAD bodies, else body.size(); -1 after
  // the request: no body and no Content-Length header (204, 304).
  int64_t content_length = -1;
  bool head = false;                       // HEAD: headers only, no body bytes

  void set_header(const std::string& name, const std::string& value) {
    for (auto& h : headers)
      if (h.first == name) {
        h.second = value;
        return;
      }
    headers.emplace_back(name, value);
  }
  void set_xml(int st, std::string xml) {
    status = st;
    body = std::move(xml);
    reader.reset();
    set_header("Content-Type", "application/xml");
  }
};

// The reason phrase of an HTTP status ("OK", "Not Found", ...).
const char* status_reason(int status);

}  // namespace rgw::s3
