// protocol.h - what a protocol (S3 today, Swift next) gives the gateway.
//
// The gateway's router picks one Protocol per request by its path
// (router.h); the protocol makes a Handler that serves that one request.
// The request driver (exchange.h) owns the request, the response and their
// life cycle, and calls the handler in this order:
//   start()     the request line and headers are in (the target parsed into
//               http::Request): route within the protocol, authenticate,
//               check permissions, and either answer at once (return false:
//               the response is ready) or ask for the body (return true; a
//               door holding "Expect: 100-continue" may now send 100);
//   body(...)   the body as it arrives on the wire, in pieces of any size;
//   end_body()  the body is complete: verify it, then commit.
// Any step may throw (http::Error, rgw::Error, anything): the driver then
// calls error(), and the handler renders the failure the protocol's way into
// the response, dropping anything uncommitted.  A handler destroyed before
// end_body() commits nothing.
#pragma once

#include <exception>
#include <memory>
#include <string>

#include "http/request.h"
#include "http/response.h"

namespace rgw {

class Gateway;

class Handler {
 public:
  virtual ~Handler() = default;
  virtual bool start() = 0;
  virtual void body(const char* data, size_t len) = 0;
  virtual void end_body() = 0;
  // Replaces the response with the protocol's error response for what was
  // thrown (the status, the headers every response of the protocol carries,
  // and a body).  Must not throw.
  virtual void error(const std::exception_ptr& what) noexcept = 0;
};

// What a handler is given: the gateway, the parsed request (headers
// included), the response to fill, and the request's id (for logs and the
// protocol's request-id header).  They outlive the handler.
struct HandlerArgs {
  Gateway& gateway;
  const http::Request& request;
  http::Response& response;
  const std::string& request_id;
};

class Protocol {
 public:
  virtual ~Protocol() = default;
  // A short name ("s3", "swift") for logs and docs.
  virtual const char* name() const = 0;
  virtual std::unique_ptr<Handler> make_handler(const HandlerArgs& args) = 0;
};

}  // namespace rgw
