// form_data.h - a streaming multipart/form-data parser (RFC 7578), for
// browser uploads (Swift's FormPOST, S3's POST Object): parts are handed to
// a handler as they arrive, a file's bytes in pieces, never held whole.
// Memory is bounded by the input piece, the boundary and max_header_bytes.
#pragma once

#include <cstddef>
#include <string>

namespace rgw::http {

class FormDataParser {
 public:
  struct Part {
    std::string name;      // Content-Disposition: form-data; name="..."
    std::string filename;  // its filename="..." ("" for a plain field)
    bool has_filename = false;
    std::string content_type;  // the part's Content-Type ("" if none)
  };
  class Handler {
   public:
    virtual ~Handler() = default;
    virtual void part_begin(const Part& part) = 0;
    virtual void part_data(const char* data, size_t len) = 0;
    virtual void part_end() = 0;
  };

  // The boundary of a "multipart/form-data; boundary=..." Content-Type
  // (quoted or not, 1 to 70 characters); false if it is not one.
  static bool boundary_of(const std::string& content_type, std::string* boundary);

  FormDataParser(const std::string& boundary, Handler& handler, size_t max_header_bytes = 16384);

  // Feeds body bytes; throws http::Error(400, "MalformedPOSTRequest", ...)
  // when the body is not multipart/form-data with this boundary.  Handler
  // exceptions pass through.
  void feed(const char* data, size_t len);
  // The body ended: throws (400) unless the closing boundary was seen.
  void finish();

 private:
  enum class State { preamble, after_delimiter, headers, body, done };
  void run();
  void parse_headers(const std::string& block);

  std::string delimiter_;  // "\r\n--" + boundary
  Handler& handler_;
  size_t max_header_bytes_;
  State state_ = State::preamble;
  std::string buf_;  // bytes not handled yet
};

}  // namespace rgw::http
