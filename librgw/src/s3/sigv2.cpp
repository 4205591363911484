// sigv2.cpp - AWS Signature Version 2: "Authorization: AWS AK:sig" and the
// AWSAccessKeyId/Expires/Signature query form.
#include <algorithm>
#include <map>
#include <vector>

#include "crypto.h"
#include "s3/auth.h"
#include "s3/auth_internal.h"

namespace rgw::s3::detail {

namespace {

// Query parameters that are part of the canonicalized resource.
const char* const kSubResources[] = {
    "acl",
    "cors",
    "delete",
    "lifecycle",
    "location",
    "logging",
    "notification",
    "partNumber",
    "policy",
    "requestPayment",
    "restore",
    "tagging",
    "torrent",
    "uploadId",
    "uploads",
    "versionId",
    "versioning",
    "versions",
    "website",
    "response-content-type",
    "response-content-language",
    "response-expires",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
};

bool is_subresource(const std::string& name) {
  for (const char* s : kSubResources)
    if (name == s) return true;
  return false;
}

const char kQueryMessage[] =
    "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters";

[[noreturn]] void no_date() {
  throw_s3(403, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header");
}

}  // namespace

std::string v2_string_to_sign(const http::Request& req, const std::string& date_line,
                              const std::string& resource_path, const std::string& vhost_bucket) {
  std::string s = req.method + "\n";
  if (const std::string* md5 = req.header("content-md5")) s += *md5;
  s += "\n";
  if (const std::string* ct = req.header("content-type")) s += *ct;
  s += "\n" + date_line + "\n";

  std::map<std::string, std::string> amz;  // sorted by (lower-case) name
  for (const auto& [name, value] : req.headers) {
    if (name.compare(0, 6, "x-amz-") != 0) continue;
    auto [it, inserted] = amz.emplace(name, std::string());
    if (!inserted) it->second.push_back(',');
    std::string_view v = value;
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    it->second += v;
  }
  for (const auto& [name, value] : amz) s += name + ":" + value + "\n";

  if (!vhost_bucket.empty()) s += "/" + vhost_bucket;
  s += resource_path;

  std::vector<std::pair<std::string, std::string>> sub;
  for (const auto& q : req.query)
    if (is_subresource(q.first)) sub.push_back(q);
  std::stable_sort(sub.begin(), sub.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  char sep = '?';
  for (const auto& [name, value] : sub) {
    s.push_back(sep);
    sep = '&';
    s += name;
    if (!value.empty()) s += "=" + value;
  }
  return s;
}

AuthInfo parse_v2_header(const http::Request& /*req*/, const std::string& authorization) {
  AuthInfo info;
  info.scheme = AuthScheme::v2_header;
  std::string rest = authorization.substr(4);
  size_t b = rest.find_first_not_of(' ');
  rest = b == std::string::npos ? std::string() : rest.substr(b);
  size_t colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size())
    throw_s3(400, "InvalidArgument",
             "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature");
  info.access_key = rest.substr(0, colon);
  info.signature = rest.substr(colon + 1);
  return info;
}

AuthInfo parse_v2_query(const http::Request& req) {
  AuthInfo info;
  info.scheme = AuthScheme::v2_query;
  const std::string* ak = req.query_param("AWSAccessKeyId");
  const std::string* sig = req.query_param("Signature");
  const std::string* exp = req.query_param("Expires");
  if (!ak || !sig || !exp || ak->empty() || sig->empty() || exp->empty() || exp->size() > 18)
    throw_s3(403, "AccessDenied", kQueryMessage);
  int64_t e = 0;
  for (char c : *exp) {
    if (c < '0' || c > '9') throw_s3(403, "AccessDenied", kQueryMessage);
    e = e * 10 + (c - '0');
  }
  info.access_key = *ak;
  info.signature = *sig;
  info.expires = e;
  return info;
}

void verify_v2(const AuthInfo& auth, const http::Request& req, const std::string& secret,
               int64_t now, const std::string& vhost_bucket) {
  std::string date_line;
  if (auth.scheme == AuthScheme::v2_query) {
    if (auth.expires < now) throw_s3(403, "AccessDenied", "Request has expired");
    const std::string* exp = req.query_param("Expires");
    date_line = exp ? *exp : std::to_string(auth.expires);
  } else {
    int64_t t;
    if (const std::string* ad = req.header("x-amz-date")) {
      if (!parse_http_date(*ad, t) && !parse_amz_date(*ad, t)) no_date();
    } else if (const std::string* d = req.header("date")) {
      if (!parse_http_date(*d, t)) no_date();
      date_line = *d;
    } else {
      no_date();
    }
    if (t - now > kMaxSkewSeconds || now - t > kMaxSkewSeconds)
      throw_s3(403, "RequestTimeTooSkewed",
               "The difference between the request time and the current time is too large.");
  }

  std::vector<std::string> paths{req.raw_path};
  std::string decoded;
  if (http::percent_decode(req.raw_path, decoded)) {
    std::string reencoded = http::uri_encode(decoded, false);
    if (reencoded != paths[0]) paths.push_back(reencoded);
  }
  bool ok = false;
  for (const std::string& path : paths) {
    std::string sts = v2_string_to_sign(req, date_line, path, vhost_bucket);
    ok |= constant_time_equal(base64_encode(hmac_sha1(secret, sts)), auth.signature);
  }
  if (!ok)
    throw_s3(403, "SignatureDoesNotMatch",
             "The request signature we calculated does not match the signature you provided. "
             "Check your key and signing method.");
}

}  // namespace rgw::s3::detail
