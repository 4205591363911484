// error_map.h - core errors as S3 errors.
#pragma once

#include <exception>

#include "s3/s3_error.h"

namespace rgw::s3 {

// Converts whatever an operation threw (S3Error, rgw::Error, std::bad_alloc,
// anything else) into the S3 error to answer with.
S3Error to_s3_error(const std::exception_ptr& error);

}  // namespace rgw::s3
