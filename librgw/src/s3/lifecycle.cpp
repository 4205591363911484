// lifecycle.cpp - lifecycle configurations: parsing, validation,
// the normalized document, rule matching and x-amz-expiration.
#include "s3/lifecycle.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <initializer_list>
#include <memory>
#include <set>
#include <unordered_map>

#include "http/date.h"
#include "http/request.h"
#include "http/response.h"
#include "policy.h"
#include "s3/op.h"
#include "s3/s3_error.h"
#include "util.h"
#include "xml.h"

namespace rgw::s3 {

namespace {

constexpr int64_t kDay = 86400;
constexpr size_t kMaxIdChars = 255;
constexpr size_t kMaxPrefixBytes = 1024;
constexpr int64_t kMaxObjectSizeFilter = 1099511627776000;  // 1000 TiB, as S3 bounds it
constexpr int64_t kLastHttpDate = 253402300799;             // 9999-12-31T23:59:59Z

[[noreturn]] void malformed() {
  throw_s3(400, "MalformedXML",
           "The XML you provided was not well-formed or did not validate against our published "
           "schema.");
}

[[noreturn]] void invalid_argument(const std::string& message) {
  throw_s3(400, "InvalidArgument", message);
}

[[noreturn]] void invalid_request(const std::string& message) {
  throw_s3(400, "InvalidRequest", message);
}

std::string trimmed(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// Refuses a child element the schema does not have there.
void only_children(const XmlNode& node, std::initializer_list<std::string_view> names) {
  for (const auto& c : node.children)
    if (std::find(names.begin(), names.end(), c->name) == names.end()) malformed();
}

// The child `name`, which the schema allows at most once.
const XmlNode* single(const XmlNode& node, std::string_view name) {
  const XmlNode* found = nullptr;
  for (const auto& c : node.children)
    if (c->name == name) {
      if (found) malformed();
      found = c.get();
    }
  return found;
}

// An xsd:int or xsd:long: optional sign, digits (whitespace around allowed).
int64_t integer(const XmlNode& node, int64_t min, int64_t max) {
  std::string t = trimmed(node.text);
  size_t i = 0;
  bool neg = false;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) neg = t[i++] == '-';
  if (i == t.size() || t.size() - i > 18) malformed();
  int64_t v = 0;
  for (; i < t.size(); ++i) {
    if (t[i] < '0' || t[i] > '9') malformed();
    v = v * 10 + (t[i] - '0');
  }
  if (neg) v = -v;
  if (v < min || v > max) malformed();
  return v;
}

int32_t int32(const XmlNode& node) {
  return static_cast<int32_t>(integer(node, INT32_MIN, INT32_MAX));
}

bool boolean(const XmlNode& node) {
  std::string t = trimmed(node.text);
  if (t == "true" || t == "1") return true;
  if (t == "false" || t == "0") return false;
  malformed();
}

// Characters, not bytes: a UTF-8 sequence counts once.
size_t characters(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

// A rule as the document gives it, before the checks that are not the
// schema's.
struct Given {
  LifecycleRule rule;
  bool has_prefix = false;  // the rule's own <Prefix>
  bool has_filter = false;
  int32_t days = 0;                // Expiration Days, when given
  std::optional<int64_t> date_ms;  // Expiration Date, when given
  int32_t noncurrent_days = 0;     // when NoncurrentVersionExpiration given
  std::optional<int32_t> newer;    // NewerNoncurrentVersions
  std::optional<int32_t> abort_days;
  bool has_noncurrent = false;
  std::optional<int64_t> greater, less;  // sizes as given (checked later)
  bool transition = false, noncurrent_transition = false;
};

TagSet::value_type tag_of(const XmlNode& tag) {
  only_children(tag, {"Key", "Value"});
  const XmlNode* k = single(tag, "Key");
  const XmlNode* v = single(tag, "Value");
  if (!k || !v || k->text.empty()) malformed();
  return {k->text, v->text};
}

void parse_filter(const XmlNode& filter, Given& g) {
  LifecycleFilter& f = g.rule.filter;
  only_children(filter, {"Prefix", "Tag", "ObjectSizeGreaterThan", "ObjectSizeLessThan", "And"});
  if (filter.children.size() > 1) malformed();
  if (filter.children.empty()) {
    f.kind = LifecycleFilter::Kind::all;
    return;
  }
  const XmlNode& p = *filter.children.front();
  if (p.name == "Prefix") {
    f.kind = LifecycleFilter::Kind::prefix;
    f.prefix = p.text;
  } else if (p.name == "Tag") {
    f.kind = LifecycleFilter::Kind::tag;
    f.tags.push_back(tag_of(p));
  } else if (p.name == "ObjectSizeGreaterThan") {
    f.kind = LifecycleFilter::Kind::size_greater;
    g.greater = integer(p, INT64_MIN / 2, INT64_MAX / 2);
  } else if (p.name == "ObjectSizeLessThan") {
    f.kind = LifecycleFilter::Kind::size_less;
    g.less = integer(p, INT64_MIN / 2, INT64_MAX / 2);
  } else {  // And
    f.kind = LifecycleFilter::Kind::and_;
    only_children(p, {"Prefix", "Tag", "ObjectSizeGreaterThan", "ObjectSizeLessThan"});
    if (p.children.empty()) malformed();
    if (const XmlNode* n = single(p, "Prefix")) f.prefix = n->text;
    for (const XmlNode* t : p.children_named("Tag")) f.tags.push_back(tag_of(*t));
    if (const XmlNode* n = single(p, "ObjectSizeGreaterThan"))
      g.greater = integer(*n, INT64_MIN / 2, INT64_MAX / 2);
    if (const XmlNode* n = single(p, "ObjectSizeLessThan"))
      g.less = integer(*n, INT64_MIN / 2, INT64_MAX / 2);
  }
}

void parse_expiration(const XmlNode& e, Given& g) {
  only_children(e, {"Date", "Days", "ExpiredObjectDeleteMarker"});
  const XmlNode* date = single(e, "Date");
  const XmlNode* days = single(e, "Days");
  const XmlNode* marker = single(e, "ExpiredObjectDeleteMarker");
  if ((date ? 1 : 0) + (days ? 1 : 0) + (marker ? 1 : 0) != 1) malformed();
  if (days) {
    g.days = int32(*days);
    g.rule.expiration_days = 0;  // set once checked
  }
  if (marker) g.rule.expired_object_delete_marker = boolean(*marker);
  if (date) {
    // ISO 8601 in its extended form ("2030-01-01", "2030-01-01T00:00:00Z",
    // "...T00:00:00.000+00:00").
    std::string t = trimmed(date->text);
    int64_t ms = 0;
    if (t.size() < 10 || t[4] != '-' || !policy::parse_date(t, &ms)) malformed();
    g.date_ms = ms;
    g.rule.expiration_date = 0;  // set once checked
  }
}

void parse_transition(const XmlNode& t, bool noncurrent) {
  if (noncurrent) {
    only_children(t, {"NoncurrentDays", "StorageClass", "NewerNoncurrentVersions"});
    const XmlNode* days = single(t, "NoncurrentDays");
    if (!days || !single(t, "StorageClass")) malformed();
    int32(*days);
    if (const XmlNode* n = single(t, "NewerNoncurrentVersions")) int32(*n);
  } else {
    only_children(t, {"Date", "Days", "StorageClass"});
    const XmlNode* date = single(t, "Date");
    const XmlNode* days = single(t, "Days");
    if (!single(t, "StorageClass") || (date != nullptr) == (days != nullptr)) malformed();
    if (days) int32(*days);
  }
}

Given parse_rule(const XmlNode& r) {
  only_children(r, {"ID", "Prefix", "Filter", "Status", "Expiration", "Transition",
                    "NoncurrentVersionTransition", "NoncurrentVersionExpiration",
                    "AbortIncompleteMultipartUpload"});
  Given g;
  if (const XmlNode* id = single(r, "ID")) g.rule.id = id->text;
  const XmlNode* status = single(r, "Status");
  if (!status) malformed();
  std::string s = trimmed(status->text);
  if (s != "Enabled" && s != "Disabled") malformed();
  g.rule.enabled = s == "Enabled";
  const XmlNode* prefix = single(r, "Prefix");
  const XmlNode* filter = single(r, "Filter");
  if (!prefix && !filter) malformed();
  g.has_prefix = prefix != nullptr;
  g.has_filter = filter != nullptr;
  if (filter) {
    parse_filter(*filter, g);
  } else {
    g.rule.filter.kind = LifecycleFilter::Kind::legacy_prefix;
    g.rule.filter.prefix = prefix->text;
  }
  if (const XmlNode* e = single(r, "Expiration")) parse_expiration(*e, g);
  if (const XmlNode* n = single(r, "NoncurrentVersionExpiration")) {
    only_children(*n, {"NoncurrentDays", "NewerNoncurrentVersions"});
    const XmlNode* days = single(*n, "NoncurrentDays");
    if (!days) malformed();
    g.has_noncurrent = true;
    g.noncurrent_days = int32(*days);
    if (const XmlNode* newer = single(*n, "NewerNoncurrentVersions")) g.newer = int32(*newer);
  }
  if (const XmlNode* a = single(r, "AbortIncompleteMultipartUpload")) {
    only_children(*a, {"DaysAfterInitiation"});
    const XmlNode* days = single(*a, "DaysAfterInitiation");
    if (!days) malformed();
    g.abort_days = int32(*days);
  }
  for (const XmlNode* t : r.children_named("Transition")) {
    parse_transition(*t, false);
    g.transition = true;
  }
  for (const XmlNode* t : r.children_named("NoncurrentVersionTransition")) {
    parse_transition(*t, true);
    g.noncurrent_transition = true;
  }
  return g;
}

void check_prefix(const std::optional<std::string>& prefix) {
  if (prefix && prefix->size() > kMaxPrefixBytes)
    invalid_argument("The prefix is longer than the longest key, 1024 bytes.");
}

// The checks S3 makes of one rule beyond its schema, in the order S3
// answers them; `v2` when the document uses Filter rather than Prefix.
void check_rule(Given& g, bool v2) {
  LifecycleRule& r = g.rule;
  if (g.has_prefix && v2)
    invalid_request(
        "Base level prefix cannot be used in Lifecycle V2, prefixes are only supported in the "
        "Filter.");
  if (g.has_filter && !v2) invalid_request("Filter element can only be used in Lifecycle V2.");
  check_prefix(r.filter.prefix);
  std::set<std::string> keys;
  for (const auto& t : r.filter.tags)
    if (!keys.insert(t.first).second) invalid_request("Duplicate Tag Keys are not allowed.");
  if (g.greater && (*g.greater < 0 || *g.greater > kMaxObjectSizeFilter))
    invalid_request("'ObjectSizeGreaterThan' should be between 0 and 1099511627776000.");
  if (g.less && (*g.less < 1 || *g.less > kMaxObjectSizeFilter))
    invalid_request("'ObjectSizeLessThan' should be between 1 and 1099511627776000.");
  if (g.greater && g.less && *g.less <= *g.greater)
    invalid_request("'ObjectSizeLessThan' has to be a value greater than 'ObjectSizeGreaterThan'.");
  if (g.greater) r.filter.greater = static_cast<uint64_t>(*g.greater);
  if (g.less) r.filter.less = static_cast<uint64_t>(*g.less);
  if (!r.has_expiration() && !g.has_noncurrent && !g.abort_days && !g.transition &&
      !g.noncurrent_transition)
    invalid_request("At least one action needs to be specified in a rule");
  if (r.expiration_days) {
    if (g.days <= 0) invalid_argument("'Days' for Expiration action must be a positive integer");
    r.expiration_days = static_cast<uint32_t>(g.days);
  }
  if (g.date_ms) {
    if (*g.date_ms % (kDay * 1000) != 0) {
      S3Error e(400, "InvalidArgument", "'Date' must be at midnight GMT");
      e.details.emplace_back("ArgumentName", "Date");
      throw e;
    }
    r.expiration_date = *g.date_ms / 1000;
  }
  if (g.has_noncurrent) {
    if (g.noncurrent_days <= 0)
      invalid_argument(
          "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer");
    r.noncurrent_days = static_cast<uint32_t>(g.noncurrent_days);
    if (g.newer) {
      if (!v2) invalid_request("NewerNoncurrentVersions element can only be used in Lifecycle V2.");
      if (*g.newer <= 0) invalid_argument("'NewerNoncurrentVersions' must be a positive integer");
      r.newer_noncurrent_versions = static_cast<uint32_t>(*g.newer);
    }
  }
  if (g.abort_days) {
    if (*g.abort_days <= 0)
      invalid_argument(
          "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive "
          "integer");
    r.abort_days = static_cast<uint32_t>(*g.abort_days);
  }
  if (r.expired_object_delete_marker) {
    if (r.filter.uses_tags())
      invalid_request("ExpiredObjectDeleteMarker cannot be specified with Tags.");
    if (r.filter.uses_sizes())
      invalid_request("ExpiredObjectDeleteMarker cannot be specified with Object Size.");
  }
  if (r.abort_days) {
    if (r.filter.uses_tags())
      invalid_request("AbortIncompleteMultipartUpload cannot be specified with Tags.");
    if (r.filter.uses_sizes())
      invalid_request("AbortIncompleteMultipartUpload cannot be specified with Object Size.");
  }
}

// In the legacy form, two rules whose prefixes overlap (one begins the
// other) may not take the same kind of action.
void check_overlaps(const std::vector<Given>& given) {
  struct Kind {
    const char* name;
    bool (*takes)(const Given&);
  };
  static const Kind kKinds[] = {
      {"Expiration", [](const Given& g) { return g.rule.has_expiration(); }},
      {"Transition", [](const Given& g) { return g.transition; }},
      {"NoncurrentVersionTransition", [](const Given& g) { return g.noncurrent_transition; }},
      {"NoncurrentVersionExpiration", [](const Given& g) { return g.has_noncurrent; }},
      {"AbortIncompleteMultipartUpload", [](const Given& g) { return g.abort_days.has_value(); }},
  };
  for (const Kind& k : kKinds) {
    std::vector<const std::string*> prefixes;
    for (const Given& g : given)
      if (k.takes(g) && g.rule.filter.prefix) prefixes.push_back(&*g.rule.filter.prefix);
    std::sort(prefixes.begin(), prefixes.end(),
              [](const std::string* a, const std::string* b) { return *a < *b; });
    // Sorted, a prefix that begins another begins its successor.
    for (size_t i = 1; i < prefixes.size(); ++i)
      if (prefixes[i]->compare(0, prefixes[i - 1]->size(), *prefixes[i - 1]) == 0)
        invalid_request("Found overlapping prefixes '" + *prefixes[i - 1] + "' and '" +
                        *prefixes[i] + "' for same action type '" + k.name + "'");
  }
}

void write_tag(XmlWriter& x, const TagSet::value_type& t) {
  x.open("Tag").element("Key", t.first).element("Value", t.second).close("Tag");
}

void write_filter(XmlWriter& x, const LifecycleFilter& f) {
  using Kind = LifecycleFilter::Kind;
  if (f.kind == Kind::legacy_prefix) {
    x.element("Prefix", *f.prefix);
    return;
  }
  x.open("Filter");
  switch (f.kind) {
    case Kind::legacy_prefix:
    case Kind::all: break;
    case Kind::prefix: x.element("Prefix", *f.prefix); break;
    case Kind::tag: write_tag(x, f.tags.front()); break;
    case Kind::size_greater: x.element("ObjectSizeGreaterThan", *f.greater); break;
    case Kind::size_less: x.element("ObjectSizeLessThan", *f.less); break;
    case Kind::and_:
      x.open("And");
      if (f.prefix) x.element("Prefix", *f.prefix);
      for (const auto& t : f.tags) write_tag(x, t);
      if (f.greater) x.element("ObjectSizeGreaterThan", *f.greater);
      if (f.less) x.element("ObjectSizeLessThan", *f.less);
      x.close("And");
      break;
  }
  x.close("Filter");
}

// `days` after a time (epoch nanoseconds), rounded up to midnight UTC (a
// time already at midnight is its own ceiling); with day_seconds > 0 (the
// agent's debug days) days of that length, not rounded.
int64_t days_after(int64_t ns, uint32_t days, int64_t day_seconds = 0) {
  if (day_seconds > 0) return ns / 1000000000 + static_cast<int64_t>(days) * day_seconds;
  const int64_t t = ns / 1000000000 + static_cast<int64_t>(days) * kDay;
  return t % kDay == 0 && ns % 1000000000 == 0 ? t : (t / kDay + 1) * kDay;
}

// A Date (epoch seconds at midnight UTC, any year the parser takes, 0000 to
// 9999: far outside what epoch nanoseconds hold) as GET returns it.
std::string midnight_date(int64_t seconds) {
  const time_t t = static_cast<time_t>(seconds);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT00:00:00.000Z", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday);
  return out;
}

// A rule ID as a header carries it: as it is when it can go between quotes,
// else percent-encoded (as S3 documents it).
std::string header_rule_id(const std::string& id) {
  bool plain = !id.empty() && id.front() != ' ' && id.back() != ' ';
  for (unsigned char c : id)
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') plain = false;
  return plain ? id : http::uri_encode(id, true);
}

bool has_tag(const TagSet& tags, const TagSet::value_type& t) {
  for (const auto& o : tags)
    if (o == t) return true;
  return false;
}

// The configuration of a stored document and whether any enabled rule
// could give x-amz-expiration, cached per thread by the document's text
// (documents are few; the cache is emptied when it grows past a bound).
struct Parsed {
  LifecycleConfiguration config;
  bool expires = false;  // an enabled Expiration of Days or Date
  bool aborts = false;   // an enabled AbortIncompleteMultipartUpload
};

std::shared_ptr<const Parsed> parsed(const std::string& text) {
  thread_local std::unordered_map<std::string, std::shared_ptr<const Parsed>> cache;
  auto it = cache.find(text);
  if (it != cache.end()) return it->second;
  auto p = std::make_shared<Parsed>();
  try {
    p->config = parse_lifecycle(text);
  } catch (...) {
    // Stored documents were checked when put; one that no longer parses
    // applies no rule.
    p->config.rules.clear();
  }
  for (const auto& r : p->config.rules)
    if (r.enabled) {
      p->expires |= r.expiration_days || r.expiration_date;
      p->aborts |= r.abort_days.has_value();
    }
  if (cache.size() >= 64) cache.clear();
  cache.emplace(text, p);
  return p;
}

}  // namespace

LifecycleConfiguration parse_lifecycle(std::string_view body) {
  std::string err;
  auto doc = parse_xml(body, &err);
  if (!doc || doc->name != "LifecycleConfiguration") malformed();
  only_children(*doc, {"Rule"});
  // The schema first, for every rule; then S3's other checks.
  std::vector<Given> given;
  given.reserve(std::min<size_t>(doc->children.size(), kMaxLifecycleRules + 1));
  for (const auto& r : doc->children) given.push_back(parse_rule(*r));
  if (given.empty()) invalid_request("At least one lifecycle rule must be specified.");
  if (given.size() > kMaxLifecycleRules)
    invalid_request(
        "The number of lifecycle rules must not exceed the allowed limit of 1000 rules.");
  std::set<std::string> ids;
  for (const Given& g : given) {
    if (g.rule.id.empty()) continue;
    if (characters(g.rule.id) > kMaxIdChars)
      invalid_argument("ID length should not exceed allowed limit of 255");
    if (!ids.insert(g.rule.id).second)
      invalid_argument("Rule ID must be unique. Found same ID for more than one rule");
  }
  const bool v2 = given.front().has_filter;
  for (Given& g : given) check_rule(g, v2);
  if (!v2) check_overlaps(given);
  for (const Given& g : given)
    if (g.transition || g.noncurrent_transition)
      throw_s3(400, "InvalidStorageClass",
               "The storage class you specified is not valid: lifecycle transitions are not "
               "supported (objects have one storage class, STANDARD).");
  LifecycleConfiguration config;
  config.rules.reserve(given.size());
  for (Given& g : given) {
    if (g.rule.id.empty()) {
      do g.rule.id = random_hex(24);
      while (!ids.insert(g.rule.id).second);
    }
    config.rules.push_back(std::move(g.rule));
  }
  return config;
}

std::string lifecycle_document(const LifecycleConfiguration& config) {
  XmlWriter x;
  x.root("LifecycleConfiguration", kS3Namespace);
  for (const LifecycleRule& r : config.rules) {
    x.open("Rule").element("ID", r.id);
    write_filter(x, r.filter);
    x.element("Status", r.enabled ? "Enabled" : "Disabled");
    if (r.has_expiration()) {
      x.open("Expiration");
      if (r.expiration_days) x.element("Days", static_cast<uint64_t>(*r.expiration_days));
      if (r.expiration_date) x.element("Date", midnight_date(*r.expiration_date));
      if (r.expired_object_delete_marker)
        x.element("ExpiredObjectDeleteMarker", *r.expired_object_delete_marker);
      x.close("Expiration");
    }
    if (r.noncurrent_days) {
      x.open("NoncurrentVersionExpiration")
          .element("NoncurrentDays", static_cast<uint64_t>(*r.noncurrent_days));
      if (r.newer_noncurrent_versions)
        x.element("NewerNoncurrentVersions", static_cast<uint64_t>(*r.newer_noncurrent_versions));
      x.close("NoncurrentVersionExpiration");
    }
    if (r.abort_days)
      x.open("AbortIncompleteMultipartUpload")
          .element("DaysAfterInitiation", static_cast<uint64_t>(*r.abort_days))
          .close("AbortIncompleteMultipartUpload");
    x.close("Rule");
  }
  x.close("LifecycleConfiguration");
  return x.take();
}

bool lifecycle_matches(const LifecycleFilter& f, const std::string& key, uint64_t size,
                       const TagSet& tags) {
  if (f.prefix && key.compare(0, f.prefix->size(), *f.prefix) != 0) return false;
  for (const auto& t : f.tags)
    if (!has_tag(tags, t)) return false;
  if (f.greater && !(size > *f.greater)) return false;
  if (f.less && !(size < *f.less)) return false;
  return true;
}

std::optional<ObjectExpiry> object_expiry(const LifecycleConfiguration& config,
                                          const std::string& key, uint64_t size, const TagSet& tags,
                                          int64_t created_ns, int64_t day_seconds) {
  std::optional<ObjectExpiry> best;
  for (const LifecycleRule& r : config.rules) {
    if (!r.enabled || !(r.expiration_days || r.expiration_date)) continue;
    if (!lifecycle_matches(r.filter, key, size, tags)) continue;
    const int64_t at = r.expiration_days ? days_after(created_ns, *r.expiration_days, day_seconds)
                                         : *r.expiration_date;
    if (!best || at < best->at) best = ObjectExpiry{at, r.id};
  }
  return best;
}

bool noncurrent_due(const LifecycleConfiguration& config, const std::string& key, uint64_t size,
                    const TagSet& tags, int64_t noncurrent_ns, uint64_t newer, int64_t now,
                    int64_t day_seconds) {
  for (const LifecycleRule& r : config.rules) {
    if (!r.enabled || !r.noncurrent_days) continue;
    if (r.newer_noncurrent_versions && newer < *r.newer_noncurrent_versions) continue;
    if (!lifecycle_matches(r.filter, key, size, tags)) continue;
    if (days_after(noncurrent_ns, *r.noncurrent_days, day_seconds) <= now) return true;
  }
  return false;
}

bool removes_expired_marker(const LifecycleConfiguration& config, const std::string& key,
                            int64_t marker_ns, int64_t now, int64_t day_seconds) {
  for (const LifecycleRule& r : config.rules) {
    if (!r.enabled || !lifecycle_matches(r.filter, key, 0, {})) continue;
    if (r.expired_object_delete_marker.value_or(false)) return true;
    if (r.expiration_days && days_after(marker_ns, *r.expiration_days, day_seconds) <= now)
      return true;
  }
  return false;
}

std::optional<ObjectExpiry> upload_abort(const LifecycleConfiguration& config,
                                         const std::string& key, int64_t initiated_ns,
                                         int64_t day_seconds) {
  std::optional<ObjectExpiry> best;
  for (const LifecycleRule& r : config.rules) {
    if (!r.enabled || !r.abort_days || !lifecycle_matches(r.filter, key, 0, {})) continue;
    const int64_t at = days_after(initiated_ns, *r.abort_days, day_seconds);
    if (!best || at < best->at) best = ObjectExpiry{at, r.id};
  }
  return best;
}

std::string expiration_header_value(const ObjectExpiry& e) {
  if (e.at > kLastHttpDate || e.at < 0) return "";
  return "expiry-date=\"" + http::http_date(e.at) + "\", rule-id=\"" + header_rule_id(e.rule_id) +
         "\"";
}

void add_expiration_header(http::Response& resp, const BucketInfo& bucket, const std::string& key,
                           const ObjectInfo& object) noexcept {
  try {
    auto attr = bucket.attrs.find(kLifecycleAttr);
    if (attr == bucket.attrs.end()) return;
    std::shared_ptr<const Parsed> p = parsed(attr->second);
    if (!p->expires || object.delete_marker) return;
    auto e = object_expiry(p->config, key, object.size, tags_of(object.attrs), object.mtime_ns);
    if (!e) return;
    std::string value = expiration_header_value(*e);
    if (!value.empty()) resp.set_header("x-amz-expiration", value);
  } catch (...) {
  }
}

void add_abort_headers(http::Response& resp, const BucketInfo& bucket, const std::string& key,
                       int64_t initiated_ns) noexcept {
  try {
    auto attr = bucket.attrs.find(kLifecycleAttr);
    if (attr == bucket.attrs.end()) return;
    std::shared_ptr<const Parsed> p = parsed(attr->second);
    if (!p->aborts) return;
    auto due = upload_abort(p->config, key, initiated_ns);
    if (!due || due->at > kLastHttpDate || due->at < 0) return;
    resp.set_header("x-amz-abort-date", http::http_date(due->at));
    resp.set_header("x-amz-abort-rule-id", header_rule_id(due->rule_id));
  } catch (...) {
  }
}

}  // namespace rgw::s3
