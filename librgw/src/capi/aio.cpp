// aio.cpp - the asynchronous form of the C API.
//
// Store calls run on the queue's I/O threads; their completions are handed
// back through an eventfd and run by rgw_aio_queue_run() on the host's own
// thread (an nginx worker's event loop), so host code is never entered from
// an I/O thread.
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "capi/types.h"

#define RGW_API extern "C" __attribute__((visibility("default")))

struct rgw_aio_queue {
  struct Completion {
    rgw_aio_cb cb;
    void* arg;
    int64_t result;
    std::string error;  // rgw_last_error() of a failed call
  };
  struct Job {
    std::function<int64_t()> run;
    rgw_aio_cb cb;
    void* arg;
  };

  rgw_store_t* store = nullptr;
  int efd = -1;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Job> jobs;
  std::deque<Completion> done;
  std::vector<std::thread> threads;
  bool stopping = false;
  // Store reads started by rgw_aio_request_try_start whose completion has
  // not been posted yet (may dip below 0 for a moment: a read can complete
  // before its start is counted); destroy waits for none.
  long reads_in_flight = 0;
  std::condition_variable reads_cv;

  // Under mu: queues a completion for the host's thread; true if the host
  // must be signalled.  The host drains the whole list after reading the
  // eventfd, so one signal per batch is enough (a spurious one is harmless).
  bool push_locked(Completion c) {
    bool was_empty = done.empty();
    done.push_back(std::move(c));
    return was_empty;
  }

  // Hands a completion to the host's thread (called with mu not held).
  void post(Completion c) {
    bool wake;
    {
      std::lock_guard<std::mutex> l(mu);
      wake = push_locked(std::move(c));
    }
    if (wake) signal();
  }

  void signal() {
    uint64_t one = 1;
    ssize_t n;
    do {
      n = ::write(efd, &one, sizeof(one));
    } while (n < 0 && errno == EINTR);
  }

  // A store read started for a try on the loop completed (any thread).
  // The count drops last, under mu with the notification: once destroy sees
  // it at 0 this thread touches the queue no more (not even the eventfd).
  void read_completed(rgw_aio_cb resume, void* arg) {
    post(Completion{resume, arg, 0, std::string()});
    std::lock_guard<std::mutex> l(mu);
    --reads_in_flight;
    reads_cv.notify_all();
  }

  void read_started() {
    std::lock_guard<std::mutex> l(mu);
    ++reads_in_flight;
  }

  void worker() {
    for (;;) {
      Job job;
      {
        std::unique_lock<std::mutex> l(mu);
        cv.wait(l, [&] { return stopping || !jobs.empty(); });
        if (jobs.empty()) return;  // stopping and drained
        job = std::move(jobs.front());
        jobs.pop_front();
      }
      int64_t result = job.run();
      std::string error = result < 0 ? rgw::capi::take_last_error() : std::string();
      post(Completion{job.cb, job.arg, result, std::move(error)});
    }
  }

  int submit(std::function<int64_t()> run, rgw_aio_cb cb, void* arg) {
    if (!cb) return -EINVAL;
    {
      std::lock_guard<std::mutex> l(mu);
      if (stopping) return -ESHUTDOWN;
      jobs.push_back(Job{std::move(run), cb, arg});
    }
    cv.notify_one();
    return 0;
  }
};

namespace {
// rgw_aio_request_try_start's state, and the completion that resumes it.
struct LoopStart;
void resume(int, void* arg);
void destroy_loop_start(void* arg);
}  // namespace

RGW_API int rgw_aio_queue_create(rgw_store_t* store, unsigned threads, rgw_aio_queue_t** out) {
  if (!store || !out || threads > 256) return -EINVAL;
  if (threads == 0) threads = store->default_threads ? store->default_threads : 2;
  auto* q = new (std::nothrow) rgw_aio_queue;
  if (!q) return -ENOMEM;
  q->store = store;
  q->efd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (q->efd < 0) {
    int err = errno;
    delete q;
    return -err;
  }
  try {
    for (unsigned i = 0; i < threads; ++i)
      q->threads.emplace_back([q] {
        // Named, so that top -H, perf and the tests tell them from the
        // host's threads and the store driver's.
        pthread_setname_np(pthread_self(), "rgw-io");
        q->worker();
      });
  } catch (...) {
    rgw_aio_queue_destroy(q);
    return -EAGAIN;
  }
  *out = q;
  return 0;
}

RGW_API int rgw_aio_queue_fd(const rgw_aio_queue_t* q) { return q->efd; }

