// op_families.h - factories shared between the operation files.
#pragma once

#include <memory>

#include "s3/op.h"

namespace rgw::s3 {

std::unique_ptr<Op> make_list_op(Context& ctx);          // op_list.cpp
std::unique_ptr<Op> make_list_uploads_op(Context& ctx);  // op_multipart.cpp
std::unique_ptr<Op> make_multipart_op(Context& ctx);     // op_multipart.cpp; nullptr if not one
void refuse_unsupported_subresources(Context& ctx);      // op_bucket.cpp
std::unique_ptr<Op> make_get_acl_op(Context& ctx);       // op_acl.cpp (bucket or object)
std::unique_ptr<Op> make_put_acl_op(Context& ctx);       // op_acl.cpp (bucket or object)
// POST of an HTML form's multipart/form-data upload to a bucket
// (op_post_object.cpp).
std::unique_ptr<Op> make_post_object_op(Context& ctx);
// ?lifecycle on a bucket (op_lifecycle.cpp); nullptr if not one.
std::unique_ptr<Op> make_lifecycle_op(Context& ctx);
// ?policy and ?policyStatus on a bucket (op_policy.cpp); nullptr if neither.
std::unique_ptr<Op> make_policy_op(Context& ctx);
// The policy an object written by this request gets (x-amz-acl or
// x-amz-grant-*, acl_request.h): owned by the caller, or by the bucket's
// owner when the caller is anonymous (op_object.cpp).
Acl new_object_acl(Context& ctx, const BucketInfo& bucket);

// Object attributes from request headers (Content-Type, x-amz-meta-*, ...).
Attrs attrs_from_headers(const Context& ctx);  // op_object.cpp
// User metadata (x-amz-meta-* names without the prefix, and values) is at
// most this many bytes (400 MetadataTooLarge).
inline constexpr size_t kMaxUserMetadata = 2048;
// x-amz-storage-class and x-amz-server-side-encryption of a new object
// (PutObject, CopyObject, CreateMultipartUpload, POST Object's fields): a
// storage class S3 does not name gets 400 InvalidStorageClass, an encryption
// method it does not name 400 InvalidArgument.  Named ones are accepted and
// change nothing: every object is STANDARD and stored unencrypted
// (op_object.cpp).
void check_storage_and_encryption(const std::string* storage_class, const std::string* sse);
void check_storage_and_encryption(const Context& ctx);  // the request's headers
// Whether a value may be sent as an HTTP header value (no CR, LF, NUL, ...).
// Response headers describing an object (ETag, Last-Modified, metadata).
void object_headers(Response& resp, const ObjectInfo& info);  // op_object.cpp

}  // namespace rgw::s3

namespace rgw::s3 {
// x-amz-copy-source "[/]bucket/key[?versionId=ID]" (op_object.cpp): the
// object version a copy reads ("" the current one).
ObjectRef parse_copy_source(const Context& ctx);
// Parses the copy source and checks the caller may write the destination
// bucket (CopyObject, UploadPartCopy); copy_source_info checks the read.
ObjectRef authorize_copy(Context& ctx);
// The copy source's info, after its x-amz-copy-source-if-* conditions (412);
// sets x-amz-copy-source-version-id when the source's bucket has versioning
// or the source named a version.
// A source whose current version is a delete marker is 404 NoSuchKey; one
// that names a delete marker, 400 InvalidRequest.
ObjectInfo copy_source_info(Context& ctx, const ObjectRef& src);
// The x-amz-version-id of an object just written (PUT, copy, multipart
// completion): its id, unless it is the null version.
void add_written_version_header(Context& ctx, const ObjectInfo& written);
// The CopyObjectResult / CopyPartResult document for the copied object.
void copy_result(Context& ctx, const char* root, const ObjectInfo& info);
}  // namespace rgw::s3
