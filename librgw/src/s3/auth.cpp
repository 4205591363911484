// auth.cpp - parse_auth / verify_auth dispatch and the helpers every scheme
// shares: dates, header value normalisation, the SigV4 signing key and the
// aws-chunked chunk and trailer signatures.
#include "s3/auth.h"

#include "crypto.h"
#include "s3/auth_internal.h"

#include <cstdio>

namespace rgw::s3 {

namespace detail {

const char kEmptySha256[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

bool make_epoch(int y, int mo, int d, int h, int mi, int s, int64_t& epoch) {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return false;
  epoch = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
          h * 3600 + mi * 60 + s;
  return true;
}

}  // namespace

bool parse_amz_date(std::string_view s, int64_t& epoch) {
  int y, mo, d, h, mi, sec;
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return false;
  if (!digits(s, 0, 4, y) || !digits(s, 4, 2, mo) || !digits(s, 6, 2, d) || !digits(s, 9, 2, h) ||
      !digits(s, 11, 2, mi) || !digits(s, 13, 2, sec))
    return false;
  return make_epoch(y, mo, d, h, mi, sec, epoch);
}

std::string format_amz_date(int64_t epoch) {
  int64_t days = epoch / 86400, rem = epoch % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[32];
  snprintf(buf, sizeof buf, "%04lld%02u%02uT%02d%02d%02dZ", static_cast<long long>(y), m, d,
           static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60),
           static_cast<int>(rem % 60));
  return buf;
}

bool parse_http_date(std::string_view s, int64_t& epoch) {
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  size_t p = 0;
  auto skip_spaces = [&] {
    while (p < s.size() && s[p] == ' ') ++p;
  };
  skip_spaces();
  size_t comma = s.find(',');
  if (comma != std::string_view::npos) p = comma + 1;
  skip_spaces();
  int d = 0, y = 0, h = 0, mi = 0, sec = 0;
  size_t dlen = 0;
  while (p + dlen < s.size() && s[p + dlen] >= '0' && s[p + dlen] <= '9') ++dlen;
  if (dlen < 1 || dlen > 2 || !digits(s, p, dlen, d)) return false;
  p += dlen;
  skip_spaces();
  if (p + 3 > s.size()) return false;
  int mo = 0;
  for (int i = 0; i < 12; ++i)
    if (s.substr(p, 3) == kMonths[i]) mo = i + 1;
  if (!mo) return false;
  p += 3;
  skip_spaces();
  if (!digits(s, p, 4, y)) return false;
  p += 4;
  skip_spaces();
  if (!digits(s, p, 2, h) || p + 8 > s.size() || s[p + 2] != ':' || !digits(s, p + 3, 2, mi) ||
      s[p + 5] != ':' || !digits(s, p + 6, 2, sec))
    return false;
  p += 8;
  skip_spaces();
  std::string_view zone = s.substr(p);
  while (!zone.empty() && zone.back() == ' ') zone.remove_suffix(1);
  int offset = 0;
  if (zone == "GMT" || zone == "UTC" || zone == "Z") {
    offset = 0;
  } else if (zone.size() == 5 && (zone[0] == '+' || zone[0] == '-')) {
    int zh, zm;
    if (!digits(zone, 1, 2, zh) || !digits(zone, 3, 2, zm) || zm > 59) return false;
    offset = (zh * 60 + zm) * 60 * (zone[0] == '-' ? -1 : 1);
  } else {
    return false;
  }
  if (!make_epoch(y, mo, d, h, mi, sec, epoch)) return false;
  epoch -= offset;
  return true;
}

std::string normalize_header_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

bool is_lower_hex(std::string_view s, size_t len) {
  if (s.size() != len) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string sigv4_signing_key(const std::string& secret, std::string_view date8,
                              std::string_view region, std::string_view service) {
  std::string k = hmac_sha256("AWS4" + secret, date8);
  k = hmac_sha256(k, region);
  k = hmac_sha256(k, service);
  return hmac_sha256(k, "aws4_request");
}

std::string chunk_signature(const std::string& key, const std::string& amz_date,
                            const std::string& scope, const std::string& prev_signature,
                            std::string_view chunk_sha256_hex) {
  std::string sts = "AWS4-HMAC-SHA256-PAYLOAD\n";
  sts += amz_date + "\n" + scope + "\n" + prev_signature + "\n" + kEmptySha256 + "\n";
  sts += chunk_sha256_hex;
  return hex(hmac_sha256(key, sts));
}

std::string trailer_signature(const std::string& key, const std::string& amz_date,
                              const std::string& scope, const std::string& prev_signature,
                              std::string_view trailer_sha256_hex) {
  std::string sts = "AWS4-HMAC-SHA256-TRAILER\n";
  sts += amz_date + "\n" + scope + "\n" + prev_signature + "\n";
  sts += trailer_sha256_hex;
  return hex(hmac_sha256(key, sts));
}

}  // namespace detail

AuthInfo parse_auth(const http::Request& req) {
  const std::string* authz = req.header("authorization");
  bool v4_query = req.has_query("X-Amz-Algorithm");
  bool v2_query =
      req.has_query("AWSAccessKeyId") || (req.has_query("Signature") && req.has_query("Expires"));
  if ((authz ? 1 : 0) + (v4_query ? 1 : 0) + (v2_query ? 1 : 0) > 1)
    throw_s3(400, "InvalidArgument",
             "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
             "Signature query string parameter or the Authorization header should be specified");
  AuthInfo info;
  if (authz) {
    const std::string& a = *authz;
    if (a.rfind("AWS4-HMAC-SHA256", 0) == 0 && (a.size() == 16 || a[16] == ' ' || a[16] == '\t'))
      info = detail::parse_v4_header(req, a);
    else if (a.rfind("AWS ", 0) == 0)
      info = detail::parse_v2_header(req, a);
    else
      throw_s3(400, "InvalidArgument", "Unsupported Authorization Type");
  } else if (v4_query) {
    info = detail::parse_v4_query(req);
  } else if (v2_query) {
    info = detail::parse_v2_query(req);
  } else {
    return info;  // anonymous
  }
  if (const std::string* t = req.header("x-amz-security-token"))
    info.security_token = *t;
  else if (const std::string* q = req.query_param("X-Amz-Security-Token"))
    info.security_token = *q;
  return info;
}

void verify_auth(const AuthInfo& auth, const http::Request& req, const std::string& secret,
                 int64_t now, const std::string& vhost_bucket) {
  switch (auth.scheme) {
    case AuthScheme::anonymous: return;
    case AuthScheme::v4_header:
    case AuthScheme::v4_query: detail::verify_v4(auth, req, secret, now); return;
    case AuthScheme::v2_header:
    case AuthScheme::v2_query: detail::verify_v2(auth, req, secret, now, vhost_bucket); return;
  }
}

}  // namespace rgw::s3
