// sigv4.cpp - AWS Signature Version 4: the Authorization header and
// presigned-query forms, the canonical request, and presign_v4.
#include <algorithm>
#include <vector>

#include "crypto.h"
#include "s3/auth.h"
#include "s3/auth_internal.h"

namespace rgw::s3 {

namespace detail {

namespace {

const char kAlgorithm[] = "AWS4-HMAC-SHA256";
const char kQueryParamsMessage[] =
    "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
    "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.";

[[noreturn]] void header_malformed(const std::string& why) {
  throw_s3(400, "AuthorizationHeaderMalformed", "The authorization header is malformed; " + why);
}

[[noreturn]] void query_error(const std::string& why) {
  throw_s3(400, "AuthorizationQueryParametersError", why);
}

[[noreturn]] void fail(bool query, const std::string& why) {
  if (query) query_error(why);
  header_malformed(why);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "AK/yyyymmdd/region/service/aws4_request"; the region may be empty.
void parse_credential(std::string_view cred, bool query, AuthInfo& info) {
  const std::string why =
      "the Credential is mal-formed; expecting "
      "\"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".";
  std::vector<std::string_view> parts;
  // Split from the right: the four scope fields never contain '/'.
  std::string_view rest = cred;
  for (int i = 0; i < 4; ++i) {
    size_t slash = rest.rfind('/');
    if (slash == std::string_view::npos) fail(query, why);
    parts.push_back(rest.substr(slash + 1));
    rest = rest.substr(0, slash);
  }
  std::string_view terminator = parts[0], service = parts[1], region = parts[2], date = parts[3];
  if (rest.empty() || terminator != "aws4_request" || service.empty()) fail(query, why);
  int64_t unused;
  if (date.size() != 8 || !parse_amz_date(std::string(date) + "T000000Z", unused)) fail(query, why);
  info.access_key = std::string(rest);
  info.region = std::string(region);
  info.service = std::string(service);
  info.scope = std::string(cred.substr(rest.size() + 1));
}

void check_signed_headers(std::string_view sh, bool query) {
  if (sh.empty()) fail(query, "SignedHeaders is empty.");
  bool host = false;
  size_t pos = 0;
  while (pos <= sh.size()) {
    size_t semi = sh.find(';', pos);
    if (semi == std::string_view::npos) semi = sh.size();
    std::string_view name = sh.substr(pos, semi - pos);
    if (name.empty()) fail(query, "SignedHeaders contains an empty header name.");
    for (char c : name)
      if (c <= ' ' || c >= 127 || (c >= 'A' && c <= 'Z'))
        fail(query, "SignedHeaders must be lower-case header names separated by ';'.");
    if (name == "host") host = true;
    pos = semi + 1;
  }
  if (!host) fail(query, "the host header must be signed (SignedHeaders).");
}

std::vector<std::string> split_signed_headers(const std::string& sh) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= sh.size()) {
    size_t semi = sh.find(';', pos);
    if (semi == std::string::npos) semi = sh.size();
    out.push_back(sh.substr(pos, semi - pos));
    pos = semi + 1;
  }
  return out;
}

bool parse_int64(const std::string& s, int64_t& v) {
  if (s.empty() || s.size() > 18) return false;
  size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size()) return false;
  int64_t x = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    x = x * 10 + (s[i] - '0');
  }
  v = s[0] == '-' ? -x : x;
  return true;
}

void check_expires(int64_t expires) {
  if (expires < 0) query_error("X-Amz-Expires must be non-negative");
  if (expires == 0) query_error("X-Amz-Expires must be greater than 0");
  if (expires > kMaxPresignExpires)
    query_error("X-Amz-Expires must be less than a week (in seconds) that is; 604800");
}

bool valid_payload_hash(const std::string& h) {
  return is_lower_hex(h, 64) || h == "UNSIGNED-PAYLOAD" ||
         h == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" || h == "STREAMING-UNSIGNED-PAYLOAD-TRAILER" ||
         h == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
}

std::string canonical_request(const std::string& method, const std::string& uri,
                              const std::string& query, const std::string& headers,
                              const std::string& signed_headers, const std::string& payload) {
  std::string cr;
  cr.reserve(method.size() + uri.size() + query.size() + headers.size() + 200);
  cr +=
      method + "\n" + uri + "\n" + query + "\n" + headers + "\n" + signed_headers + "\n" + payload;
  return cr;
}

}  // namespace

std::string v4_canonical_query(const http::Request& req, bool skip_signature) {
  std::vector<std::pair<std::string, std::string>> enc;
  enc.reserve(req.query.size());
  for (const auto& [name, value] : req.query) {
    if (skip_signature && name == "X-Amz-Signature") continue;
    enc.emplace_back(http::uri_encode(name, true), http::uri_encode(value, true));
  }
  std::sort(enc.begin(), enc.end());
  std::string out;
  for (const auto& [n, v] : enc) {
    if (!out.empty()) out.push_back('&');
    out += n;
    out.push_back('=');
    out += v;
  }
  return out;
}

