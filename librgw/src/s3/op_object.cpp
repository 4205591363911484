// op_object.cpp - GetObject, HeadObject, PutObject, DeleteObject, CopyObject.
#include <cstring>

#include "errors.h"
#include "http/conditions.h"
#include "http/date.h"
#include "s3/acl_request.h"
#include "s3/lifecycle.h"
#include "s3/op.h"
#include "s3/op_families.h"
#include "s3/public_access.h"
#include "s3/tagging.h"
#include "xml.h"

namespace rgw::s3 {

namespace {

// Headers stored with an object and returned on GET/HEAD.
const char* const kStoredHeaders[] = {"content-type",     "content-encoding", "content-disposition",
                                      "content-language", "cache-control",    "expires"};

// Removes "aws-chunked" from a Content-Encoding list (it describes the
// transfer, not the object).
std::string strip_aws_chunked(const std::string& value) {
  std::string out;
  size_t pos = 0;
  while (pos <= value.size()) {
    size_t comma = value.find(',', pos);
    if (comma == std::string::npos) comma = value.size();
    std::string item = value.substr(pos, comma - pos);
    size_t b = item.find_first_not_of(" \t");
    item = b == std::string::npos ? "" : item.substr(b, item.find_last_not_of(" \t") - b + 1);
    if (!item.empty() && item != "aws-chunked") out += (out.empty() ? "" : ",") + item;
    pos = comma + 1;
  }
  return out;
}

class GetObject : public Op {
 public:
  using Op::Op;
  void finish() override {
    // Readable if the object's ACL lets the caller read it.  A missing
    // object is NoSuchKey only to those who may list the bucket, and
    // AccessDenied to others (nothing leaks).
    const BucketInfo bucket = ctx_.store.get_bucket(ctx_.bucket);
    try {
      serve(bucket);
    } catch (const Error& e) {
      if (e.code() == RGW_ERR_NO_SUCH_KEY && !may_list(ctx_, bucket))
        throw_s3(403, "AccessDenied", "Access Denied");
      if (e.code() == RGW_ERR_NO_SUCH_KEY) explain_missing(ctx_, bucket);
      throw;
    }
  }

