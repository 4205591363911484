// options.cpp - the table of gateway options, and their parsers.
//
// Each entry is what rgw_config_option() reports (name, type, default as
// text, flags, one line of documentation) and how the option is read and
// compared.  Doors derive their settings from this table at run time (WSGI)
// or are checked against it by a test (the nginx module's directives,
// pyrgw.nginx_conf, docs/gateway-config.md).
#include "gateway/options.h"

#include <cerrno>
#include <cstdlib>

#include "errors.h"
#include "store.h"

namespace rgw {

namespace {

[[noreturn]] void bad(const std::string& name, const std::string& why) {
  fail(RGW_ERR_INVALID_ARGUMENT, name + ": " + why);
}

uint64_t parse_size(const char* name, const std::string& value) {
  // "1048576", "512k", "64m", "5g" (powers of 1024, as nginx sizes).
  if (value.empty()) bad(name, "empty size");
  char* end = nullptr;
  errno = 0;
  unsigned long long n = std::strtoull(value.c_str(), &end, 10);
  if (errno || end == value.c_str() || value[0] < '0' || value[0] > '9')
    bad(name, "not a size: " + value);
  unsigned shift = 0;
  if (*end) {
    switch (*end | 0x20) {
      case 'k': shift = 10; break;
      case 'm': shift = 20; break;
      case 'g': shift = 30; break;
      default: bad(name, "not a size: " + value);
    }
    if (end[1]) bad(name, "not a size: " + value);
  }
  if (n > (~0ull >> shift)) bad(name, "too large: " + value);
  return n << shift;
}

uint64_t parse_positive_size(const char* name, const std::string& value) {
  uint64_t n = parse_size(name, value);
  if (n == 0) bad(name, "must be greater than zero");
  return n;
}

// Digits only, at most max.
uint64_t parse_count(const char* name, const std::string& value, uint64_t max) {
  if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos)
    bad(name, "not a whole number: " + value);
  if (value.size() > 9 || std::strtoull(value.c_str(), nullptr, 10) > max)
    bad(name, "must be between 0 and " + std::to_string(max) + ": " + value);
  return std::strtoull(value.c_str(), nullptr, 10);
}

// A DNS name (lower case): labels of 1 to 63 letters, digits and '-', none
// starting or ending with '-'; at most 253 characters.
bool valid_domain(const std::string& d) {
  if (d.empty() || d.size() > 253) return false;
  size_t start = 0;
  for (;;) {
    size_t end = d.find('.', start);
    if (end == std::string::npos) end = d.size();
    if (end == start || end - start > 63 || d[start] == '-' || d[end - 1] == '-') return false;
    for (size_t i = start; i < end; ++i) {
      char c = d[i];
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    }
    if (end == d.size()) return true;
    start = end + 1;
  }
}

// ------------------------------------------------------------- the options

void set_store(GatewayConfig& cfg, const std::string& value) {
  canonical_store_uri(value);  // refuses a malformed URI now, not when opened
  cfg.store_uri = value;
}

bool same_store(const GatewayConfig& a, const GatewayConfig& b) {
  if (a.store_uri == b.store_uri) return true;
  if (a.store_uri.empty() || b.store_uri.empty()) return false;
  // The same store written two ways ("local:/x", "local:///x", "/x/",
  // "rados:p" and "rados:p?conf=/etc/ceph/ceph.conf").
  return canonical_store_uri(a.store_uri) == canonical_store_uri(b.store_uri);
}

void set_region(GatewayConfig& cfg, const std::string& value) {
  for (char c : value)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
      bad("region", "only a-z, 0-9 and '-' allowed: " + value);
  cfg.region = value;
}

bool same_region(const GatewayConfig& a, const GatewayConfig& b) { return a.region == b.region; }

void set_domains(GatewayConfig& cfg, const std::string& value) {
  std::vector<std::string> domains;
  size_t pos = 0;
  while (pos <= value.size()) {
    size_t end = value.find_first_of(", ", pos);
    if (end == std::string::npos) end = value.size();
    std::string d = value.substr(pos, end - pos);
    for (char& c : d) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    if (!d.empty()) {
      if (!valid_domain(d)) bad("domains", "not a domain name: " + d);
      domains.push_back(d);
    }
    pos = end + 1;
  }
  cfg.domains = std::move(domains);
}

// The parsed lists: case and separators do not matter, order does (the
// first domain a Host ends with wins).
bool same_domains(const GatewayConfig& a, const GatewayConfig& b) { return a.domains == b.domains; }

void set_max_object_size(GatewayConfig& cfg, const std::string& value) {
  cfg.max_object_size = parse_positive_size("max_object_size", value);
}

bool same_max_object_size(const GatewayConfig& a, const GatewayConfig& b) {
  return a.max_object_size == b.max_object_size;
}

void set_buffer_size(GatewayConfig& cfg, const std::string& value) {
  cfg.buffer_size = parse_positive_size("buffer_size", value);
}

bool same_buffer_size(const GatewayConfig& a, const GatewayConfig& b) {
  return a.buffer_size == b.buffer_size;
}

constexpr uint64_t kMaxThreads = 256;  // as rgw_aio_queue_create()

void set_threads(GatewayConfig& cfg, const std::string& value) {
  cfg.threads = parse_count("threads", value, kMaxThreads);
}

bool same_threads(const GatewayConfig& a, const GatewayConfig& b) { return a.threads == b.threads; }

// "on" 1, "off" 0.
uint64_t parse_flag(const char* name, const std::string& value) {
  if (value == "on") return 1;
  if (value == "off") return 0;
  bad(name, "on or off: " + value);
}

void set_loop_reads(GatewayConfig& cfg, const std::string& value) {
  cfg.loop_reads = parse_flag("loop_reads", value);
}

bool same_loop_reads(const GatewayConfig& a, const GatewayConfig& b) {
  return a.loop_reads == b.loop_reads;
}

void set_loop_writes(GatewayConfig& cfg, const std::string& value) {
  cfg.loop_writes = parse_flag("loop_writes", value);
}

bool same_loop_writes(const GatewayConfig& a, const GatewayConfig& b) {
  return a.loop_writes == b.loop_writes;
}

// Path segments of unreserved characters (A-Z a-z 0-9 - . _ ~) joined by
// '/', without a leading or trailing '/': "swift/v1", "swift", or "" for
// none.  "auth" and "info" would hide Swift's own /auth and /info.
void set_swift_prefix(GatewayConfig& cfg, const std::string& value) {
  size_t start = 0;
  while (!value.empty()) {
    size_t end = value.find('/', start);
    if (end == std::string::npos) end = value.size();
    std::string segment = value.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..")
      bad("swift_prefix", "not path segments joined by '/': " + value);
    for (char c : segment)
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~'))
        bad("swift_prefix", "only A-Z a-z 0-9 - . _ ~ and '/' between segments: " + value);
    if (end == value.size()) break;
    start = end + 1;
  }
  if (value == "auth" || value == "info" || value.rfind("auth/", 0) == 0)
    bad("swift_prefix", "would hide Swift's /auth or /info: " + value);
  cfg.swift_prefix = value;
}

bool same_swift_prefix(const GatewayConfig& a, const GatewayConfig& b) {
  return a.swift_prefix == b.swift_prefix;
}

// The table.  Names are the C, WSGI and PasteDeploy names; nginx prefixes
// them with "rgw_", environment variables with "RGW_" (upper case).
const OptionDef kOptions[] = {
    {"store", "uri", "", RGW_OPT_GATEWAY | RGW_OPT_REQUIRED,
     "the store: local:/dir or rados:PREFIX?conf=... (docs/store-uri.md); checked for form, "
     "opened by the gateway",
     set_store, same_store, nullptr},
    {"region", "string", "us-east-1", RGW_OPT_GATEWAY,
     "the region this gateway answers for (SigV4 scope, GetBucketLocation, "
     "x-amz-bucket-region, CreateBucket's LocationConstraint): a-z, 0-9 and '-'",
     set_region, same_region, nullptr},
    {"domains", "list", "", RGW_OPT_GATEWAY,
     "virtual-hosted-style S3 domains, comma separated: Host BUCKET.DOMAIN[:port] addresses "
     "BUCKET, any other Host is path style",
     set_domains, same_domains, nullptr},
    {"max_object_size", "size", "5g", RGW_OPT_GATEWAY,
     "largest single PUT or multipart part (400 EntityTooLarge before the body is read; a "
     "chunked body that grows past it is cut off)",
     set_max_object_size, same_max_object_size, &GatewayConfig::max_object_size},
    {"swift_prefix", "string", "swift/v1", RGW_OPT_GATEWAY,
     "the path prefix of the Swift API: /PREFIX/AUTH_<account>/... is Swift (as radosgw's "
     "default swift/v1), as are /auth/v1.0 and /info; \"\" for no prefix (/AUTH_<account>/...)",
     set_swift_prefix, same_swift_prefix, nullptr},
    {"buffer_size", "size", "128k", RGW_OPT_DOOR,
     "size of one store read or write, and of the body chunks a door passes to and from the "
     "core (an nginx GET holds at most two); the nginx and Apache modules read this much of "
     "a GET's body ahead",
     set_buffer_size, same_buffer_size, &GatewayConfig::buffer_size},
    {"threads", "count", "0", RGW_OPT_AIO,
     "store I/O threads per gateway for doors that run an aio queue (nginx: per worker "
     "process), 0 to 256; 0: the store driver's default (8, for a local store as for RADOS)",
     set_threads, same_threads, &GatewayConfig::threads},
    {"loop_reads", "flag", "on", RGW_OPT_AIO,
     "on: a GET or HEAD the store can serve without waiting (a local store) or with an "
     "asynchronous read (RADOS: an object's head) runs on the door's event loop, with no I/O "
     "thread; off: every request goes to the I/O threads",
     set_loop_reads, same_loop_reads, &GatewayConfig::loop_reads},
    {"loop_writes", "flag", "on", RGW_OPT_AIO,
     "on: a PUT whose whole body came with its headers runs on the door's event loop where the "
     "store can write without a thread (RADOS: a plain PUT, suspended while the cluster "
     "writes); off: every PUT goes to the I/O threads",
     set_loop_writes, same_loop_writes, &GatewayConfig::loop_writes},
};

constexpr size_t kOptionCount = sizeof(kOptions) / sizeof(kOptions[0]);

}  // namespace

size_t option_count() { return kOptionCount; }

const OptionDef& option(size_t i) { return kOptions[i]; }

const OptionDef* find_option(const std::string& name) {
  for (const auto& o : kOptions)
    if (name == o.name) return &o;
  return nullptr;
}

bool same_gateway(const GatewayConfig& a, const GatewayConfig& b) {
  for (const auto& o : kOptions)
    if ((o.flags & RGW_OPT_GATEWAY) && !o.same(a, b)) return false;
  return true;
}

}  // namespace rgw
