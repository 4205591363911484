// op_lifecycle.cpp - PutBucketLifecycleConfiguration,
// GetBucketLifecycleConfiguration and DeleteBucketLifecycle (?lifecycle on
// a bucket).  The document is checked when put (lifecycle.h) and stored
// normalized as the bucket's attribute kLifecycleAttr.
//
// Who may: the bucket's owner, or whom the bucket's policy allows
// s3:PutLifecycleConfiguration (PUT and DELETE, as in S3) or
// s3:GetLifecycleConfiguration (GET); an explicit Deny refuses the owner too.
#include "errors.h"
#include "s3/lifecycle.h"
#include "s3/op.h"
#include "s3/op_families.h"

namespace rgw::s3 {

namespace {

// Larger than any document of 1000 rules S3 accepts.
constexpr size_t kMaxLifecycleDocument = 2 * 1024 * 1024;

// Whether the request carries an integrity check of its body: Content-MD5,
// an x-amz-checksum-* header or a checksum trailer (the payload decoder
// verifies whichever it is).
bool has_body_checksum(const http::Request& req) {
  if (req.header("content-md5")) return true;
  for (const auto& [name, value] : req.headers) {
    if (name.compare(0, 15, "x-amz-checksum-") != 0) continue;
    if (name != "x-amz-checksum-algorithm" && name != "x-amz-checksum-type" &&
        name != "x-amz-checksum-mode")
      return true;
  }
  const std::string* trailer = req.header("x-amz-trailer");
  return trailer && trailer->find("x-amz-checksum-") != std::string::npos;
}

class BucketLifecycle : public XmlBodyOp {
 public:
  explicit BucketLifecycle(Context& ctx) : XmlBodyOp(ctx, kMaxLifecycleDocument) {}
  bool wants_body() const override { return ctx_.req.method == "PUT"; }
  void begin() override {
    authorize();
    // S3 requires PutBucketLifecycleConfiguration's body to be checked
    // (SDKs send Content-MD5 or, since 2025, a CRC32 checksum).
    if (ctx_.req.method == "PUT" && !has_body_checksum(ctx_.req))
      throw_s3(400, "InvalidRequest",
               "Missing required header for this request: Content-MD5 OR x-amz-checksum-*");
  }
  void finish() override {
    const std::string& m = ctx_.req.method;
    BucketInfo b = authorize();
    if (m == "GET") {
      auto it = b.attrs.find(kLifecycleAttr);
      if (it == b.attrs.end()) {
        S3Error e(404, "NoSuchLifecycleConfiguration",
                  "The lifecycle configuration does not exist");
        e.details.emplace_back("BucketName", ctx_.bucket);
        throw e;
      }
      ctx_.resp.set_xml(200, it->second);
      return;
    }
    if (m == "PUT") {
      b.attrs[kLifecycleAttr] = lifecycle_document(parse_lifecycle(body_));
      ctx_.store.update_bucket(b);
      ctx_.resp.status = 200;
      return;
    }
    if (b.attrs.erase(kLifecycleAttr)) ctx_.store.update_bucket(b);
    ctx_.resp.status = 204;
  }

 private:
  BucketInfo authorize() {
    const char* action =
        ctx_.req.method == "GET" ? "s3:GetLifecycleConfiguration" : "s3:PutLifecycleConfiguration";
    return authorize_bucket(ctx_, ctx_.bucket, Access::owner, action);
  }
};

}  // namespace

std::unique_ptr<Op> make_lifecycle_op(Context& ctx) {
  if (!ctx.req.has_query("lifecycle")) return nullptr;
  const std::string& m = ctx.req.method;
  if (m == "GET" || m == "PUT" || m == "DELETE") return std::make_unique<BucketLifecycle>(ctx);
  throw_s3(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
}

}  // namespace rgw::s3
