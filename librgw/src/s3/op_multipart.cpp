// op_multipart.cpp - multipart uploads: create, upload part (and part copy),
// complete, abort, list parts, list uploads.
#include <algorithm>
#include <cstdlib>

#include "errors.h"
#include "http/conditions.h"
#include "http/date.h"
#include "listing.h"
#include "s3/lifecycle.h"
#include "s3/op.h"
#include "s3/op_families.h"
#include "util.h"
#include "xml.h"

namespace rgw::s3 {

namespace {

// Every part but the last must be at least this large (as in S3).
constexpr uint64_t kMinPartSize = 5ull << 20;
constexpr int kMaxParts = 10000;

const char* const kMalformed =
    "The XML you provided was not well-formed or did not validate against our published schema.";

int parse_part_number(const std::string* s) {
  char* end = nullptr;
  long n = s ? std::strtol(s->c_str(), &end, 10) : 0;
  if (!s || s->empty() || *end || n < 1 || n > kMaxParts)
    throw_s3(400, "InvalidArgument",
             "Part number must be an integer between 1 and 10000, inclusive");
  return static_cast<int>(n);
}

std::string unquote(std::string etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"')
    etag = etag.substr(1, etag.size() - 2);
  return etag;
}

unsigned parse_max(const Context& ctx, const char* name, unsigned dflt) {
  const std::string* v = ctx.req.query_param(name);
  if (!v) return dflt;
  char* end = nullptr;
  long n = std::strtol(v->c_str(), &end, 10);
  if (v->empty() || *end || n < 0) throw_s3(400, "InvalidArgument", std::string("Invalid ") + name);
  return n > 1000 ? 1000u : static_cast<unsigned>(n);
}

// Loads the upload and checks that it belongs to the request's key.
UploadInfo upload_of(Context& ctx) {
  UploadInfo up = ctx.store.get_upload(ctx.bucket, *ctx.req.query_param("uploadId"));
  if (up.key != ctx.key) fail(RGW_ERR_NO_SUCH_UPLOAD, "upload belongs to another key");
  return up;
}

class CreateUpload : public Op {
 public:
  using Op::Op;
  void finish() override {
    BucketInfo bucket = authorize_bucket(ctx_, ctx_.bucket, Access::write, "s3:PutObject");
    check_storage_and_encryption(ctx_);
    WriteOptions object;
    object.attrs = attrs_from_headers(ctx_);
    object.acl = new_object_acl(ctx_, bucket);
    UploadInfo up = ctx_.store.create_upload(ctx_.bucket, ctx_.key, object);
    XmlWriter x;
    x.root("InitiateMultipartUploadResult", kS3Namespace)
        .element("Bucket", ctx_.bucket)
        .element("Key", ctx_.key)
        .element("UploadId", up.upload_id)
        .close("InitiateMultipartUploadResult");
    ctx_.resp.set_xml(200, x.take());
    add_abort_headers(ctx_.resp, bucket, ctx_.key, up.initiated_ns);
  }
};

class UploadPart : public Op {
 public:
  using Op::Op;
  bool wants_body() const override { return true; }
  void begin() override {
    authorize_bucket(ctx_, ctx_.bucket, Access::write, "s3:PutObject");
    int n = parse_part_number(ctx_.req.query_param("partNumber"));
    upload_of(ctx_);
    writer_ = ctx_.store.open_part_writer(ctx_.bucket, *ctx_.req.query_param("uploadId"), n);
  }
  void feed(const char* data, size_t len) override { writer_->write(data, len); }
  std::function<std::string()> body_md5() override {
    return [this] { return writer_->md5_hex_so_far(); };
  }
  void finish() override {
    ObjectInfo info = writer_->commit(WriteOptions{});
    writer_.reset();
    ctx_.resp.status = 200;
    ctx_.resp.set_header("ETag", "\"" + info.etag + "\"");
  }

