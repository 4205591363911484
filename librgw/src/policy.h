// policy.h - S3 bucket policies: the AWS IAM policy language, parsed and
// evaluated.
//
// A bucket policy is a JSON document (AWS's grammar, "Version" 2012-10-17 or
// 2008-10-17) of statements, each allowing or denying a set of actions on a
// set of resources to a set of principals, optionally under conditions.  This
// module is self-contained: parse() validates a document for one bucket into
// a Policy, evaluate() decides one request against it, is_public() tells
// whether it grants access to everybody (PolicyStatus, Block Public Access).
// Nothing here reads a store or knows an S3 operation: the caller names the
// action ("s3:GetObject"), the resource ARN and the request's condition keys.
//
// Principals.  Our users are AWS accounts: a user's uid U is its account id.
// A policy names user U as any of
//   "U"                                  (a bare account id)
//   "arn:aws:iam::U:root"                (the account)
//   "arn:aws:iam::U:user/NAME"           (a user under account U: any NAME
//                                         matches U, we have no sub-users)
//   {"CanonicalUser": "U"}               (S3's canonical id is the uid)
// and everybody (anonymous requests included) as "*" or {"AWS": "*"}.
// {"Service": "..."} principals are accepted and match no request.
//
// Matching.  Actions match case-insensitively, resources and condition
// values case-sensitively (except the ...IgnoreCase operators); in both `*`
// matches any run of characters (`/` included) and `?` any one character.
// Condition keys are case-insensitive: the parser lower-cases them, and the
// caller gives Request::context lower-cased keys (Request::set does it).
//
// Policy variables (Version 2012-10-17 only): `${key}` in a Resource or in a
// String/Arn condition value is replaced by the request's single value of
// that condition key (e.g. ${aws:username}), `${key, 'default'}` by the
// default when the key is absent; `${*}`, `${?}` and `${$}` are a literal `*`,
// `?` and `$`.  A variable whose key is absent (no default) or has several
// values makes that Resource entry or condition value match nothing.
//
// Thread safety: a Policy is immutable after parse(); evaluate() and
// is_public() only read it and may run concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace rgw::policy {

// The largest policy document parse() accepts, in bytes (AWS: 20 KiB).
inline constexpr size_t kMaxPolicySize = 20 * 1024;

// ---------------------------------------------------------------------------
// The parsed policy
// ---------------------------------------------------------------------------

// What a statement does when it applies.
enum class Effect { allow, deny };

// One entry of a Principal or NotPrincipal element.
struct PrincipalEntry {
  enum class Kind {
    any,        // "*" or {"AWS": "*"}: everybody, anonymous included
    account,    // "U", arn:aws:iam::U:root, arn:aws:iam::U:user/...: uid U
    canonical,  // {"CanonicalUser": "U"}: uid U
    service,    // {"Service": "..."}: matches no request
  };
  Kind kind = Kind::any;
  std::string id;  // the uid (account, canonical) or the service name
};

// The condition operators (the base name, without IfExists or a set prefix).
enum class Operator {
  string_equals,
  string_not_equals,
  string_equals_ignore_case,
  string_not_equals_ignore_case,
  string_like,
  string_not_like,
  numeric_equals,
  numeric_not_equals,
  numeric_less_than,
  numeric_less_than_equals,
  numeric_greater_than,
  numeric_greater_than_equals,
  date_equals,
  date_not_equals,
  date_less_than,
  date_less_than_equals,
  date_greater_than,
  date_greater_than_equals,
  boolean,  // Bool
  binary_equals,
  ip_address,
  not_ip_address,
  arn_equals,
  arn_like,
  arn_not_equals,
  arn_not_like,
  null,  // Null: "true" = the key is absent, "false" = present
};

// How a condition treats a key with several values in the request.
enum class SetQualifier {
  none,            // no prefix: see evaluate_condition()
  for_any_value,   // ForAnyValue: some request value satisfies the operator
  for_all_values,  // ForAllValues: every request value does (none: true)
};

// One key of one operator of a Condition element: {"Op": {"key": values}}.
// The keys of one statement's conditions are ANDed; a condition's values
// are ORed (for the negated operators: none may match).
struct Condition {
  Operator op = Operator::string_equals;
  SetQualifier set = SetQualifier::none;
  bool if_exists = false;           // ...IfExists: an absent key satisfies it
  std::string op_name;              // the operator as written, for messages
  std::string key;                  // lower-cased, e.g. "aws:sourceip"
  std::vector<std::string> values;  // as written (numbers and booleans as text)
};

