// test_fiber.cpp - fibers (fiber.h) and the suspension of a no-wait try for
// an asynchronous read (async_reads.h): run to the end, suspend and resume,
// exceptions thrown and caught inside, a fiber destroyed while suspended
// (its frames unwound), the thread's no-wait state kept out of a suspended
// try, and the replay without a fiber.  Also run under ASan/UBSan by make
// test-sanitize (which checks the stack-switch annotations).
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "async_reads.h"
#include "check.hpp"
#include "errors.h"
#include "fiber.h"
#include "util.h"

using namespace rgw;

namespace {

void test_runs_to_the_end() {
  int ran = 0;
  auto f = Fiber::create([&] {
    CHECK(Fiber::current() != nullptr);
    ++ran;
  });
  CHECK(f != nullptr);
  CHECK(Fiber::current() == nullptr);
  CHECK(f->run());
  CHECK(f->done());
  CHECK_EQ(ran, 1);
  CHECK(f->run());  // an ended fiber stays ended
  CHECK_EQ(ran, 1);
  CHECK(Fiber::current() == nullptr);
}

void test_suspends_and_resumes() {
  std::vector<int> seen;
  auto f = Fiber::create([&] {
    std::string local = "kept across suspensions";  // on the fiber's stack
    for (int i = 0; i < 3; i++) {
      seen.push_back(i);
      Fiber::suspend();
      CHECK(Fiber::current() != nullptr);
    }
    CHECK(local == "kept across suspensions");
    seen.push_back(99);
  });
  for (int i = 0; i < 3; i++) {
    CHECK(!f->run());
    CHECK(Fiber::current() == nullptr);
    CHECK_EQ(seen.size(), static_cast<size_t>(i + 1));
  }
  CHECK(f->run());
  CHECK_EQ(seen.back(), 99);
}

void test_exceptions_inside() {
  int caught = 0;
  auto f = Fiber::create([&] {
    try {
      Fiber::suspend();
      fail(-EIO, "thrown in the fiber");
    } catch (const Error& e) {
      caught = e.code();
    }
  });
  CHECK(!f->run());
  // an exception thrown and caught on the thread's own stack meanwhile
  try {
    fail(-ENOENT, "thrown outside");
  } catch (const Error& e) {
    CHECK_EQ(e.code(), -ENOENT);
  }
  CHECK(f->run());
  CHECK_EQ(caught, -EIO);
}

struct Guard {
  int* count;
  ~Guard() { ++*count; }
};

void test_destroyed_while_suspended() {
  int unwound = 0;
  bool cancelled_seen = false;
  {
    auto f = Fiber::create([&] {
      Guard g{&unwound};
      Fiber::suspend();
      Fiber* self = Fiber::current();
      cancelled_seen = self && self->cancelled();
      if (cancelled_seen) return;  // unwinds g
      CHECK(false);
    });
    CHECK(!f->run());
    CHECK_EQ(unwound, 0);
  }
  CHECK(cancelled_seen);
  CHECK_EQ(unwound, 1);
  // a fiber never run is destroyed without running
  int ran = 0;
  {
    auto f = Fiber::create([&] { ++ran; });
  }
  CHECK_EQ(ran, 0);
}

void test_nested() {
  std::string order;
  std::unique_ptr<Fiber> outer;
  outer = Fiber::create([&] {
    auto inner = Fiber::create([&] {
      order += "i";
      Fiber::suspend();  // back to the outer fiber, not the thread
      order += "j";
    });
    CHECK(!inner->run());
    CHECK(Fiber::current() == outer.get());
    order += "o";
    Fiber::suspend();
    CHECK(inner->run());
    order += "p";
  });
  CHECK(!outer->run());
  CHECK_EQ(order, std::string("io"));
  CHECK(outer->run());
  CHECK_EQ(order, std::string("iojp"));
}

void test_many_stacks() {
  // Each suspended fiber keeps its own stack; then all of them end.
  std::vector<std::unique_ptr<Fiber>> fibers;
  int ended = 0;
  for (int i = 0; i < 200; i++) {
    auto f = Fiber::create([&ended, i] {
      char deep[16 << 10];  // a frame of some size on every stack
      std::memset(deep, i & 0xff, sizeof deep);
      Fiber::suspend();
      if (deep[sizeof deep - 1] == static_cast<char>(i & 0xff)) ++ended;
    });
    CHECK(f != nullptr);
    CHECK(!f->run());
    fibers.push_back(std::move(f));
  }
  for (auto& f : fibers) CHECK(f->run());
  CHECK_EQ(ended, 200);
}

void test_limit() {
  // Past kMaxLive fibers at once there is none to be had (the caller then
  // replays); one freed makes room again.
  std::vector<std::unique_ptr<Fiber>> fibers;
  for (size_t i = 0; i < Fiber::kMaxLive; i++) {
    auto f = Fiber::create([] {});
    if (!f) break;
    fibers.push_back(std::move(f));
  }
  CHECK_EQ(fibers.size(), Fiber::kMaxLive);
  CHECK(Fiber::create([] {}) == nullptr);
  fibers.pop_back();
  auto again = Fiber::create([] {});
  CHECK(again != nullptr);
  CHECK(again && again->run());
}

// A read the test completes by hand.
struct FakeRead : AsyncRead {
  int value = 0;
};

void test_async_read_suspends_the_try() {
  int ready = 0;
  AsyncReads reads([&] { ++ready; });
  int result = 0;
  bool waited_outside = true;
  auto f = Fiber::create([&] {
    NoWaitScope try_scope;
    AsyncReadsScope scope(&reads);
    reads.add("k", std::make_unique<FakeRead>());
    wait_for_async_read("the fake read");
    // resumed: the thread's state is the try's again
    CHECK(no_wait());
    CHECK(async_reads() == &reads);
    CHECK(!reads.started());
    if (AsyncRead* r = reads.find("k")) result = static_cast<FakeRead*>(r)->value;
    waited_outside = try_scope.would_have_waited();
  });
  CHECK(!f->run());
  // suspended: the thread is not in no-wait mode, and has no reads
  CHECK(!no_wait());
  CHECK(async_reads() == nullptr);
  CHECK(reads.started());
  static_cast<FakeRead*>(reads.find("k"))->value = 42;
  reads.completed();
  CHECK_EQ(ready, 1);
  CHECK(f->run());
  CHECK_EQ(result, 42);
  CHECK(!waited_outside);
}

void test_cancelled_read_throws() {
  AsyncReads reads([] {});
  int code = 0;
  {
    auto f = Fiber::create([&] {
      NoWaitScope try_scope;
      AsyncReadsScope scope(&reads);
      reads.add("k", std::make_unique<FakeRead>());
      try {
        wait_for_async_read("the fake read");
      } catch (const Error& e) {
        code = e.code();
      }
    });
    CHECK(!f->run());
  }
  CHECK_EQ(code, -ECANCELED);
  CHECK(!no_wait());
}

void test_replay_without_fiber() {
  // Outside a fiber the try is given up ("would wait"), as before.
  AsyncReads reads([] {});
  NoWaitScope try_scope;
  AsyncReadsScope scope(&reads);
  reads.add("k", std::make_unique<FakeRead>());
  CHECK_THROWS(wait_for_async_read("the fake read"), -EWOULDBLOCK);
  CHECK(try_scope.would_have_waited());
  CHECK(reads.started());
}

}  // namespace

int main() {
  test_runs_to_the_end();
  test_suspends_and_resumes();
  test_exceptions_inside();
  test_destroyed_while_suspended();
  test_nested();
  test_many_stacks();
  test_limit();
  test_async_read_suspends_the_try();
  test_cancelled_read_throws();
  test_replay_without_fiber();
  return check::report();
}