 private:
  std::unique_ptr<ObjectWriter> writer_;
};

class UploadPartCopy : public Op {
 public:
  using Op::Op;
  void finish() override {
    const ObjectRef src_ref = authorize_copy(ctx_);
    int n = parse_part_number(ctx_.req.query_param("partNumber"));
    upload_of(ctx_);
    ObjectInfo src = copy_source_info(ctx_, src_ref);
    uint64_t offset = 0, length = src.size;
    if (const std::string* r = ctx_.req.header("x-amz-copy-source-range")) {
      http::ByteRange range = http::parse_range(r);
      if (range.kind != http::ByteRange::Kind::from_to ||
          !http::resolve_range(range, src.size, &offset, &length) || range.last >= src.size)
        throw_s3(400, "InvalidRange",
                 "The x-amz-copy-source-range value must be of the form "
                 "bytes=first-last where first and last are the zero-based "
                 "offsets of the first and last bytes to copy");
    }
    auto reader = ctx_.store.open_reader(ObjectRef{src_ref.bucket, src_ref.key, src.version_id},
                                         ReadOptions{offset, static_cast<int64_t>(length)});
    if (reader->info().etag != src.etag)
      throw_s3(409, "OperationAborted",
               "The source object changed during the copy. Please try again.");
    auto writer = ctx_.store.open_part_writer(ctx_.bucket, *ctx_.req.query_param("uploadId"), n);
    std::string buf(1 << 20, '\0');
    for (;;) {
      size_t got = reader->read(&buf[0], buf.size());
      if (got == 0) break;
      writer->write(buf.data(), got);
    }
    copy_result(ctx_, "CopyPartResult", writer->commit(WriteOptions{}));
  }
};

class CompleteUpload : public XmlBodyOp {
 public:
  explicit CompleteUpload(Context& ctx) : XmlBodyOp(ctx, 4 * 1024 * 1024) {}
  void begin() override {
    bucket_ = authorize_bucket(ctx_, ctx_.bucket, Access::write, "s3:PutObject");
    upload_of(ctx_);
  }
  void finish() override {
    const std::string& id = *ctx_.req.query_param("uploadId");
    std::string err;
    auto doc = parse_xml(body_, &err);
    if (!doc || doc->name != "CompleteMultipartUpload") throw_s3(400, "MalformedXML", kMalformed);
    std::vector<std::pair<int, std::string>> wanted;
    for (const XmlNode* p : doc->children_named("Part")) {
      const XmlNode* num = p->child("PartNumber");
      const XmlNode* etag = p->child("ETag");
      if (!num || !etag) throw_s3(400, "MalformedXML", kMalformed);
      char* end = nullptr;
      long n = std::strtol(num->text.c_str(), &end, 10);
      if (num->text.empty() || *end || n < 1 || n > kMaxParts)
        throw_s3(400, "MalformedXML", kMalformed);
      if (!wanted.empty() && n < wanted.back().first)
        throw_s3(400, "InvalidPartOrder",
                 "The list of parts was not in ascending order. The parts list must be specified "
                 "in order by part number.");
      // A number listed again: the last entry counts, as radosgw's (a client
      // that re-sent a part may list both uploads' ETags).
      if (!wanted.empty() && n == wanted.back().first) wanted.pop_back();
      wanted.emplace_back(static_cast<int>(n), unquote(etag->text));
    }
    if (wanted.empty()) throw_s3(400, "MalformedXML", kMalformed);

    // Every kept upload of each part: a part uploaded twice completes with
    // the upload whose ETag the client names, whichever finished last.
    std::vector<PartInfo> have = ctx_.store.list_part_uploads(ctx_.bucket, id);
    Md5 md5;
    for (size_t i = 0; i < wanted.size(); ++i) {
      auto it = std::find_if(have.begin(), have.end(), [&](const PartInfo& p) {
        return p.number == wanted[i].first && p.etag == wanted[i].second;
      });
      if (it == have.end() || it->etag != wanted[i].second)
        fail(RGW_ERR_INVALID_PART, "no such part");
      if (i + 1 < wanted.size() && it->size < kMinPartSize) {
        S3Error e(400, "EntityTooSmall",
                  "Your proposed upload is smaller than the minimum allowed object size.");
        e.details.emplace_back("ProposedSize", std::to_string(it->size));
        e.details.emplace_back("MinSizeAllowed", std::to_string(kMinPartSize));
        e.details.emplace_back("PartNumber", std::to_string(it->number));
        throw e;
      }
      std::string bin;
      for (size_t j = 0; j + 1 < it->etag.size(); j += 2)
        bin.push_back(static_cast<char>(std::stoi(it->etag.substr(j, 2), nullptr, 16)));
      md5.update(bin.data(), bin.size());
    }
    std::string etag = md5.hex_digest() + "-" + std::to_string(wanted.size());
    WriteOptions conditions;
    write_conditions(ctx_, conditions);
    ObjectInfo info = ctx_.store.complete_upload(ctx_.bucket, id, wanted, etag, conditions);
    XmlWriter x;
    x.root("CompleteMultipartUploadResult", kS3Namespace)
        .element("Location", "/" + ctx_.bucket + "/" + ctx_.key)
        .element("Bucket", ctx_.bucket)
        .element("Key", ctx_.key)
        .element("ETag", "\"" + info.etag + "\"")
        .close("CompleteMultipartUploadResult");
    ctx_.resp.set_xml(200, x.take());
    add_written_version_header(ctx_, info);
    add_expiration_header(ctx_.resp, bucket_, ctx_.key, info);
  }

