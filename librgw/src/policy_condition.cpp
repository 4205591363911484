// policy_condition.cpp - condition operators of bucket policies: their names,
// their value types (numbers, dates, CIDRs) and their evaluation (see
// policy.h).
#include <arpa/inet.h>

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "policy.h"
#include "policy_internal.h"

namespace rgw::policy {

using internal::lower;

namespace {

// What an operator compares, and whether it is the negated form.
enum class Kind { str, str_ic, str_like, num, date, boolean, binary, ip, arn, arn_like, null };
enum class Cmp { eq, lt, le, gt, ge };

struct OpInfo {
  const char* name;
  Operator op;
  Kind kind;
  Cmp cmp;
  bool negated;
};

constexpr OpInfo kOps[] = {
    {"StringEquals", Operator::string_equals, Kind::str, Cmp::eq, false},
    {"StringNotEquals", Operator::string_not_equals, Kind::str, Cmp::eq, true},
    {"StringEqualsIgnoreCase", Operator::string_equals_ignore_case, Kind::str_ic, Cmp::eq, false},
    {"StringNotEqualsIgnoreCase", Operator::string_not_equals_ignore_case, Kind::str_ic, Cmp::eq,
     true},
    {"StringLike", Operator::string_like, Kind::str_like, Cmp::eq, false},
    {"StringNotLike", Operator::string_not_like, Kind::str_like, Cmp::eq, true},
    {"NumericEquals", Operator::numeric_equals, Kind::num, Cmp::eq, false},
    {"NumericNotEquals", Operator::numeric_not_equals, Kind::num, Cmp::eq, true},
    {"NumericLessThan", Operator::numeric_less_than, Kind::num, Cmp::lt, false},
    {"NumericLessThanEquals", Operator::numeric_less_than_equals, Kind::num, Cmp::le, false},
    {"NumericGreaterThan", Operator::numeric_greater_than, Kind::num, Cmp::gt, false},
    {"NumericGreaterThanEquals", Operator::numeric_greater_than_equals, Kind::num, Cmp::ge, false},
    {"DateEquals", Operator::date_equals, Kind::date, Cmp::eq, false},
    {"DateNotEquals", Operator::date_not_equals, Kind::date, Cmp::eq, true},
    {"DateLessThan", Operator::date_less_than, Kind::date, Cmp::lt, false},
    {"DateLessThanEquals", Operator::date_less_than_equals, Kind::date, Cmp::le, false},
    {"DateGreaterThan", Operator::date_greater_than, Kind::date, Cmp::gt, false},
    {"DateGreaterThanEquals", Operator::date_greater_than_equals, Kind::date, Cmp::ge, false},
    {"Bool", Operator::boolean, Kind::boolean, Cmp::eq, false},
    {"BinaryEquals", Operator::binary_equals, Kind::binary, Cmp::eq, false},
    {"IpAddress", Operator::ip_address, Kind::ip, Cmp::eq, false},
    {"NotIpAddress", Operator::not_ip_address, Kind::ip, Cmp::eq, true},
    {"ArnEquals", Operator::arn_equals, Kind::arn, Cmp::eq, false},
    {"ArnLike", Operator::arn_like, Kind::arn_like, Cmp::eq, false},
    {"ArnNotEquals", Operator::arn_not_equals, Kind::arn, Cmp::eq, true},
    {"ArnNotLike", Operator::arn_not_like, Kind::arn_like, Cmp::eq, true},
    {"Null", Operator::null, Kind::null, Cmp::eq, false},
};

const OpInfo& info(Operator op) {
  for (const OpInfo& i : kOps)
    if (i.op == op) return i;
  return kOps[0];  // unreachable: every Operator is in the table
}

bool iequals(std::string_view a, std::string_view b) { return lower(a) == lower(b); }

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

bool is_bool(std::string_view v) { return iequals(v, "true") || iequals(v, "false"); }

bool digits(std::string_view s, size_t* pos, size_t n, int* out) {
  if (*pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[*pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
// days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

int days_in_month(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// Epoch seconds: [+-]digits[.digits].
bool parse_epoch(std::string_view s, int64_t* millis) {
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  size_t start = i;
  int64_t secs = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (i - start >= 15) return false;  // beyond any sensible date
    secs = secs * 10 + (s[i++] - '0');
  }
  if (i == start) return false;
  int64_t ms = 0;
  if (i < s.size() && s[i] == '.') {
    size_t f = ++i;
    int64_t scale = 100;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      ms += (s[i++] - '0') * scale;
      scale /= 10;
    }
    if (i == f) return false;
  }
  if (i != s.size()) return false;
  *millis = (secs * 1000 + ms) * (neg ? -1 : 1);
  return true;
}

// Whether the request value v matches the (expanded, escaped where a
// pattern) policy value p under the operator's kind and comparison.
bool value_matches(const OpInfo& op, std::string_view p, std::string_view v) {
  switch (op.kind) {
    case Kind::str:
    case Kind::arn: return internal::unescape(p) == v;
    case Kind::binary: return p == v;  // base64 text, not expanded
    case Kind::str_ic: return iequals(internal::unescape(p), v);
    case Kind::str_like:
    case Kind::arn_like: return internal::match(p, v, false, true);
    case Kind::boolean: return is_bool(v) && iequals(p, v);
    case Kind::ip: {
      Cidr net;
      return parse_cidr(p, &net) && cidr_contains(net, v);
    }
    case Kind::num:
    case Kind::date: {
      // Request value on the left: "NumericLessThan": {"k": 10} holds for k < 10.
      double a = 0, b = 0;
      if (op.kind == Kind::num) {
        if (!parse_number(v, &a) || !parse_number(p, &b)) return false;
      } else {
        int64_t x = 0, y = 0;
        if (!parse_date(v, &x) || !parse_date(p, &y)) return false;
        a = static_cast<double>(x);
        b = static_cast<double>(y);
      }
      switch (op.cmp) {
        case Cmp::eq: return a == b;
        case Cmp::lt: return a < b;
        case Cmp::le: return a <= b;
        case Cmp::gt: return a > b;
        case Cmp::ge: return a >= b;
      }
      return false;
    }
    case Kind::null: return false;
  }
  return false;
}

}  // namespace

bool parse_number(std::string_view s, double* out) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t d = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i == d || i - d > 400) return false;
  if (i < s.size() && s[i] == '.') {
    size_t f = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == f) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t e = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == e) return false;
  }
  if (i != s.size()) return false;
  double v = std::strtod(std::string(s).c_str(), nullptr);
  if (!std::isfinite(v)) return false;
  *out = v;
  return true;
}

