// acl.h - Swift container ACLs: X-Container-Read and X-Container-Write,
// kept as the container's attributes "x-container-read" and
// "x-container-write" (the header's text, checked).
//
// Elements, comma separated:
//   .r:*             anyone may read objects (no token needed)
//   .r:<host>        requests whose Referer's host is <host> or ends with
//                    ".<host>" when written ".r:.<host>"; ".r:-<host>" denies
//   .rlistings       with a .r: element, anonymous readers may list too
//   <account>:<user> the Swift user (X-Auth-User) of that name
//   <account>        every Swift user of that account
//   <account>:*, *:<user>, *:*  the obvious wildcards
// Read grants GET/HEAD of objects and the container listing; write grants
// PUT, POST, DELETE and COPY of objects.  The container's owner may do
// anything; only the owner sees or changes the ACLs.
#pragma once

#include <string>
#include <vector>

#include "http/request.h"
#include "model.h"

namespace rgw::swift {

inline constexpr const char* kReadAclAttr = "x-container-read";
inline constexpr const char* kWriteAclAttr = "x-container-write";

// Checks an ACL header's value (400 with the reason when malformed) and
// returns it normalized (elements trimmed, joined by ",").
std::string check_container_acl(const std::string& value, bool read_acl);

// Whether an anonymous request may read (list: also list) under acl.
bool anonymous_may_read(const std::string& acl, const http::Request& req, bool list);

// Whether the Swift user (whose X-Auth-User is "account:user") is named by acl.
bool names_user(const std::string& acl, const User& user);

}  // namespace rgw::swift