 private:
  BucketInfo bucket_;
};

class AbortUpload : public Op {
 public:
  using Op::Op;
  void finish() override {
    authorize_bucket(ctx_, ctx_.bucket, Access::write, "s3:AbortMultipartUpload");
    upload_of(ctx_);
    ctx_.store.abort_upload(ctx_.bucket, *ctx_.req.query_param("uploadId"));
    ctx_.resp.status = 204;
  }
};

void owner_element(XmlWriter& x, const char* name, Context& ctx, const std::string& uid) {
  std::string display = uid;
  try {
    display = ctx.store.get_user(uid).display_name;
  } catch (const Error&) {
  }
  x.open(name).element("ID", uid).element("DisplayName", display).close(name);
}

class ListParts : public Op {
 public:
  using Op::Op;
  void finish() override {
    // The upload's writers and the bucket's readers may list its parts.
    BucketInfo b = ctx_.store.get_bucket(ctx_.bucket);
    if (!may_access(ctx_, b, Access::write, "s3:ListMultipartUploadParts") &&
        !may_access(ctx_, b, Access::read, "s3:ListMultipartUploadParts"))
      throw_s3(403, "AccessDenied", "Access Denied");
    UploadInfo up = upload_of(ctx_);
    const std::string& initiator = up.acl.owner.empty() ? b.owner : up.acl.owner;
    unsigned max = parse_max(ctx_, "max-parts", 1000);
    int marker = 0;
    if (const std::string* m = ctx_.req.query_param("part-number-marker"))
      marker = std::atoi(m->c_str());
    std::vector<PartInfo> parts = ctx_.store.list_parts(ctx_.bucket, up.upload_id);
    XmlWriter x;
    x.root("ListPartsResult", kS3Namespace)
        .element("Bucket", ctx_.bucket)
        .element("Key", ctx_.key)
        .element("UploadId", up.upload_id);
    owner_element(x, "Initiator", ctx_, initiator);
    owner_element(x, "Owner", ctx_, initiator);
    x.element("StorageClass", "STANDARD").element("PartNumberMarker", std::to_string(marker));
    std::vector<const PartInfo*> shown;
    bool truncated = false;
    for (const auto& p : parts) {
      if (p.number <= marker) continue;
      if (shown.size() == max) {
        truncated = true;
        break;
      }
      shown.push_back(&p);
    }
    x.element("NextPartNumberMarker", std::to_string(shown.empty() ? marker : shown.back()->number))
        .element("MaxParts", static_cast<uint64_t>(max))
        .element("IsTruncated", truncated);
    for (const PartInfo* p : shown)
      x.open("Part")
          .element("PartNumber", static_cast<uint64_t>(p->number))
          .element("LastModified", http::iso8601_ms(p->mtime_ns))
          .element("ETag", "\"" + p->etag + "\"")
          .element("Size", p->size)
          .close("Part");
    x.close("ListPartsResult");
    ctx_.resp.set_xml(200, x.take());
    add_abort_headers(ctx_.resp, b, ctx_.key, up.initiated_ns);
  }
};

class ListUploads : public Op {
 public:
  using Op::Op;
  void finish() override {
    BucketInfo b =
        authorize_bucket(ctx_, ctx_.bucket, Access::read, "s3:ListBucketMultipartUploads");
    auto param = [&](const char* n) {
      const std::string* v = ctx_.req.query_param(n);
      return v ? *v : std::string();
    };
    ListParams p;
    p.prefix = param("prefix");
    p.delimiter = param("delimiter");
    const std::string key_marker = param("key-marker"), id_marker = param("upload-id-marker");
    const unsigned max = parse_max(ctx_, "max-uploads", 1000);
    // encoding-type=url: keys, prefixes, the delimiter and key markers
    // URL-encoded, as ListObjects does.
    bool url = false;
    if (const std::string* e = ctx_.req.query_param("encoding-type")) {
      if (*e != "url")
        throw_s3(400, "InvalidArgument", "Invalid Encoding Method specified in Request");
      url = true;
    }
    auto enc = [url](const std::string& s) { return url ? http::uri_encode(s, false) : s; };

    // Pages through the store's listing (bounded batches), rolling keys up
    // into common prefixes, until max entries and one more are seen.
    std::vector<UploadInfo> shown;
    std::vector<std::string> prefixes;
    bool truncated = false;
    // Without an upload-id-marker, every upload of key-marker is skipped
    // ("~" sorts after any hex id).
    std::string after_key = key_marker, after_id = id_marker.empty() ? "~" : id_marker;
    while (!truncated) {
      std::vector<UploadInfo> batch =
          ctx_.store.list_uploads(ctx_.bucket, p.prefix, after_key, after_id, kBatch);
      bool jumped = false;
      for (auto& u : batch) {
        after_key = u.key;
        after_id = u.upload_id;
        if (shown.size() + prefixes.size() == max) {
          truncated = true;
          break;
        }
        std::string cp = common_prefix(u.key, p);
        if (cp.empty()) {
          shown.push_back(std::move(u));
          continue;
        }
        prefixes.push_back(cp);
        after_key = prefix_end(cp);  // past every key under the prefix
        after_id.clear();
        jumped = true;
        break;
      }
      if (!truncated && !jumped && batch.size() < kBatch) break;  // no more uploads
    }
    std::string next_key, next_id;
    if (truncated) {
      bool last_is_prefix =
          !prefixes.empty() && (shown.empty() || prefixes.back() > shown.back().key);
      next_key = last_is_prefix ? prefixes.back() : shown.back().key;
      next_id = last_is_prefix ? "" : shown.back().upload_id;
    }

    XmlWriter x(XmlWriter::Text::verbatim);  // keys as stored, or encoding-type=url
    x.root("ListMultipartUploadsResult", kS3Namespace)
        .element("Bucket", ctx_.bucket)
        .element("KeyMarker", enc(key_marker))
        .element("UploadIdMarker", id_marker)
        .element("NextKeyMarker", enc(next_key))
        .element("NextUploadIdMarker", next_id)
        .element("MaxUploads", static_cast<uint64_t>(max))
        .element("IsTruncated", truncated);
    if (!p.prefix.empty()) x.element("Prefix", enc(p.prefix));
    if (!p.delimiter.empty()) x.element("Delimiter", enc(p.delimiter));
    if (url) x.element("EncodingType", "url");
    for (const UploadInfo& u : shown) {
      x.open("Upload").element("Key", enc(u.key)).element("UploadId", u.upload_id);
      const std::string& initiator = u.acl.owner.empty() ? b.owner : u.acl.owner;
      owner_element(x, "Initiator", ctx_, initiator);
      owner_element(x, "Owner", ctx_, initiator);
      x.element("StorageClass", "STANDARD")
          .element("Initiated", http::iso8601_ms(u.initiated_ns))
          .close("Upload");
    }
    for (const auto& cp : prefixes)
      x.open("CommonPrefixes").element("Prefix", enc(cp)).close("CommonPrefixes");
    x.close("ListMultipartUploadsResult");
    ctx_.resp.set_xml(200, x.take());
  }

 private:
  static constexpr size_t kBatch = 1000;
};

}  // namespace

std::unique_ptr<Op> make_list_uploads_op(Context& ctx) {
  return std::make_unique<ListUploads>(ctx);
}

std::unique_ptr<Op> make_multipart_op(Context& ctx) {
  const http::Request& r = ctx.req;
  const std::string& m = r.method;
  if (m == "POST" && r.has_query("uploads")) return std::make_unique<CreateUpload>(ctx);
  if (!r.has_query("uploadId")) return nullptr;
  if (m == "PUT") {
    if (r.header("x-amz-copy-source")) return std::make_unique<UploadPartCopy>(ctx);
    return std::make_unique<UploadPart>(ctx);
  }
  if (m == "POST") return std::make_unique<CompleteUpload>(ctx);
  if (m == "DELETE") return std::make_unique<AbortUpload>(ctx);
  if (m == "GET") return std::make_unique<ListParts>(ctx);
  throw_s3(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
}

}  // namespace rgw::s3
