// config.cpp - parsing of gateway options from text.
#include "gateway/config.h"

#include <cerrno>
#include <cstdlib>

#include "errors.h"
#include "store.h"

namespace rgw {

namespace {

uint64_t parse_size(const std::string& name, const std::string& value) {
  // "1048576", "512k", "64m", "5g" (powers of 1024, as nginx sizes).
  if (value.empty()) fail(RGW_ERR_INVALID_ARGUMENT, name + ": empty size");
  char* end = nullptr;
  errno = 0;
  unsigned long long n = std::strtoull(value.c_str(), &end, 10);
  if (errno || end == value.c_str() || value[0] == '-')
    fail(RGW_ERR_INVALID_ARGUMENT, name + ": not a size: " + value);
  unsigned shift = 0;
  if (*end) {
    switch (*end | 0x20) {
      case 'k': shift = 10; break;
      case 'm': shift = 20; break;
      case 'g': shift = 30; break;
      default: fail(RGW_ERR_INVALID_ARGUMENT, name + ": not a size: " + value);
    }
    if (end[1]) fail(RGW_ERR_INVALID_ARGUMENT, name + ": not a size: " + value);
  }
  if (n > (~0ull >> shift)) fail(RGW_ERR_INVALID_ARGUMENT, name + ": too large: " + value);
  return n << shift;
}

bool valid_domain(const std::string& d) {
  if (d.empty() || d.size() > 253) return false;
  for (char c : d)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) return false;
  return d.front() != '.' && d.back() != '.';
}

}  // namespace

void GatewayConfig::set(const std::string& name, const std::string& value) {
  if (name == "store") {
    parse_store_uri(value);  // refuses a malformed URI now, not when opened
    store_uri = value;
  } else if (name == "region") {
    for (char c : value)
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
        fail(RGW_ERR_INVALID_ARGUMENT, "region: only a-z, 0-9 and '-' allowed: " + value);
    region = value;
  } else if (name == "domains") {
    domains.clear();
    size_t pos = 0;
    while (pos <= value.size()) {
      size_t end = value.find_first_of(", ", pos);
      if (end == std::string::npos) end = value.size();
      std::string d = value.substr(pos, end - pos);
      for (char& c : d) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
      if (!d.empty()) {
        if (!valid_domain(d)) fail(RGW_ERR_INVALID_ARGUMENT, "domains: not a domain name: " + d);
        domains.push_back(d);
      }
      pos = end + 1;
    }
  } else if (name == "max_object_size") {
    max_object_size = parse_size(name, value);
    if (max_object_size == 0) fail(RGW_ERR_INVALID_ARGUMENT, "max_object_size: must be > 0");
  } else {
    fail(RGW_ERR_INVALID_ARGUMENT, "unknown gateway option: " + name);
  }
}

}  // namespace rgw
