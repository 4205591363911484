// op_service.cpp - operations on the service: ListBuckets.
#include "http/date.h"
#include "s3/op.h"
#include "xml.h"

namespace rgw::s3 {

namespace {

class ListBuckets : public Op {
 public:
  using Op::Op;
  // An anonymous caller owns no bucket: an empty list, whose owner is
  // radosgw's anonymous user (ID "anonymous", no display name).
  void finish() override {
    XmlWriter x;
    x.root("ListAllMyBucketsResult", kS3Namespace)
        .open("Owner")
        .element("ID", ctx_.user ? ctx_.user->uid : std::string("anonymous"))
        .element("DisplayName", ctx_.user ? ctx_.user->display_name : std::string())
        .close("Owner")
        .open("Buckets");
    if (ctx_.user)
      for (const auto& b : ctx_.store.list_buckets(ctx_.user->uid))
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
