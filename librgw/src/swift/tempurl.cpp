// tempurl.cpp - Swift temporary URLs (see tempurl.h).
#include "swift/tempurl.h"

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

bool unhex(const std::string& in, std::string& out) {
  if (in.size() % 2) return false;
  out.clear();
  for (size_t i = 0; i < in.size(); i += 2) {
    int v = 0;
    for (size_t j = i; j < i + 2; ++j) {
      char c = in[j];
      int d = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
      if (d < 0) return false;
      v = v * 16 + d;
    }
    out.push_back(static_cast<char>(v));
  }
  return true;
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

std::string temp_url_sign(Digest digest, const std::string& method, int64_t expires,
                          const std::string& path, const std::string& key) {
  return hex(mac(digest, key, method + "\n" + std::to_string(expires) + "\n" + path));
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
  if (const std::string* f = req.query_param("filename")) t.filename = *f;
  t.inline_disposition = req.has_query("inline");
  return t;
}

bool temp_url_valid(const TempUrl& t, const std::string& method, const std::string& object_path,
                    const std::string& object, const std::vector<std::string>& keys, int64_t now) {
  if (t.expires <= now) return false;
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
      std::string expected = mac(t.digest, key, m + "\n" + std::to_string(t.expires) + "\n" + path);
      ok |= constant_time_equal(expected, t.sig);  // every key tried: no early exit
    }
  return ok;
}

}  // namespace rgw::swift
