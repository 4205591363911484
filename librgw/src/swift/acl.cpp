// acl.cpp - Swift container ACLs (see acl.h).
#include "swift/acl.h"

#include "swift/swift_error.h"

namespace rgw::swift {

namespace {

std::vector<std::string> elements(const std::string& acl) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= acl.size()) {
    size_t comma = acl.find(',', start);
    if (comma == std::string::npos) comma = acl.size();
    std::string e = acl.substr(start, comma - start);
    size_t a = e.find_first_not_of(" \t"), b = e.find_last_not_of(" \t");
    if (a != std::string::npos) out.push_back(e.substr(a, b - a + 1));
    start = comma + 1;
  }
  return out;
}

// The host of a Referer URL ("http://host:port/path" -> "host"), lower case.
std::string referer_host(const std::string& referer) {
  size_t scheme = referer.find("://");
  if (scheme == std::string::npos) return "";
  std::string host = referer.substr(scheme + 3);
  host = host.substr(0, host.find_first_of("/?#"));
  size_t at = host.rfind('@');
  if (at != std::string::npos) host = host.substr(at + 1);
  if (host.empty() || host[0] != '[') host = host.substr(0, host.find(':'));
  for (char& c : host)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return host;
}

bool host_matches(const std::string& host, const std::string& rule) {
  if (rule == "*") return true;
  if (!rule.empty() && rule[0] == '.')  // ".example.com": the domain and below
    return host == rule.substr(1) ||
           (host.size() > rule.size() &&
            host.compare(host.size() - rule.size(), rule.size(), rule) == 0);
  return host == rule;
}

}  // namespace

std::string check_container_acl(const std::string& value, bool read_acl) {
  std::string out;
  for (const auto& e : elements(value)) {
    bool ok = true;
    if (e.compare(0, 3, ".r:") == 0 || e == ".rlistings") {
      ok = read_acl && (e == ".rlistings" || e.size() > 3 + (e[3] == '-' ? 1 : 0));
    } else if (e[0] == '.') {
      ok = false;  // unknown designations (.referrer:, ...)
    } else {
      for (unsigned char c : e)
        if (c < 0x21 || c == 0x7f) ok = false;
    }
    if (!ok)
      throw_swift(400, std::string("Invalid ") +
                           (read_acl ? "X-Container-Read" : "X-Container-Write") +
                           " element: " + e);
    out += (out.empty() ? "" : ",") + e;
  }
  return out;
}

bool anonymous_may_read(const std::string& acl, const http::Request& req, bool list) {
  const std::string* referer = req.header("referer");
  std::string host = referer ? referer_host(*referer) : "";
  bool allowed = false, listings = false;
  for (const auto& e : elements(acl)) {
    if (e == ".rlistings") {
      listings = true;
      continue;
    }
    if (e.compare(0, 3, ".r:") != 0) continue;
    std::string rule = e.substr(3);
    bool deny = !rule.empty() && rule[0] == '-';
    if (deny) rule = rule.substr(1);
    if (rule == "*" ? !deny : (!host.empty() && host_matches(host, rule))) allowed = !deny;
  }
  return allowed && (!list || listings);
}

bool names_user(const std::string& acl, const User& user) {
  if (user.swift_user.empty()) return false;
  size_t colon = user.swift_user.find(':');
  std::string account = user.swift_user.substr(0, colon);
  std::string name = colon == std::string::npos ? "" : user.swift_user.substr(colon + 1);
  for (const auto& e : elements(acl)) {
    if (e[0] == '.') continue;
    size_t c = e.find(':');
    std::string a = e.substr(0, c);
    std::string u = c == std::string::npos ? "*" : e.substr(c + 1);
    if ((a == "*" || a == account) && (u == "*" || u == name)) return true;
  }
  return false;
}

}  // namespace rgw::swift
