// policy_eval.cpp - evaluating bucket policies: wildcards, policy variables,
// statements, and the "is it public" test (see policy.h).
#include <string>

#include "policy.h"
#include "policy_internal.h"

namespace rgw::policy {

namespace internal {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

namespace {

inline char fold(char c, bool ignore_case) {
  return ignore_case && c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// The index after the character at t[i]: a UTF-8 lead byte and its
// continuation bytes (at most 3), or one byte.
size_t next_char(std::string_view t, size_t i) {
  size_t n = i + 1;
  while (n < t.size() && n - i < 4 && (static_cast<unsigned char>(t[n]) & 0xC0) == 0x80) ++n;
  return n;
}

void append_literal(std::string_view text, std::string* out) {
  for (char c : text) {
    if (c == '*' || c == '?' || c == '\\') out->push_back('\\');
    out->push_back(c);
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool match(std::string_view p, std::string_view t, bool ignore_case, bool escaped) {
  // Greedy matching with one backtrack point: the last `*` seen.
  size_t pi = 0, ti = 0;
  size_t star_p = std::string_view::npos, star_t = 0;
  while (ti < t.size()) {
    if (pi < p.size()) {
      char c = p[pi];
      if (c == '*') {
        star_p = ++pi;
        star_t = ti;
        continue;
      }
      size_t step = 1;
      bool literal = false;
      if (escaped && c == '\\' && pi + 1 < p.size()) {
        c = p[pi + 1];
        step = 2;
        literal = true;
      }
      if (!literal && c == '?') {  // one character: a whole UTF-8 sequence
        pi += step;
        ti = next_char(t, ti);
        continue;
      }
      if (fold(c, ignore_case) == fold(t[ti], ignore_case)) {
        pi += step;
        ++ti;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    pi = star_p;
    ti = star_t = next_char(t, star_t);
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

bool expand(std::string_view pattern, const Request& request, bool variables, std::string* out) {
  out->clear();
  for (size_t i = 0; i < pattern.size();) {
    size_t close;
    if (variables && pattern.compare(i, 2, "${") == 0 &&
        (close = pattern.find('}', i + 2)) != std::string_view::npos) {
      std::string_view inner = trim(pattern.substr(i + 2, close - i - 2));
      i = close + 1;
      if (inner == "*" || inner == "?" || inner == "$") {
        append_literal(inner, out);
        continue;
      }
      std::string_view key = inner, fallback;
      bool has_default = false;
      size_t comma = inner.find(',');
      if (comma != std::string_view::npos) {
        key = trim(inner.substr(0, comma));
        std::string_view d = trim(inner.substr(comma + 1));
        if (d.size() >= 2 && d.front() == '\'' && d.back() == '\'') {
          fallback = d.substr(1, d.size() - 2);
          has_default = true;
        }
      }
      const std::vector<std::string>* v = request.find(key);
      if (v && v->size() == 1) {
        append_literal((*v)[0], out);
      } else if (!v && has_default) {
        append_literal(fallback, out);
      } else {
        return false;
      }
      continue;
    }
    if (pattern[i] == '\\') out->push_back('\\');
    out->push_back(pattern[i++]);
  }
  return true;
}

std::string unescape(std::string_view escaped) {
  std::string out;
  out.reserve(escaped.size());
  for (size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] == '\\' && i + 1 < escaped.size()) ++i;
    out.push_back(escaped[i]);
  }
  return out;
}

}  // namespace internal

using internal::lower;

bool wildcard_match(std::string_view pattern, std::string_view text, bool ignore_case) {
  return internal::match(pattern, text, ignore_case, false);
}

void Request::set(std::string_view key, std::string value) {
  context[lower(key)] = std::vector<std::string>{std::move(value)};
}

void Request::set(std::string_view key, std::vector<std::string> values) {
  context[lower(key)] = std::move(values);
}

const std::vector<std::string>* Request::find(std::string_view key) const {
  auto it = context.find(lower(key));
  return it == context.end() ? nullptr : &it->second;
}

std::string resource_arn(std::string_view bucket, std::string_view key) {
  std::string arn = "arn:aws:s3:::";
  arn += bucket;
  if (!key.empty()) {
    arn += '/';
    arn += key;
  }
  return arn;
}

namespace {

bool principal_matches(const std::vector<PrincipalEntry>& entries, const std::string& uid) {
  for (const PrincipalEntry& e : entries) {
    switch (e.kind) {
      case PrincipalEntry::Kind::any: return true;
      case PrincipalEntry::Kind::account:
      case PrincipalEntry::Kind::canonical:
        if (!uid.empty() && e.id == uid) return true;
        break;
      case PrincipalEntry::Kind::service: break;
    }
  }
  return false;
}

bool action_matches(const std::vector<std::string>& patterns, const std::string& action) {
  for (const std::string& p : patterns)
    if (wildcard_match(p, action, true)) return true;
  return false;
}

bool resource_matches(const std::vector<std::string>& patterns, const Request& r, bool variables) {
  std::string expanded;
  for (const std::string& p : patterns)
    if (internal::expand(p, r, variables, &expanded) &&
        internal::match(expanded, r.resource, false, true))
      return true;
  return false;
}

bool applies(const Statement& s, const Request& r, bool variables) {
  if (principal_matches(s.principals, r.uid) == s.not_principal) return false;
  if (action_matches(s.actions, r.action) == s.not_action) return false;
  if (resource_matches(s.resources, r, variables) == s.not_resource) return false;
  for (const Condition& c : s.conditions)
    if (!evaluate_condition(c, r, variables)) return false;
  return true;
}

// Whether a value is "fixed": no wildcard, no policy variable.
bool fixed(const std::string& v) {
  return v.find_first_of("*?") == std::string::npos && v.find("${") == std::string::npos;
}

// Whether condition c restricts its statement to fixed values (is_public).
bool pins(const Condition& c) {
  if (c.if_exists || c.set == SetQualifier::for_all_values || c.values.empty()) return false;
  if (c.key == "aws:sourceip") {
    if (c.op != Operator::ip_address) return false;
    for (const std::string& v : c.values) {
      Cidr n;
      if (!parse_cidr(v, &n) || n.prefix < (n.v6 ? 32 : 8)) return false;
    }
    return true;
  }
  static const char* const kFixedKeys[] = {
      "aws:sourcearn",
      "aws:sourcevpc",
      "aws:sourcevpce",
      "aws:sourceowner",
      "aws:sourceaccount",
      "aws:principalorgid",
      "aws:principalaccount",
      "aws:principalarn",
      "aws:userid",
      "s3:dataaccesspointarn",
      "s3:dataaccesspointaccount",
      "s3:x-amz-server-side-encryption-aws-kms-key-id",
  };
  bool known = false;
  for (const char* k : kFixedKeys) known = known || c.key == k;
  if (!known) return false;
  switch (c.op) {
    case Operator::string_equals:
    case Operator::string_equals_ignore_case:
    case Operator::string_like:
    case Operator::arn_equals:
    case Operator::arn_like: break;
    default: return false;
  }
  for (const std::string& v : c.values)
    if (!fixed(v)) return false;
  return true;
}

}  // namespace

Decision evaluate(const Policy& policy, const Request& request) {
  bool allowed = false;
  bool variables = policy.variables();
  for (const Statement& s : policy.statements) {
    if (!applies(s, request, variables)) continue;
    if (s.effect == Effect::deny) return Decision::deny;
    allowed = true;
  }
  return allowed ? Decision::allow : Decision::none;
}

bool is_public(const Policy& policy) {
  for (const Statement& s : policy.statements) {
    if (s.effect != Effect::allow) continue;
    // Principal "*", or NotPrincipal naming a few (NotPrincipal "*": nobody).
    bool star = false;
    for (const PrincipalEntry& e : s.principals) star = star || e.kind == PrincipalEntry::Kind::any;
    if (star == s.not_principal) continue;
    bool pinned = false;
    for (const Condition& c : s.conditions) pinned = pinned || pins(c);
    if (!pinned) return true;
  }
  return false;
}

}  // namespace rgw::policy
