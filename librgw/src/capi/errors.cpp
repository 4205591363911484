// errors.cpp - error names, the per-thread last error message, and the
// library's version.
#include <cstring>
#include <string>

#include "capi/guard.h"

namespace {

thread_local std::string last_error;

#define RGW_STRINGIFY_(x)            #x
#define RGW_VERSION_STRING_(a, b, c) RGW_STRINGIFY_(a) "." RGW_STRINGIFY_(b) "." RGW_STRINGIFY_(c)

}  // namespace

namespace rgw::capi {
std::string take_last_error() { return last_error; }
void set_last_error(const std::string& message) { last_error = message; }

char** strings_out(const std::vector<std::string>& values) {
  char** arr = static_cast<char**>(calloc(values.size() + 1, sizeof(char*)));
  if (!arr) throw std::bad_alloc();
  for (size_t i = 0; i < values.size(); ++i) {
    arr[i] = strdup(values[i].c_str());
    if (!arr[i]) {
      rgw_free_strings(arr);
      throw std::bad_alloc();
    }
  }
  return arr;
}
}  // namespace rgw::capi

RGW_API const char* rgw_strerror(int code) {
  switch (code) {
    case RGW_OK: return "OK";
#define RGW_ERROR_NAME_CASE_(name, value, short_name, kind, meaning) \
  case RGW_ERR_##name: return short_name;
      RGW_ERROR_LIST(RGW_ERROR_NAME_CASE_)
#undef RGW_ERROR_NAME_CASE_
    default: break;
  }
  if (code < 0 && code > -4096) {
    const char* name = strerrorname_np(-code);
    if (name) return name;
  }
  return "UnknownError";
}

RGW_API const char* rgw_last_error(void) { return last_error.c_str(); }

constexpr bool same_text(const char* a, const char* b) {
  return *a == *b && (*a == '\0' || same_text(a + 1, b + 1));
}
static_assert(same_text(LIBRGW_VERSION_STRING,
                        RGW_VERSION_STRING_(LIBRGW_VERSION_MAJOR, LIBRGW_VERSION_MINOR,
                                            LIBRGW_VERSION_PATCH)),
              "LIBRGW_VERSION_STRING must spell LIBRGW_VERSION_MAJOR.MINOR.PATCH");

RGW_API const char* rgw_version(void) { return LIBRGW_VERSION_STRING; }

RGW_API int rgw_version_code(void) { return LIBRGW_VERSION_CODE; }

RGW_API void rgw_free_strings(char** strings) {
  if (!strings) return;
  for (char** p = strings; *p; ++p) free(*p);
  free(strings);
}
