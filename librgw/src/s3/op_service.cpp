// op_service.cpp - operations on the service: ListBuckets.
#include "http/date.h"
#include "s3/op.h"
#include "xml.h"

namespace rgw::s3 {

namespace {

class ListBuckets : public Op {
 public:
  using Op::Op;
  void finish() override {
    const User& user = require_user(ctx_);
    XmlWriter x;
    x.root("ListAllMyBucketsResult", kS3Namespace)
        .open("Owner")
        .element("ID", user.uid)
        .element("DisplayName", user.display_name)
        .close("Owner")
        .open("Buckets");
    for (const auto& b : ctx_.store.list_buckets(user.uid))
      x.open("Bucket")
          .element("Name", b.name)
          .element("CreationDate", http::iso8601_ms(b.created_ns))
          .close("Bucket");
    x.close("Buckets").close("ListAllMyBucketsResult");
    ctx_.resp.set_xml(200, x.take());
  }
};

}  // namespace

std::unique_ptr<Op> make_service_op(Context& ctx) {
  if (ctx.req.method == "GET") return std::make_unique<ListBuckets>(ctx);
  if (ctx.req.method == "HEAD") return std::make_unique<ListBuckets>(ctx);
  throw_s3(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
}

}  // namespace rgw::s3
