// cors.h - S3 CORS: a bucket's CORSConfiguration (kept as the bucket's
// attribute kCorsAttr, checked when put), preflight OPTIONS requests, and the
// CORS headers on the answers to actual requests (presigned ones included).
//
// A rule matches a request when one of its AllowedOrigin patterns matches
// the Origin header (at most one `*`, any run of characters), one of its
// AllowedMethod names is the method (the Access-Control-Request-Method of a
// preflight), and, for a preflight, every header named in
// Access-Control-Request-Headers matches an AllowedHeader pattern (case
// folded).  The first matching rule answers.
#pragma once

#include <memory>

#include "s3/op.h"

namespace rgw::s3 {

inline constexpr const char* kCorsAttr = "rgw-s3-cors";

// ?cors on a bucket: GET, PUT, DELETE (nullptr if not a cors request).
std::unique_ptr<Op> make_cors_op(Context& ctx);

// OPTIONS on a bucket or an object: the preflight answer (200 with the
// Access-Control-* headers; 400 without Origin or
// Access-Control-Request-Method; 403 AccessForbidden when no rule allows it).
std::unique_ptr<Op> make_preflight_op(Context& ctx);

// Adds the matching rule's CORS headers to the response of an actual request
// that carries Origin, on a bucket with a CORS configuration.  Never throws:
// a request it cannot judge gets no CORS headers.
void add_cors_headers(Context& ctx) noexcept;

}  // namespace rgw::s3