 private:
  void serve(const BucketInfo& bucket) {
    const ObjectRef ref{ctx_.bucket, ctx_.key, ctx_.version_id};
    bool has_overrides = false;
    for (const auto& q : ctx_.req.query)
      if (q.first.compare(0, 9, "response-") == 0) has_overrides = true;
    if (has_overrides && !ctx_.user)
      throw_s3(400, "InvalidRequest",
               "Request specific response headers cannot be used for anonymous GET requests.");

    const bool head = ctx_.req.method == "HEAD";
    http::ByteRange range = http::parse_range(ctx_.req.header("range"));
    std::unique_ptr<ObjectReader> reader;
    ObjectInfo info;
    // The common GET (no suffix range) opens the reader at once: one store
    // round trip, and the object it pins is the one the conditions see.
    if (!head && range.kind != http::ByteRange::Kind::suffix) {
      uint64_t offset = range.kind == http::ByteRange::Kind::none ? 0 : range.first;
      int64_t length = range.kind == http::ByteRange::Kind::from_to
                           ? static_cast<int64_t>(range.last - range.first + 1)
                           : -1;
      try {
        reader = ctx_.store.open_reader(ref, ReadOptions{offset, length});
        info = reader->info();
      } catch (const Error& e) {
        if (e.code() != RGW_ERR_INVALID_RANGE) throw;
        info = ctx_.store.stat_object(ref);
      }
    } else {
      info = ctx_.store.stat_object(ref);
    }

    if (!may_access_object(ctx_, bucket, info, ctx_.key, kPermRead,
                           ctx_.version_id.empty() ? "s3:GetObject" : "s3:GetObjectVersion"))
      throw_s3(403, "AccessDenied", "Access Denied");
    Response& resp = ctx_.resp;
    add_version_header(ctx_, bucket, info);
    int cond = http::evaluate_conditions(ctx_.req, info);
    if (cond == 412)
      throw_s3(412, "PreconditionFailed",
               "At least one of the pre-conditions you specified did not hold");
    if (cond == 304) {
      resp.status = 304;
      add_version_header(ctx_, bucket, info);
      resp.set_header("ETag", "\"" + info.etag + "\"");
      resp.set_header("Last-Modified", http::http_date(info.mtime_ns / 1000000000));
      return;
    }
    uint64_t offset, length;
    if (!http::resolve_range(range, info.size, &offset, &length)) {
      S3Error e(416, "InvalidRange", "The requested range is not satisfiable");
      e.details.emplace_back("RangeRequested", *ctx_.req.header("range"));
      e.details.emplace_back("ActualObjectSize", std::to_string(info.size));
      throw e;
    }
    if (!head && !reader)
      reader = ctx_.store.open_reader(ref, ReadOptions{offset, static_cast<int64_t>(length)});
    if (reader && reader->info().etag != info.etag) {
      // Replaced between stat and open (suffix range): answer for what we read.
      info = reader->info();
      if (!http::resolve_range(range, info.size, &offset, &length))
        throw_s3(416, "InvalidRange", "The requested range is not satisfiable");
      reader = ctx_.store.open_reader(ref, ReadOptions{offset, static_cast<int64_t>(length)});
    }

    object_headers(resp, info);
    add_expiration_header(resp, bucket, ctx_.key, info);
    resp.status = 200;
    if (range.kind != http::ByteRange::Kind::none) {
      resp.status = 206;
      resp.set_header("Content-Range", "bytes " + std::to_string(offset) + "-" +
                                           std::to_string(offset + length - 1) + "/" +
                                           std::to_string(info.size));
    }
    static const char* const kOverrides[][2] = {
        {"response-content-type", "Content-Type"},
        {"response-content-language", "Content-Language"},
        {"response-expires", "Expires"},
        {"response-cache-control", "Cache-Control"},
        {"response-content-disposition", "Content-Disposition"},
        {"response-content-encoding", "Content-Encoding"}};
    for (const auto& o : kOverrides)
      if (const std::string* v = ctx_.req.query_param(o[0])) {
        // Decoded from the query: a CR or LF would inject response headers.
        if (!http::safe_header_value(*v))
          throw_s3(400, "InvalidArgument", std::string(o[0]) + " contains control characters");
        resp.set_header(o[1], *v);
      }
    resp.content_length = static_cast<int64_t>(length);
    resp.reader = std::move(reader);
  }
};

class PutObject : public Op {
 public:
  using Op::Op;
  bool wants_body() const override { return true; }
  void begin() override {
    bucket_ = authorize_bucket(ctx_, ctx_.bucket, Access::write, "s3:PutObject");
    check_storage_and_encryption(ctx_);
    object_.attrs = attrs_from_headers(ctx_);
    object_.acl = new_object_acl(ctx_, bucket_);
    write_conditions(ctx_, object_);
    writer_ = ctx_.store.open_writer(ctx_.bucket, ctx_.key);
  }
  void feed(const char* data, size_t len) override { writer_->write(data, len); }
  std::function<std::string()> body_md5() override {
    return [this] { return writer_->md5_hex_so_far(); };
  }
  void finish() override {
    ObjectInfo info = writer_->commit(object_);
    writer_.reset();
    ctx_.resp.status = 200;
    ctx_.resp.set_header("ETag", "\"" + info.etag + "\"");
    add_written_version_header(ctx_, info);
    add_expiration_header(ctx_.resp, bucket_, ctx_.key, info);
  }