bool parse_date(std::string_view s, int64_t* millis) {
  if (s.empty()) return false;
  if (s.find_first_not_of("+-0123456789.") == std::string_view::npos &&
      s.find('-', 1) == std::string_view::npos)
    return parse_epoch(s, millis);
  size_t i = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, ms = 0;
  bool basic = s.size() > 8 && s[4] != '-';
  if (!digits(s, &i, 4, &y)) return false;
  if (!basic && (i >= s.size() || s[i++] != '-')) return false;
  if (!digits(s, &i, 2, &mo)) return false;
  if (!basic && (i >= s.size() || s[i++] != '-')) return false;
  if (!digits(s, &i, 2, &d)) return false;
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) return false;
  int offset_min = 0;
  if (i < s.size()) {
    if (s[i] != 'T' && s[i] != 't') return false;
    ++i;
    if (!digits(s, &i, 2, &h)) return false;
    if (!basic && (i >= s.size() || s[i++] != ':')) return false;
    if (!digits(s, &i, 2, &mi)) return false;
    if (i < s.size() && (basic ? (s[i] >= '0' && s[i] <= '9') : s[i] == ':')) {
      if (!basic) ++i;
      if (!digits(s, &i, 2, &sec)) return false;
      if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
        size_t f = ++i;
        int scale = 100;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
          ms += (s[i++] - '0') * scale;
          scale /= 10;
        }
        if (i == f) return false;
      }
    }
    if (h > 23 || mi > 59 || sec > 60) return false;
    if (i < s.size()) {
      char z = s[i++];
      if (z == 'Z' || z == 'z') {
        if (i != s.size()) return false;
      } else if (z == '+' || z == '-') {
        int oh = 0, om = 0;
        if (!digits(s, &i, 2, &oh)) return false;
        if (i < s.size() && s[i] == ':') ++i;
        if (i < s.size() && !digits(s, &i, 2, &om)) return false;
        if (i != s.size() || oh > 23 || om > 59) return false;
        offset_min = (oh * 60 + om) * (z == '-' ? -1 : 1);
      } else {
        return false;
      }
    }
  }
  if (i != s.size()) return false;
  if (sec == 60) sec = 59;  // a leap second: its second's start is close enough
  int64_t secs = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
                 h * 3600 + mi * 60 + sec - offset_min * 60;
  *millis = secs * 1000 + ms;
  return true;
}

bool parse_cidr(std::string_view text, Cidr* out) {
  std::string_view addr = text;
  int prefix = -1;
  size_t slash = text.find('/');
  if (slash != std::string_view::npos) {
    addr = text.substr(0, slash);
    std::string_view p = text.substr(slash + 1);
    if (p.empty() || p.size() > 3 || p.find_first_not_of("0123456789") != std::string_view::npos)
      return false;
    prefix = std::atoi(std::string(p).c_str());
  }
  if (addr.empty() || addr.size() > 45) return false;
  std::string a(addr);
  Cidr c;
  if (inet_pton(AF_INET, a.c_str(), c.addr) == 1) {
    c.v6 = false;
    if (prefix > 32) return false;
    c.prefix = prefix < 0 ? 32 : prefix;
  } else if (inet_pton(AF_INET6, a.c_str(), c.addr) == 1) {
    c.v6 = true;
    if (prefix > 128) return false;
    c.prefix = prefix < 0 ? 128 : prefix;
  } else {
    return false;
  }
  *out = c;
  return true;
}