std::string v4_canonical_headers(const http::Request& req, const std::string& signed_headers) {
  std::string out;
  for (const std::string& name : split_signed_headers(signed_headers)) {
    out += name;
    out.push_back(':');
    bool first = true;
    for (const auto& h : req.headers) {
      if (h.first != name) continue;
      if (!first) out.push_back(',');
      out += normalize_header_value(h.second);
      first = false;
    }
    out.push_back('\n');
  }
  return out;
}

std::string v4_string_to_sign(const std::string& amz_date, const std::string& scope,
                              const std::string& canonical_request) {
  return std::string(kAlgorithm) + "\n" + amz_date + "\n" + scope + "\n" +
         sha256_hex(canonical_request);
}

AuthInfo parse_v4_header(const http::Request& req, const std::string& authorization) {
  AuthInfo info;
  info.scheme = AuthScheme::v4_header;
  std::string_view rest = std::string_view(authorization).substr(sizeof(kAlgorithm) - 1);
  bool have_cred = false, have_sh = false, have_sig = false;
  size_t pos = 0;
  while (pos <= rest.size()) {
    size_t comma = rest.find(',', pos);
    if (comma == std::string_view::npos) comma = rest.size();
    std::string_view part = trim(rest.substr(pos, comma - pos));
    pos = comma + 1;
    if (part.empty()) header_malformed("an empty component.");
    size_t eq = part.find('=');
    if (eq == std::string_view::npos)
      header_malformed("the component '" + std::string(part) + "' is not of the form Name=Value.");
    std::string_view key = part.substr(0, eq), value = part.substr(eq + 1);
    if (key == "Credential" && !have_cred) {
      parse_credential(value, false, info);
      have_cred = true;
    } else if (key == "SignedHeaders" && !have_sh) {
      check_signed_headers(value, false);
      info.signed_headers = std::string(value);
      have_sh = true;
    } else if (key == "Signature" && !have_sig) {
      if (value.empty()) header_malformed("the Signature is empty.");
      info.signature = std::string(value);
      have_sig = true;
    } else {
      header_malformed("unexpected component '" + std::string(key) + "'.");
    }
  }
  if (!have_cred) header_malformed("missing Credential.");
  if (!have_sh) header_malformed("missing SignedHeaders.");
  if (!have_sig) header_malformed("missing Signature.");

  int64_t t;
  if (const std::string* d = req.header("x-amz-date")) {
    if (!parse_amz_date(*d, t))
      throw_s3(403, "AccessDenied",
               "AWS authentication requires a valid Date or x-amz-date header");
    info.amz_date = *d;
  } else if (const std::string* hd = req.header("date")) {
    if (!parse_http_date(*hd, t))
      throw_s3(403, "AccessDenied",
               "AWS authentication requires a valid Date or x-amz-date header");
    info.amz_date = format_amz_date(t);
  } else {
    throw_s3(403, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header");
  }
  if (const std::string* p = req.header("x-amz-content-sha256")) info.payload_hash = *p;
  return info;
}

AuthInfo parse_v4_query(const http::Request& req) {
  AuthInfo info;
  info.scheme = AuthScheme::v4_query;
  const std::string* alg = req.query_param("X-Amz-Algorithm");
  if (!alg || *alg != kAlgorithm) query_error("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
  const std::string* cred = req.query_param("X-Amz-Credential");
  const std::string* date = req.query_param("X-Amz-Date");
  const std::string* expires = req.query_param("X-Amz-Expires");
  const std::string* sh = req.query_param("X-Amz-SignedHeaders");
  const std::string* sig = req.query_param("X-Amz-Signature");
  if (!cred || !date || !expires || !sh || !sig) query_error(kQueryParamsMessage);
  parse_credential(*cred, true, info);
  int64_t t;
  if (!parse_amz_date(*date, t))
    query_error("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
  info.amz_date = *date;
  if (!parse_int64(*expires, info.expires)) query_error("X-Amz-Expires should be a number");
  check_expires(info.expires);
  check_signed_headers(*sh, true);
  info.signed_headers = *sh;
  if (sig->empty()) query_error(kQueryParamsMessage);
  info.signature = *sig;
  const std::string* p = req.header("x-amz-content-sha256");
  info.payload_hash = p ? *p : "UNSIGNED-PAYLOAD";
  return info;
}

void verify_v4(const AuthInfo& auth, const http::Request& req, const std::string& secret,
               int64_t now) {
  const bool query = auth.scheme == AuthScheme::v4_query;
  if (query) check_expires(auth.expires);

  int64_t t;
  if (!parse_amz_date(auth.amz_date, t))
    throw_s3(403, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header");
  std::string date8 = auth.amz_date.substr(0, 8);
  if (auth.scope.compare(0, 9, date8 + "/") != 0)
    fail(query, "Invalid credential date. Date is not the same as X-Amz-Date: \"" + date8 + "\".");
  if (query) {
    if (t - now > kMaxSkewSeconds) throw_s3(403, "AccessDenied", "Request is not valid yet");
    if (t + auth.expires < now) throw_s3(403, "AccessDenied", "Request has expired");
  } else if (t - now > kMaxSkewSeconds || now - t > kMaxSkewSeconds) {
    throw_s3(403, "RequestTimeTooSkewed",
             "The difference between the request time and the current time is too large.");
  }

  std::string payload = auth.payload_hash;
  if (payload.empty()) {
    if (!query)
      throw_s3(400, "InvalidRequest",
               "Missing required header for this request: x-amz-content-sha256");
    payload = "UNSIGNED-PAYLOAD";
  }
  if (!valid_payload_hash(payload))
    throw_s3(400, "InvalidArgument",
             "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, "
             "STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or "
             "a valid sha256 value.");

  const std::string key = sigv4_signing_key(secret, date8, auth.region, auth.service);
  const std::string cq = v4_canonical_query(req, query);
  const std::string ch = v4_canonical_headers(req, auth.signed_headers);

  std::vector<std::string> uris{req.raw_path.empty() ? std::string("/") : req.raw_path};
  std::string decoded;
  if (http::percent_decode(req.raw_path, decoded)) {
    std::string reencoded = http::uri_encode(decoded, false);
    if (reencoded.empty()) reencoded = "/";
    if (reencoded != uris[0]) uris.push_back(reencoded);
  }
  bool ok = false;
  for (const std::string& uri : uris) {
    std::string cr = canonical_request(req.method, uri, cq, ch, auth.signed_headers, payload);
    std::string sig = hex(hmac_sha256(key, v4_string_to_sign(auth.amz_date, auth.scope, cr)));
    ok |= constant_time_equal(sig, auth.signature);
  }
  if (!ok)
    throw_s3(403, "SignatureDoesNotMatch",
             "The request signature we calculated does not match the signature you provided. "
             "Check your key and signing method.");

  // Every x-amz-* header must be signed: otherwise whoever holds a signed
  // request (a presigned URL) could add one and change what it does (turn a
  // PUT into a copy with x-amz-copy-source, add metadata, ...).
  const std::vector<std::string> signed_names = split_signed_headers(auth.signed_headers);
  for (const auto& h : req.headers) {
    if (h.first.compare(0, 6, "x-amz-") != 0) continue;
    if (std::find(signed_names.begin(), signed_names.end(), h.first) == signed_names.end()) {
      S3Error e(403, "AccessDenied",
                "There were headers present in the request which were not signed");
      e.details.emplace_back("HeadersNotSigned", h.first);
      throw e;
    }
  }
}

}  // namespace detail

std::string post_policy_signature_v4(const std::string& policy_b64, const std::string& secret,
                                     const std::string& date8, const std::string& region,
                                     const std::string& service) {
  return hex(hmac_sha256(detail::sigv4_signing_key(secret, date8, region, service), policy_b64));
}

std::string presign_v4(const std::string& method, const std::string& host,
                       const std::string& raw_path, const std::string& access_key,
                       const std::string& secret, const std::string& region, int64_t now,
                       int64_t expires) {
  detail::check_expires(expires);
  const std::string amz_date = detail::format_amz_date(now);
  const std::string date8 = amz_date.substr(0, 8);
  const std::string scope = date8 + "/" + region + "/s3/aws4_request";
  std::vector<std::pair<std::string, std::string>> params = {
      {"X-Amz-Algorithm", detail::kAlgorithm},
      {"X-Amz-Credential", access_key + "/" + scope},
      {"X-Amz-Date", amz_date},
      {"X-Amz-Expires", std::to_string(expires)},
      {"X-Amz-SignedHeaders", "host"},
  };
  std::string query;
  for (const auto& [n, v] : params) {  // already in canonical (sorted) order
    if (!query.empty()) query.push_back('&');
    query += http::uri_encode(n, true) + "=" + http::uri_encode(v, true);
  }
  const std::string uri = raw_path.empty() ? std::string("/") : raw_path;
  const std::string cr = detail::canonical_request(method, uri, query, "host:" + host + "\n",
                                                   "host", "UNSIGNED-PAYLOAD");
  const std::string key = detail::sigv4_signing_key(secret, date8, region, "s3");
  const std::string sig = hex(hmac_sha256(key, detail::v4_string_to_sign(amz_date, scope, cr)));
  return query + "&X-Amz-Signature=" + sig;
}

}  // namespace rgw::s3
