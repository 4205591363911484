// async_reads.cpp - see async_reads.h.
#include "async_reads.h"

#include <exception>

#include "errors.h"
#include "fiber.h"
#include "util.h"

namespace rgw {

namespace {
thread_local AsyncReads* t_async_reads = nullptr;
}  // namespace

AsyncRead* AsyncReads::find(const std::string& key) {
  for (auto& r : reads_)
    if (r.first == key) return r.second.get();
  return nullptr;
}

std::unique_ptr<AsyncRead> AsyncReads::take(const std::string& key) {
  for (auto it = reads_.begin(); it != reads_.end(); ++it) {
    if (it->first != key) continue;
    std::unique_ptr<AsyncRead> r = std::move(it->second);
    reads_.erase(it);
    return r;
  }
  return nullptr;
}

void AsyncReads::add(std::string key, std::unique_ptr<AsyncRead> read) {
  take(key);  // an older read of the same thing nobody took (waits if in flight)
  reads_.emplace_back(std::move(key), std::move(read));
  started_ = true;
}

void AsyncReads::clear() {
  reads_.clear();  // waits for reads in flight
  started_ = false;
  tries_ = 0;
}

AsyncReads* async_reads() { return t_async_reads; }

AsyncReadsScope::AsyncReadsScope(AsyncReads* reads) : outer_(t_async_reads) {
  t_async_reads = reads;
}

AsyncReadsScope::~AsyncReadsScope() { t_async_reads = outer_; }

TryStateAside::TryStateAside()
    : no_wait_(exchange_no_wait_state(NoWaitState{})), reads_(t_async_reads) {
  t_async_reads = nullptr;
}

TryStateAside::~TryStateAside() {
  exchange_no_wait_state(no_wait_);
  t_async_reads = reads_;
}

void wait_for_async_read(const char* what) {
  Fiber* fiber = Fiber::current();
  AsyncReads* reads = t_async_reads;
  // In a fiber, suspend until the read completes; but not from a catch
  // block, whose exception (kept per thread) another fiber's could bury.
  if (fiber && reads && no_wait() && !std::current_exception()) {
    {
      TryStateAside aside;
      Fiber::suspend();
    }
    if (fiber->cancelled())
      fail(-ECANCELED, std::string(what) + ": the request ended before its read completed");
    reads->resumed();
    return;
  }
  fail_if_no_wait(what);
  fail(-EINVAL, std::string(what) + ": an asynchronous read outside a no-wait try");
}

bool can_suspend() {
  Fiber* fiber = Fiber::current();
  // Never while an exception is in flight or handled: the C++ runtime
  // keeps those per thread, and another fiber would run on this thread.
  return fiber && !fiber->cancelled() && t_async_reads && !no_wait() &&
         std::uncaught_exceptions() == 0 && !std::current_exception();
}

bool suspend_for_store(const char* what) {
  if (!can_suspend()) return false;
  Fiber* fiber = Fiber::current();
  AsyncReads* reads = t_async_reads;
  {
    TryStateAside aside;
    Fiber::suspend();
  }
  if (fiber->cancelled())
    fail(-ECANCELED, std::string(what) + ": the request ended before the store answered");
  reads->resumed();
  return true;
}

}  // namespace rgw
