// token.cpp - Swift auth v1 tokens (see token.h).
#include "swift/token.h"

#include "crypto.h"

namespace rgw::swift {

namespace {

constexpr const char* kPrefix = "AUTH_tk";

std::string mac_of(const std::string& swift_key, const std::string& swift_user, int64_t expiry) {
  return hmac_sha256(swift_key,
                     "librgw swift token v1\n" + swift_user + "\n" + std::to_string(expiry));
}

}  // namespace

std::string issue_token(const User& user, int64_t expiry) {
  return kPrefix + std::to_string(expiry) + "." + hex(user.swift_user) + "." +
         hex(mac_of(user.swift_key, user.swift_user, expiry));
}

std::optional<TokenClaims> parse_token(const std::string& token) {
  const std::string prefix = kPrefix;
  if (token.size() > 1024 || token.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  size_t dot1 = token.find('.', prefix.size());
  if (dot1 == std::string::npos) return std::nullopt;
  size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string::npos) return std::nullopt;
  std::string digits = token.substr(prefix.size(), dot1 - prefix.size());
  if (digits.empty() || digits.size() > 12 ||
      digits.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  TokenClaims claims;
  claims.expiry = std::stoll(digits);
  if (!unhex(token.substr(dot1 + 1, dot2 - dot1 - 1), claims.swift_user) ||
      claims.swift_user.empty() || !unhex(token.substr(dot2 + 1), claims.mac) ||
      claims.mac.size() != 32)
    return std::nullopt;
  return claims;
}

bool token_valid(const TokenClaims& claims, const User& user, int64_t now) {
  if (claims.expiry <= now || user.swift_key.empty() || user.swift_user != claims.swift_user)
    return false;
  return constant_time_equal(claims.mac, mac_of(user.swift_key, claims.swift_user, claims.expiry));
}

}  // namespace rgw::swift
