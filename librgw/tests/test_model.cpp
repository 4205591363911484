// test_model.cpp - the model without a store: access policies (canned ACLs,
// evaluation, referrers) and the record codecs, including records of the
// earlier format (version 1), which existing stores hold and which must
// keep reading the same.
#include <cstdio>
#include <string>

#include "acl.h"
#include "check.hpp"
#include "codec.h"
#include "errors.h"
#include "util.h"

using namespace rgw;

namespace {

Grant user(const std::string& uid, uint32_t perms) {
  return Grant{Grantee{Grantee::Kind::user, uid}, perms};
}
Grant group(const char* g, uint32_t perms) {
  return Grant{Grantee{Grantee::Kind::group, g}, perms};
}

void test_canned() {
  Acl priv = canned_acl("private", "alice");
  CHECK(priv.owner == "alice");
  CHECK(priv.grants.size() == 1 && priv.grants[0] == user("alice", kPermFullControl));
  Acl pub = canned_acl("public-read", "alice");
  // Group grants first, then the owner's (radosgw's order).
  CHECK(pub.grants.size() == 2 && pub.grants[0] == group(kGroupAllUsers, kPermRead) &&
        pub.grants[1] == user("alice", kPermFullControl));
  Acl prw = canned_acl("public-read-write", "alice");
  CHECK(prw.grants.size() == 3);
  Acl auth = canned_acl("authenticated-read", "alice");
  CHECK(auth.grants[0] == group(kGroupAuthenticatedUsers, kPermRead));
  Acl bor = canned_acl("bucket-owner-read", "writer", "bob");
  CHECK(bor.grants.size() == 2 && bor.grants[1] == user("bob", kPermRead));
  Acl bofc = canned_acl("bucket-owner-full-control", "writer", "bob");
  CHECK(bofc.grants[1] == user("bob", kPermFullControl));
  Acl ldw = canned_acl("log-delivery-write", "alice");
  CHECK(ldw.grants.size() == 3);
  CHECK_THROWS(canned_acl("aws-exec-read", "a"), RGW_ERR_INVALID_ARGUMENT);
  CHECK_THROWS(canned_acl("", "a"), RGW_ERR_INVALID_ARGUMENT);

  // Names round-trip, grant order aside.
  for (const char* n :
       {"private", "public-read", "public-read-write", "authenticated-read", "log-delivery-write"})
    CHECK(std::string(canned_acl_name(canned_acl(n, "alice"), "alice")) == n);
  CHECK(std::string(canned_acl_name(bofc, "bob")) == "bucket-owner-full-control");
  Acl swapped = pub;
  std::swap(swapped.grants[0], swapped.grants[1]);
  CHECK(std::string(canned_acl_name(swapped)) == "public-read");
  Acl custom = pub;
  custom.grants.push_back(user("carol", kPermWrite));
  CHECK(canned_acl_name(custom) == nullptr);
  // An empty owner is the bucket owner's, with full control.
  Acl legacy;
  CHECK(std::string(canned_acl_name(legacy, "bob")) == "private");
  legacy.grants.push_back(group(kGroupAllUsers, kPermRead));
  CHECK(std::string(canned_acl_name(legacy, "bob")) == "public-read");
}

void test_evaluation() {
  Principal anon, alice{"alice", "alice@example.com", ""}, bob{"bob", "", ""};
  Acl pub = canned_acl("public-read", "alice");
  CHECK(permissions_of(pub, alice, "") == kPermFullControl);
  CHECK(permissions_of(pub, anon, "") == kPermRead);
  CHECK(permissions_of(pub, bob, "") == kPermRead);
  Acl auth = canned_acl("authenticated-read", "alice");
  CHECK(permissions_of(auth, anon, "") == 0);
  CHECK(permissions_of(auth, bob, "") == kPermRead);
  // The owner keeps READ_ACP and WRITE_ACP without a grant (as in S3).
  Acl bare{"alice", {}};
  CHECK(permissions_of(bare, alice, "") == (kPermReadAcp | kPermWriteAcp));
  CHECK(!allows(bare, alice, "", kPermRead));
  // An empty owner: the bucket's owner, with full control (and object reads).
  Acl legacy;
  CHECK(permissions_of(legacy, bob, "bob") == kPermAll);
  CHECK(permissions_of(legacy, alice, "bob") == 0);
  // Users by e-mail; anonymous never matches a user or e-mail grant.
  Acl by_mail{"bob", {Grant{Grantee{Grantee::Kind::email, "alice@example.com"}, kPermWrite}}};
  CHECK(allows(by_mail, alice, "", kPermWrite));
  CHECK(!allows(by_mail, anon, "", kPermWrite));
  Acl empty_id{"bob", {user("", kPermRead)}};
  CHECK(!allows(empty_id, anon, "", kPermRead));
  // Log delivery is never a requester.
  CHECK(permissions_of(canned_acl("log-delivery-write", "alice"), bob, "") == 0);
}

void test_referrers() {
  CHECK(referrer_matches("*", ""));
  CHECK(referrer_matches("*", "https://x.example.com/page"));
  CHECK(referrer_matches("www.example.com", "https://www.example.com/a?b"));
  CHECK(referrer_matches("www.example.com", "http://user@www.example.com:8080/"));
  CHECK(!referrer_matches("www.example.com", "https://example.com/"));
  CHECK(referrer_matches(".example.com", "https://a.b.example.com/"));
  CHECK(!referrer_matches(".example.com", "https://example.com/"));
  CHECK(!referrer_matches(".example.com", "https://badexample.com/"));
  CHECK(!referrer_matches("example.com", ""));
  Acl swift{"bob", {Grant{Grantee{Grantee::Kind::referrer, "*"}, kPermReadObjects}}};
  Principal anon_from{"", "", "https://site.example/"};
  CHECK(permissions_of(swift, anon_from, "") == kPermReadObjects);
}

// A version 1 record, written field by field as version 1 wrote it.
std::string v1_bucket(const std::string& canned) {
  Encoder e;
  e.u8(1);
  e.str("photos");
  e.str("alice");
  e.str("id-1");
  e.i64(1234);
  e.u8(1);  // versioning enabled
  e.str(canned);
  e.attrs({{"x-container-meta-a", "b"}});
  return e.bytes();
}

std::string v1_object(const Attrs& attrs) {
  Encoder e;
  e.u8(1);
  e.str("cat.jpg");
  e.str("null");
  e.u64(42);
  e.str("0123456789abcdef0123456789abcdef");
  e.i64(5678);
  e.i64(99);
  e.u8(0);
  e.u8(1);
  e.attrs(attrs);
  return e.bytes();
}

void test_records() {
  // Buckets: version 1's canned string becomes the grant list.
  BucketInfo b = decode_bucket_info(v1_bucket("public-read"));
  CHECK(b.name == "photos" && b.owner == "alice" && b.id == "id-1" && b.created_ns == 1234);
  CHECK(b.versioning == Versioning::enabled);
  CHECK(b.acl == canned_acl("public-read", "alice"));
  CHECK(b.attrs.at("x-container-meta-a") == "b");
  CHECK(decode_bucket_info(v1_bucket("private")).acl == canned_acl("private", "alice"));
  CHECK(decode_bucket_info(encode_bucket_info(b)).acl == b.acl);

  // Objects: version 1's "rgw-acl" attribute becomes the grant list and
  // leaves the attributes.
  ObjectInfo o = decode_object_info(
      v1_object({{"content-type", "image/jpeg"}, {kLegacyObjectAclAttr, "public-read"}}));
  CHECK(o.key == "cat.jpg" && o.size == 42 && o.mtime_ns == 5678 && o.delete_at == 99);
  CHECK(o.attrs.size() == 1 && o.attrs.at("content-type") == "image/jpeg");
  CHECK(o.acl.owner.empty() && o.acl.grants.size() == 1 &&
        o.acl.grants[0] == group(kGroupAllUsers, kPermRead));
  CHECK(std::string(canned_acl_name(o.acl, "alice")) == "public-read");
  ObjectInfo priv = decode_object_info(v1_object({}));
  CHECK(priv.acl.grants.empty() && std::string(canned_acl_name(priv.acl, "alice")) == "private");
  // Version 2 round trip keeps everything.
  o.acl = canned_acl("authenticated-read", "carol");
  o.acl.grants.push_back(Grant{Grantee{Grantee::Kind::referrer, ".example.com"}, kPermReadObjects});
  ObjectInfo again = decode_object_info(encode_object_info(o));
  CHECK(again.acl == o.acl && again.attrs == o.attrs && again.etag == o.etag);

  // Users: attributes since version 2.
  User u;
  u.uid = "alice";
  u.keys.push_back({"AK", "SK"});
  u.swift_user = "acct:alice";
  u.attrs = {{"temp-url-key", "secret"}};
  User u2 = decode_user(encode_user(u));
  CHECK(u2.uid == "alice" && u2.keys.size() == 1 && u2.swift_user == "acct:alice");
  CHECK(u2.attrs == u.attrs);

  // Uploads: the final object's policy and expiry since version 2.
  UploadInfo up;
  up.upload_id = "id";
  up.key = "k";
  up.acl = canned_acl("public-read", "alice");
  up.delete_at = 77;
  UploadInfo up2 = decode_upload_info(encode_upload_info(up));
  CHECK(up2.acl == up.acl && up2.delete_at == 77);

  // Damaged records fail with -EIO, never crash.
  std::string good = encode_object_info(o);
  for (size_t cut = 0; cut < good.size(); ++cut)
    CHECK_THROWS(decode_object_info(good.substr(0, cut)), -EIO);
  std::string newer = good;
  newer[0] = 3;
  CHECK_THROWS(decode_object_info(newer), -EIO);
  std::string bad_kind = encode_bucket_info(b);
  // The first grant's kind byte: after version, name, owner, id, created,
  // versioning and the policy's owner.
  size_t at = 1 + (4 + 6) + (4 + 5) + (4 + 4) + 8 + 1 + (4 + 5) + 4;
  bad_kind[at] = 9;
  CHECK_THROWS(decode_bucket_info(bad_kind), -EIO);
}

}  // namespace

int main() {
  test_canned();
  test_evaluation();
  test_referrers();
  test_records();
  return check::report();
}