// One statement.  Exactly one of Principal/NotPrincipal, Action/NotAction
// and Resource/NotResource is present; the not_* flags say which.
struct Statement {
  std::string sid;  // "" when absent
  Effect effect = Effect::allow;
  bool not_principal = false;
  std::vector<PrincipalEntry> principals;
  bool not_action = false;
  std::vector<std::string> actions;  // lower-cased patterns: "*", "s3:get*"
  bool not_resource = false;
  std::vector<std::string> resources;  // ARN patterns as written
  std::vector<Condition> conditions;   // all must hold
};

// A parsed bucket policy.
struct Policy {
  std::string version;  // "2012-10-17", "2008-10-17" or "" (absent: 2008 rules)
  std::string id;       // the Id element, "" when absent
  std::vector<Statement> statements;

  // Whether policy variables are expanded (Version 2012-10-17).
  bool variables() const { return version == "2012-10-17"; }
};

// ---------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------

// Parses the policy document `json` for bucket `bucket`.  Returns true and
// fills *out, or returns false with *reason set to an AWS-style
// MalformedPolicy message, among them:
//   "Policies must be valid JSON and the first byte must be '{'"
//   "Policy exceeds the maximum allowed document size."
//   "Invalid Version", "Invalid Id", "Invalid Sid", "Unknown field X"
//   "Missing required field X" (Statement, Effect, Principal, Action,
//   Resource), "Statement has both X and NotX", "Statement is not an object"
//   "Invalid effect: X", "Invalid principal in policy"
//   "Policy has invalid action", "Policy has invalid resource"
//   "Invalid Condition block", "Invalid Condition block for OP"
//   "Invalid Condition type: OP", "Invalid Condition value for OP"
//   "Policy has an invalid condition key"
// Rules beyond the JSON grammar: every Resource/NotResource is
// arn:aws:s3:::BUCKET or arn:aws:s3:::BUCKET/KEY-PATTERN for this very
// bucket (no wildcard in the bucket name); actions are "*" or "s3:" plus a
// known action name (s3_actions()) or a pattern with `*`/`?`; condition keys
// are "aws:..." or "s3:..."; condition values are checked against their
// operator (numbers, dates, CIDRs, booleans).  Member order is irrelevant;
// a repeated member name keeps the last.  Not checked: whether an action
// applies to the statement's resources (AWS's optional "Action does not
// apply to any resource(s) in statement"), whether a wildcard action
// matches any action, Sid uniqueness.  Never throws (except
// std::bad_alloc); documents are bounded by kMaxPolicySize and nesting depth.
bool parse(std::string_view json, const std::string& bucket, Policy* out, std::string* reason);

// The S3 action names a policy may name without a wildcard, as AWS spells
// them ("s3:GetObject", ...), sorted case-insensitively.
const std::vector<std::string>& s3_actions();

// Whether `action` (any case) is one of s3_actions().
bool is_known_action(std::string_view action);

// ---------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------

// The outcome of evaluating a policy for one request.
enum class Decision {
  none,   // no statement applies (the caller falls back to ACLs / ownership)
  allow,  // an Allow statement applies and no Deny does
  deny,   // a Deny statement applies: it wins over every Allow
};

// The request as a policy sees it.
//
// The condition keys a caller is expected to give, when they apply (AWS's
// names and value forms; a key that does not apply is left absent):
//   aws:SourceIp             the client's address ("192.0.2.1", "2001:db8::1")
//   aws:SecureTransport      "true" over TLS, else "false"
//   aws:CurrentTime          ISO 8601 UTC ("2024-06-01T12:00:00Z")
//   aws:EpochTime            seconds since the epoch ("1717243200")
//   aws:UserAgent, aws:Referer   the request's headers
//   aws:username, aws:userid     the uid (absent for anonymous requests)
//   aws:PrincipalType        "Anonymous", "Account" or "User"
//   s3:prefix, s3:delimiter, s3:max-keys   listing parameters
//   s3:x-amz-acl             a canned ACL header; s3:x-amz-content-sha256
//   s3:ExistingObjectTag/K   the object's tag K; s3:RequestObjectTag/K the
//                            request's; s3:RequestObjectTagKeys (several)
//   s3:signatureversion      "AWS" (SigV2) or "AWS4-HMAC-SHA256" (SigV4)
//   s3:authType              "REST-HEADER", "REST-QUERY-STRING" or "POST"
//   s3:VersionId             the versionId parameter
struct Request {
  std::string uid;       // the authenticated user; "" = anonymous
  std::string action;    // e.g. "s3:GetObject" (any case)
  std::string resource;  // e.g. "arn:aws:s3:::bucket/key" (see resource_arn)
  // Condition keys, lower-cased ("aws:sourceip", "s3:prefix",
  // "s3:existingobjecttag/color"), each with one or more values.  A key
  // that is absent is absent; an empty vector is an empty set (for the
  // ForAllValues/ForAnyValue operators) and "present" for Null.
  std::map<std::string, std::vector<std::string>> context;