RGW_API int rgw_aio_queue_run(rgw_aio_queue_t* q) {
  uint64_t counter;
  while (::read(q->efd, &counter, sizeof(counter)) < 0 && errno == EINTR) {
  }
  std::deque<rgw_aio_queue::Completion> ready;
  {
    std::lock_guard<std::mutex> l(q->mu);
    ready.swap(q->done);
  }
  for (const auto& c : ready) {
    // The callback sees the failure's message in rgw_last_error(), as a
    // synchronous caller would.
    rgw::capi::set_last_error(c.error);
    c.cb(static_cast<int>(c.result), c.arg);
  }
  return static_cast<int>(ready.size());
}

RGW_API void rgw_aio_queue_destroy(rgw_aio_queue_t* q) {
  if (!q) return;
  {
    std::lock_guard<std::mutex> l(q->mu);
    q->stopping = true;
  }
  q->cv.notify_all();
  for (auto& t : q->threads) t.join();
  {
    // The store's completions of reads in flight still post here.
    std::unique_lock<std::mutex> l(q->mu);
    q->reads_cv.wait(l, [q] { return q->reads_in_flight <= 0; });
  }
  // Tries that will not resume: their requests are the host's to free.
  for (const auto& c : q->done)
    if (c.cb == &resume) destroy_loop_start(c.arg);
  if (q->efd >= 0) ::close(q->efd);
  delete q;
}

RGW_API int rgw_aio_stat(rgw_aio_queue_t* q, const char* bucket, const char* key,
                         rgw_object_t** out, rgw_aio_cb cb, void* arg) {
  std::string b = bucket ? bucket : "", k = key ? key : "";
  return q->submit(
      [q, b, k, out] { return rgw::capi::object_stat(q->store, b.c_str(), k.c_str(), out); }, cb,
      arg);
}

RGW_API int rgw_aio_reader_open(rgw_aio_queue_t* q, const char* bucket, const char* key,
                                uint64_t offset, int64_t length, rgw_reader_t** out, rgw_aio_cb cb,
                                void* arg) {
  std::string b = bucket ? bucket : "", k = key ? key : "";
  return q->submit(
      [q, b, k, offset, length, out] {
        return rgw::capi::reader_open(q->store, b.c_str(), k.c_str(), offset, length, out);
      },
      cb, arg);
}

RGW_API int rgw_aio_read(rgw_aio_queue_t* q, rgw_reader_t* r, void* buf, size_t len, rgw_aio_cb cb,
                         void* arg) {
  // The callback's result is an int: read at most INT_MAX bytes per call.
  if (len > static_cast<size_t>(INT_MAX)) len = static_cast<size_t>(INT_MAX);
  return q->submit([r, buf, len] { return rgw::capi::reader_read(r, buf, len); }, cb, arg);
}

RGW_API int rgw_aio_writer_open(rgw_aio_queue_t* q, const char* bucket, const char* key,
                                rgw_writer_t** out, rgw_aio_cb cb, void* arg) {
  std::string b = bucket ? bucket : "", k = key ? key : "";
  return q->submit(
      [q, b, k, out] { return rgw::capi::writer_open(q->store, b.c_str(), k.c_str(), out); }, cb,
      arg);
}

RGW_API int rgw_aio_write(rgw_aio_queue_t* q, rgw_writer_t* w, const void* data, size_t len,
                          rgw_aio_cb cb, void* arg) {
  return q->submit([w, data, len] { return rgw::capi::writer_write(w, data, len); }, cb, arg);
}

RGW_API int rgw_aio_commit(rgw_aio_queue_t* q, rgw_writer_t* w, const rgw_attrs_t* attrs,
                           int64_t delete_at, rgw_object_t** info, rgw_aio_cb cb, void* arg) {
  return q->submit(
      [w, attrs, delete_at, info] { return rgw::capi::writer_commit(w, attrs, delete_at, info); },
      cb, arg);
}

RGW_API int rgw_aio_remove(rgw_aio_queue_t* q, const char* bucket, const char* key, rgw_aio_cb cb,
                           void* arg) {
  std::string b = bucket ? bucket : "", k = key ? key : "";
  return q->submit([q, b, k] { return rgw::capi::object_remove(q->store, b.c_str(), k.c_str()); },
                   cb, arg);
}

RGW_API int rgw_aio_request_start(rgw_aio_queue_t* q, rgw_request_t* req, rgw_aio_cb cb,
                                  void* arg) {
  return q->submit([req] { return rgw::capi::request_start(req); }, cb, arg);
}

