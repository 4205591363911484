// tagging.h - S3 object and bucket tags: the tag set kept as a resource's
// attribute, its two request forms (a `Tagging` XML document, the
// x-amz-tagging header's URL-encoded query string) with S3's limits, and the
// ?tagging operations.
//
// Limits (400 InvalidTag): at most 10 tags on an object, 50 on a bucket;
// keys of 1 to 128 characters, values of at most 256; no key twice; no key
// starting with "aws:".
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "s3/op.h"

namespace rgw::s3 {

using TagSet = std::vector<std::pair<std::string, std::string>>;

// The attributes holding an object's and a bucket's tags (a URL-encoded
// query string, "k=v&k2=v2", in the order the tags were given).
inline constexpr const char* kObjectTagsAttr = "rgw-tagging";
inline constexpr const char* kBucketTagsAttr = "rgw-s3-bucket-tagging";

// The tags an attribute set holds (empty when none).
TagSet tags_of(const Attrs& attrs, const char* attr = kObjectTagsAttr);

// Stores tags in attrs (removes the attribute for an empty set).
void set_tags(Attrs& attrs, const TagSet& tags, const char* attr = kObjectTagsAttr);

// The tags of an x-amz-tagging header, checked (400 InvalidTag /
// InvalidArgument).
TagSet parse_tagging_header(const std::string& value);

// The tags of an object's `Tagging` document (PutObjectTagging's body, POST
// Object's `tagging` field), checked (400 MalformedXML / InvalidTag).
TagSet parse_object_tagging_document(const std::string& body);

// Puts the request's x-amz-tagging tags into attrs (PutObject, CopyObject
// with REPLACE, CreateMultipartUpload); nothing when the header is absent.
void tags_from_headers(const Context& ctx, Attrs& attrs);

// Object and bucket ?tagging: GET, PUT, DELETE (nullptr if not a tagging
// request).
std::unique_ptr<Op> make_object_tagging_op(Context& ctx);
std::unique_ptr<Op> make_bucket_tagging_op(Context& ctx);

}  // namespace rgw::s3
