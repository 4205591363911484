// test_policy.cpp - unit tests of S3 bucket policies (policy.h): the
// grammar and each MalformedPolicy reason, every condition operator with
// IfExists, ForAnyValue/ForAllValues and absent keys, wildcards, evaluation
// (explicit deny, NotPrincipal/NotAction/NotResource, the principal
// mapping), policy variables, dates and CIDRs, is_public, and truncated or
// mutated documents that must be refused with a reason, never crash.
#include <cstdint>
#include <string>
#include <vector>

#include "check.hpp"
#include "policy.h"

using namespace rgw::policy;

namespace {

const std::string kBucket = "b";

std::string name(Decision d) {
  switch (d) {
    case Decision::none: return "none";
    case Decision::allow: return "allow";
    case Decision::deny: return "deny";
  }
  return "?";
}

// The reason parse() gives for json ("" when it parses).
std::string reason(const std::string& json, const std::string& bucket = kBucket) {
  Policy p;
  std::string why;
  bool ok = parse(json, bucket, &p, &why);
  if (ok && !why.empty()) return "parsed, yet a reason: " + why;
  if (!ok && why.empty()) return "refused without a reason";
  return ok ? "" : why;
}

// Parses json, which must be valid.
Policy must_parse(const std::string& json, const std::string& bucket = kBucket) {
  Policy p;
  std::string why;
  if (!parse(json, bucket, &p, &why))
    check::failed(__FILE__, __LINE__, "does not parse (" + why + "): " + json);
  return p;
}

// A policy of one statement whose members are `body`.
std::string doc(const std::string& body) {
  return R"({"Version": "2012-10-17", "Statement": [{)" + body + "}]}";
}

// A statement body allowing everybody s3:GetObject on b's objects, plus extra.
std::string allow_get(const std::string& extra = "") {
  return R"("Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
             "Resource": "arn:aws:s3:::b/*")" +
         extra;
}

Request req(const std::string& uid, const std::string& action, const std::string& key) {
  Request r;
  r.uid = uid;
  r.action = action;
  r.resource = resource_arn(kBucket, key);
  return r;
}

// The decision of the one-statement policy `body` for r.
std::string decide(const std::string& body, const Request& r) {
  return name(evaluate(must_parse(doc(body)), r));
}

// Whether a Condition element (the JSON object's text) lets an anonymous
// GetObject of b/k with context r through.
bool cond(const std::string& condition, Request r) {
  r.action = "s3:GetObject";
  r.resource = "arn:aws:s3:::b/k";
  return evaluate(must_parse(doc(allow_get(R"(, "Condition": )" + condition))), r) ==
         Decision::allow;
}

Request ctx(const std::string& key, std::vector<std::string> values) {
  Request r;
  r.set(key, std::move(values));
  return r;
}

// ---------------------------------------------------------------------------

