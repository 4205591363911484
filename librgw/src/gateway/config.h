// config.h - the one configuration every door shares.
//
// Doors set it from their own syntax (nginx directives, Apache directives,
// WSGI/PasteDeploy options, Python keyword arguments) through set(name,
// value), so that a setting means the same everywhere.  The options, their
// defaults and their parsers are the table in gateway/options.cpp;
// docs/gateway-config.md lists them (generated from that table).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rgw {

struct GatewayConfig {
  std::string store_uri;             // "store"
  std::string region;                // "region"
  std::vector<std::string> domains;  // "domains": virtual-hosted-style S3 domains
  uint64_t max_object_size = 0;      // "max_object_size": single PUT / one part
  uint64_t buffer_size = 0;          // "buffer_size": one store read/write, door chunks
  uint64_t threads = 0;              // "threads": aio I/O threads, 0 = the store's default
  uint64_t loop_reads = 1;           // "loop_reads": 1 = reads tried on the door's loop
  uint64_t loop_writes = 1;          // "loop_writes": 1 = small PUTs tried on the door's loop
  std::string swift_prefix;          // "swift_prefix": Swift's path prefix ("" = none)

  // Every option at its default (the table's text, parsed).
  GatewayConfig();

  // Sets one option from text; throws rgw::Error(RGW_ERR_INVALID_ARGUMENT)
  // naming the option for an unknown name or a bad value.  A bad value
  // leaves the option as it was.
  void set(const std::string& name, const std::string& value);
};

}  // namespace rgw
