// swift_error.cpp - Swift's error statuses and bodies.
#include "swift/swift_error.h"

#include <cerrno>
#include <new>

#include "errors.h"
#include "http/error.h"

namespace rgw::swift {

namespace {

// The proxy's own pages (swob's status table), for errors without a message.
std::string standard_body(int status) {
  const char* title = "Error";
  const char* text = "";
  switch (status) {
    case 400:
      title = "Bad Request";
      text =
          "The server could not comply with the request since it is either malformed or "
          "otherwise incorrect.";
      break;
    case 401:
      title = "Unauthorized";
      text =
          "This server could not verify that you are authorized to access the document you "
          "requested.";
      break;
    case 403: title = "Forbidden", text = "Access was denied to this resource."; break;
    case 404: title = "Not Found", text = "The resource could not be found."; break;
    case 405:
      title = "Method Not Allowed";
      text = "The method is not allowed for this resource.";
      break;
    case 409:
      title = "Conflict";
      text = "There was a conflict when trying to complete your request.";
      break;
    case 411: title = "Length Required", text = "Length Required"; break;
    case 412:
      title = "Precondition Failed";
      text = "A precondition for this request was not met.";
      break;
    case 413:
      title = "Request Entity Too Large";
      text = "The body of your request was too large for this server.";
      break;
    case 416:
      title = "Requested Range Not Satisfiable";
      text = "The Range requested is not available.";
      break;
    case 422:
      title = "Unprocessable Entity";
      text = "Unable to process the contained instruction";
      break;
    case 499:
      title = "Client Disconnect", text = "The client was disconnected during request.";
      break;
    case 501:
      title = "Not Implemented";
      text = "The server does not implement the requested method.";
      break;
    case 503:
      title = "Service Unavailable";
      text = "The server is currently unavailable. Please try again at a later time.";
      break;
    case 507:
      title = "Insufficient Storage";
      text = "There was not enough space to save the resource.";
      break;
    default:
      title = "Internal Error";
      text = "The server has either erred or is incapable of performing the requested operation.";
      status = 500;
  }
  return std::string("<html><h1>") + title + "</h1><p>" + text + "</p></html>";
}

Failure from_core(const Error& e) {
  switch (e.code()) {
    case RGW_ERR_NO_SUCH_BUCKET:
    case RGW_ERR_NO_SUCH_KEY:
    case RGW_ERR_NO_SUCH_VERSION:
    case RGW_ERR_NO_SUCH_UPLOAD:
    case RGW_ERR_NO_SUCH_USER: return {404, standard_body(404)};
    case RGW_ERR_BUCKET_NOT_EMPTY: return {409, standard_body(409)};
    case RGW_ERR_BUCKET_EXISTS:
      return {409, "Container name is taken: the namespace of containers is shared"};
    case RGW_ERR_INVALID_BUCKET_NAME:
      return {400, std::string("Invalid container name: ") + e.what()};
    case RGW_ERR_INVALID_KEY: return {400, std::string("Invalid object name: ") + e.what()};
    case RGW_ERR_INVALID_RANGE: return {416, standard_body(416)};
    case RGW_ERR_INVALID_ARGUMENT: return {400, e.what()};
    case RGW_ERR_CONFLICT: return {409, standard_body(409)};
    case RGW_ERR_PRECONDITION_FAILED: return {412, standard_body(412)};
    case -ENOTSUP: return {501, standard_body(501)};
    case -ETIMEDOUT:
    case -EAGAIN: return {503, standard_body(503)};
    case -ENOSPC:
    case -EDQUOT: return {507, standard_body(507)};
    default: return {500, standard_body(500)};
  }
}

}  // namespace

void throw_swift(int status, const std::string& message) { throw http::Error(status, "", message); }

Failure to_failure(const std::exception_ptr& what) noexcept {
  try {
    try {
      std::rethrow_exception(what);
    } catch (const http::Error& e) {
      std::string message = e.what();
      return {e.status(), message.empty() ? standard_body(e.status()) : message};
    } catch (const Error& e) {
      return from_core(e);
    } catch (const std::bad_alloc&) {
      return {503, standard_body(503)};
    } catch (...) {
      return {500, standard_body(500)};
    }
  } catch (...) {
    return {500, "<html><h1>Internal Error</h1></html>"};
  }
}

}  // namespace rgw::swift
