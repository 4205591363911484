// exchange.cpp - the protocol-neutral request driver.
#include "gateway/exchange.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "async_reads.h"
#include "errors.h"
#include "fiber.h"
#include "http/error.h"
#include "util.h"

namespace rgw {

namespace {

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return s;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

}  // namespace

Exchange::Exchange(Gateway& gw, std::string method, std::string target)
    : gw_(gw), target_(std::move(target)), request_id_(gw.next_request_id()) {
  req_.method = std::move(method);
  resp_.head = req_.method == "HEAD";
}

Exchange::~Exchange() {
  if (fiber_) {
    // A try suspended for a read is unwound first, while the members its
    // frames use are alive (Fiber::~Fiber resumes it cancelled).
    TryStateAside aside;
    fiber_.reset();
  }
}

void Exchange::add_header(std::string name, std::string value) {
  header_bytes_ += name.size() + value.size();
  if (req_.headers.size() >= kMaxHeaders || header_bytes_ > kMaxHeaderBytes) {
    headers_overflow_ = true;  // refused by start(), memory stays bounded
    return;
  }
  req_.headers.emplace_back(lower(std::move(name)), trim(value));
}

void Exchange::fail_with(const std::exception_ptr& error) noexcept {
  if (!handler_) {
    // Not routed (an allocation failed on the way): the fallback renders it.
    try {
      protocol_ = &gw_.router().fallback();
      handler_ = protocol_->make_handler(HandlerArgs{gw_, req_, resp_, request_id_});
    } catch (...) {
      resp_ = http::Response();
      resp_.status = 500;
      resp_.content_length = 0;
      state_ = State::done;
      return;
    }
  }
  handler_->error(error);
  resp_.content_length = static_cast<int64_t>(resp_.body.size());
  state_ = State::done;
}

template <typename F>
bool Exchange::guarded(F&& step) {
  try {
    step();
  } catch (...) {
    fail_with(std::current_exception());
  }
  return state_ != State::done;
}

bool Exchange::start() {
  if (state_ != State::headers) fail(RGW_ERR_INVALID_ARGUMENT, "request already started");
  return guarded([&] {
    // A target that does not parse belongs to the router's fallback, which
    // answers for it.
    bool parsed = req_.parse_uri(target_);
    protocol_ = parsed ? &gw_.router().route(req_.raw_path) : &gw_.router().fallback();
    handler_ = protocol_->make_handler(HandlerArgs{gw_, req_, resp_, request_id_});
    if (headers_overflow_)
      throw http::Error(400, "RequestHeaderSectionTooLarge",
                        "Your request header section exceeds the maximum allowed size.");
    if (!parsed) throw http::Error(400, "InvalidURI", "Couldn't parse the specified URI.");
    if (handler_->start()) {
      state_ = State::body;
    } else {
      seal();
    }
  });
}

int Exchange::try_start(AsyncReads* reads) {
  if (fiber_) return run_fiber();  // a try suspended for a read goes on
  if (state_ != State::headers) fail(RGW_ERR_INVALID_ARGUMENT, "request already started");
  const Store& store = gw_.store();
  if ((req_.method != "GET" && req_.method != "HEAD") ||
      !(store.can_read_without_waiting() || (reads && store.can_read_async())))
    return -EWOULDBLOCK;
  // A handler that keeps starting reads is finished on an I/O thread.
  if (reads && !reads->begin_try()) return -EWOULDBLOCK;
  // In a fiber, a read started asynchronously suspends the try instead of
  // giving it up; without one (none to be had) the try is replayed.
  if (reads && store.can_read_async() && make_fiber(reads, nullptr, 0, false)) return run_fiber();
  return try_once(reads);
}

int Exchange::try_start_body(AsyncReads* reads, const char* data, size_t len) {
  if (fiber_) return run_fiber();  // a try suspended for the store goes on
  if (state_ != State::headers) fail(RGW_ERR_INVALID_ARGUMENT, "request already started");
  if (!reads || req_.method != "PUT" || !gw_.store().can_write_async()) return -EWOULDBLOCK;
  if (!reads->begin_try()) return -EWOULDBLOCK;
  // Only in a fiber: a write, once sent, is waited for by suspending.
  if (!make_fiber(reads, data, len, true)) return -EWOULDBLOCK;
  return run_fiber();
}

// The try's fiber (try_once with these arguments, its outcome kept for
// run_fiber); false when no fiber can be had.
bool Exchange::make_fiber(AsyncReads* reads, const char* data, size_t len, bool with_body) {
  fiber_ = Fiber::create([this, reads, data, len, with_body] {
    try {
      fiber_rc_ = try_once(reads, data, len, with_body);
    } catch (...) {
      fiber_error_ = std::current_exception();
    }
  });
  return fiber_ != nullptr;
}

// Runs the try's fiber until it ends or suspends for a read; the thread's
// own no-wait state is kept out of it.
int Exchange::run_fiber() {
  bool ended;
  {
    TryStateAside aside;
    ended = fiber_->run();
  }
  if (!ended) return -EINPROGRESS;
  fiber_.reset();
  if (fiber_error_) std::rethrow_exception(std::exchange(fiber_error_, nullptr));
  return fiber_rc_;
}

// One try of start() in no-wait mode: try_start()'s results.
int Exchange::try_once(AsyncReads* reads, const char* data, size_t len, bool with_body) {
  bool wants_body;
  {
    NoWaitScope no_wait;
    AsyncReadsScope scope(reads);
    wants_body = start();
    if (with_body && wants_body && !no_wait.would_have_waited()) {
      if (body(data, len)) end_body();
      wants_body = false;
    }
    if (!no_wait.would_have_waited()) return wants_body ? 1 : 0;
  }
  rewind();
  return reads && reads->started() ? -EINPROGRESS : -EWOULDBLOCK;
}

// Back to the state before start(): the request as the door gave it (method,
// target, headers, address), no handler, no response.  GET and HEAD
// handlers only read the request; a PUT's try is given up only before its
// writer began side effects (util.h), so it changed nothing either.
void Exchange::rewind() {
  handler_.reset();
  protocol_ = nullptr;
  http::Request fresh;
  fresh.method = std::move(req_.method);
  fresh.headers = std::move(req_.headers);
  fresh.remote_addr = std::move(req_.remote_addr);
  req_ = std::move(fresh);
  resp_ = http::Response();
  resp_.head = req_.method == "HEAD";
  body_pos_ = 0;
  state_ = State::headers;
}

bool Exchange::body(const char* data, size_t len) {
  if (state_ == State::done) return false;
  if (state_ != State::body) fail(RGW_ERR_INVALID_ARGUMENT, "body fed before start()");
  return guarded([&] { handler_->body(data, len); });
}

void Exchange::end_body() {
  if (state_ == State::done) return;
  if (state_ != State::body) fail(RGW_ERR_INVALID_ARGUMENT, "end_body() before start()");
  guarded([&] {
    handler_->end_body();
    seal();
  });
}

void Exchange::seal() {
  if (resp_.status == 204 || resp_.status == 304) {
    // No content, and no Content-Length (RFC 9110 8.6).
    resp_.body.clear();
    resp_.reader.reset();
    resp_.content_length = -1;
  } else if (resp_.content_length < 0) {
    resp_.content_length = static_cast<int64_t>(resp_.body.size());
  }
  state_ = State::done;
}

size_t Exchange::read(char* buf, size_t cap) {
  if (state_ != State::done || resp_.head || resp_.content_length < 0 || cap == 0) return 0;
  if (resp_.reader) return resp_.reader->read(buf, cap);
  size_t n = std::min(cap, resp_.body.size() - body_pos_);
  std::memcpy(buf, resp_.body.data() + body_pos_, n);
  body_pos_ += n;
  return n;
}

}  // namespace rgw
