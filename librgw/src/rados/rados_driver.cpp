// rados_driver.cpp - the RADOS driver's store URIs:
//   rados:PREFIX[?conf=/etc/ceph/ceph.conf&client=admin&timeout=30]
// PREFIX names the pools (PREFIX.meta, .index, .data); conf and client are
// percent-decoded; timeout is 1..3600 seconds.
#include <cstdlib>

#include "errors.h"
#include "store_driver.h"

namespace rgw::rados {

namespace {

struct Uri {
  std::string prefix;
  std::string conf = "/etc/ceph/ceph.conf";
  std::string client = "admin";
  int timeout = 30;
};

Uri parse(const std::string& rest, const std::string& uri) {
  Uri u;
  std::string query;
  u.prefix = rest;
  size_t q = rest.find('?');
  if (q != std::string::npos) {
    u.prefix = rest.substr(0, q);
    query = rest.substr(q + 1);
  }
  if (u.prefix.rfind("//", 0) == 0) u.prefix = u.prefix.substr(2);
  if (u.prefix.empty()) fail(RGW_ERR_INVALID_URI, "rados store URI needs a pool prefix: " + uri);
  for (char c : u.prefix) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok)
      fail(RGW_ERR_INVALID_URI, "pool prefix may contain only letters, digits, . _ -: " + uri);
  }
  size_t pos = 0;
  while (pos <= query.size() && !query.empty()) {
    size_t amp = query.find('&', pos);
    std::string item = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    size_t eq = item.find('=');
    std::string name = item.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : store_uri_decode(item.substr(eq + 1), uri);
    if (name == "conf") {
      u.conf = value;
    } else if (name == "client") {
      u.client = value;
    } else if (name == "timeout") {
      char* end = nullptr;
      long t = std::strtol(value.c_str(), &end, 10);
      if (value.empty() || *end || t <= 0 || t > 3600)
        fail(RGW_ERR_INVALID_URI, "timeout must be 1..3600 seconds: " + uri);
      u.timeout = static_cast<int>(t);
    } else if (!name.empty()) {
      fail(RGW_ERR_INVALID_URI, "unknown store URI parameter '" + name + "': " + uri);
    }
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return u;
}

// Every setting spelled out, defaults included.
std::string canonical(const std::string& rest, const std::string& uri) {
  Uri u = parse(rest, uri);
  return "rados:" + u.prefix + "?conf=" + u.conf + "&client=" + u.client +
         "&timeout=" + std::to_string(u.timeout);
}

std::unique_ptr<Store> open(const std::string& rest, const std::string& uri) {
  Uri u = parse(rest, uri);
  return open_rados_store(u.prefix, u.conf, u.client, u.timeout);
}

}  // namespace

// A RADOS call waits on the network: more calls in flight pay.
const StoreDriver kDriver{"rados", 8, canonical, open};

}  // namespace rgw::rados
