// gateway.cpp - a configured gateway over one store.
#include "gateway/gateway.h"

#include <cstdio>

#include "errors.h"
#include "s3/s3_handler.h"
#include "swift/swift_handler.h"
#include "util.h"

namespace rgw {

namespace {

// The protocols, by path.  S3 is the fallback: it owns every path that no
// route claims.  A new protocol is one router.add() here.
Router make_router(const GatewayConfig& config) {
  Router router(s3::make_protocol());
  const std::string prefix = config.swift_prefix;
  router.add([prefix](std::string_view raw_path) { return swift::claims(raw_path, prefix); },
             swift::make_protocol(prefix));
  return router;
}

std::shared_ptr<Store> open_configured_store(const GatewayConfig& config) {
  if (config.store_uri.empty())
    fail(RGW_ERR_INVALID_ARGUMENT, "no store configured (option \"store\")");
  return std::shared_ptr<Store>(open_store(config.store_uri));
}

}  // namespace

Gateway::Gateway(GatewayConfig config) : Gateway(config, open_configured_store(config)) {}

Gateway::Gateway(GatewayConfig config, std::shared_ptr<Store> store)
    : config_(std::move(config)),
      store_(std::move(store)),
      router_(make_router(config_)),
      id_prefix_("tx" + random_hex(6)) {}

std::string Gateway::next_request_id() {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%012llx",
                static_cast<unsigned long long>(counter_.fetch_add(1) + 1));
  return id_prefix_ + buf;
}

}  // namespace rgw