 private:
  BucketInfo bucket_;
  WriteOptions object_;
  std::unique_ptr<ObjectWriter> writer_;
};

class DeleteObject : public Op {
 public:
  using Op::Op;
  void finish() override {
    authorize_bucket(ctx_, ctx_.bucket, Access::write,
                     ctx_.version_id.empty() ? "s3:DeleteObject" : "s3:DeleteObjectVersion");
    RemoveOptions options;
    // If-Match: only while the object (the version named) has that ETag;
    // "*": whatever it has.  A missing object is no error (204).
    if (const std::string* m = ctx_.req.header("if-match"))
      if (unquoted(*m) != "*") options.if_match = unquoted(*m);
    RemoveResult r;
    try {
      r = ctx_.store.remove_object(ObjectRef{ctx_.bucket, ctx_.key, ctx_.version_id}, options);
    } catch (const Error& e) {
      if (e.code() != RGW_ERR_CONFLICT || options.if_match.empty()) throw;
      throw_s3(412, "PreconditionFailed",
               "At least one of the pre-conditions you specified did not hold");
    }
    ctx_.resp.status = 204;
    // A version named is echoed (removed or not there); a delete marker
    // made or removed says so.
    if (!ctx_.version_id.empty())
      ctx_.resp.set_header("x-amz-version-id", ctx_.version_id);
    else if (r.removed && r.delete_marker)
      ctx_.resp.set_header("x-amz-version-id", r.version_id);
    if (r.removed && r.delete_marker) ctx_.resp.set_header("x-amz-delete-marker", "true");
  }
};

class CopyObject : public Op {
 public:
  using Op::Op;
  void finish() override {
    const ObjectRef src_ref = authorize_copy(ctx_);
    const std::string& src_bucket = src_ref.bucket;
    const std::string& src_key = src_ref.key;
    check_storage_and_encryption(ctx_);
    const BucketInfo bucket = ctx_.store.get_bucket(ctx_.bucket);
    const Acl acl = new_object_acl(ctx_, bucket);
    const std::string* directive = ctx_.req.header("x-amz-metadata-directive");
    bool replace = false;
    if (directive && *directive == "REPLACE")
      replace = true;
    else if (directive && *directive != "COPY")
      throw_s3(400, "InvalidArgument", "Unknown metadata directive.");
    if (!replace && src_bucket == ctx_.bucket && src_key == ctx_.key &&
        src_ref.version_id.empty() && !request_names_acl(ctx_))
      throw_s3(400, "InvalidRequest",
               "This copy request is illegal because it is trying to copy an object to itself "
               "without changing the object's metadata, storage class, website redirect "
               "location or encryption attributes.");
    ObjectInfo src = copy_source_info(ctx_, src_ref);
    // As in S3, the copy gets the ACL the request names (private by
    // default), never the source's.
    // Tags follow x-amz-tagging-directive: COPY (the default) keeps the
    // source's, REPLACE takes x-amz-tagging's.
    const std::string* tag_directive = ctx_.req.header("x-amz-tagging-directive");
    if (tag_directive && *tag_directive != "COPY" && *tag_directive != "REPLACE")
      throw_s3(400, "InvalidArgument", "Unknown tagging directive.");
    const bool replace_tags = tag_directive && *tag_directive == "REPLACE";
    CopyOptions options;
    Attrs attrs = replace ? attrs_from_headers(ctx_) : src.attrs;
    if (replace_tags) {
      attrs.erase(kObjectTagsAttr);
      tags_from_headers(ctx_, attrs);
    } else {
      set_tags(attrs, tags_of(src.attrs));
    }
    options.attrs = std::move(attrs);
    options.acl = acl;
    // The version stat'ed is the version copied, even if another became
    // current meanwhile.
    ObjectInfo info = ctx_.store.copy_object(ObjectRef{src_bucket, src_key, src.version_id},
                                             ctx_.bucket, ctx_.key, options);
    add_written_version_header(ctx_, info);
    copy_result(ctx_, "CopyObjectResult", info);
    add_expiration_header(ctx_.resp, bucket, ctx_.key, info);
  }
};

// The storage classes S3 names.  Objects here are all STANDARD: another
// class is accepted and stored as STANDARD (as listings show it).
const char* const kStorageClasses[] = {
    "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA",      "INTELLIGENT_TIERING",
    "GLACIER",  "DEEP_ARCHIVE",       "GLACIER_IR",  "EXPRESS_ONEZONE", "OUTPOSTS",
    "SNOW"};

// The server-side encryption methods S3 names for x-amz-server-side-encryption.
const char* const kEncryptionMethods[] = {"AES256", "aws:kms", "aws:kms:dsse"};

}  // namespace

void check_storage_and_encryption(const std::string* storage_class, const std::string* sse) {
  if (storage_class) {
    bool known = false;
    for (const char* c : kStorageClasses) known |= *storage_class == c;
    if (!known) {
      S3Error e(400, "InvalidStorageClass", "The storage class you specified is not valid");
      e.details.emplace_back("StorageClassRequested", *storage_class);
      throw e;
    }
  }
  if (sse) {
    bool known = false;
    for (const char* m : kEncryptionMethods) known |= *sse == m;
    if (!known) {
      S3Error e(400, "InvalidArgument", "The encryption method specified is not supported");
      e.details.emplace_back("ArgumentName", "x-amz-server-side-encryption");
      e.details.emplace_back("ArgumentValue", *sse);
      throw e;
    }
  }
}

void check_storage_and_encryption(const Context& ctx) {
  check_storage_and_encryption(ctx.req.header("x-amz-storage-class"),
                               ctx.req.header("x-amz-server-side-encryption"));
}

Acl new_object_acl(Context& ctx, const BucketInfo& bucket) {
  Acl acl = acl_from_headers(ctx, ctx.user ? ctx.user->uid : bucket.owner, bucket.owner);
  check_acl_not_blocked(bucket, acl);
  return acl;
}

ObjectRef authorize_copy(Context& ctx) {
  ObjectRef src = parse_copy_source(ctx);
  authorize_bucket(ctx, ctx.bucket, Access::write, "s3:PutObject");
  return src;
}

ObjectRef parse_copy_source(const Context& ctx) {
  const std::string* raw = ctx.req.header("x-amz-copy-source");
  std::string src = *raw;
  size_t q = src.find('?');
  ObjectRef ref;
  if (q != std::string::npos) {
    std::string query = src.substr(q + 1);
    src.resize(q);
    if (query.compare(0, 10, "versionId=") != 0)
      throw_s3(400, "InvalidArgument", "Unsupported copy source parameter.");
    ref.version_id = query.substr(10);
    if (!valid_version_id(ref.version_id))
      throw_s3(400, "InvalidArgument", "Invalid version id specified");
  }
  std::string decoded;
  if (!http::percent_decode(src, decoded))
    throw_s3(400, "InvalidArgument", "Invalid copy source encoding.");
  if (!decoded.empty() && decoded[0] == '/') decoded.erase(0, 1);
  size_t slash = decoded.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == decoded.size())
    throw_s3(400, "InvalidArgument",
             "Copy Source must mention the source bucket and key: sourcebucket/sourcekey.");
  ref.bucket = decoded.substr(0, slash);
  ref.key = decoded.substr(slash + 1);
  return ref;
}