RGW_API int rgw_aio_request_body(rgw_aio_queue_t* q, rgw_request_t* req, const void* data,
                                 size_t len, rgw_aio_cb cb, void* arg) {
  return q->submit([req, data, len] { return rgw::capi::request_body(req, data, len); }, cb, arg);
}

RGW_API int rgw_aio_request_body_end(rgw_aio_queue_t* q, rgw_request_t* req, rgw_aio_cb cb,
                                     void* arg) {
  return q->submit([req] { return rgw::capi::request_body_end(req); }, cb, arg);
}

RGW_API int rgw_aio_request_body_last(rgw_aio_queue_t* q, rgw_request_t* req, const void* data,
                                      size_t len, rgw_aio_cb cb, void* arg) {
  return q->submit([req, data, len] { return rgw::capi::request_body_last(req, data, len); }, cb,
                   arg);
}

RGW_API int rgw_aio_request_start_body(rgw_aio_queue_t* q, rgw_request_t* req, const void* data,
                                       size_t len, rgw_aio_cb cb, void* arg) {
  return q->submit([req, data, len] { return rgw::capi::request_start_body(req, data, len); }, cb,
                   arg);
}

RGW_API int rgw_aio_response_read(rgw_aio_queue_t* q, rgw_request_t* req, void* buf, size_t len,
                                  rgw_aio_cb cb, void* arg) {
  if (len > static_cast<size_t>(INT_MAX)) len = static_cast<size_t>(INT_MAX);
  return q->submit([req, buf, len] { return rgw::capi::response_read(req, buf, len); }, cb, arg);
}

namespace {

// A request tried on the host's thread by rgw_aio_request_try_start (or
// _try_start_body), while the store reads or writes for it.
struct LoopStart {
  rgw_aio_queue_t* q;
  rgw_request_t* req;
  rgw_aio_cb cb;
  void* arg;
  // rgw_aio_request_try_start_body: the whole body, valid until cb.
  bool with_body = false;
  const void* data = nullptr;
  size_t len = 0;

  // The try again (its fiber resumes), once the store answered.
  int retry() const {
    return with_body ? rgw::capi::request_try_start_body_async(req, data, len, nullptr)
                     : rgw::capi::request_try_start_async(req, nullptr);
  }
  // The whole start on an I/O thread, for a try that would have waited.
  int to_io_thread() const {
    rgw_request_t* r = req;
    if (!with_body) return q->submit([r] { return rgw::capi::request_start(r); }, cb, arg);
    const void* d = data;
    const size_t n = len;
    return q->submit([r, d, n] { return rgw::capi::request_start_body(r, d, n); }, cb, arg);
  }
};

// After the try: done, suspended for the store, or off to an I/O thread.
// Returns what rgw_aio_request_try_start returns; owns `ls` (frees it unless
// the try is suspended).
int settle(LoopStart* ls, int rc) {
  if (rc == -EINPROGRESS) {
    ls->q->read_started();
    return rc;
  }
  const LoopStart done = *ls;
  delete ls;
  if (rc != -EWOULDBLOCK) return rc;
  rc = done.to_io_thread();
  return rc < 0 ? rc : -EINPROGRESS;
}

void destroy_loop_start(void* arg) { delete static_cast<LoopStart*>(arg); }

// The store's read completed: try again, on the host's thread.
void resume(int, void* arg) {
  auto* ls = static_cast<LoopStart*>(arg);
  rgw_aio_cb cb = ls->cb;
  void* cb_arg = ls->arg;
  int rc = settle(ls, ls->retry());
  if (rc != -EINPROGRESS) cb(rc, cb_arg);
}

}  // namespace

RGW_API int rgw_aio_request_try_start(rgw_aio_queue_t* q, rgw_request_t* req, rgw_aio_cb cb,
                                      void* arg) {
  if (!q || !req || !cb) return -EINVAL;
  auto* ls = new (std::nothrow) LoopStart{q, req, cb, arg};
  if (!ls) return -ENOMEM;
  int rc = rgw::capi::request_try_start_async(req, [q, ls] { q->read_completed(resume, ls); });
  return settle(ls, rc);
}

RGW_API int rgw_aio_request_try_start_body(rgw_aio_queue_t* q, rgw_request_t* req, const void* data,
                                           size_t len, rgw_aio_cb cb, void* arg) {
  if (!q || !req || !cb || (!data && len)) return -EINVAL;
  auto* ls = new (std::nothrow) LoopStart{q, req, cb, arg, true, data, len};
  if (!ls) return -ENOMEM;
  int rc = rgw::capi::request_try_start_body_async(req, data, len,
                                                   [q, ls] { q->read_completed(resume, ls); });
  return settle(ls, rc);
}
