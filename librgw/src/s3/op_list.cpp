// op_list.cpp - ListObjects (v1), ListObjectsV2 and ListObjectVersions.
#include <map>

#include "crypto.h"
#include "errors.h"
#include "http/date.h"
#include "s3/op.h"
#include "s3/op_families.h"
#include "xml.h"

namespace rgw::s3 {

namespace {

bool hex_decode(const std::string& s, std::string* out) {
  if (s.size() % 2) return false;
  auto v = [](char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
  };
  out->clear();
  for (size_t i = 0; i < s.size(); i += 2) {
    int hi = v(s[i]), lo = v(s[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

class ListOp : public Op {
 public:
  enum class Kind { v1, v2, versions };
  ListOp(Context& ctx, Kind kind) : Op(ctx), kind_(kind) {}

  void finish() override {
    BucketInfo bucket =
        authorize_bucket(ctx_, ctx_.bucket, Access::read,
                         kind_ == Kind::versions ? "s3:ListBucketVersions" : "s3:ListBucket");
    const http::Request& r = ctx_.req;
    ListParams p;
    p.prefix = param("prefix");
    p.delimiter = param("delimiter");
    unsigned max_keys = 1000;
    if (const std::string* mk = r.query_param(kind_ == Kind::versions ? "max-keys" : "max-keys")) {
      char* end = nullptr;
      long v = std::strtol(mk->c_str(), &end, 10);
      if (mk->empty() || *end || v < 0)
        throw_s3(400, "InvalidArgument",
                 "Provided max-keys not an integer or within integer range");
      max_keys = v > 1000 ? 1000u : static_cast<unsigned>(v);
    }
    url_ = false;
    if (const std::string* enc = r.query_param("encoding-type")) {
      if (*enc != "url")
        throw_s3(400, "InvalidArgument", "Invalid Encoding Method specified in Request");
      url_ = true;
    }
    std::string token;
    bool has_token = false;
    if (kind_ == Kind::v1) {
      p.marker = param("marker");
    } else if (kind_ == Kind::versions) {
      p.versions = true;
      p.marker = param("key-marker");
      p.version_marker = param("version-id-marker");
      if (!p.version_marker.empty() && p.marker.empty())
        throw_s3(400, "InvalidArgument",
                 "A version-id marker cannot be specified without a key marker.");
    } else if (const std::string* ct = r.query_param("continuation-token")) {
      // An empty token starts from the beginning (as radosgw's: start-after
      // is still ignored) and is echoed back empty.
      if (!hex_decode(*ct, &p.marker))
        throw_s3(400, "InvalidArgument", "The continuation token provided is incorrect");
      token = *ct;
      has_token = true;
    } else {
      p.marker = param("start-after");
    }

    ListResult res;
    if (max_keys > 0) {
      p.max_keys = max_keys;
      try {
        res = ctx_.store.list_objects(ctx_.bucket, p);
      } catch (const Error& e) {
        if (e.code() != RGW_ERR_NO_SUCH_VERSION) throw;
        throw_s3(400, "InvalidArgument", "Invalid version id specified");
      }
    }
    bool owner_wanted = kind_ != Kind::v2 ||
                        (r.has_query("fetch-owner") && *r.query_param("fetch-owner") == "true");
    // Each object's Owner is its writer (the ACL's owner; "" is the
    // bucket's owner), looked up once per listing for each distinct owner.
    std::map<std::string, std::string> display_names;
    auto display_name = [&](const std::string& uid) -> const std::string& {
      auto it = display_names.find(uid);
      if (it != display_names.end()) return it->second;
      std::string name;
      try {
        name = ctx_.store.get_user(uid).display_name;
      } catch (const Error& e) {
        // A removed user's objects keep their id; the name is gone.
        if (e.code() != RGW_ERR_NO_SUCH_USER) throw;
      }
      return display_names.emplace(uid, std::move(name)).first->second;
    };

    // Keys as stored, or percent-encoded on request (encoding-type=url):
    // never silently replaced (xml.h).
    XmlWriter x(XmlWriter::Text::verbatim);
    x.root(kind_ == Kind::versions ? "ListVersionsResult" : "ListBucketResult", kS3Namespace);
    x.element("Name", ctx_.bucket).element("Prefix", enc(p.prefix));
    if (kind_ == Kind::v1) x.element("Marker", enc(p.marker));
    if (kind_ == Kind::versions)
      x.element("KeyMarker", enc(p.marker)).element("VersionIdMarker", param("version-id-marker"));
    if (kind_ == Kind::v2) {
      if (has_token) x.element("ContinuationToken", token);
      if (r.has_query("start-after")) x.element("StartAfter", enc(param("start-after")));
      x.element("KeyCount", static_cast<uint64_t>(res.objects.size() + res.common_prefixes.size()));
    }
    x.element("MaxKeys", static_cast<uint64_t>(max_keys));
    if (!p.delimiter.empty()) x.element("Delimiter", enc(p.delimiter));
    if (url_) x.element("EncodingType", "url");
    x.element("IsTruncated", res.truncated);
    if (res.truncated) {
      if (kind_ == Kind::v1 && !p.delimiter.empty()) x.element("NextMarker", enc(res.next_marker));
      if (kind_ == Kind::v2) x.element("NextContinuationToken", hex(res.next_marker));
      if (kind_ == Kind::versions) {
        x.element("NextKeyMarker", enc(res.next_marker));
        if (!res.next_version_marker.empty())
          x.element("NextVersionIdMarker", res.next_version_marker);
      }
    }
    for (const auto& o : res.objects) {
      // Versions and delete markers interleave in the listing's order.
      const char* element = kind_ != Kind::versions ? "Contents"
                            : o.delete_marker       ? "DeleteMarker"
                                                    : "Version";
      x.open(element).element("Key", enc(o.key));
      if (kind_ == Kind::versions)
        x.element("VersionId", o.version_id).element("IsLatest", o.is_latest);
      x.element("LastModified", http::iso8601_ms(o.mtime_ns));
      if (!o.delete_marker) x.element("ETag", "\"" + o.etag + "\"").element("Size", o.size);
      if (owner_wanted) {
        const std::string& uid = o.acl.owner.empty() ? bucket.owner : o.acl.owner;
        x.open("Owner").element("ID", uid).element("DisplayName", display_name(uid)).close("Owner");
      }
      if (!o.delete_marker) x.element("StorageClass", "STANDARD");
      x.close(element);
    }
    for (const auto& cp : res.common_prefixes)
      x.open("CommonPrefixes").element("Prefix", enc(cp)).close("CommonPrefixes");
    x.close(kind_ == Kind::versions ? "ListVersionsResult" : "ListBucketResult");
    ctx_.resp.set_xml(200, x.take());
  }

 private:
  std::string param(const char* name) const {
    const std::string* v = ctx_.req.query_param(name);
    return v ? *v : std::string();
  }
  std::string enc(const std::string& s) const { return url_ ? http::uri_encode(s, false) : s; }

  Kind kind_;
  bool url_ = false;
};

}  // namespace

std::unique_ptr<Op> make_list_op(Context& ctx) {
  if (ctx.req.has_query("versions")) return std::make_unique<ListOp>(ctx, ListOp::Kind::versions);
  const std::string* lt = ctx.req.query_param("list-type");
  if (lt && *lt == "2") return std::make_unique<ListOp>(ctx, ListOp::Kind::v2);
  if (lt && *lt != "1") throw_s3(400, "InvalidArgument", "Invalid list-type");
  return std::make_unique<ListOp>(ctx, ListOp::Kind::v1);
}

}  // namespace rgw::s3
