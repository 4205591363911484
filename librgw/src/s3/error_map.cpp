// error_map.cpp - which S3 error each core error code becomes.
#include "s3/error_map.h"

#include <cerrno>
#include <new>

#include "errors.h"

namespace rgw::s3 {

namespace {

S3Error from_core(const Error& e) {
  switch (e.code()) {
    case RGW_ERR_NO_SUCH_BUCKET:
      return S3Error(404, "NoSuchBucket", "The specified bucket does not exist.");
    case RGW_ERR_NO_SUCH_KEY: return S3Error(404, "NoSuchKey", "The specified key does not exist.");
    case RGW_ERR_PRECONDITION_FAILED:
      return S3Error(412, "PreconditionFailed",
                     "At least one of the pre-conditions you specified did not hold");
    case RGW_ERR_NO_SUCH_VERSION:
      return S3Error(404, "NoSuchVersion", "The specified version does not exist.");
    case RGW_ERR_NO_SUCH_UPLOAD:
      return S3Error(404, "NoSuchUpload",
                     "The specified upload does not exist. The upload ID may be invalid, or the "
                     "upload may have been aborted or completed.");
    case RGW_ERR_INVALID_PART:
      return S3Error(400, "InvalidPart",
                     "One or more of the specified parts could not be found. The part may not "
                     "have been uploaded, or the specified entity tag may not match the part's "
                     "entity tag.");
    case RGW_ERR_BUCKET_NOT_EMPTY:
      return S3Error(409, "BucketNotEmpty", "The bucket you tried to delete is not empty.");
    case RGW_ERR_BUCKET_EXISTS:
      return S3Error(409, "BucketAlreadyExists",
                     "The requested bucket name is not available. The bucket namespace is shared "
                     "by all users of the system. Please select a different name and try again.");
    case RGW_ERR_INVALID_BUCKET_NAME:
      return S3Error(400, "InvalidBucketName", "The specified bucket is not valid.");
    case RGW_ERR_INVALID_KEY:
      return S3Error(400,
                     std::string(e.what()).find("longer") != std::string::npos ? "KeyTooLongError"
                                                                               : "InvalidArgument",
                     e.what());
    case RGW_ERR_INVALID_RANGE:
      return S3Error(416, "InvalidRange", "The requested range is not satisfiable");
    case RGW_ERR_INVALID_ARGUMENT: return S3Error(400, "InvalidArgument", e.what());
    case RGW_ERR_CONFLICT:
      return S3Error(409, "OperationAborted",
                     "A conflicting conditional operation is currently in progress against this "
                     "resource. Please try again.");
    case RGW_ERR_NO_SUCH_ACCESS_KEY:
      return S3Error(403, "InvalidAccessKeyId",
                     "The AWS Access Key Id you provided does not exist in our records.");
    case -ENOTSUP: return S3Error(501, "NotImplemented", e.what());
    case -ETIMEDOUT:
    case -EAGAIN: return S3Error(503, "ServiceUnavailable", "Please reduce your request rate.");
    case -ENOSPC:
    case -EDQUOT: return S3Error(507, "InsufficientStorage", "The store is full.");
    default:
      return S3Error(500, "InternalError", "We encountered an internal error. Please try again.");
  }
}

}  // namespace

S3Error to_s3_error(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const S3Error& e) {
    return e;
  } catch (const http::Error& e) {
    return S3Error(e);  // a protocol-neutral refusal: its code is S3's too
  } catch (const Error& e) {
    return from_core(e);
  } catch (const std::bad_alloc&) {
    return S3Error(503, "SlowDown", "Please reduce your request rate.");
  } catch (...) {
    return S3Error(500, "InternalError", "We encountered an internal error. Please try again.");
  }
}

}  // namespace rgw::s3