  // Sets a key (lower-cased here) to one or several values.
  void set(std::string_view key, std::string value);
  void set(std::string_view key, std::vector<std::string> values);
  // The values of a key (any case), or nullptr when absent.
  const std::vector<std::string>* find(std::string_view key) const;
};

// The resource ARN of a bucket ("arn:aws:s3:::b") or of an object in it
// ("arn:aws:s3:::b/k" when key is not empty).
std::string resource_arn(std::string_view bucket, std::string_view key = {});

// Evaluates `policy` for `request`: deny if a Deny statement applies, else
// allow if an Allow statement applies, else none.  A statement applies when
// its principal, action, resource and every condition match.
Decision evaluate(const Policy& policy, const Request& request);

// Whether the condition `c` holds for `request` (`variables`: expand policy
// variables in its values).  AWS's rules:
//  - an absent key: true for ...IfExists; for Null, the test itself; false
//    for ForAnyValue; true for ForAllValues; true for the negated operators
//    (StringNotEquals, StringNotLike, NumericNotEquals, DateNotEquals,
//    NotIpAddress, ArnNotEquals, ArnNotLike, ...IgnoreCase); else false;
//  - a present key without a set prefix: the operator holds for some request
//    value (negated operators: no request value matches any policy value);
//  - a request value that is not of the operator's type (a number, a date,
//    an IP address, a boolean) matches no policy value, so positive
//    operators fail on it and negated operators hold.
bool evaluate_condition(const Condition& c, const Request& request, bool variables);

// ---------------------------------------------------------------------------
// Public policies
// ---------------------------------------------------------------------------

// Whether the policy is "public" in the sense of S3 Block Public Access and
// GetBucketPolicyStatus.  A policy is public when some Allow statement
//  - has Principal "*" / {"AWS": "*"} (or uses NotPrincipal: everybody but a
//    few), and
//  - has no condition that pins it to fixed values, which is one of (no
//    IfExists, no ForAllValues, values without wildcards or `${`):
//      aws:SourceIp with IpAddress, every CIDR at least /8 (IPv4) or /32
//        (IPv6) (our threshold for "a set of CIDRs", not 0.0.0.0/0);
//      aws:SourceArn, aws:SourceVpc, aws:SourceVpce, aws:SourceOwner,
//        aws:SourceAccount, aws:PrincipalOrgID, aws:PrincipalAccount,
//        aws:PrincipalArn, aws:userid, s3:DataAccessPointArn,
//        s3:DataAccessPointAccount,
//        s3:x-amz-server-side-encryption-aws-kms-key-id
//        with a StringEquals, StringLike, StringEqualsIgnoreCase, ArnEquals or
//        ArnLike operator.
// Deny statements never make a policy public or non-public.
bool is_public(const Policy& policy);

// ---------------------------------------------------------------------------
// Helpers (exposed for the tests and for callers building requests)
// ---------------------------------------------------------------------------

// Whether `text` matches `pattern`, where `*` matches any run of characters
// and `?` one character (a UTF-8 sequence counts as one); ignore_case folds
// ASCII letters.  Linear memory,
// O(|pattern| * |text|) time in the worst case.
bool wildcard_match(std::string_view pattern, std::string_view text, bool ignore_case);

// Parses a date as the Date operators take it: epoch seconds ("1700000000",
// optionally with a fraction or a sign) or ISO 8601 ("2024-01-31",
// "2024-01-31T12:00:00Z", "2024-01-31T12:00:00.250+02:00", "...T12:00Z",
// basic "20240131T120000Z").  A time without a zone is UTC.  Stores
// milliseconds since the epoch; false when malformed.
bool parse_date(std::string_view text, int64_t* millis);

// Parses a decimal number as the Numeric operators take it (an optional
// sign, digits, an optional fraction and exponent); false when malformed or
// not finite.
bool parse_number(std::string_view text, double* out);

// An IPv4 or IPv6 network, as IpAddress conditions name them.
struct Cidr {
  bool v6 = false;
  uint8_t addr[16] = {};  // IPv4: the first 4 bytes
  int prefix = 0;         // bits: 0..32 or 0..128
};

// Parses "a.b.c.d", "a.b.c.d/n", an IPv6 address or "v6/n" (no prefix: a
// single host).  False when malformed.
bool parse_cidr(std::string_view text, Cidr* out);

// Whether the address `ip` (IPv4 or IPv6, no prefix; an IPv4-mapped IPv6
// address counts as its IPv4 address) is in `net`.  False when `ip` is
// malformed.
bool cidr_contains(const Cidr& net, std::string_view ip);

}  // namespace rgw::policy
