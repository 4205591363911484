// request.cpp - parsing of the request target, header and query lookups.
#include "http/request.h"

namespace rgw::http {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool parse_decimal(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

bool percent_decode(std::string_view s, std::string& out) {
  out.clear();
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return false;
    int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

std::string uri_encode(std::string_view s, bool encode_slash) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3 / 2);
  for (unsigned char c : s) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved || (c == '/' && !encode_slash)) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

bool Request::parse_uri(std::string uri) {
  raw_uri = std::move(uri);
  if (raw_uri.empty() || raw_uri[0] != '/') return false;
  size_t q = raw_uri.find('?');
  raw_path = raw_uri.substr(0, q);
  raw_query = q == std::string::npos ? std::string() : raw_uri.substr(q + 1);
  query.clear();
  size_t pos = 0;
  while (pos < raw_query.size()) {
    size_t amp = raw_query.find('&', pos);
    if (amp == std::string::npos) amp = raw_query.size();
    std::string_view part(raw_query.data() + pos, amp - pos);
    pos = amp + 1;
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string name, value;
    if (!percent_decode(part.substr(0, eq), name)) return false;
    if (eq != std::string_view::npos && !percent_decode(part.substr(eq + 1), value)) return false;
    query.emplace_back(std::move(name), std::move(value));
  }
  std::string decoded;
  return percent_decode(raw_path, decoded);
}

const std::string* Request::header(std::string_view name) const {
  for (const auto& h : headers)
    if (h.first == name) return &h.second;
  return nullptr;
}

std::string Request::header_joined(std::string_view name) const {
  std::string out;
  bool first = true;
  for (const auto& h : headers) {
    if (h.first != name) continue;
    if (!first) out.push_back(',');
    out += h.second;
    first = false;
  }
  return out;
}

bool Request::has_query(std::string_view name) const { return query_param(name) != nullptr; }

const std::string* Request::query_param(std::string_view name) const {
  for (const auto& q : query)
    if (q.first == name) return &q.second;
  return nullptr;
}

}  // namespace rgw::http
