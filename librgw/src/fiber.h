// fiber.h - a function run on a stack of its own that can suspend itself
// and be resumed later, on the same thread.
//
// This is how a request tried on a door's event loop waits for a store read
// it started asynchronously (async_reads.h, Exchange::try_start): its
// handler runs in a fiber; where it needs the read's result it suspends,
// the loop goes on with other work, and when the read completes the fiber
// is resumed where it stopped.  Without a fiber the try is given up with an
// exception and replayed from the start, which costs a throw through the
// whole handler and running it twice.
//
// A fiber is created, run, resumed and destroyed on one thread.  Its
// function must catch every exception it throws.  Stacks are reused from a
// per-thread pool; at most kMaxLive fibers exist at once in the process
// (create() returns nullptr past that, and the caller runs its function
// another way).
//
// Switching: on x86-64 a few instructions of our own (fiber.cpp) save and
// load the callee-saved registers and the stack pointer; glibc's ucontext,
// the fallback elsewhere (or with RGW_FIBER_UCONTEXT defined, or built for
// CET shadow stacks, which only ucontext keeps in step), also saves and
// restores the signal mask, a system call on every switch.
#pragma once

#if defined(__x86_64__) && !defined(RGW_FIBER_UCONTEXT) && !(defined(__CET__) && (__CET__ & 2))
#define RGW_FIBER_SWITCH_ASM 1
#else
#include <ucontext.h>
#endif

#include <cstddef>
#include <functional>
#include <memory>
#include <thread>

namespace rgw {

class Fiber {
 public:
  static constexpr size_t kStackSize = 512 << 10;  // mapped lazily: pages touched cost
  static constexpr size_t kMaxLive = 4096;

  // A fiber that will run fn, or nullptr when no stack can be had.
  static std::unique_ptr<Fiber> create(std::function<void()> fn);
  // A fiber destroyed while suspended is first resumed with cancelled()
  // true, so that whatever suspended it unwinds (the function must then
  // end without suspending again).
  ~Fiber();
  Fiber(const Fiber&) = delete;
  Fiber& operator=(const Fiber&) = delete;

  // Runs the function, or resumes it where it suspended, until it ends
  // (true) or suspends (false).  On the thread that created the fiber.
  bool run();
  bool done() const { return done_; }
  bool cancelled() const { return cancelled_; }

  // In a fiber: back to its run()'s caller; returns when run() is called
  // again (or the fiber is destroyed: check cancelled()).
  static void suspend();
  // The fiber running on this thread; nullptr outside any.
  static Fiber* current();

 private:
  friend struct FiberStart;
  explicit Fiber(std::function<void()> fn, void* stack);
  static void entry(Fiber* f);
  void switch_in();

  std::function<void()> fn_;
  void* stack_;  // kStackSize usable bytes above a guard page
#ifdef RGW_FIBER_SWITCH_ASM
  void* sp_ = nullptr;         // the fiber's stack pointer while it is not running
  void* caller_sp_ = nullptr;  // run()'s caller's while it runs
#else
  ucontext_t ctx_{};
  ucontext_t caller_{};
#endif
  Fiber* outer_ = nullptr;  // the fiber that ran this one, if any
  std::thread::id owner_;
  bool started_ = false;
  bool done_ = false;
  bool cancelled_ = false;
  // AddressSanitizer's bookkeeping of stack switches (unused without it).
  void* fake_stack_ = nullptr;
  const void* caller_bottom_ = nullptr;
  size_t caller_size_ = 0;
};

}  // namespace rgw
