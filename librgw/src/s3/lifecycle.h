// lifecycle.h - S3 bucket lifecycle configurations: the model, the parser
// and validator of a PutBucketLifecycleConfiguration document, the
// normalized document kept as the bucket's attribute kLifecycleAttr (what
// GetBucketLifecycleConfiguration returns), the x-amz-expiration header
// an object matched by an enabled Expiration rule carries, and the
// x-amz-abort-date of uploads an AbortIncompleteMultipartUpload rule matches.
//
// The rules are not applied here (no object is expired, no upload aborted):
// that is the lifecycle agent's work.  Transitions are refused, since this
// gateway has one storage class.
//
// Validation follows what S3 answers (400 in every case):
//   MalformedXML     a document that is not a LifecycleConfiguration of
//                    Rules, an unknown or repeated element, a rule without
//                    Status (Enabled/Disabled) or with neither Filter nor
//                    Prefix (or both), a Filter of more than one predicate,
//                    a number or date that does not parse, an Expiration
//                    naming none or more than one of Days, Date and
//                    ExpiredObjectDeleteMarker, a NoncurrentVersionExpiration
//                    without NoncurrentDays, an AbortIncompleteMultipartUpload
//                    without DaysAfterInitiation, a tag without a Key;
//   InvalidArgument  an ID longer than 255 characters or given twice, Days,
//                    NoncurrentDays, NewerNoncurrentVersions or
//                    DaysAfterInitiation not positive, a Date not at
//                    midnight UTC, a prefix longer than 1024 bytes;
//   InvalidRequest   no rule or more than 1000, a rule without an action,
//                    mixing the legacy top-level Prefix with Filter (the
//                    first rule decides which form the document uses), in
//                    the legacy form overlapping prefixes for one action or
//                    NewerNoncurrentVersions, one tag key twice in a filter,
//                    sizes out of range (or ObjectSizeLessThan not above
//                    ObjectSizeGreaterThan), ExpiredObjectDeleteMarker or
//                    AbortIncompleteMultipartUpload with tags or sizes in the
//                    filter;
//   InvalidStorageClass  any Transition or NoncurrentVersionTransition
//                    (checked last, so a document S3 would refuse for
//                    another reason gets that answer).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model.h"
#include "s3/tagging.h"

namespace rgw::http {
struct Response;
}

namespace rgw::s3 {

// The attribute holding the bucket's normalized LifecycleConfiguration.
inline constexpr const char* kLifecycleAttr = "rgw-s3-lifecycle";

inline constexpr size_t kMaxLifecycleRules = 1000;

// Which objects a rule applies to.
struct LifecycleFilter {
  enum class Kind {
    legacy_prefix,  // the rule's own <Prefix> (no <Filter>)
    all,            // an empty <Filter/>
    prefix,
    tag,
    size_greater,
    size_less,
    and_
  };
  Kind kind = Kind::all;
  std::optional<std::string> prefix;  // legacy_prefix, prefix; optional in and_
  TagSet tags;                        // tag (one), and_ (any number)
  std::optional<uint64_t> greater;    // size_greater; optional in and_
  std::optional<uint64_t> less;       // size_less; optional in and_

  bool uses_tags() const { return !tags.empty(); }
  bool uses_sizes() const { return greater.has_value() || less.has_value(); }
};

struct LifecycleRule {
  std::string id;  // given, or generated when the document had none
  bool enabled = false;
  LifecycleFilter filter;
  // Expiration: exactly one of the three when present.
  std::optional<uint32_t> expiration_days;
  std::optional<int64_t> expiration_date;  // epoch seconds, a midnight UTC
  std::optional<bool> expired_object_delete_marker;
  // NoncurrentVersionExpiration (noncurrent_days set when present).
  std::optional<uint32_t> noncurrent_days;
  std::optional<uint32_t> newer_noncurrent_versions;
  // AbortIncompleteMultipartUpload.
  std::optional<uint32_t> abort_days;

