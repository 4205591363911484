// s3_request.h - one S3 request from request line to last response byte.
//
// The door creates it with the method and raw request target, adds the
// headers, then:
//   start()     routes, authenticates from the headers, checks permissions;
//               true: the operation wants the body (a door that holds an
//               "Expect: 100-continue" may now send 100); false: the response
//               is ready (an error, or an operation without input).
//   body(...)   feeds body bytes as they arrive on the wire (any chunking);
//               false: the response is ready early (an error): stop feeding.
//   end_body()  the body is complete: verifies it and runs the operation.
// Then response() has status and headers, and read() pulls the body in
// chunks.  Memory is bounded whatever the object size.  Destroying a request
// before it completed stores nothing.
#pragma once

#include <memory>
#include <string>

#include "gateway/gateway.h"
#include "http/request.h"
#include "s3/op.h"
#include "s3/response.h"

namespace rgw::s3 {

class S3Request {
 public:
  S3Request(Gateway& gw, std::string method, std::string uri);
  ~S3Request();

  // Past 100 headers or 64 KiB of them, the rest are dropped and start()
  // answers 400 RequestHeaderSectionTooLarge.
  static constexpr size_t kMaxHeaders = 100;
  static constexpr size_t kMaxHeaderBytes = 64 * 1024;
  void add_header(std::string name, std::string value);

  bool start();
  bool body(const char* data, size_t len);
  void end_body();

  bool done() const { return state_ == State::done; }
  const std::string& request_id() const { return ctx_.request_id; }
  const Response& response() const { return resp_; }
  // Copies up to cap body bytes into buf; 0 at the end (and always for HEAD).
  size_t read(char* buf, size_t cap);

 private:
  enum class State { headers, body, done };

  void route();
  void authenticate();
  void seal();
  void fail_with(const std::exception_ptr& error);
  template <typename F>
  bool guarded(F&& step);

  Gateway& gw_;
  http::Request req_;
  std::string method_, uri_;
  Response resp_;
  Context ctx_;
  std::unique_ptr<Op> op_;
  std::unique_ptr<PayloadDecoder> decoder_;
  std::string secret_;
  std::string decoded_;
  uint64_t fed_ = 0;
  size_t header_bytes_ = 0;
  bool headers_overflow_ = false;
  size_t body_pos_ = 0;
  State state_ = State::headers;
};

}  // namespace rgw::s3
