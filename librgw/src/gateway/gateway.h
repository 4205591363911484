// gateway.h - one configured gateway: its options, its open store, and
// the router that hands each request to its protocol.
//
// Created once per process (after fork) by a door; shared by all requests
// and threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "gateway/config.h"
#include "gateway/router.h"
#include "store.h"

namespace rgw {

class Gateway {
 public:
  // Opens config.store_uri (RGW_ERR_INVALID_ARGUMENT if empty).
  explicit Gateway(GatewayConfig config);
  Gateway(GatewayConfig config, std::shared_ptr<Store> store);

  const GatewayConfig& config() const { return config_; }
  Store& store() { return *store_; }
  std::shared_ptr<Store> shared_store() { return store_; }
  const Router& router() const { return router_; }

  // A new request id: unique in this process, hard to guess across them.
  std::string next_request_id();

 private:
  GatewayConfig config_;
  std::shared_ptr<Store> store_;
  Router router_;
  std::string id_prefix_;
  std::atomic<uint64_t> counter_{0};
};

}  // namespace rgw
