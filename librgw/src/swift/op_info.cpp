// op_info.cpp - GET /info: what this cluster supports, as Swift's
// capabilities document (only what is implemented is listed).
#include "swift/op.h"
#include "swift/slo.h"
#include "swift/swift_error.h"

namespace rgw::swift {

namespace {

class InfoOp : public Op {
 public:
  using Op::Op;

  void finish() override {
    const GatewayConfig& cfg = ctx_.gw.config();
    std::string json =
        "{\"swift\": {\"version\": \"2.31.0\", \"max_file_size\": " +
        std::to_string(cfg.max_object_size) +
        ", \"container_listing_limit\": " + std::to_string(kListingLimit) +
        ", \"account_listing_limit\": " + std::to_string(kListingLimit) +
        ", \"max_object_name_length\": " + std::to_string(kMaxObjectNameLength) +
        ", \"max_container_name_length\": " + std::to_string(kMaxContainerNameLength) +
        ", \"max_meta_name_length\": " + std::to_string(kMaxMetaNameLength) +
        ", \"max_meta_value_length\": " + std::to_string(kMaxMetaValueLength) +
        ", \"max_meta_count\": " + std::to_string(kMaxMetaCount) +
        ", \"max_meta_overall_size\": " + std::to_string(kMaxMetaOverallSize) +
        ", \"policies\": [{\"name\": \"default\", \"default\": true}]" +
        ", \"strict_cors_mode\": true}, \"tempurl\": {\"methods\": [\"GET\", \"HEAD\", \"PUT\", "
        "\"POST\", \"DELETE\"], \"allowed_digests\": [\"sha1\", \"sha256\", \"sha512\"]}" +
        ", \"slo\": {\"max_manifest_segments\": " + std::to_string(kMaxSloSegments) +
        ", \"max_manifest_size\": " + std::to_string(kMaxSloManifestSize) +
        ", \"min_segment_size\": 1}, \"dlo\": {\"max_segments\": " +
        std::to_string(kMaxDloSegments) +
        "}, \"formpost\": {}, \"bulk_delete\": {\"max_deletes_per_request\": 10000, "
        "\"max_failed_deletes\": 10000}}";
    ctx_.resp.set_body(200, std::move(json), "application/json; charset=utf-8");
  }
};

}  // namespace

std::unique_ptr<Op> make_info_op(Context& ctx) {
  if (ctx.req.method != "GET" && ctx.req.method != "HEAD") method_not_allowed(ctx, "GET, HEAD");
  return std::make_unique<InfoOp>(ctx);
}

}  // namespace rgw::swift
