// config.h - the one configuration every door shares.
//
// Doors set it from their own syntax (nginx directives, Apache directives,
// WSGI/PasteDeploy options, Python keyword arguments) through set(name,
// value), so that a setting means the same everywhere.  docs/gateway-config.md
// lists the names.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rgw {

struct GatewayConfig {
  std::string store_uri;                    // "store"
  std::string region = "us-east-1";         // "region"
  std::vector<std::string> domains;         // "domains": virtual-hosted-style S3 domains
  uint64_t max_object_size = 5ull << 30;    // "max_object_size": single PUT / one part (5 GiB)

  // Sets one option from text; throws rgw::Error(RGW_ERR_INVALID_ARGUMENT)
  // naming the option for an unknown name or a bad value.
  void set(const std::string& name, const std::string& value);
};

}  // namespace rgw
