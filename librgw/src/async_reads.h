// async_reads.h - reads a store driver starts without waiting, for a request
// tried on a door's event loop (Exchange::try_start, capi/aio.cpp's
// rgw_aio_request_try_start).
//
// A handler is ordinary synchronous code.  To run it on the event loop
// without an I/O thread, the door tries it in no-wait mode (util.h) with an
// AsyncReads of the request in scope, in a fiber of its own (fiber.h,
// Exchange::try_start): when the driver reaches a read it can start
// asynchronously (the RADOS driver's read of an object's head), it starts
// it, hands it to the AsyncReads (add()) and calls wait_for_async_read(),
// which suspends the fiber; the loop goes on with other requests.  When the
// read completes (on a driver thread), the AsyncReads tells the door (its
// `ready` function), which resumes the try on the loop: wait_for_async_read()
// returns and the driver takes the completed read (find(), take()) and goes
// on.  Without a fiber (none to be had, or the read was started from a catch
// block) wait_for_async_read() gives the try up instead and the exchange
// rewinds; the door tries again from the start when the read completed, and
// this time the driver finds it.  A try that would wait for anything else
// falls back to an I/O thread as before.  The result of a read is used by
// the same request only (until it ends or goes to an I/O thread), and only
// if it is for the same thing (the driver's key names it), so a replay sees
// either what a synchronous call would have read or starts over.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "util.h"

namespace rgw {

// A driver's read in flight, or completed; the driver's own type.  Its
// destructor waits for a read still in flight (and for its notification).
class AsyncRead {
 public:
  virtual ~AsyncRead() = default;
};

class AsyncReads {
 public:
  // `ready` is called once per read added, from the thread that completes
  // it, after the read's result is in place.
  explicit AsyncReads(std::function<void()> ready) : ready_(std::move(ready)) {}
  AsyncReads(const AsyncReads&) = delete;
  AsyncReads& operator=(const AsyncReads&) = delete;

  // Driver side, in no-wait mode on the loop: a completed read saved under
  // `key` by an earlier try (nullptr if none): find() leaves it for later
  // tries (a handler may read the same thing again after another read
  // started), take() hands it over; and the read just started under `key`
  // (at most one per try).
  AsyncRead* find(const std::string& key);
  std::unique_ptr<AsyncRead> take(const std::string& key);
  void add(std::string key, std::unique_ptr<AsyncRead> read);
  // The driver's completion calls this when the read added has its result.
  void completed() { ready_(); }

  // Door side: a read was added by the last try (cleared by the next one)
  // and the try was given up for it.
  bool started() const { return started_; }
  // A try suspended for a read goes on (wait_for_async_read in a fiber).
  void resumed() { started_ = false; }
  // Counts the tries: past kMaxTries the door gives up on the loop.
  static constexpr int kMaxTries = 8;
  bool begin_try() {
    started_ = false;
    return ++tries_ <= kMaxTries;
  }
  // Drops every read (waiting for those in flight): a request that goes to
  // an I/O thread, or ends.
  void clear();

 private:
  std::function<void()> ready_;
  std::vector<std::pair<std::string, std::unique_ptr<AsyncRead>>> reads_;
  bool started_ = false;
  int tries_ = 0;
};

// The AsyncReads of the request being tried on this thread (nullptr outside
// such a try): set by a scope in Exchange::try_start.
AsyncReads* async_reads();
class AsyncReadsScope {
 public:
  explicit AsyncReadsScope(AsyncReads* reads);
  ~AsyncReadsScope();
  AsyncReadsScope(const AsyncReadsScope&) = delete;
  AsyncReadsScope& operator=(const AsyncReadsScope&) = delete;

 private:
  AsyncReads* outer_;
};

// While it lives, this thread is outside any try: not in no-wait mode
// (util.h), no AsyncReads; it puts back what there was when it ends.  Held
// around every switch into or out of a try's fiber (fiber.h), so that a try
// keeps its state across a suspension and its thread's is as it found it.
class TryStateAside {
 public:
  TryStateAside();
  ~TryStateAside();
  TryStateAside(const TryStateAside&) = delete;
  TryStateAside& operator=(const TryStateAside&) = delete;

 private:
  NoWaitState no_wait_;
  AsyncReads* reads_;
};

// Waits for the read just started (add()).  In a fiber (fiber.h: the door's
// try runs in one) it suspends the try and returns once the read completed:
// find() has it.  Otherwise it gives up the try: like fail_if_no_wait(),
// but the try ends "pending", not "would wait", and is replayed.
void wait_for_async_read(const char* what);

// Writes on the loop.  A try that began side effects (util.h: a small PUT's
// writer on RADOS, Exchange::try_start_body) is no longer in no-wait mode
// and cannot be given up; where the driver waits for an operation it
// submitted asynchronously, the try's fiber suspends instead of blocking
// the loop, and the operation's completion wakes it (a FiberWake).
//
// True on a door's loop, in a try's fiber, with no exception in flight or
// being handled (not in a catch block, not unwinding): a wait may suspend
// (suspend_for_store()).
bool can_suspend();
// Suspends the try's fiber until the AsyncReads' next notification (one per
// suspension: a FiberWake armed before); false where it cannot suspend
// (the caller then blocks).  Throws -ECANCELED if the request ended meanwhile.
bool suspend_for_store(const char* what);

// One store operation a try's fiber may suspend for.  The fiber arms it
// (false: it fired already, go on) and suspends; the operation's completion
// fires it once, on any thread, which notifies the try's AsyncReads if
// armed.
class FiberWake {
 public:
  bool arm(AsyncReads* reads) {
    std::lock_guard<std::mutex> l(mu_);
    if (fired_) return false;
    armed_ = reads;
    return true;
  }
  void fire() {
    AsyncReads* reads;
    {
      std::lock_guard<std::mutex> l(mu_);
      fired_ = true;
      reads = armed_;
      armed_ = nullptr;
    }
    if (reads) reads->completed();
  }

 private:
  std::mutex mu_;
  bool fired_ = false;
  AsyncReads* armed_ = nullptr;
};

}  // namespace rgw
