// codec.h - the records of the model as bytes: users, buckets, object
// versions, multipart uploads and access policies, as both drivers store
// them (SQLite blobs; RADOS objects, xattrs and omap values).
//
// Every record starts with a format version byte.  Decoders read every
// version this library ever wrote and convert older ones on read (version 1
// records held a canned ACL string where version 2 holds a grant list), so
// existing stores keep working without a migration; encoders write the
// newest.  A record from a newer library, or a truncated or corrupt one,
// throws rgw::Error(-EIO).
#pragma once

#include <string>

#include "model.h"

namespace rgw {

class Encoder;
class Decoder;

std::string encode_object_info(const ObjectInfo& info);
ObjectInfo decode_object_info(const std::string& bytes);
std::string encode_user(const User& user);
User decode_user(const std::string& bytes);
std::string encode_bucket_info(const BucketInfo& info);
BucketInfo decode_bucket_info(const std::string& bytes);
std::string encode_upload_info(const UploadInfo& info);
UploadInfo decode_upload_info(const std::string& bytes);

// An access policy inside a record.
void encode_acl(Encoder& e, const Acl& acl);
Acl decode_acl(Decoder& d);

// The attribute in which version 1 object records kept a non-private
// canned ACL ("public-read"); decoding moves it into ObjectInfo::acl.
inline constexpr const char* kLegacyObjectAclAttr = "rgw-acl";

}  // namespace rgw
