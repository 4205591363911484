// store_uri.cpp - one store URI syntax for every door (docs/store-uri.md).
#include <cstdlib>
#include <string>

#include "errors.h"
#include "http/request.h"
#include "store.h"

namespace rgw {
namespace {

std::string percent_decode(const std::string& s, const std::string& uri) {
  std::string out;
  if (!http::percent_decode(s, out)) fail(RGW_ERR_INVALID_URI, "bad %-escape in store URI: " + uri);
  return out;
}

StoreUri parse_local_uri(const std::string& rest, const std::string& uri) {
  StoreUri u;
  u.kind = StoreUri::Kind::local;
  u.path = rest;
  if (u.path.rfind("//", 0) == 0) u.path = u.path.substr(2);  // local:///abs -> /abs
  u.path = percent_decode(u.path, uri);
  if (u.path.empty() || u.path[0] != '/')
    fail(RGW_ERR_INVALID_URI, "local store URI needs an absolute directory: " + uri);
  return u;
}

StoreUri parse_rados_uri(const std::string& rest, const std::string& uri) {
  std::string prefix = rest, query;
  size_t q = rest.find('?');
  if (q != std::string::npos) {
    prefix = rest.substr(0, q);
    query = rest.substr(q + 1);
  }
  if (prefix.rfind("//", 0) == 0) prefix = prefix.substr(2);
  if (prefix.empty()) fail(RGW_ERR_INVALID_URI, "rados store URI needs a pool prefix: " + uri);
  for (char c : prefix) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) fail(RGW_ERR_INVALID_URI, "pool prefix may contain only letters, digits, . _ -: " + uri);
  }
  std::string conf = "/etc/ceph/ceph.conf", client = "admin";
  int timeout = 30;
  size_t pos = 0;
  while (pos <= query.size() && !query.empty()) {
    size_t amp = query.find('&', pos);
    std::string item = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    size_t eq = item.find('=');
    std::string name = item.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : percent_decode(item.substr(eq + 1), uri);
    if (name == "conf") conf = value;
    else if (name == "client") client = value;
    else if (name == "timeout") {
      char* end = nullptr;
      long t = std::strtol(value.c_str(), &end, 10);
      if (value.empty() || *end || t <= 0 || t > 3600)
        fail(RGW_ERR_INVALID_URI, "timeout must be 1..3600 seconds: " + uri);
      timeout = static_cast<int>(t);
    } else if (!name.empty()) {
      fail(RGW_ERR_INVALID_URI, "unknown store URI parameter '" + name + "': " + uri);
    }
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  StoreUri u;
  u.kind = StoreUri::Kind::rados;
  u.path = prefix;
  u.conf = conf;
  u.client = client;
  u.timeout = timeout;
  return u;
}

}  // namespace

StoreUri parse_store_uri(const std::string& uri) {
  if (uri.rfind("local:", 0) == 0) return parse_local_uri(uri.substr(6), uri);
  if (uri.rfind("rados:", 0) == 0) return parse_rados_uri(uri.substr(6), uri);
  if (!uri.empty() && uri[0] == '/') {
    StoreUri u;
    u.kind = StoreUri::Kind::local;
    u.path = uri;
    return u;
  }
  fail(RGW_ERR_INVALID_URI,
       "store URI must start with local: or rados: (or be an absolute path): '" + uri + "'");
}

unsigned default_io_threads(const std::string& uri) {
  // A local store serializes its metadata on one SQLite connection per
  // process, so two threads are enough and fewer wake-ups are cheaper; a
  // RADOS call waits on the network, so more calls in flight pay.
  return parse_store_uri(uri).kind == StoreUri::Kind::rados ? 8 : 2;
}

std::unique_ptr<Store> open_store(const std::string& uri) {
  StoreUri u = parse_store_uri(uri);
  if (u.kind == StoreUri::Kind::local) return open_local_store(u.path);
  return open_rados_store(u.path, u.conf, u.client, u.timeout);
}

}  // namespace rgw