void test_grammar() {
  // The smallest policy, with and without Version; Statement as an object.
  Policy p = must_parse(R"({"Statement": {"Effect": "Allow", "Principal": "*",
                           "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}})");
  CHECK_EQ(p.version, std::string(""));
  CHECK_EQ(p.statements.size(), size_t{1});
  CHECK(!p.variables());
  p = must_parse(R"({"Version": "2008-10-17", "Id": "Policy1", "Statement": [
      {"Sid": "First one", "Effect": "Deny", "NotPrincipal": {"AWS": ["alice", "arn:aws:iam::bob:root"]},
       "NotAction": ["s3:Get*", "S3:LISTBUCKET"], "NotResource": ["arn:aws:s3:::b", "arn:aws:s3:::b/x/*"]},
      {"Effect": "Allow", "Principal": {"CanonicalUser": "carol"}, "Action": "*", "Resource": "arn:aws:s3:::b"}]})");
  CHECK_EQ(p.version, std::string("2008-10-17"));
  CHECK_EQ(p.id, std::string("Policy1"));
  CHECK_EQ(p.statements.size(), size_t{2});
  const Statement& s = p.statements[0];
  CHECK_EQ(s.sid, std::string("First one"));
  CHECK(s.effect == Effect::deny);
  CHECK(s.not_principal && s.not_action && s.not_resource);
  CHECK_EQ(s.principals.size(), size_t{2});
  CHECK(s.principals[0].kind == PrincipalEntry::Kind::account && s.principals[0].id == "alice");
  CHECK(s.principals[1].kind == PrincipalEntry::Kind::account && s.principals[1].id == "bob");
  CHECK_EQ(s.actions.size(), size_t{2});
  CHECK_EQ(s.actions[1], std::string("s3:listbucket"));  // actions are lower-cased
  CHECK_EQ(s.resources[1], std::string("arn:aws:s3:::b/x/*"));
  CHECK(p.statements[1].principals[0].kind == PrincipalEntry::Kind::canonical);
  CHECK(p.statements[1].effect == Effect::allow);

  // Member order is irrelevant: the same statement written backwards.
  Policy a = must_parse(doc(allow_get()));
  Policy b = must_parse(
      R"({"Statement": [{"Resource": "arn:aws:s3:::b/*", "Action": "s3:GetObject",
          "Principal": "*", "Effect": "Allow"}], "Version": "2012-10-17"})");
  Request r = req("", "s3:GetObject", "k");
  CHECK(evaluate(a, r) == Decision::allow && evaluate(b, r) == Decision::allow);
  CHECK_EQ(b.version, std::string("2012-10-17"));

  // Principal forms.
  p = must_parse(doc(R"("Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b",
      "Principal": {"AWS": ["*", "123456789012", "arn:aws:iam::u1:root", "arn:aws:iam::u2:user/x/y"],
                    "CanonicalUser": ["c1", "c2"], "Service": "logging.s3.amazonaws.com"})"));
  const auto& pr = p.statements[0].principals;
  CHECK_EQ(pr.size(), size_t{7});
  int any = 0, accounts = 0, canonical = 0, service = 0;
  for (const PrincipalEntry& e : pr) {
    any += e.kind == PrincipalEntry::Kind::any;
    accounts += e.kind == PrincipalEntry::Kind::account;
    canonical += e.kind == PrincipalEntry::Kind::canonical;
    service += e.kind == PrincipalEntry::Kind::service;
  }
  CHECK(any == 1 && accounts == 3 && canonical == 2 && service == 1);

  // Action forms: wildcards, any case, known names in any case.
  for (const char* a : {"\"*\"", "\"s3:*\"", "\"s3:Get*\"", "\"s3:*Object?\"", "\"S3:GETOBJECT\"",
                        "[\"s3:PutObject\", \"s3:DeleteObjectVersion\"]", "\"s3:ListBucket\""}) {
    CHECK_EQ(reason(doc(std::string(R"("Effect": "Allow", "Principal": "*", "Action": )") + a +
                        R"(, "Resource": "arn:aws:s3:::b/*")")),
             std::string(""));
  }
  // Resource forms: the bucket, its objects, patterns, variables.
  for (const char* res :
       {"\"arn:aws:s3:::b\"", "\"arn:aws:s3:::b/*\"", "\"arn:aws:s3:::b/a?c/*\"",
        "\"arn:aws:s3:::b/home/${aws:username}/*\"", "[\"arn:aws:s3:::b\", \"arn:aws:s3:::b/\"]"}) {
    CHECK_EQ(reason(doc(std::string(R"("Effect": "Allow", "Principal": "*", "Action": "s3:*",
                                       "Resource": )") +
                        res)),
             std::string(""));
  }
  // Conditions: values as strings, numbers, booleans, arrays; keys in any case.
  p = must_parse(doc(allow_get(R"(, "Condition": {
      "NumericLessThan": {"S3:Max-Keys": 10, "s3:max-keys": "20"},
      "Bool": {"aws:SecureTransport": true},
      "ForAnyValue:StringLikeIfExists": {"s3:RequestObjectTagKeys": ["a*", "b"]}})")));
  const auto& cs = p.statements[0].conditions;
  // S3:Max-Keys and s3:max-keys: two conditions on one key (ANDed).
  CHECK_EQ(cs.size(), size_t{4});
  int numeric = 0;
  bool saw_bool = false, saw_like = false;
  for (const Condition& c : cs) {
    if (c.op == Operator::numeric_less_than) {
      numeric += c.key == "s3:max-keys" && c.values.size() == 1;
    } else if (c.op == Operator::boolean) {
      saw_bool = c.key == "aws:securetransport" && c.values == std::vector<std::string>{"true"};
    } else if (c.op == Operator::string_like) {
      saw_like = c.if_exists && c.set == SetQualifier::for_any_value &&
                 c.key == "s3:requestobjecttagkeys" && c.values.size() == 2;
    }
  }
  CHECK(numeric == 2 && saw_bool && saw_like);
  Request mk;
  mk.action = "s3:GetObject";
  mk.resource = "arn:aws:s3:::b/k";
  mk.set("aws:SecureTransport", "true");
  mk.set("s3:max-keys", "15");  // < 20 but not < 10
  CHECK(evaluate(p, mk) == Decision::none);
  mk.set("s3:max-keys", "5");
  CHECK(evaluate(p, mk) == Decision::allow);
}

void test_malformed() {
  const std::string kJson = "Policies must be valid JSON and the first byte must be '{'";
  CHECK_EQ(reason(""), kJson);
  CHECK_EQ(reason("not json"), kJson);
  CHECK_EQ(reason("[]"), kJson);
  CHECK_EQ(reason("\"x\""), kJson);
  CHECK_EQ(reason(doc(allow_get()) + "x"), kJson);
  CHECK_EQ(reason(std::string(kMaxPolicySize + 1, ' ')),
           std::string("Policy exceeds the maximum allowed document size."));
  // Nesting beyond any valid policy.
  std::string deep =
      doc(allow_get(R"(, "Condition": {"StringEquals": {"s3:prefix": [[[[["x"]]]]]}})"));
  CHECK_EQ(reason(deep), kJson);
  // Exactly at the size limit: the size is not the reason.
  std::string padded = doc(allow_get());
  padded.insert(padded.size() - 1, kMaxPolicySize - padded.size(), ' ');
  CHECK_EQ(padded.size(), kMaxPolicySize);
  CHECK_EQ(reason(padded), std::string(""));

  // Version, Id, unknown fields, Statement.
  CHECK_EQ(reason(R"({"Version": "2010-01-01", "Statement": {)" + allow_get() + "}}"),
           std::string("Invalid Version"));
  CHECK_EQ(reason(R"({"Version": 2012, "Statement": {)" + allow_get() + "}}"),
           std::string("Invalid Version"));
  CHECK_EQ(reason(R"({"Id": 5, "Statement": {)" + allow_get() + "}}"), std::string("Invalid Id"));
  CHECK_EQ(reason(R"({"Extra": 1, "Statement": {)" + allow_get() + "}}"),
           std::string("Unknown field Extra"));
  CHECK_EQ(reason(R"({"version": "2012-10-17", "Statement": {)" + allow_get() + "}}"),
           std::string("Unknown field version"));  // names are case-sensitive
  CHECK_EQ(reason(R"({"Version": "2012-10-17"})"), std::string("Missing required field Statement"));
  CHECK_EQ(reason(R"({"Statement": []})"), std::string("Missing required field Statement"));
  CHECK_EQ(reason(R"({"Statement": "x"})"), std::string("Missing required field Statement"));
  CHECK_EQ(reason(R"({"Statement": [1]})"), std::string("Statement is not an object"));
  CHECK_EQ(reason(doc(allow_get(R"(, "Foo": 1)"))), std::string("Unknown field Foo"));
  CHECK_EQ(reason(doc(allow_get(R"(, "Sid": 1)"))), std::string("Invalid Sid"));

  // Effect.
  CHECK_EQ(
      reason(doc(R"("Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b")")),
      std::string("Missing required field Effect"));
  CHECK_EQ(reason(doc(R"("Effect": "allow", "Principal": "*", "Action": "s3:GetObject",
                        "Resource": "arn:aws:s3:::b")")),
           std::string("Invalid effect: allow"));
  CHECK_EQ(reason(doc(R"("Effect": true, "Principal": "*", "Action": "s3:GetObject",
                        "Resource": "arn:aws:s3:::b")")),
           std::string("Invalid effect: ?"));

  // Principal.
  auto with_principal = [](const std::string& p) {
    return reason(
        doc(R"("Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b", )" + p));
  };
  CHECK_EQ(with_principal(R"("Sid": "x")"), std::string("Missing required field Principal"));
  CHECK_EQ(with_principal(R"("Principal": "*", "NotPrincipal": "*")"),
           std::string("Statement has both Principal and NotPrincipal"));
  const std::string kBadPrincipal = "Invalid principal in policy";
  for (const char* bad :
       {R"("Principal": "alice")", R"("Principal": 1)", R"("Principal": {})",
        R"("Principal": {"AWS": []})", R"("Principal": {"AWS": [1]})",
        R"("Principal": {"AWS": ""})", R"("Principal": {"AWS": "al ice"})",
        R"("Principal": {"AWS": "a*"})", R"("Principal": {"AWS": "arn:aws:iam::*:root"})",
        R"("Principal": {"AWS": "arn:aws:iam::u:role/r"})",
        R"("Principal": {"AWS": "arn:aws:iam::u:user/"})",
        R"("Principal": {"AWS": "arn:aws:iam::u"})",
        R"("Principal": {"AWS": "arn:aws:iam:::root"})",
        R"("Principal": {"Federated": "cognito-identity.amazonaws.com"})",
        R"("Principal": {"CanonicalUser": "*"})", R"("Principal": {"Service": ""})",
        R"("Principal": {"aws": "*"})", R"("NotPrincipal": ["*"])"})
    CHECK_EQ(with_principal(bad), kBadPrincipal);

  // Action.
  auto with_action = [](const std::string& a) {
    return reason(
        doc(R"("Effect": "Allow", "Principal": "*", "Resource": "arn:aws:s3:::b", )" + a));
  };
  CHECK_EQ(with_action(R"("Sid": "x")"), std::string("Missing required field Action"));
  CHECK_EQ(with_action(R"("Action": "*", "NotAction": "*")"),
           std::string("Statement has both Action and NotAction"));
  for (const char* bad :
       {R"("Action": "GetObject")", R"("Action": "s3:NotARealAction")",
        R"("Action": "iam:GetUser")", R"("Action": "s3:")", R"("Action": "s3")", R"("Action": 5)",
        R"("Action": [])", R"("Action": ["s3:GetObject", 5])", R"("Action": "s3:Get Object")",
        R"("Action": "s3:Get-Object")", R"("Action": "")", R"("NotAction": "sqs:*")",
        R"("Action": {"s3": "GetObject"})"})
    CHECK_EQ(with_action(bad), std::string("Policy has invalid action"));

  // Resource: only this bucket's ARNs.
  auto with_resource = [](const std::string& res) {
    return reason(doc(R"("Effect": "Allow", "Principal": "*", "Action": "s3:*", )" + res));
  };
  CHECK_EQ(with_resource(R"("Sid": "x")"), std::string("Missing required field Resource"));
  CHECK_EQ(with_resource(R"("Resource": "arn:aws:s3:::b", "NotResource": "arn:aws:s3:::b")"),
           std::string("Statement has both Resource and NotResource"));
  for (const char* bad :
       {R"("Resource": "*")", R"("Resource": "arn:aws:s3:::*")",
        R"("Resource": "arn:aws:s3:::other/*")", R"("Resource": "arn:aws:s3:::bx")",
        R"("Resource": "arn:aws:s3:::bx/*")", R"("Resource": "arn:aws:s3:::b*")",
        R"("Resource": "arn:aws:s3:::B/*")", R"("Resource": "arn:aws:s3::b/*")",
        R"("Resource": "b/*")", R"("Resource": "arn:aws:iam:::b/*")",
        R"("Resource": ["arn:aws:s3:::b", "arn:aws:s3:::c"])", R"("Resource": [])",
        R"("Resource": 1)", R"("NotResource": "arn:aws:s3:::${aws:username}")"})
    CHECK_EQ(with_resource(bad), std::string("Policy has invalid resource"));
  // Another bucket's name makes the same text valid.
  CHECK_EQ(reason(doc(R"("Effect": "Allow", "Principal": "*", "Action": "s3:*",
                        "Resource": "arn:aws:s3:::other/*")"),
                  "other"),
           std::string(""));

  // Condition.
  auto with_condition = [](const std::string& c) {
    return reason(doc(allow_get(R"(, "Condition": )" + c)));
  };
  CHECK_EQ(with_condition("[]"), std::string("Invalid Condition block"));
  CHECK_EQ(with_condition(R"({"StringEqualz": {"s3:prefix": "a"}})"),
           std::string("Invalid Condition type: StringEqualz"));
  CHECK_EQ(with_condition(R"({"NullIfExists": {"s3:prefix": "true"}})"),
           std::string("Invalid Condition type: NullIfExists"));
  CHECK_EQ(with_condition(R"({"ForAnyValue:Null": {"s3:prefix": "true"}})"),
           std::string("Invalid Condition type: ForAnyValue:Null"));
  CHECK_EQ(with_condition(R"({"ForSomeValues:StringEquals": {"s3:prefix": "a"}})"),
           std::string("Invalid Condition type: ForSomeValues:StringEquals"));
  CHECK_EQ(with_condition(R"({"IfExists": {"s3:prefix": "a"}})"),
           std::string("Invalid Condition type: IfExists"));
  CHECK_EQ(with_condition(R"({"StringEquals": "a"})"),
           std::string("Invalid Condition block for StringEquals"));
  CHECK_EQ(with_condition(R"({"StringEquals": {}})"),
           std::string("Invalid Condition block for StringEquals"));
  CHECK_EQ(with_condition(R"({"StringEquals": {"prefix": "a"}})"),
           std::string("Policy has an invalid condition key"));
  CHECK_EQ(with_condition(R"({"StringEquals": {"aws:": "a"}})"),
           std::string("Policy has an invalid condition key"));
  for (const char* bad :
       {R"({"StringEquals": {"s3:prefix": []}})", R"({"StringEquals": {"s3:prefix": null}})",
        R"({"StringEquals": {"s3:prefix": {"a": "b"}}})",
        R"({"StringEquals": {"s3:prefix": ["a", ["b"]]}})"})
    CHECK_EQ(with_condition(bad), std::string("Invalid Condition value for StringEquals"));
  CHECK_EQ(with_condition(R"({"NumericEquals": {"s3:max-keys": "ten"}})"),
           std::string("Invalid Condition value for NumericEquals"));
  CHECK_EQ(with_condition(R"({"NumericLessThan": {"s3:max-keys": true}})"),
           std::string("Invalid Condition value for NumericLessThan"));
  CHECK_EQ(with_condition(R"({"DateLessThan": {"aws:CurrentTime": "yesterday"}})"),
           std::string("Invalid Condition value for DateLessThan"));
  CHECK_EQ(with_condition(R"({"DateLessThan": {"aws:CurrentTime": "2024-02-30T00:00:00Z"}})"),
           std::string("Invalid Condition value for DateLessThan"));
  CHECK_EQ(with_condition(R"({"IpAddress": {"aws:SourceIp": "10.0.0.0/33"}})"),
           std::string("Invalid Condition value for IpAddress"));
  CHECK_EQ(with_condition(R"({"NotIpAddress": {"aws:SourceIp": "10.0.0"}})"),
           std::string("Invalid Condition value for NotIpAddress"));
  CHECK_EQ(with_condition(R"({"Bool": {"aws:SecureTransport": "yes"}})"),
           std::string("Invalid Condition value for Bool"));
  CHECK_EQ(with_condition(R"({"Null": {"s3:prefix": 1}})"),
           std::string("Invalid Condition value for Null"));
  // The first error wins and a refused policy is left empty.
  Policy p;
  std::string why;
  CHECK(!parse(doc(allow_get(R"(, "Condition": {"Bool": {"aws:SecureTransport": "x"}})")), kBucket,
               &p, &why));
  CHECK(p.statements.empty());
}

void test_actions_list() {
  const auto& all = s3_actions();
  CHECK(all.size() > 150);
  for (const char* a : {"s3:GetObject",
                        "s3:PutObject",
                        "s3:DeleteObject",
                        "s3:ListBucket",
                        "s3:ListBucketVersions",
                        "s3:ListBucketMultipartUploads",
                        "s3:ListMultipartUploadParts",
                        "s3:AbortMultipartUpload",
                        "s3:GetObjectAcl",
                        "s3:PutObjectAcl",
                        "s3:GetBucketAcl",
                        "s3:PutBucketAcl",
                        "s3:GetBucketPolicy",
                        "s3:PutBucketPolicy",
                        "s3:DeleteBucketPolicy",
                        "s3:GetBucketPolicyStatus",
                        "s3:GetBucketCORS",
                        "s3:PutBucketCORS",
                        "s3:GetObjectTagging",
                        "s3:PutObjectTagging",
                        "s3:DeleteObjectTagging",
                        "s3:GetBucketTagging",
                        "s3:PutBucketTagging",
                        "s3:GetBucketVersioning",
                        "s3:PutBucketVersioning",
                        "s3:GetLifecycleConfiguration",
                        "s3:PutLifecycleConfiguration",
                        "s3:GetBucketPublicAccessBlock",
                        "s3:PutBucketPublicAccessBlock",
                        "s3:DeleteBucket",
                        "s3:GetBucketLocation",
                        "s3:GetObjectVersion",
                        "s3:DeleteObjectVersion",
                        "s3:ListAllMyBuckets",
                        "s3:CreateBucket",
                        "s3:RestoreObject",
                        "s3:GetObjectAttributes"})
    CHECK(is_known_action(a));
  CHECK(is_known_action("S3:getobject"));
  CHECK(is_known_action("s3:UpdateObjectEncryption"));
  CHECK(is_known_action("s3:PutBucketOwnershipControls"));
  CHECK(!is_known_action("s3:DeleteBucketOwnershipControls"));  // an API, not an IAM action
  CHECK(!is_known_action("s3:NotARealAction"));
  CHECK(!is_known_action("GetObject"));
  CHECK(!is_known_action("s3:Get*"));
  for (size_t i = 1; i < all.size(); ++i) CHECK(all[i - 1] != all[i]);
}

void test_wildcards() {
  CHECK(wildcard_match("", "", false));
  CHECK(!wildcard_match("", "a", false));
  CHECK(wildcard_match("*", "", false));
  CHECK(wildcard_match("*", "any/thing", false));
  CHECK(!wildcard_match("?", "", false));
  CHECK(wildcard_match("?", "x", false));
  CHECK(!wildcard_match("?", "xy", false));
  CHECK(wildcard_match("a?c", "abc", false));
  CHECK(!wildcard_match("a?c", "ac", false));
  CHECK(wildcard_match("a*b*c", "aXbYc", false));
  CHECK(wildcard_match("a*b", "ab", false));
  CHECK(wildcard_match("a*b", "abab", false));
  CHECK(!wildcard_match("a*b", "abac", false));
  CHECK(!wildcard_match("*a", "bbb", false));
  CHECK(wildcard_match("a**", "a", false));
  CHECK(wildcard_match("*?", "x", false));
  CHECK(!wildcard_match("*??", "x", false));
  CHECK(wildcard_match("s3:get*", "S3:GetObject", true));
  CHECK(!wildcard_match("s3:get*", "S3:GetObject", false));
  CHECK(wildcard_match("ABC", "abc", true));
  CHECK(!wildcard_match("ABC", "abc", false));
  // `?` is one character, however many UTF-8 bytes it takes.
  CHECK(wildcard_match("caf?", "caf\xc3\xa9", false));
  CHECK(wildcard_match("?", "\xe2\x82\xac", false));
  CHECK(!wildcard_match("??", "\xe2\x82\xac", false));
  CHECK(wildcard_match("*?\xc3\xa9", "a\xc3\xa9", false));
  CHECK(!wildcard_match("*?\xc3\xa9", "\xc3\xa9", false));
  // A backslash in a plain pattern is an ordinary character.
  CHECK(wildcard_match("a\\*", "a\\xyz", false));
  // Pathological patterns finish (one backtrack point).
  std::string text(5000, 'a');
  CHECK(!wildcard_match("*a*a*a*a*a*a*a*a*b", text, false));
  CHECK(wildcard_match("*a*a*a*a*a*a*a*a*", text, false));
}

void test_evaluate() {
  // Actions: case-insensitive; resources: case-sensitive, `?`, bucket vs objects.
  std::string body = allow_get();
  CHECK_EQ(decide(body, req("", "s3:GetObject", "k")), std::string("allow"));
  CHECK_EQ(decide(body, req("", "S3:GETOBJECT", "k")), std::string("allow"));
  CHECK_EQ(decide(body, req("", "s3:PutObject", "k")), std::string("none"));
  CHECK_EQ(decide(body, req("", "s3:GetObject", "")), std::string("none"));  // the bucket itself
  Request other = req("", "s3:GetObject", "k");
  other.resource = "arn:aws:s3:::B/k";
  CHECK_EQ(decide(body, other), std::string("none"));
  body =
      R"("Effect": "Allow", "Principal": "*", "Action": "s3:Get*", "Resource": "arn:aws:s3:::b/Dir/?.txt")";
  CHECK_EQ(decide(body, req("", "s3:GetObjectAcl", "Dir/a.txt")), std::string("allow"));
  CHECK_EQ(decide(body, req("", "s3:GetObject", "dir/a.txt")), std::string("none"));
  CHECK_EQ(decide(body, req("", "s3:GetObject", "Dir/ab.txt")), std::string("none"));
  CHECK_EQ(decide(body, req("", "s3:ListBucket", "Dir/a.txt")), std::string("none"));

  // Principals: the mapping of uids.
  auto who = [](const std::string& principal, const std::string& uid) {
    return decide(
        R"("Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*", "Principal": )" +
            principal,
        req(uid, "s3:GetObject", "k"));
  };
  CHECK_EQ(who(R"("*")", ""), std::string("allow"));
  CHECK_EQ(who(R"("*")", "alice"), std::string("allow"));
  CHECK_EQ(who(R"({"AWS": "*"})", ""), std::string("allow"));
  CHECK_EQ(who(R"({"AWS": "alice"})", "alice"), std::string("allow"));
  CHECK_EQ(who(R"({"AWS": "alice"})", "bob"), std::string("none"));
  CHECK_EQ(who(R"({"AWS": "alice"})", ""), std::string("none"));
  CHECK_EQ(who(R"({"AWS": "arn:aws:iam::alice:root"})", "alice"), std::string("allow"));
  CHECK_EQ(who(R"({"AWS": "arn:aws:iam::alice:user/anyone"})", "alice"), std::string("allow"));
  CHECK_EQ(who(R"({"AWS": "arn:aws:iam::alice:user/anyone"})", "anyone"), std::string("none"));
  CHECK_EQ(who(R"({"CanonicalUser": "alice"})", "alice"), std::string("allow"));
  CHECK_EQ(who(R"({"CanonicalUser": "alice"})", "Alice"), std::string("none"));
  CHECK_EQ(who(R"({"AWS": ["bob", "alice"]})", "alice"), std::string("allow"));
  CHECK_EQ(who(R"({"Service": "s3.amazonaws.com"})", "s3.amazonaws.com"), std::string("none"));

  // NotPrincipal: everybody but those named (anonymous included).
  auto not_who = [](const std::string& principal, const std::string& uid) {
    return decide(
        R"("Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*", "NotPrincipal": )" +
            principal,
        req(uid, "s3:GetObject", "k"));
  };
  CHECK_EQ(not_who(R"({"AWS": "alice"})", "alice"), std::string("none"));
  CHECK_EQ(not_who(R"({"AWS": "alice"})", "bob"), std::string("deny"));
  CHECK_EQ(not_who(R"({"AWS": "alice"})", ""), std::string("deny"));
  CHECK_EQ(not_who(R"({"AWS": "*"})", "bob"), std::string("none"));

  // NotAction, NotResource.
  body =
      R"("Effect": "Allow", "Principal": "*", "NotAction": ["s3:Delete*", "s3:Put*"], "Resource": "arn:aws:s3:::b/*")";
  CHECK_EQ(decide(body, req("", "s3:GetObject", "k")), std::string("allow"));
  CHECK_EQ(decide(body, req("", "s3:DeleteObject", "k")), std::string("none"));
  CHECK_EQ(decide(body, req("", "s3:putobjectacl", "k")), std::string("none"));
  body =
      R"("Effect": "Allow", "Principal": "*", "Action": "s3:*", "NotResource": "arn:aws:s3:::b/private/*")";
  CHECK_EQ(decide(body, req("", "s3:GetObject", "public/k")), std::string("allow"));
  CHECK_EQ(decide(body, req("", "s3:GetObject", "private/k")), std::string("none"));
  CHECK_EQ(decide(body, req("", "s3:ListBucket", "")), std::string("allow"));

  // Explicit deny wins, whatever the order; no statement: none.
  const std::string two = R"({"Version": "2012-10-17", "Statement": [
      {"Effect": "Deny", "Principal": {"AWS": "mallory"}, "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"},
      {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]})";
  Policy p = must_parse(two);
  CHECK_EQ(name(evaluate(p, req("mallory", "s3:GetObject", "k"))), std::string("deny"));
  CHECK_EQ(name(evaluate(p, req("alice", "s3:GetObject", "k"))), std::string("allow"));
  CHECK_EQ(name(evaluate(p, req("alice", "s3:PutObject", "k"))), std::string("none"));
  std::swap(p.statements[0], p.statements[1]);
  CHECK_EQ(name(evaluate(p, req("mallory", "s3:GetObject", "k"))), std::string("deny"));
  CHECK_EQ(name(evaluate(Policy{}, req("alice", "s3:GetObject", "k"))), std::string("none"));
  // A Deny whose condition fails does not apply.
  body = R"("Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}})";
  Request r = req("", "s3:GetObject", "k");
  r.set("aws:SecureTransport", "true");
  CHECK_EQ(decide(body, r), std::string("none"));
  r.set("aws:SecureTransport", "false");
  CHECK_EQ(decide(body, r), std::string("deny"));
}

void test_string_conditions() {
  Request r = ctx("s3:prefix", {"home/alice"});
  CHECK(cond(R"({"StringEquals": {"s3:prefix": "home/alice"}})", r));
  CHECK(cond(R"({"StringEquals": {"S3:Prefix": ["x", "home/alice"]}})",
             r));  // values ORed, key any case
  CHECK(!cond(R"({"StringEquals": {"s3:prefix": "HOME/alice"}})", r));
  CHECK(!cond(R"({"StringEquals": {"s3:prefix": "home/*"}})", r));  // no wildcards in Equals
  CHECK(cond(R"({"StringNotEquals": {"s3:prefix": ["x", "y"]}})", r));
  CHECK(!cond(R"({"StringNotEquals": {"s3:prefix": ["x", "home/alice"]}})", r));  // NOR
  CHECK(cond(R"({"StringEqualsIgnoreCase": {"s3:prefix": "HOME/Alice"}})", r));
  CHECK(!cond(R"({"StringNotEqualsIgnoreCase": {"s3:prefix": "HOME/Alice"}})", r));
  CHECK(cond(R"({"StringNotEqualsIgnoreCase": {"s3:prefix": "home/bob"}})", r));
  CHECK(cond(R"({"StringLike": {"s3:prefix": "home/*"}})", r));
  CHECK(cond(R"({"StringLike": {"s3:prefix": "home/alic?"}})", r));
  CHECK(!cond(R"({"StringLike": {"s3:prefix": "Home/*"}})", r));
  CHECK(!cond(R"({"StringNotLike": {"s3:prefix": ["x*", "home/*"]}})", r));
  CHECK(cond(R"({"StringNotLike": {"s3:prefix": "x*"}})", r));
  // Several keys of one operator, and several operators: ANDed.
  r.set("s3:delimiter", "/");
  CHECK(cond(R"({"StringEquals": {"s3:prefix": "home/alice", "s3:delimiter": "/"}})", r));
  CHECK(!cond(R"({"StringEquals": {"s3:prefix": "home/alice", "s3:delimiter": "-"}})", r));
  CHECK(!cond(
      R"({"StringEquals": {"s3:prefix": "home/alice"}, "StringLike": {"s3:delimiter": "x"}})", r));
  // Absent keys: false, except negated operators, IfExists and Null.
  Request none;
  CHECK(!cond(R"({"StringEquals": {"s3:prefix": "a"}})", none));
  CHECK(!cond(R"({"StringLike": {"s3:prefix": "*"}})", none));
  CHECK(!cond(R"({"StringEqualsIgnoreCase": {"s3:prefix": "a"}})", none));
  CHECK(cond(R"({"StringNotEquals": {"s3:prefix": "a"}})", none));
  CHECK(cond(R"({"StringNotLike": {"s3:prefix": "a"}})", none));
  CHECK(cond(R"({"StringNotEqualsIgnoreCase": {"s3:prefix": "a"}})", none));
  CHECK(cond(R"({"StringEqualsIfExists": {"s3:prefix": "a"}})", none));
  CHECK(cond(R"({"StringLikeIfExists": {"s3:prefix": "a"}})", none));
  // IfExists with the key present: the operator itself.
  CHECK(!cond(R"({"StringEqualsIfExists": {"s3:prefix": "a"}})", r));
  CHECK(cond(R"({"StringLikeIfExists": {"s3:prefix": "home/*"}})", r));
  CHECK(!cond(R"({"StringNotEqualsIfExists": {"s3:prefix": "home/alice"}})", r));
  // Tags: the key's own part is in the key.
  Request t = ctx("s3:ExistingObjectTag/Classification", {"public"});
  CHECK(cond(R"({"StringEquals": {"s3:ExistingObjectTag/classification": "public"}})", t));
  CHECK(!cond(R"({"StringEquals": {"s3:ExistingObjectTag/other": "public"}})", t));
  // Binary and ARN operators.
  Request a = ctx("aws:SourceArn", {"arn:aws:sns:us-east-1:123:topic"});
  CHECK(cond(R"({"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:123:topic"}})", a));
  CHECK(cond(R"({"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:123:*"}})", a));
  CHECK(!cond(R"({"ArnNotLike": {"aws:SourceArn": "arn:aws:sns:*"}})", a));
  CHECK(cond(R"({"ArnNotEquals": {"aws:SourceArn": "arn:aws:sns:*"}})", a));
  CHECK(cond(R"({"BinaryEquals": {"s3:x-amz-content-sha256": "QUJD"}})",
             ctx("s3:x-amz-content-sha256", {"QUJD"})));
}

void test_numeric_bool_null_conditions() {
  Request r = ctx("s3:max-keys", {"10"});
  CHECK(cond(R"({"NumericEquals": {"s3:max-keys": "10"}})", r));
  CHECK(cond(R"({"NumericEquals": {"s3:max-keys": 10.0}})", r));
  CHECK(cond(R"({"NumericEquals": {"s3:max-keys": "1e1"}})", r));
  CHECK(!cond(R"({"NumericEquals": {"s3:max-keys": "11"}})", r));
  CHECK(cond(R"({"NumericNotEquals": {"s3:max-keys": ["11", "12"]}})", r));
  CHECK(!cond(R"({"NumericNotEquals": {"s3:max-keys": ["11", "10"]}})", r));
  CHECK(cond(R"({"NumericLessThan": {"s3:max-keys": 11}})", r));
  CHECK(!cond(R"({"NumericLessThan": {"s3:max-keys": 10}})", r));
  CHECK(cond(R"({"NumericLessThanEquals": {"s3:max-keys": 10}})", r));
  CHECK(!cond(R"({"NumericLessThanEquals": {"s3:max-keys": 9.5}})", r));
  CHECK(cond(R"({"NumericGreaterThan": {"s3:max-keys": -1}})", r));
  CHECK(!cond(R"({"NumericGreaterThan": {"s3:max-keys": 10}})", r));
  CHECK(cond(R"({"NumericGreaterThanEquals": {"s3:max-keys": 10}})", r));
  CHECK(!cond(R"({"NumericGreaterThanEquals": {"s3:max-keys": 10.5}})", r));
  // A request value that is not a number matches nothing.
  Request bad = ctx("s3:max-keys", {"ten"});
  CHECK(!cond(R"({"NumericEquals": {"s3:max-keys": "10"}})", bad));
  CHECK(!cond(R"({"NumericLessThan": {"s3:max-keys": "100"}})", bad));
  CHECK(cond(R"({"NumericNotEquals": {"s3:max-keys": "10"}})", bad));
  // Absent.
  CHECK(!cond(R"({"NumericLessThan": {"s3:max-keys": "100"}})", Request{}));
  CHECK(cond(R"({"NumericNotEquals": {"s3:max-keys": "100"}})", Request{}));
  CHECK(cond(R"({"NumericLessThanIfExists": {"s3:max-keys": "100"}})", Request{}));
  CHECK(!cond(R"({"NumericLessThanIfExists": {"s3:max-keys": "5"}})", r));

  Request tls = ctx("aws:SecureTransport", {"true"});
  CHECK(cond(R"({"Bool": {"aws:SecureTransport": "true"}})", tls));
  CHECK(cond(R"({"Bool": {"aws:SecureTransport": true}})", tls));
  CHECK(cond(R"({"Bool": {"aws:SecureTransport": "TRUE"}})", tls));
  CHECK(!cond(R"({"Bool": {"aws:SecureTransport": "false"}})", tls));
  CHECK(!cond(R"({"Bool": {"aws:SecureTransport": "false"}})", Request{}));
  CHECK(cond(R"({"BoolIfExists": {"aws:SecureTransport": "false"}})", Request{}));
  CHECK(!cond(R"({"Bool": {"aws:SecureTransport": "true"}})", ctx("aws:SecureTransport", {"1"})));

  CHECK(cond(R"({"Null": {"s3:x-amz-acl": "true"}})", Request{}));
  CHECK(!cond(R"({"Null": {"s3:x-amz-acl": "true"}})", ctx("s3:x-amz-acl", {"private"})));
  CHECK(cond(R"({"Null": {"s3:x-amz-acl": "false"}})", ctx("s3:x-amz-acl", {"private"})));
  CHECK(!cond(R"({"Null": {"s3:x-amz-acl": false}})", Request{}));
  CHECK(cond(R"({"Null": {"s3:x-amz-acl": "false"}})", ctx("s3:x-amz-acl", {})));  // present, empty
}

void test_date_conditions() {
  int64_t ms = 0;
  CHECK(parse_date("1970-01-01T00:00:00Z", &ms) && ms == 0);
  CHECK(parse_date("0", &ms) && ms == 0);
  CHECK(parse_date("1700000000", &ms) && ms == 1700000000000);
  CHECK(parse_date("1700000000.5", &ms) && ms == 1700000000500);
  CHECK(parse_date("-86400", &ms) && ms == -86400000);
  CHECK(parse_date("2023-11-14T22:13:20Z", &ms) && ms == 1700000000000);
  CHECK(parse_date("2023-11-14T22:13:20.250Z", &ms) && ms == 1700000000250);
  CHECK(parse_date("2023-11-15T00:13:20+02:00", &ms) && ms == 1700000000000);
  CHECK(parse_date("2023-11-14T17:13:20-0500", &ms) && ms == 1700000000000);
  CHECK(parse_date("2023-11-14T22:13:20", &ms) && ms == 1700000000000);  // no zone: UTC
  CHECK(parse_date("2023-11-14T22:13Z", &ms) && ms == 1699999980000);
  CHECK(parse_date("20231114T221320Z", &ms) && ms == 1700000000000);
  CHECK(parse_date("2023-11-14", &ms) && ms == 1699920000000);
  CHECK(parse_date("2024-02-29", &ms));
  CHECK(parse_date("2000-02-29", &ms));
  for (const char* bad : {"",
                          "2023-02-29",
                          "1900-02-29",
                          "2023-13-01",
                          "2023-00-10",
                          "2023-01-32",
                          "2023-11-14T24:00:00Z",
                          "2023-11-14T22:60:00Z",
                          "2023-11-14T22:13:20ZZ",
                          "2023-11-14T22:13:20+25:00",
                          "2023-11-14X22",
                          "2023-1-14",
                          "23-11-14",
                          "1.2.3",
                          "+",
                          "1e5",
                          "2023-11-14T",
                          "2023-11-14T22:13:20.Z",
                          "yesterday",
                          "2023-11-14T22:13:20 Z",
                          "9999999999999999999"})
    CHECK(!parse_date(bad, &ms));

  Request now = ctx("aws:CurrentTime", {"2024-06-01T12:00:00Z"});
  CHECK(cond(R"({"DateLessThan": {"aws:CurrentTime": "2024-07-01T00:00:00Z"}})", now));
  CHECK(!cond(R"({"DateLessThan": {"aws:CurrentTime": "2024-06-01T12:00:00Z"}})", now));
  CHECK(cond(R"({"DateLessThanEquals": {"aws:CurrentTime": "2024-06-01T12:00:00Z"}})", now));
  CHECK(cond(R"({"DateGreaterThan": {"aws:CurrentTime": "2024-06-01"}})", now));
  CHECK(!cond(R"({"DateGreaterThan": {"aws:CurrentTime": "2024-06-02"}})", now));
  CHECK(
      cond(R"({"DateGreaterThanEquals": {"aws:CurrentTime": "2024-06-01T14:00:00+02:00"}})", now));
  CHECK(cond(R"({"DateEquals": {"aws:CurrentTime": "2024-06-01T14:00:00+02:00"}})", now));
  CHECK(cond(R"({"DateEquals": {"aws:CurrentTime": "1717243200"}})", now));  // epoch form
  CHECK(cond(R"({"DateEquals": {"aws:CurrentTime": 1717243200}})", now));
  CHECK(cond(R"({"DateNotEquals": {"aws:CurrentTime": "2024-06-01"}})", now));
  CHECK(!cond(R"({"DateNotEquals": {"aws:CurrentTime": "1717243200"}})", now));
  Request epoch = ctx("aws:EpochTime", {"1717243200"});
  CHECK(cond(R"({"DateLessThan": {"aws:EpochTime": "2024-06-02T00:00:00Z"}})", epoch));
  CHECK(!cond(R"({"DateLessThan": {"aws:CurrentTime": "2030-01-01"}})", Request{}));
  CHECK(cond(R"({"DateLessThanIfExists": {"aws:CurrentTime": "2000-01-01"}})", Request{}));
  CHECK(cond(R"({"DateNotEquals": {"aws:CurrentTime": "2000-01-01"}})", Request{}));
  CHECK(!cond(R"({"DateLessThan": {"aws:CurrentTime": "2030-01-01"}})",
              ctx("aws:CurrentTime", {"soon"})));
}

void test_ip_conditions() {
  Cidr c;
  CHECK(parse_cidr("203.0.113.0/24", &c) && !c.v6 && c.prefix == 24);
  CHECK(parse_cidr("203.0.113.7", &c) && c.prefix == 32);
  CHECK(parse_cidr("0.0.0.0/0", &c) && c.prefix == 0);
  CHECK(parse_cidr("2001:db8::/32", &c) && c.v6 && c.prefix == 32);
  CHECK(parse_cidr("::1", &c) && c.v6 && c.prefix == 128);
  for (const char* bad :
       {"", "/24", "1.2.3.4/", "1.2.3.4/33", "1.2.3.4/-1", "1.2.3.4/2a", "1.2.3", "1.2.3.256",
        "::/129", "2001:db8:::1", "host.example", "1.2.3.4/0024", "1.2.3.4 "})
    CHECK(!parse_cidr(bad, &c));

  CHECK(parse_cidr("203.0.113.0/24", &c));
  CHECK(cidr_contains(c, "203.0.113.0"));
  CHECK(cidr_contains(c, "203.0.113.255"));
  CHECK(!cidr_contains(c, "203.0.114.1"));
  CHECK(cidr_contains(c, "::ffff:203.0.113.9"));  // IPv4-mapped
  CHECK(!cidr_contains(c, "2001:db8::1"));
  CHECK(!cidr_contains(c, "not an ip"));
  CHECK(!cidr_contains(c, ""));
  CHECK(parse_cidr("10.1.2.3/7", &c));  // host bits are ignored
  CHECK(cidr_contains(c, "11.200.0.1"));
  CHECK(!cidr_contains(c, "12.0.0.1"));
  CHECK(parse_cidr("2001:db8:1234::/48", &c));
  CHECK(cidr_contains(c, "2001:db8:1234:ffff::1"));
  CHECK(!cidr_contains(c, "2001:db8:1235::1"));
  CHECK(!cidr_contains(c, "10.0.0.1"));
  CHECK(parse_cidr("2001:db8::/33", &c));
  CHECK(cidr_contains(c, "2001:db8:7fff::1"));
  CHECK(!cidr_contains(c, "2001:db8:8000::1"));
  CHECK(parse_cidr("0.0.0.0/0", &c) && cidr_contains(c, "1.2.3.4"));
  CHECK(parse_cidr("::/0", &c) && cidr_contains(c, "2001:db8::1"));

  Request v4 = ctx("aws:SourceIp", {"192.0.2.10"});
  Request v6 = ctx("aws:SourceIp", {"2001:db8::10"});
  const char* both = R"({"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "2001:db8::/64"]}})";
  CHECK(cond(both, v4));
  CHECK(cond(both, v6));
  CHECK(!cond(both, ctx("aws:SourceIp", {"198.51.100.1"})));
  CHECK(!cond(both, ctx("aws:SourceIp", {"2001:db9::1"})));
  CHECK(!cond(both, Request{}));
  const char* not_in = R"({"NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "2001:db8::/64"]}})";
  CHECK(!cond(not_in, v4));
  CHECK(!cond(not_in, v6));
  CHECK(cond(not_in, ctx("aws:SourceIp", {"198.51.100.1"})));
  CHECK(cond(not_in, Request{}));
  CHECK(cond(R"({"IpAddressIfExists": {"aws:SourceIp": "10.0.0.0/8"}})", Request{}));
  CHECK(cond(R"({"IpAddress": {"aws:SourceIp": "192.0.2.10"}})", v4));
  CHECK(!cond(R"({"IpAddress": {"aws:SourceIp": "192.0.2.11"}})", v4));
}

void test_set_operators() {
  Request keys = ctx("s3:RequestObjectTagKeys", {"project", "owner"});
  Request empty = ctx("s3:RequestObjectTagKeys", {});
  Request none;
  const char* all =
      R"({"ForAllValues:StringEquals": {"s3:RequestObjectTagKeys": ["project", "owner", "cost"]}})";
  CHECK(cond(all, keys));
  CHECK(!cond(all, ctx("s3:RequestObjectTagKeys", {"project", "secret"})));
  CHECK(cond(all, empty));  // vacuously
  CHECK(cond(all, none));   // an absent key too
  const char* any = R"({"ForAnyValue:StringEquals": {"s3:RequestObjectTagKeys": ["owner", "x"]}})";
  CHECK(cond(any, keys));
  CHECK(!cond(any, ctx("s3:RequestObjectTagKeys", {"project"})));
  CHECK(!cond(any, empty));
  CHECK(!cond(any, none));
  CHECK(cond(R"({"ForAnyValue:StringEqualsIfExists": {"s3:RequestObjectTagKeys": "x"}})", none));
  CHECK(cond(R"({"ForAnyValue:StringLike": {"s3:RequestObjectTagKeys": "own*"}})", keys));
  // Negated operators in sets: each value must match none of the policy's.
  const char* all_not =
      R"({"ForAllValues:StringNotEquals": {"s3:RequestObjectTagKeys": ["secret"]}})";
  CHECK(cond(all_not, keys));
  CHECK(!cond(all_not, ctx("s3:RequestObjectTagKeys", {"project", "secret"})));
  const char* any_not =
      R"({"ForAnyValue:StringNotEquals": {"s3:RequestObjectTagKeys": ["project"]}})";
  CHECK(cond(any_not, keys));  // "owner" is not "project"
  CHECK(!cond(any_not, ctx("s3:RequestObjectTagKeys", {"project"})));
  // Without a prefix, several request values: positive = some matches,
  // negated = none matches.
  CHECK(cond(R"({"StringEquals": {"s3:RequestObjectTagKeys": "owner"}})", keys));
  CHECK(!cond(R"({"StringNotEquals": {"s3:RequestObjectTagKeys": "owner"}})", keys));
  CHECK(!cond(R"({"StringEquals": {"s3:RequestObjectTagKeys": "owner"}})", empty));
  CHECK(cond(R"({"StringNotEquals": {"s3:RequestObjectTagKeys": "owner"}})", empty));
  // Numeric in sets.
  CHECK(cond(R"({"ForAllValues:NumericLessThan": {"s3:max-keys": 100}})",
             ctx("s3:max-keys", {"1", "99"})));
  CHECK(!cond(R"({"ForAllValues:NumericLessThan": {"s3:max-keys": 100}})",
              ctx("s3:max-keys", {"1", "100"})));
}

void test_variables() {
  const std::string home = R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
      "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/home/${aws:username}/*",
      "Condition": {"StringLike": {"s3:prefix": ["home/${aws:username}/*", "${aws:username, 'nobody'}"]}}}]})";
  Policy p = must_parse(home);
  Request r = req("alice", "s3:GetObject", "home/alice/file");
  r.set("aws:username", "alice");
  r.set("s3:prefix", "home/alice/x");
  CHECK_EQ(name(evaluate(p, r)), std::string("allow"));
  r.resource = resource_arn(kBucket, "home/bob/file");
  CHECK_EQ(name(evaluate(p, r)), std::string("none"));
  // A value with wildcards is literal once substituted.
  Request star = req("x", "s3:GetObject", "home/a*/file");
  star.set("aws:username", "*");
  star.set("s3:prefix", "home/*/x");
  CHECK_EQ(name(evaluate(p, star)), std::string("none"));
  star.resource = resource_arn(kBucket, "home/*/file");
  CHECK_EQ(name(evaluate(p, star)), std::string("allow"));
  // An absent variable matches nothing; a default stands in for it.
  Request anon = req("", "s3:GetObject", "home//file");
  anon.set("s3:prefix", "nobody");
  CHECK_EQ(name(evaluate(p, anon)), std::string("none"));
  // 2008-10-17: no variables, the text is literal.
  std::string old = home;
  old.replace(old.find("2012-10-17"), 10, "2008-10-17");
  Policy q = must_parse(old);
  CHECK_EQ(name(evaluate(q, r)), std::string("none"));
  Request lit = req("alice", "s3:GetObject", "home/${aws:username}/f");
  lit.set("s3:prefix", "home/${aws:username}/x");
  CHECK_EQ(name(evaluate(q, lit)), std::string("allow"));
  // ${*}, ${?}, ${$}: literal characters.
  Policy e = must_parse(doc(R"("Effect": "Allow", "Principal": "*", "Action": "s3:*",
                               "Resource": "arn:aws:s3:::b/a${*}b${?}${$}")"));
  CHECK_EQ(name(evaluate(e, req("", "s3:GetObject", "a*b?$"))), std::string("allow"));
  CHECK_EQ(name(evaluate(e, req("", "s3:GetObject", "axb?$"))), std::string("none"));
  // A backslash in a resource is an ordinary character.
  Policy bs = must_parse(doc(R"("Effect": "Allow", "Principal": "*", "Action": "s3:*",
                                "Resource": "arn:aws:s3:::b/a\\*")"));
  CHECK_EQ(name(evaluate(bs, req("", "s3:GetObject", "a\\zz"))), std::string("allow"));
  // A variable with several values matches nothing.
  Request multi = req("", "s3:GetObject", "home/alice/file");
  multi.set("aws:username", std::vector<std::string>{"alice", "bob"});
  multi.set("s3:prefix", "home/alice/x");
  CHECK_EQ(name(evaluate(p, multi)), std::string("none"));
  // StringEquals with a variable.
  Request u = ctx("aws:userid", {"alice"});
  u.set("aws:username", "alice");
  CHECK(cond(R"({"StringEquals": {"aws:userid": "${aws:username}"}})", u));
  CHECK(!cond(R"({"StringNotEquals": {"aws:userid": "${aws:username}"}})", u));
}

void test_is_public() {
  auto pub = [](const std::string& body) { return is_public(must_parse(doc(body))); };
  CHECK(pub(allow_get()));
  CHECK(pub(
      R"("Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": "arn:aws:s3:::b/*")"));
  CHECK(pub(
      R"("Effect": "Allow", "Principal": {"AWS": ["alice", "*"]}, "Action": "s3:*", "Resource": "arn:aws:s3:::b/*")"));
  CHECK(!pub(
      R"("Effect": "Allow", "Principal": {"AWS": "alice"}, "Action": "s3:*", "Resource": "arn:aws:s3:::b/*")"));
  CHECK(!pub(
      R"("Effect": "Allow", "Principal": {"CanonicalUser": "alice"}, "Action": "s3:*", "Resource": "arn:aws:s3:::b/*")"));
  CHECK(!pub(
      R"("Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*")"));
  CHECK(pub(
      R"("Effect": "Allow", "NotPrincipal": {"AWS": "alice"}, "Action": "s3:*", "Resource": "arn:aws:s3:::b/*")"));
  CHECK(!pub(
      R"("Effect": "Allow", "NotPrincipal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*")"));
  // Pinned to fixed values: not public.
  CHECK(!pub(allow_get(
      R"(, "Condition": {"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "2001:db8::/48"]}})")));
  CHECK(!pub(allow_get(R"(, "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}})")));
  CHECK(!pub(allow_get(R"(, "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-111"}})")));
  CHECK(!pub(allow_get(
      R"(, "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:cloudfront::1:distribution/X"}})")));
  CHECK(
      !pub(allow_get(R"(, "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}})")));
  CHECK(!pub(allow_get(R"(, "Condition": {"StringEquals": {"aws:SourceOwner": "111122223333"}})")));
  CHECK(!pub(allow_get(R"(, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-123"}})")));
  CHECK(!pub(allow_get(R"(, "Condition": {"StringLike": {"aws:userid": "AROAEXAMPLE:alice"}})")));
  CHECK(!pub(allow_get(
      R"(, "Condition": {"StringEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "k"}})")));
  // One pinning condition among others is enough.
  CHECK(!pub(allow_get(
      R"(, "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-1"}, "Bool": {"aws:SecureTransport": "true"}})")));
  // Not pinned: public.
  CHECK(pub(allow_get(R"(, "Condition": {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}})")));
  CHECK(pub(allow_get(
      R"(, "Condition": {"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "0.0.0.0/1"]}})")));
  CHECK(pub(allow_get(R"(, "Condition": {"IpAddress": {"aws:SourceIp": "::/0"}})")));
  CHECK(pub(allow_get(R"(, "Condition": {"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}})")));
  CHECK(
      pub(allow_get(R"(, "Condition": {"IpAddressIfExists": {"aws:SourceIp": "192.0.2.0/24"}})")));
  CHECK(pub(allow_get(R"(, "Condition": {"StringLike": {"aws:SourceVpce": "vpce-*"}})")));
  CHECK(pub(allow_get(R"(, "Condition": {"StringLike": {"aws:userid": "AROAEXAMPLE:*"}})")));
  CHECK(
      pub(allow_get(R"(, "Condition": {"StringEquals": {"aws:SourceVpce": "${aws:username}"}})")));
  CHECK(pub(allow_get(R"(, "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}})")));
  CHECK(pub(
      allow_get(R"(, "Condition": {"ForAllValues:StringEquals": {"aws:SourceVpce": "vpce-1"}})")));
  CHECK(pub(allow_get(R"(, "Condition": {"Bool": {"aws:SecureTransport": "true"}})")));
  CHECK(pub(allow_get(R"(, "Condition": {"StringEquals": {"s3:prefix": "public/"}})")));
  // Several statements: one public Allow is enough.
  Policy p = must_parse(R"({"Statement": [
      {"Effect": "Allow", "Principal": {"AWS": "alice"}, "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"},
      {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"},
      {"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b"}]})");
  CHECK(is_public(p));
  p.statements.pop_back();
  CHECK(!is_public(p));
}

void test_numbers() {
  double d = 0;
  CHECK(parse_number("10", &d) && d == 10);
  CHECK(parse_number("-2.5", &d) && d == -2.5);
  CHECK(parse_number("+3", &d) && d == 3);
  CHECK(parse_number("1E3", &d) && d == 1000);
  for (const char* bad :
       {"", "-", ".5", "5.", "1e", "0x10", "inf", "nan", "1e999", "1 ", " 1", "1,5"})
    CHECK(!parse_number(bad, &d));
}

// Hostile documents: every truncation and many mutations of valid policies
// parse or are refused with a reason; nothing throws, and what parses
// evaluates.
void test_hostile() {
  const std::vector<std::string> seeds = {
      doc(allow_get()),
      R"({"Version": "2012-10-17", "Id": "x", "Statement": [
        {"Sid": "a", "Effect": "Deny", "NotPrincipal": {"AWS": ["alice", "arn:aws:iam::bob:user/x"], "CanonicalUser": "c"},
         "NotAction": ["s3:Get*", "s3:ListBucket"], "NotResource": ["arn:aws:s3:::b/${aws:username}/*"],
         "Condition": {"ForAnyValue:StringLikeIfExists": {"s3:prefix": ["a*", "${aws:userid, 'x'}"]},
                       "NumericLessThan": {"s3:max-keys": 10}, "DateGreaterThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"},
                       "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]}, "Null": {"s3:x-amz-acl": true},
                       "Bool": {"aws:SecureTransport": "true"}}},
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "arn:aws:s3:::b"}]})",
  };
  Request r = req("alice", "s3:GetObject", "alice/k");
  r.set("s3:prefix", "ab");
  r.set("aws:SourceIp", "10.1.1.1");
  r.set("aws:CurrentTime", "2024-05-05T00:00:00Z");
  int parsed = 0, refused = 0, escaped = 0;
  auto feed = [&](const std::string& text) {
    try {
      Policy p;
      std::string why;
      if (parse(text, kBucket, &p, &why)) {
        ++parsed;
        (void)evaluate(p, r);
        (void)is_public(p);
        if (!why.empty()) ++escaped;
      } else {
        ++refused;
        if (why.empty()) ++escaped;
      }
    } catch (...) {
      ++escaped;
    }
  };
  uint64_t state = 0x9e3779b97f4a7c15ull;
  auto next = [&]() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  const char kBytes[] =
      "{}[]\":,*?$\\ \x00\xff"
      "aZ09-/";
  for (const std::string& seed : seeds) {
    for (size_t n = 0; n < seed.size(); ++n) feed(seed.substr(0, n));
    for (int i = 0; i < 3000; ++i) {
      std::string m = seed;
      int edits = 1 + static_cast<int>(next() % 4);
      for (int e = 0; e < edits && !m.empty(); ++e) {
        size_t at = next() % m.size();
        switch (next() % 4) {
          case 0: m[at] = kBytes[next() % (sizeof kBytes - 1)]; break;
          case 1: m.erase(at, 1 + next() % 8); break;
          case 2: m.insert(at, 1, kBytes[next() % (sizeof kBytes - 1)]); break;
          case 3: m.insert(at, m.substr(next() % m.size(), next() % 32)); break;
        }
      }
      feed(m);
    }
  }
  // Deep nesting and long inputs.
  feed(std::string(10000, '[') + std::string(10000, ']'));
  feed(std::string(10000, '{'));
  feed("{\"Statement\": \"" + std::string(30000, 'x') + "\"}");
  CHECK_EQ(escaped, 0);
  CHECK(parsed > 100);  // the mutations exercise evaluation too
  CHECK(refused > 100);
}

}  // namespace

int main() {
  test_grammar();
  test_malformed();
  test_actions_list();
  test_wildcards();
  test_evaluate();
  test_string_conditions();
  test_numeric_bool_null_conditions();
  test_date_conditions();
  test_ip_conditions();
  test_set_operators();
  test_variables();
  test_is_public();
  test_numbers();
  test_hostile();
  return check::report();
}
