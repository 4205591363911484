// check.hpp - the assertion macros of the C++ core-level tests (counted, not
// fatal), as check.h is for the C tests: CHECK(cond), CHECK_EQ(a, b) (both
// values printed when they differ), CHECK_THROWS(expr, code) (an rgw::Error
// with that code; 0: any), and check::report() for main's exit status.
#pragma once

#include <cstdio>
#include <exception>
#include <functional>
#include <string>

#include "errors.h"

namespace check {

inline int failures = 0;
inline int checks = 0;

// How CHECK_EQ prints a value: strings quoted, bytes that are not printable
// ASCII as \xNN (records are binary).
inline std::string show(const std::string& s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out + "\"";
}
inline std::string show(const char* s) { return show(std::string(s)); }
inline std::string show(bool v) { return v ? "true" : "false"; }
template <typename T>
std::string show(T v) {
  return std::to_string(v);
}

inline void failed(const char* file, int line, const std::string& what) {
  ++failures;
  std::fprintf(stderr, "%s:%d: %s\n", file, line, what.c_str());
}

// Runs f; it must throw rgw::Error with this code (0: any code).
inline bool throws(const std::function<void()>& f, int code, const char* file, int line,
                   const char* text) {
  ++checks;
  try {
    f();
  } catch (const rgw::Error& e) {
    if (code == 0 || e.code() == code) return true;
    failed(file, line,
           std::string(text) + " threw rgw::Error " + std::to_string(e.code()) + " (" + e.what() +
               "), expected " + std::to_string(code));
    return false;
  } catch (const std::exception& e) {
    failed(
        file, line,
        std::string(text) + " threw " + e.what() + ", expected rgw::Error " + std::to_string(code));
    return false;
  }
  failed(file, line,
         std::string(text) + " did not throw, expected rgw::Error " + std::to_string(code));
  return false;
}

// Prints the tally; main's exit status.
inline int report() {
  std::printf("%d checks, %d failed\n", checks, failures);
  return failures ? 1 : 0;
}

}  // namespace check

#define CHECK(cond)                                                         \
  do {                                                                      \
    ++check::checks;                                                        \
    if (!(cond)) check::failed(__FILE__, __LINE__, "check failed: " #cond); \
  } while (0)

#define CHECK_EQ(a, b)                                                                     \
  do {                                                                                     \
    ++check::checks;                                                                       \
    auto va_ = (a);                                                                        \
    auto vb_ = (b);                                                                        \
    if (!(va_ == vb_))                                                                     \
      check::failed(__FILE__, __LINE__,                                                    \
                    "CHECK_EQ failed: " #a " == " #b "\n  got:      " + check::show(va_) + \
                        "\n  expected: " + check::show(vb_));                              \
  } while (0)

#define CHECK_THROWS(expr, code) check::throws([&] { expr; }, code, __FILE__, __LINE__, #expr)
