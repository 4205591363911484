// fiber.cpp - see fiber.h.  Contexts are switched by rgw_fiber_switch on
// x86-64 (below), else by glibc's ucontext; stacks are anonymous mappings
// with a guard page below, reused per thread.
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

#ifdef RGW_FIBER_SWITCH_ASM
// rgw_fiber_switch(save, load): pushes the callee-saved registers (System V
// x86-64: rbp, rbx, r12-r15) and the SSE and x87 control words, stores the
// stack pointer in *save, loads `load` as the stack pointer and pops what
// the switch that saved it pushed.  The signal mask is left alone (the
// system call that ucontext makes for it on every switch is the point).
// rgw_fiber_start is where a new fiber's first switch "returns" to: its
// Fiber is in r12 (create() lays out that first frame), and it never
// returns (no caller frame: unwinders stop here).
extern "C" {
void rgw_fiber_switch(void** save, void* load) __attribute__((visibility("hidden")));
void rgw_fiber_start() __attribute__((visibility("hidden")));
void rgw_fiber_main(void* fiber) __attribute__((visibility("hidden"), noreturn));
}
asm(R"(
        .text
        .globl rgw_fiber_switch
        .hidden rgw_fiber_switch
        .type rgw_fiber_switch, @function
        .p2align 4
rgw_fiber_switch:
        pushq %rbp
        pushq %rbx
        pushq %r12
        pushq %r13
        pushq %r14
        pushq %r15
        subq $8, %rsp
        stmxcsr (%rsp)
        fnstcw 4(%rsp)
        movq %rsp, (%rdi)
        movq %rsi, %rsp
        ldmxcsr (%rsp)
        fldcw 4(%rsp)
        addq $8, %rsp
        popq %r15
        popq %r14
        popq %r13
        popq %r12
        popq %rbx
        popq %rbp
        ret
        .size rgw_fiber_switch, .-rgw_fiber_switch

        .globl rgw_fiber_start
        .hidden rgw_fiber_start
        .type rgw_fiber_start, @function
        .p2align 4
rgw_fiber_start:
        .cfi_startproc
        .cfi_undefined rip
        movq %r12, %rdi
        call rgw_fiber_main
        ud2
        .cfi_endproc
        .size rgw_fiber_start, .-rgw_fiber_start
)");
#endif

namespace rgw {

// The C entry of a new fiber's stack (rgw_fiber_start calls it).
struct FiberStart {
  static void main(Fiber* f) { Fiber::entry(f); }
};

namespace {

#ifndef RGW_FIBER_SWITCH_ASM
// makecontext passes ints: the Fiber's address in two halves.
void ucontext_entry(unsigned hi, unsigned lo) {
  FiberStart::main(reinterpret_cast<Fiber*>((static_cast<uintptr_t>(hi) << 32) | lo));
}
#endif

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
#ifdef RGW_FIBER_SWITCH_ASM
  // The frame rgw_fiber_switch pops on the first switch in, at the top of
  // the stack (16-byte aligned): the control words (this thread's), six
  // registers (r12 = the fiber), and rgw_fiber_start as the return address,
  // placed so that the stack is 16-byte aligned again at its call.
  uint32_t mxcsr = 0;
  uint16_t fpu_cw = 0;
  asm volatile("stmxcsr %0" : "=m"(mxcsr));
  asm volatile("fnstcw %0" : "=m"(fpu_cw));
  auto* ret = reinterpret_cast<uint64_t*>(static_cast<char*>(stack) + kStackSize - 24);
  uint64_t* sp = ret - 7;
  sp[0] = mxcsr | (static_cast<uint64_t>(fpu_cw) << 32);
  sp[1] = sp[2] = sp[3] = 0;                     // r15, r14, r13
  sp[4] = reinterpret_cast<uintptr_t>(f.get());  // r12
  sp[5] = sp[6] = 0;                             // rbx, rbp
  *ret = reinterpret_cast<uintptr_t>(&rgw_fiber_start);
  f->sp_ = sp;
#else
  if (::getcontext(&f->ctx_) != 0) return nullptr;  // the destructor gives the stack back
  f->ctx_.uc_stack.ss_sp = stack;
  f->ctx_.uc_stack.ss_size = kStackSize;
  f->ctx_.uc_link = &f->caller_;  // where the function's end returns to
  const auto p = reinterpret_cast<uintptr_t>(f.get());
  ::makecontext(&f->ctx_, reinterpret_cast<void (*)()>(&ucontext_entry), 2,
                static_cast<unsigned>(p >> 32), static_cast<unsigned>(p & 0xffffffffu));
#endif
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

void Fiber::entry(Fiber* f) {
  finish_switch(nullptr, &f->caller_bottom_, &f->caller_size_);
  try {
    f->fn_();
  } catch (...) {
    std::terminate();  // fiber.h: the function catches its own
  }
  f->done_ = true;
  t_current = f->outer_;
  // The fiber's stack dies: no fake stack to keep.
  start_switch(nullptr, f->caller_bottom_, f->caller_size_);
#ifdef RGW_FIBER_SWITCH_ASM
  rgw_fiber_switch(&f->sp_, f->caller_sp_);  // never switched back to
#endif
  // (ucontext: uc_link returns to run().)
}

void Fiber::switch_in() {
  outer_ = t_current;
  t_current = this;
  void* fake = nullptr;
  start_switch(&fake, stack_, kStackSize);
#ifdef RGW_FIBER_SWITCH_ASM
  rgw_fiber_switch(&caller_sp_, sp_);
#else
  ::swapcontext(&caller_, &ctx_);
#endif
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
#ifdef RGW_FIBER_SWITCH_ASM
  rgw_fiber_switch(&f->sp_, f->caller_sp_);
#else
  ::swapcontext(&f->ctx_, &f->caller_);
#endif
  finish_switch(f->fake_stack_, &f->caller_bottom_, &f->caller_size_);
}

}  // namespace rgw

#ifdef RGW_FIBER_SWITCH_ASM
extern "C" void rgw_fiber_main(void* fiber) {
  rgw::FiberStart::main(static_cast<rgw::Fiber*>(fiber));
  __builtin_unreachable();  // entry() switched away for good
}
#endif
