// tempurl.cpp - Swift temporary URLs (see tempurl.h).
#include "swift/tempurl.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <ctime>

#include "crypto.h"
#include "swift/swift_error.h"

namespace rgw::swift {

namespace {

std::string mac(Digest digest, const std::string& key, const std::string& data) {
  switch (digest) {
    case Digest::sha1: return hmac_sha1(key, data);
    case Digest::sha256: return hmac_sha256(key, data);
    default: return hmac_sha512(key, data);
  }
}

// Standard or URL-safe base64, padding optional.
bool unbase64(std::string in, std::string& out) {
  for (char& c : in) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (in.size() % 4) in.push_back('=');
  return base64_decode(in, out);
}

bool parse_expires(const std::string& v, int64_t* out) {
  if (!v.empty() && v.size() <= 12 && v.find_first_not_of("0123456789") == std::string::npos) {
    *out = std::stoll(v);
    return true;
  }
  struct tm tm = {};
  const char* end = strptime(v.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (!end || *end) return false;
  *out = static_cast<int64_t>(timegm(&tm));
  return true;
}

[[noreturn]] void invalid() { throw_swift(401, "Temp URL invalid"); }

}  // namespace

std::vector<std::string> temp_url_keys(const User& account, const BucketInfo& container) {
  std::vector<std::string> keys;
  if (account.suspended) return keys;
  for (const char* name : kTempUrlKeyAttrs) {
    auto a = account.attrs.find(name);
    if (a != account.attrs.end() && !a->second.empty()) keys.push_back(a->second);
    if (container.owner != account.uid) continue;
    auto c = container.attrs.find(name);
    if (c != container.attrs.end() && !c->second.empty()) keys.push_back(c->second);
  }
  return keys;
}

bool parse_digest(const std::string& name, Digest* out) {
  if (name == "sha1")
    *out = Digest::sha1;
  else if (name == "sha256")
    *out = Digest::sha256;
  else if (name == "sha512")
    *out = Digest::sha512;
  else
    return false;
  return true;
}

namespace {

std::string body_of(const std::string& method, int64_t expires, const std::string& path,
                    const std::string& ip_range) {
  return (ip_range.empty() ? "" : "ip=" + ip_range + "\n") + method + "\n" +
         std::to_string(expires) + "\n" + path;
}

}  // namespace

std::string temp_url_sign(Digest digest, const std::string& method, int64_t expires,
                          const std::string& path, const std::string& ip_range,
                          const std::string& key) {
  std::string raw = mac(digest, key, body_of(method, expires, path, ip_range));
  if (digest != Digest::sha512) return hex(raw);
  std::string b64 = base64_encode(raw);
  for (char& c : b64) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  return "sha512:" + b64;
}

bool ip_in_range(const std::string& addr, const std::string& range) {
  std::string net = range;
  int bits = -1;
  size_t slash = range.find('/');
  if (slash != std::string::npos) {
    net = range.substr(0, slash);
    std::string b = range.substr(slash + 1);
    if (b.empty() || b.size() > 3 || b.find_first_not_of("0123456789") != std::string::npos)
      return false;
    bits = std::stoi(b);
  }
  unsigned char a[16], n[16];
  int family = addr.find(':') == std::string::npos ? AF_INET : AF_INET6;
  if ((net.find(':') == std::string::npos ? AF_INET : AF_INET6) != family) return false;
  if (inet_pton(family, addr.c_str(), a) != 1 || inet_pton(family, net.c_str(), n) != 1)
    return false;
  int size = family == AF_INET ? 4 : 16;
  if (bits < 0) bits = size * 8;
  if (bits > size * 8) return false;
  for (int i = 0; i < size; ++i) {
    int take = bits >= 8 ? 8 : bits > 0 ? bits : 0;
    bits -= take;
    unsigned char mask = take ? static_cast<unsigned char>(0xFF << (8 - take)) : 0;
    if ((a[i] & mask) != (n[i] & mask)) return false;
  }
  return true;
}

std::optional<TempUrl> parse_temp_url(const http::Request& req) {
  const std::string* sig = req.query_param("temp_url_sig");
  const std::string* expires = req.query_param("temp_url_expires");
  if (!sig && !expires) return std::nullopt;
  if (!sig || !expires) invalid();
  TempUrl t;
  size_t colon = sig->find(':');
  if (colon != std::string::npos) {
    if (!parse_digest(sig->substr(0, colon), &t.digest) || !unbase64(sig->substr(colon + 1), t.sig))
      invalid();
  } else {
    switch (sig->size()) {
      case 40: t.digest = Digest::sha1; break;
      case 64: t.digest = Digest::sha256; break;
      case 128: t.digest = Digest::sha512; break;
      default: invalid();
    }
    if (!unhex(*sig, t.sig)) invalid();
  }
  size_t want = t.digest == Digest::sha1 ? 20 : t.digest == Digest::sha256 ? 32 : 64;
  if (t.sig.size() != want || !parse_expires(*expires, &t.expires)) invalid();
  if (const std::string* p = req.query_param("temp_url_prefix")) t.prefix = *p;
  if (const std::string* r = req.query_param("temp_url_ip_range")) t.ip_range = *r;
  if (const std::string* f = req.query_param("filename")) t.filename = *f;
  t.inline_disposition = req.has_query("inline");
  return t;
}

bool temp_url_valid(const TempUrl& t, const std::string& method, const std::string& object_path,
                    const std::string& object, const std::vector<std::string>& keys, int64_t now,
                    const std::string& remote_addr) {
  if (t.expires <= now) return false;
  if (t.ip_range && !ip_in_range(remote_addr, *t.ip_range)) return false;
  std::string path = object_path;
  if (t.prefix) {
    if (object.compare(0, t.prefix->size(), *t.prefix) != 0) return false;
    // The path up to the object name, then the prefix.
    path = "prefix:" + object_path.substr(0, object_path.size() - object.size()) + *t.prefix;
  }
  std::vector<std::string> methods = {method};
  if (method == "HEAD") methods = {"HEAD", "GET", "PUT", "POST"};
  bool ok = false;
  for (const auto& key : keys)
    for (const auto& m : methods) {
      std::string expected =
          mac(t.digest, key, body_of(m, t.expires, path, t.ip_range.value_or("")));
      ok |= constant_time_equal(expected, t.sig);  // every key tried: no early exit
    }
  return ok;
}

}  // namespace rgw::swift
