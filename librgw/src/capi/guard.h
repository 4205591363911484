// guard.h - exceptions to C return codes, and the small conversions every
// file of the C API needs.
#pragma once

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <new>
#include <string>
#include <vector>

#include "capi/types.h"
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

// A C string argument (NULL as "").
inline std::string str(const char* s) { return s ? std::string(s) : std::string(); }

// Fails with -EINVAL unless every pointer given is non-NULL.
template <typename... P>
void need(const char* what, const P*... ptrs) {
  if (((ptrs == nullptr) || ...)) fail(-EINVAL, std::string(what) + ": NULL argument");
}

// Copies value, NUL-terminated, into buf (NULL: nothing); -ERANGE if it does
// not fit.
inline void copy_out(const std::string& value, char* buf, size_t size) {
  if (!buf) return;
  if (value.size() + 1 > size) fail(-ERANGE, "buffer too small");
  std::memcpy(buf, value.c_str(), value.size() + 1);
}

// A NULL-terminated malloc'd array of malloc'd copies (rgw_free_strings()).
char** strings_out(const std::vector<std::string>& values);

// The i-th entry of an attribute map: 0, or -ERANGE past the end.
inline int attr_at(const Attrs& attrs, size_t i, const char** name, const char** value) {
  if (i >= attrs.size()) return -ERANGE;
  auto it = attrs.begin();
  std::advance(it, static_cast<long>(i));
  if (name) *name = it->first.c_str();
  if (value) *value = it->second.c_str();
  return 0;
}

// The value of one attribute, or NULL.
inline const char* attr_get(const Attrs& attrs, const char* name) {
  if (!name) return nullptr;
  auto it = attrs.find(name);
  return it == attrs.end() ? nullptr : it->second.c_str();
}

// Lower-cases an attribute name, as every attribute map stores it.
inline std::string attr_name(const char* name) {
  std::string n = str(name);
  for (auto& c : n) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return n;
}

}  // namespace rgw::capi
