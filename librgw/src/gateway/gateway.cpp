// gateway.cpp - a configured gateway over one store.
#include "gateway/gateway.h"

#include <cstdio>

#include "errors.h"
#include "util.h"

namespace rgw {

Gateway::Gateway(GatewayConfig config) : config_(std::move(config)) {
  if (config_.store_uri.empty()) fail(RGW_ERR_INVALID_ARGUMENT, "no store configured (option \"store\")");
  store_ = std::shared_ptr<Store>(open_store(config_.store_uri));
  id_prefix_ = "tx" + random_hex(6);
}

Gateway::Gateway(GatewayConfig config, std::shared_ptr<Store> store)
    : config_(std::move(config)), store_(std::move(store)), id_prefix_("tx" + random_hex(6)) {}

std::string Gateway::next_request_id() {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%012llx",
                static_cast<unsigned long long>(counter_.fetch_add(1) + 1));
  return id_prefix_ + buf;
}

}  // namespace rgw