bool cidr_contains(const Cidr& net, std::string_view ip) {
  if (ip.empty() || ip.size() > 45) return false;
  std::string s(ip);
  uint8_t addr[16] = {};
  bool v6;
  if (inet_pton(AF_INET, s.c_str(), addr) == 1) {
    v6 = false;
  } else if (inet_pton(AF_INET6, s.c_str(), addr) == 1) {
    v6 = true;
  } else {
    return false;
  }
  static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  const uint8_t* a = addr;
  uint8_t mapped[16];
  if (v6 && !net.v6) {  // ::ffff:a.b.c.d against an IPv4 network
    if (std::memcmp(addr, kMapped, 12) != 0) return false;
    a = addr + 12;
  } else if (!v6 && net.v6) {  // a.b.c.d against an IPv6 network: as ::ffff:a.b.c.d
    std::memcpy(mapped, kMapped, 12);
    std::memcpy(mapped + 12, addr, 4);
    a = mapped;
  }
  int bits = net.prefix;
  for (int i = 0; bits > 0; ++i, bits -= 8) {
    uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((a[i] & mask) != (net.addr[i] & mask)) return false;
  }
  return true;
}

namespace internal {

bool parse_operator(std::string_view name, Condition* c) {
  std::string_view rest = name;
  c->set = SetQualifier::none;
  if (starts_with_ci(rest, "ForAnyValue:")) {
    c->set = SetQualifier::for_any_value;
    rest.remove_prefix(12);
  } else if (starts_with_ci(rest, "ForAllValues:")) {
    c->set = SetQualifier::for_all_values;
    rest.remove_prefix(13);
  }
  c->if_exists = false;
  const std::string_view kIfExists = "IfExists";
  if (rest.size() > kIfExists.size() &&
      iequals(rest.substr(rest.size() - kIfExists.size()), kIfExists)) {
    c->if_exists = true;
    rest.remove_suffix(kIfExists.size());
  }
  for (const OpInfo& i : kOps) {
    if (!iequals(rest, i.name)) continue;
    // Null tests existence itself: no IfExists, no set prefix.
    if (i.op == Operator::null && (c->if_exists || c->set != SetQualifier::none)) return false;
    c->op = i.op;
    c->op_name = std::string(name);
    return true;
  }
  return false;
}

bool valid_value(const Condition& c, std::string_view v) {
  switch (info(c.op).kind) {
    case Kind::num: {
      double d;
      return parse_number(v, &d);
    }
    case Kind::date: {
      int64_t t;
      return parse_date(v, &t);
    }
    case Kind::ip: {
      Cidr n;
      return parse_cidr(v, &n);
    }
    case Kind::boolean:
    case Kind::null: return is_bool(v);
    default: return true;
  }
}

}  // namespace internal

bool evaluate_condition(const Condition& c, const Request& request, bool variables) {
  const std::vector<std::string>* values = request.find(c.key);
  const OpInfo& op = info(c.op);
  if (op.kind == Kind::null) {
    for (const std::string& v : c.values)
      if (iequals(v, "true") == (values == nullptr)) return true;
    return false;
  }
  if (!values) {
    if (c.if_exists) return true;
    if (c.set == SetQualifier::for_all_values) return true;
    if (c.set == SetQualifier::for_any_value) return false;
    return op.negated;
  }
  // The policy's values, expanded once.
  bool expands = op.kind == Kind::str || op.kind == Kind::str_ic || op.kind == Kind::str_like ||
                 op.kind == Kind::arn || op.kind == Kind::arn_like;
  std::vector<std::string> patterns;
  patterns.reserve(c.values.size());
  for (const std::string& p : c.values) {
    std::string e;
    if (!expands) {
      patterns.push_back(p);
    } else if (internal::expand(p, request, variables, &e)) {
      patterns.push_back(std::move(e));
    }  // else: an unresolved variable matches nothing
  }
  auto matches_some = [&](const std::string& v) {
    for (const std::string& p : patterns)
      if (value_matches(op, p, v)) return true;
    return false;
  };
  // Whether one request value satisfies the operator (negated: matches none).
  auto satisfies = [&](const std::string& v) { return matches_some(v) != op.negated; };
  switch (c.set) {
    case SetQualifier::for_all_values:
      for (const std::string& v : *values)
        if (!satisfies(v)) return false;
      return true;
    case SetQualifier::for_any_value:
      for (const std::string& v : *values)
        if (satisfies(v)) return true;
      return false;
    case SetQualifier::none:
      if (op.negated) {
        for (const std::string& v : *values)
          if (matches_some(v)) return false;
        return true;
      }
      for (const std::string& v : *values)
        if (matches_some(v)) return true;
      return false;
  }
  return false;
}

}  // namespace rgw::policy
