// capi_guard.h - exceptions to C return codes, for the C API's source files.
#pragma once

#include <cerrno>
#include <new>

#include "capi_types.h"
#include "errors.h"

namespace rgw::capi {

// Runs fn, turning an exception into a negative code and recording its
// message for rgw_last_error().
template <typename Fn>
auto guarded_call(Fn&& fn) -> decltype(fn()) {
  try {
    set_last_error("");
    return fn();
  } catch (const rgw::Error& e) {
    set_last_error(e.what());
    return e.code();
  } catch (const std::bad_alloc&) {
    set_last_error("out of memory");
    return -ENOMEM;
  } catch (const std::exception& e) {
    set_last_error(e.what());
    return -EIO;
  }
}

}  // namespace rgw::capi
