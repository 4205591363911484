// exchange.h - one HTTP request/response exchange served by the core,
// whatever the protocol: the protocol-neutral request driver behind the C
// request API (rgw_request_*) and every door.
//
// The door creates it with the method and the request target as received,
// adds the headers, then:
//   start()     parses the target, routes the request to its protocol
//               (router.h) and lets the protocol's handler authenticate and
//               authorize from the headers; true: the operation wants the
//               body (a door holding "Expect: 100-continue" may now send 100);
//               false: the response is ready (an error, or no input needed).
//   body(...)   feeds body bytes as they arrive on the wire (any chunking,
//               Transfer-Encoding already removed); false: the response is
//               ready early (an error): stop feeding.
//   end_body()  the body is complete: the protocol verifies it, then commits.
// Then response() has status and headers, and read() pulls the body in
// chunks.  Errors are rendered by the protocol that owns the request (the
// router's fallback when it could not be routed).  Memory is bounded whatever
// the object size; destroying an exchange before it completed stores
// nothing.  One thread at a time.
#pragma once

#include <exception>
#include <memory>
#include <string>

#include "async_reads.h"
#include "fiber.h"
#include "gateway/gateway.h"
#include "gateway/protocol.h"
#include "http/request.h"
#include "http/response.h"

namespace rgw {

class Exchange {
 public:
  Exchange(Gateway& gw, std::string method, std::string target);
  ~Exchange();
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  // Past 100 headers or 64 KiB of them, the rest are dropped and start()
  // answers 400 RequestHeaderSectionTooLarge.
  static constexpr size_t kMaxHeaders = 100;
  static constexpr size_t kMaxHeaderBytes = 64 * 1024;
  void add_header(std::string name, std::string value);
  void set_remote_addr(std::string addr) { req_.remote_addr = std::move(addr); }

  bool start();
  // start() on a door's event loop (no-wait mode, util.h), for GET and HEAD
  // on a store that can serve them without waiting (Store::can_read_
  // without_waiting) or, given `reads`, by reads it starts asynchronously
  // (Store::can_read_async, async_reads.h): 1 the operation wants the body,
  // 0 the response is ready; -EINPROGRESS when the store started a read:
  // call again (on the same thread) once `reads` says it completed;
  // -EWOULDBLOCK when a store call would have waited (or the request is of
  // another kind): the exchange is as it was before, and the door calls
  // start() on an I/O thread.  With `reads`, the try runs in a fiber
  // (fiber.h) that a read suspends, and the next call resumes it where it
  // stopped; without a fiber to be had, the try is given up at the read and
  // the next call starts over.
  int try_start(AsyncReads* reads = nullptr);
  // start(), then body(data, len) and end_body() if the operation wants the
  // body, on a door's event loop: a small PUT whose whole body came with
  // its headers, on a store whose writes can wait without a thread
  // (Store::can_write_async).  In a fiber, in no-wait mode until the
  // driver begins side effects (util.h); from there on the driver's waits
  // suspend the try (async_reads.h) and it is never given up.  0: the
  // response is ready; -EINPROGRESS: suspended, call again (on the same
  // thread) once `reads` says so; -EWOULDBLOCK: the exchange is as it was
  // before, and the door runs start() and the body on an I/O thread.  data
  // stays valid until the try ended.
  int try_start_body(AsyncReads* reads, const char* data, size_t len);
  bool body(const char* data, size_t len);
  void end_body();

  bool done() const { return state_ == State::done; }
  const std::string& request_id() const { return request_id_; }
  const http::Response& response() const { return resp_; }
  // The protocol serving the request ("s3"), or "" before start().
  const char* protocol() const { return protocol_ ? protocol_->name() : ""; }
  // Copies up to cap body bytes into buf; 0 at the end (and always for HEAD,
  // 204 and 304).
  size_t read(char* buf, size_t cap);

 private:
  enum class State { headers, body, done };

  template <typename F>
  bool guarded(F&& step);
  void fail_with(const std::exception_ptr& error) noexcept;
  void seal();
  void rewind();
  int try_once(AsyncReads* reads, const char* data = nullptr, size_t len = 0,
               bool with_body = false);
  bool make_fiber(AsyncReads* reads, const char* data, size_t len, bool with_body);
  int run_fiber();

  Gateway& gw_;
  std::string target_;
  std::string request_id_;
  http::Request req_;
  http::Response resp_;
  Protocol* protocol_ = nullptr;
  std::unique_ptr<Handler> handler_;  // declared last: it refers to the members above
  size_t header_bytes_ = 0;
  bool headers_overflow_ = false;
  size_t body_pos_ = 0;
  State state_ = State::headers;
  // A try_start() suspended for a store read (fiber.h), and its outcome.
  std::unique_ptr<Fiber> fiber_;
  int fiber_rc_ = 0;
  std::exception_ptr fiber_error_;
};

}  // namespace rgw
