// errors.h - typed errors of the librgw core.
//
// Inside the core every failure is a rgw::Error carrying one of the public
// negative codes from <librgw/librgw.h> (RGW_ERR_* or a negative errno) and a
// human-readable message.  The C API converts it to its return value.
#pragma once

#include <stdexcept>
#include <string>

#include "librgw/librgw.h"

namespace rgw {

class Error : public std::runtime_error {
 public:
  Error(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

[[noreturn]] inline void fail(int code, const std::string& message) { throw Error(code, message); }

// Throws Error(-errno_value) with "what: strerror" as message.
[[noreturn]] void fail_errno(int errno_value, const std::string& what);

}  // namespace rgw