ObjectInfo copy_source_info(Context& ctx, const ObjectRef& ref) {
  const BucketInfo src_bucket = ctx.store.get_bucket(ref.bucket);
  ObjectInfo src;
  try {
    src = ctx.store.stat_object(ref);
  } catch (const Error& e) {
    if (e.code() == RGW_ERR_NO_SUCH_KEY && !may_list(ctx, src_bucket))
      throw_s3(403, "AccessDenied", "Access Denied");
    if (e.code() == RGW_ERR_NO_SUCH_KEY && !ref.version_id.empty()) {
      bool marker = false;
      try {
        marker = ctx.store.stat_version(ref).delete_marker;
      } catch (const Error&) {
      }
      if (marker)
        throw_s3(400, "InvalidRequest",
                 "The source of a copy request may not specifically refer to a delete marker "
                 "by version id.");
    }
    throw;
  }
  if (!may_access_object(ctx, src_bucket, src, ref.key, kPermRead,
                         ref.version_id.empty() ? "s3:GetObject" : "s3:GetObjectVersion"))
    throw_s3(403, "AccessDenied", "Access Denied");
  if (http::evaluate_conditions(ctx.req, src, "x-amz-copy-source-") != 0)
    throw_s3(412, "PreconditionFailed",
             "At least one of the pre-conditions you specified did not hold");
  if (src_bucket.versioning != Versioning::unversioned || !ref.version_id.empty())
    ctx.resp.set_header("x-amz-copy-source-version-id", src.version_id);
  return src;
}