  bool has_expiration() const {
    return expiration_days || expiration_date || expired_object_delete_marker;
  }
};

struct LifecycleConfiguration {
  std::vector<LifecycleRule> rules;
};

// Parses and validates a PutBucketLifecycleConfiguration body; throws
// S3Error (the codes above).  Rules without an ID get a random one.
LifecycleConfiguration parse_lifecycle(std::string_view body);

// The configuration as GetBucketLifecycleConfiguration returns it (and as
// it is stored): each rule's ID, Filter or Prefix, Status and actions.
std::string lifecycle_document(const LifecycleConfiguration& config);

// Whether a rule's filter matches an object.
bool lifecycle_matches(const LifecycleFilter& filter, const std::string& key, uint64_t size,
                       const TagSet& tags);

// When an object expires under the configuration's enabled Expiration rules
// (Days or Date) that match it: Days after `created_ns` (the object's
// Last-Modified, epoch nanoseconds) rounded up to the next midnight UTC, or
// the rule's Date; the earliest of the rules, the first one listed on a tie.
// day_seconds > 0: days of that many seconds, not rounded (the lifecycle
// agent's debug days, lifecycle_pass.h).
struct ObjectExpiry {
  int64_t at = 0;  // epoch seconds, a midnight UTC
  std::string rule_id;
};
std::optional<ObjectExpiry> object_expiry(const LifecycleConfiguration& config,
                                          const std::string& key, uint64_t size, const TagSet& tags,
                                          int64_t created_ns, int64_t day_seconds = 0);

// Whether a noncurrent version of `key` (its size and tags), noncurrent
// since `noncurrent_ns` (when its successor was written) with `newer`
// noncurrent versions newer than it, is due at `now` (epoch seconds) under
// an enabled NoncurrentVersionExpiration rule that matches it: NoncurrentDays
// after that time (rounded up to midnight UTC, or debug days), the
// NewerNoncurrentVersions newest noncurrent versions kept.
bool noncurrent_due(const LifecycleConfiguration& config, const std::string& key, uint64_t size,
                    const TagSet& tags, int64_t noncurrent_ns, uint64_t newer, int64_t now,
                    int64_t day_seconds = 0);
// Whether a delete marker left as the only version of `key`, written at
// `marker_ns`, is to be removed at `now`: an enabled rule matching the key
// has ExpiredObjectDeleteMarker, or an enabled Expiration Days rule matching
// it finds the marker old enough (as S3 does with Days).
bool removes_expired_marker(const LifecycleConfiguration& config, const std::string& key,
                            int64_t marker_ns, int64_t now, int64_t day_seconds = 0);

// When an incomplete multipart upload of `key`, initiated at `initiated_ns`,
// is due to be aborted under the enabled AbortIncompleteMultipartUpload
// rules that match its key (such rules filter by prefix only):
// DaysAfterInitiation after its initiation rounded up to midnight UTC; the
// earliest of the rules.
std::optional<ObjectExpiry> upload_abort(const LifecycleConfiguration& config,
                                         const std::string& key, int64_t initiated_ns,
                                         int64_t day_seconds = 0);

// `expiry-date="Fri, 23 Dec 2012 00:00:00 GMT", rule-id="id"`: the rule ID
// as it is when a header can carry it inside quotes, else percent-encoded;
// "" for a date past 9999-12-31 (no HTTP date holds it).
std::string expiration_header_value(const ObjectExpiry& expiry);

// Sets x-amz-expiration on a response about `object` named `key` (its size,
// tags and Last-Modified) when the bucket has a lifecycle configuration with a
// matching enabled Expiration rule.  A bucket without one costs a map
// lookup; a stored document is parsed once per thread that meets it.
// Never throws.
void add_expiration_header(http::Response& resp, const BucketInfo& bucket, const std::string& key,
                           const ObjectInfo& object) noexcept;

// Sets x-amz-abort-date and x-amz-abort-rule-id on the answer about an
// upload (CreateMultipartUpload, ListParts) when a rule of the bucket's
// lifecycle configuration will abort it.  Never throws.
void add_abort_headers(http::Response& resp, const BucketInfo& bucket, const std::string& key,
                       int64_t initiated_ns) noexcept;

}  // namespace rgw::s3
