// swift_error.h - a Swift error response: a status and a short body.
//
// Everything in the Swift layer that refuses a request throws http::Error
// through throw_swift(); the Swift handler renders it as Swift's proxy does:
// the status, Content-Type text/html; charset=UTF-8, and the message given
// or, without one, the proxy's standard page for the status
// ("<html><h1>Not Found</h1><p>The resource could not be found.</p></html>").
#pragma once

#include <exception>
#include <string>

namespace rgw::swift {

[[noreturn]] void throw_swift(int status, const std::string& message = "");

struct Failure {
  int status;
  std::string body;  // never empty
};

// What a thrown exception answers: http::Error as thrown, rgw::Error
// (the core's codes) as Swift answers the same condition, anything else 500.
Failure to_failure(const std::exception_ptr& what) noexcept;

}  // namespace rgw::swift
