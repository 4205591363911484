// token.h - Swift auth v1 tokens that verify themselves.
//
// A token names its Swift user and its expiry, and carries an HMAC-SHA256 of
// both keyed by the user's Swift key, which only the store holds:
//
//   AUTH_tk<expiry, epoch seconds>.<hex of account:user>.<hex of the MAC>
//
// So any worker of any door verifies a token any other issued without
// shared state, and changing or removing the Swift key revokes every token
// made with it (the MAC no longer matches, or the user has no key).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "model.h"

namespace rgw::swift {

// Tokens live a day, as Swift's tempauth gives them.
inline constexpr int64_t kTokenLifetime = 86400;

// A new token for the user's Swift identity, valid until expiry.
std::string issue_token(const User& user, int64_t expiry);

// The token's parts, if it is well formed (nothing verified yet).
struct TokenClaims {
  std::string swift_user;
  int64_t expiry = 0;
  std::string mac;  // raw
};
std::optional<TokenClaims> parse_token(const std::string& token);

// Whether claims were issued for user's current Swift key and are not
// expired at now (constant-time comparison of the MAC).
bool token_valid(const TokenClaims& claims, const User& user, int64_t now);

}  // namespace rgw::swift
