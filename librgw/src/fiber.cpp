// fiber.cpp - see fiber.h.  Contexts are glibc's ucontext; stacks are
// anonymous mappings with a guard page below, reused per thread.
#include "fiber.h"

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#define RGW_FIBER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RGW_FIBER_ASAN 1
#endif
#endif
#ifdef RGW_FIBER_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

namespace rgw {

namespace {

thread_local Fiber* t_current = nullptr;
std::atomic<size_t> g_live{0};

size_t page_size() {
  static const size_t size = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  return size;
}

// Stacks this thread freed, kept for its next fibers (a few: a loop serves
// many requests one after the other).
struct StackPool {
  static constexpr size_t kKeep = 64;
  std::vector<void*> free;
  ~StackPool() {
    for (void* base : free) ::munmap(base, page_size() + Fiber::kStackSize);
  }
};
thread_local StackPool t_pool;

// The usable bottom of a new or pooled stack (nullptr if none can be had).
void* take_stack() {
  if (g_live.fetch_add(1) >= Fiber::kMaxLive) {
    g_live.fetch_sub(1);
    return nullptr;
  }
  const size_t guard = page_size();
  if (!t_pool.free.empty()) {
    void* base = t_pool.free.back();
    t_pool.free.pop_back();
    return static_cast<char*>(base) + guard;
  }
  void* base = ::mmap(nullptr, guard + Fiber::kStackSize, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (base == MAP_FAILED) {
    g_live.fetch_sub(1);
    return nullptr;
  }
  if (::mprotect(base, guard, PROT_NONE) != 0) {  // an overflow faults, never corrupts
    ::munmap(base, guard + Fiber::kStackSize);
    g_live.fetch_sub(1);
    return nullptr;
  }
  return static_cast<char*>(base) + guard;
}

void give_stack(void* stack) {
  void* base = static_cast<char*>(stack) - page_size();
  if (t_pool.free.size() < StackPool::kKeep) {
    t_pool.free.push_back(base);
  } else {
    ::munmap(base, page_size() + Fiber::kStackSize);
  }
  g_live.fetch_sub(1);
}

// AddressSanitizer must be told of every switch of stacks, or it takes the
// fiber's frames for overflows of the thread's stack.
inline void start_switch(void** fake_stack, const void* bottom, size_t size) {
#ifdef RGW_FIBER_ASAN
  __sanitizer_start_switch_fiber(fake_stack, bottom, size);
#else
  (void)fake_stack;
  (void)bottom;
  (void)size;
#endif
}

inline void finish_switch(void* fake_stack, const void** bottom_old, size_t* size_old) {
#ifdef RGW_FIBER_ASAN
  __sanitizer_finish_switch_fiber(fake_stack, bottom_old, size_old);
#else
  (void)fake_stack;
  (void)bottom_old;
  (void)size_old;
#endif
}

}  // namespace

Fiber::Fiber(std::function<void()> fn, void* stack)
    : fn_(std::move(fn)), stack_(stack), owner_(std::this_thread::get_id()) {}

std::unique_ptr<Fiber> Fiber::create(std::function<void()> fn) {
  void* stack = take_stack();
  if (!stack) return nullptr;
  std::unique_ptr<Fiber> f(new (std::nothrow) Fiber(std::move(fn), stack));
  if (!f) {
    give_stack(stack);
    return nullptr;
  }
  if (::getcontext(&f->ctx_) != 0) return nullptr;  // the destructor gives the stack back
  f->ctx_.uc_stack.ss_sp = stack;
  f->ctx_.uc_stack.ss_size = kStackSize;
  f->ctx_.uc_link = &f->caller_;  // where the function's end returns to
  const auto p = reinterpret_cast<uintptr_t>(f.get());
  ::makecontext(&f->ctx_, reinterpret_cast<void (*)()>(&Fiber::entry), 2,
                static_cast<unsigned>(p >> 32), static_cast<unsigned>(p & 0xffffffffu));
  return f;
}

Fiber::~Fiber() {
  if (started_ && !done_) {
    if (owner_ != std::this_thread::get_id()) {
      // Its frames cannot be unwound on this thread: keep the stack (and
      // what its frames hold) rather than free memory still in use.
      return;
    }
    cancelled_ = true;
    run();
    if (!done_) std::abort();  // a cancelled function suspended again
  }
  give_stack(stack_);
}

Fiber* Fiber::current() { return t_current; }

void Fiber::entry(unsigned hi, unsigned lo) {
  auto* f = reinterpret_cast<Fiber*>((static_cast<uintptr_t>(hi) << 32) | lo);
  finish_switch(nullptr, &f->caller_bottom_, &f->caller_size_);
  try {
    f->fn_();
  } catch (...) {
    std::terminate();  // fiber.h: the function catches its own
  }
  f->done_ = true;
  t_current = f->outer_;
  // The fiber's stack dies: no fake stack to keep.  uc_link returns to run().
  start_switch(nullptr, f->caller_bottom_, f->caller_size_);
}

void Fiber::switch_in() {
  outer_ = t_current;
  t_current = this;
  void* fake = nullptr;
  start_switch(&fake, stack_, kStackSize);
  ::swapcontext(&caller_, &ctx_);
  finish_switch(fake, nullptr, nullptr);
}

bool Fiber::run() {
  if (done_) return true;
  if (owner_ != std::this_thread::get_id()) std::abort();  // fiber.h: one thread
  started_ = true;
  switch_in();
  return done_;
}

void Fiber::suspend() {
  Fiber* f = t_current;
  if (!f) std::abort();
  t_current = f->outer_;
  start_switch(&f->fake_stack_, f->caller_bottom_, f->caller_size_);
  ::swapcontext(&f->ctx_, &f->caller_);
  finish_switch(f->fake_stack_, &f->caller_bottom_, &f->caller_size_);
}

}  // namespace rgw
