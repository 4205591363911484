// bucket_policy.cpp - the bucket policy's decision for one request.
#include "s3/bucket_policy.h"

#include <chrono>
#include <memory>
#include <unordered_map>

#include "http/date.h"
#include "s3/public_access.h"
#include "s3/tagging.h"

namespace rgw::s3 {

namespace {

// The parsed policy of a document, cached per thread (documents are few;
// the cache is emptied when it grows past a bound).
std::shared_ptr<const policy::Policy> parsed(const BucketInfo& bucket, const std::string& text) {
  thread_local std::unordered_map<std::string, std::shared_ptr<const policy::Policy>> cache;
  auto it = cache.find(text);
  if (it != cache.end()) return it->second;
  auto p = std::make_shared<policy::Policy>();
  std::string reason;
  // Stored documents were checked when put; one that no longer parses
  // (a bucket renamed by hand, a newer grammar) applies no statement.
  if (!policy::parse(text, bucket.name, p.get(), &reason)) p->statements.clear();
  if (cache.size() >= 256) cache.clear();
  cache.emplace(text, p);
  return p;
}

const char* signature_version(AuthScheme s) {
  switch (s) {
    case AuthScheme::v4_header:
    case AuthScheme::v4_query: return "AWS4-HMAC-SHA256";
    case AuthScheme::v2_header:
    case AuthScheme::v2_query: return "AWS";
    case AuthScheme::anonymous: return nullptr;
  }
  return nullptr;
}

}  // namespace

policy::Decision policy_decision(const Context& ctx, const BucketInfo& bucket, const char* action,
                                 const std::string& key, const Attrs* object_attrs) {
  auto attr = bucket.attrs.find(kPolicyAttr);
  if (attr == bucket.attrs.end() || attr->second.empty()) return policy::Decision::none;
  std::shared_ptr<const policy::Policy> doc = parsed(bucket, attr->second);
  if (doc->statements.empty()) return policy::Decision::none;

  policy::Request r;
  r.action = action;
  r.resource = policy::resource_arn(bucket.name, key);
  if (ctx.user) {
    r.uid = ctx.user->uid;
    r.set("aws:username", ctx.user->uid);
    r.set("aws:userid", ctx.user->uid);
    r.set("aws:PrincipalType", "Account");
  } else {
    r.set("aws:PrincipalType", "Anonymous");
  }
  if (!ctx.req.remote_addr.empty()) r.set("aws:SourceIp", ctx.req.remote_addr);
  const std::string* proto = ctx.req.header("x-forwarded-proto");
  r.set("aws:SecureTransport", proto && *proto == "https" ? "true" : "false");
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  r.set("aws:EpochTime", std::to_string(now));
  r.set("aws:CurrentTime", http::iso8601_ms(now * 1000000000LL));
  if (const std::string* v = ctx.req.header("user-agent")) r.set("aws:UserAgent", *v);
  if (const std::string* v = ctx.req.header("referer")) r.set("aws:Referer", *v);
  if (const std::string* v = ctx.req.header("x-amz-acl")) r.set("s3:x-amz-acl", *v);
  if (const std::string* v = ctx.req.header("x-amz-content-sha256"))
    r.set("s3:x-amz-content-sha256", *v);
  if (const char* sv = signature_version(ctx.auth.scheme)) {
    r.set("s3:signatureversion", sv);
    const bool query =
        ctx.auth.scheme == AuthScheme::v4_query || ctx.auth.scheme == AuthScheme::v2_query;
    r.set("s3:authType", query ? "REST-QUERY-STRING" : "REST-HEADER");
  }
  // Listing parameters, for the listing actions (S3 gives s3:prefix an
  // empty value when the request names none).
  if (key.empty()) {
    const std::string* prefix = ctx.req.query_param("prefix");
    r.set("s3:prefix", prefix ? *prefix : "");
    if (const std::string* v = ctx.req.query_param("delimiter")) r.set("s3:delimiter", *v);
    if (const std::string* v = ctx.req.query_param("max-keys")) r.set("s3:max-keys", *v);
  }
  if (const std::string* v = ctx.req.query_param("versionId")) r.set("s3:VersionId", *v);
  if (object_attrs)
    for (const auto& t : tags_of(*object_attrs)) r.set("s3:ExistingObjectTag/" + t.first, t.second);
  if (const std::string* v = ctx.req.header("x-amz-tagging")) {
    Attrs given{{kObjectTagsAttr, *v}};
    std::vector<std::string> keys;
    for (const auto& t : tags_of(given)) {
      r.set("s3:RequestObjectTag/" + t.first, t.second);
      keys.push_back(t.first);
    }
    r.set("s3:RequestObjectTagKeys", std::move(keys));
  }
  policy::Decision d = policy::evaluate(*doc, r);
  // RestrictPublicBuckets: a public policy admits only the bucket's owner.
  if (d == policy::Decision::allow && public_access_block(bucket).restrict_public_buckets &&
      !(ctx.user && ctx.user->uid == bucket.owner) && policy::is_public(*doc))
    d = policy::Decision::none;
  return d;
}

}  // namespace rgw::s3