void add_written_version_header(Context& ctx, const ObjectInfo& written) {
  if (!written.version_id.empty() && written.version_id != "null")
    ctx.resp.set_header("x-amz-version-id", written.version_id);
}

void copy_result(Context& ctx, const char* root, const ObjectInfo& info) {
  XmlWriter x;
  x.root(root, kS3Namespace)
      .element("LastModified", http::iso8601_ms(info.mtime_ns))
      .element("ETag", "\"" + info.etag + "\"")
      .close(root);
  ctx.resp.set_xml(200, x.take());
}

Attrs attrs_from_headers(const Context& ctx) {
  Attrs attrs;
  size_t meta = 0;
  for (const auto& h : ctx.req.headers) {
    if (h.first.compare(0, 11, "x-amz-meta-") == 0) {
      meta += h.first.size() - 11 + h.second.size();
      auto it = attrs.find(h.first);
      if (it == attrs.end())
        attrs[h.first] = h.second;
      else
        it->second += "," + h.second;
      continue;
    }
    for (const char* name : kStoredHeaders) {
      if (h.first != name) continue;
      std::string value = h.first == "content-encoding" ? strip_aws_chunked(h.second) : h.second;
      if (!value.empty()) attrs[h.first] = value;
    }
  }
  tags_from_headers(ctx, attrs);
  if (meta > kMaxUserMetadata)
    throw_s3(400, "MetadataTooLarge",
             "Your metadata headers exceed the maximum allowed metadata size.");
  return attrs;
}

void object_headers(Response& resp, const ObjectInfo& info) {
  resp.set_header("ETag", "\"" + info.etag + "\"");
  if (size_t tags = tags_of(info.attrs).size())
    resp.set_header("x-amz-tagging-count", std::to_string(tags));
  resp.set_header("Last-Modified", http::http_date(info.mtime_ns / 1000000000));
  resp.set_header("Accept-Ranges", "bytes");
  auto ct = info.attrs.find("content-type");
  resp.set_header("Content-Type", ct != info.attrs.end() && http::safe_header_value(ct->second)
                                      ? ct->second
                                      : "binary/octet-stream");
  static const char* const kCanonical[][2] = {{"content-encoding", "Content-Encoding"},
                                              {"content-disposition", "Content-Disposition"},
                                              {"content-language", "Content-Language"},
                                              {"cache-control", "Cache-Control"},
                                              {"expires", "Expires"}};
  // Attributes may have been stored through other APIs than HTTP headers:
  // a value that could not travel in a header is left out, never sent raw.
  for (const auto& c : kCanonical) {
    auto it = info.attrs.find(c[0]);
    if (it != info.attrs.end() && http::safe_header_value(it->second))
      resp.set_header(c[1], it->second);
  }
  for (const auto& a : info.attrs)
    if (a.first.compare(0, 11, "x-amz-meta-") == 0 && http::safe_header_value(a.first) &&
        a.first.find_first_of(" :") == std::string::npos && http::safe_header_value(a.second))
      resp.set_header(a.first, a.second);
}

std::unique_ptr<Op> make_object_op(Context& ctx) {
  const std::string& method = ctx.req.method;
  ctx.version_id = version_param(ctx);
  if (method == "GET" && ctx.req.has_query("acl")) return make_get_acl_op(ctx);
  if (auto op = make_object_tagging_op(ctx)) return op;
  if (method == "PUT" && ctx.req.has_query("acl")) return make_put_acl_op(ctx);
  refuse_unsupported_subresources(ctx);
  if (ctx.req.has_query("acl"))
    throw_s3(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
  if (auto op = make_multipart_op(ctx)) return op;
  const std::string& m = ctx.req.method;
  if (m == "GET" || m == "HEAD") return std::make_unique<GetObject>(ctx);
  if (m == "PUT") {
    if (ctx.req.header("x-amz-copy-source")) return std::make_unique<CopyObject>(ctx);
    return std::make_unique<PutObject>(ctx);
  }
  if (m == "DELETE") return std::make_unique<DeleteObject>(ctx);
  throw_s3(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
}

}  // namespace rgw::s3
