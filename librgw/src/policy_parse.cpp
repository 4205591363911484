// policy_parse.cpp - parsing and validating bucket policy documents (see
// policy.h), and the list of S3 action names.
#include <algorithm>

#include "json.h"
#include "policy.h"
#include "policy_internal.h"

namespace rgw::policy {

using internal::lower;

namespace {

// The actions of AWS's "Actions, resources, and condition keys for Amazon
// S3" (service prefix s3), as of late 2025.
const char* const kS3Actions[] = {
    "AbortMultipartUpload",
    "AllowVendedLogDeliveryForResource",
    "AssociateAccessGrantsIdentityCenter",
    "BypassGovernanceRetention",
    "CreateAccessGrant",
    "CreateAccessGrantsInstance",
    "CreateAccessGrantsLocation",
    "CreateAccessPoint",
    "CreateAccessPointForObjectLambda",
    "CreateBucket",
    "CreateBucketMetadataTableConfiguration",
    "CreateJob",
    "CreateMultiRegionAccessPoint",
    "CreateStorageLensGroup",
    "DeleteAccessGrant",
    "DeleteAccessGrantsInstance",
    "DeleteAccessGrantsInstanceResourcePolicy",
    "DeleteAccessGrantsLocation",
    "DeleteAccessPoint",
    "DeleteAccessPointForObjectLambda",
    "DeleteAccessPointPolicy",
    "DeleteAccessPointPolicyForObjectLambda",
    "DeleteBucket",
    "DeleteBucketMetadataTableConfiguration",
    "DeleteBucketPolicy",
    "DeleteBucketWebsite",
    "DeleteJobTagging",
    "DeleteMultiRegionAccessPoint",
    "DeleteObject",
    "DeleteObjectAnnotation",
    "DeleteObjectTagging",
    "DeleteObjectVersion",
    "DeleteObjectVersionAnnotation",
    "DeleteObjectVersionTagging",
    "DeleteStorageLensConfiguration",
    "DeleteStorageLensConfigurationTagging",
    "DeleteStorageLensGroup",
    "DescribeJob",
    "DescribeMultiRegionAccessPointOperation",
    "DissociateAccessGrantsIdentityCenter",
    "GetAccelerateConfiguration",
    "GetAccessGrant",
    "GetAccessGrantsInstance",
    "GetAccessGrantsInstanceForPrefix",
    "GetAccessGrantsInstanceResourcePolicy",
    "GetAccessGrantsLocation",
    "GetAccessPoint",
    "GetAccessPointConfigurationForObjectLambda",
    "GetAccessPointForObjectLambda",
    "GetAccessPointPolicy",
    "GetAccessPointPolicyForObjectLambda",
    "GetAccessPointPolicyStatus",
    "GetAccessPointPolicyStatusForObjectLambda",
    "GetAccountPublicAccessBlock",
    "GetAnalyticsConfiguration",
    "GetBucketAbac",
    "GetBucketAcl",
    "GetBucketCORS",
    "GetBucketLocation",
    "GetBucketLogging",
    "GetBucketMetadataTableConfiguration",
    "GetBucketNotification",
    "GetBucketObjectLockConfiguration",
    "GetBucketOwnershipControls",
    "GetBucketPolicy",
    "GetBucketPolicyStatus",
    "GetBucketPublicAccessBlock",
    "GetBucketRequestPayment",
    "GetBucketTagging",
    "GetBucketVersioning",
    "GetBucketWebsite",
    "GetDataAccess",
    "GetEncryptionConfiguration",
    "GetIntelligentTieringConfiguration",
    "GetInventoryConfiguration",
    "GetJobTagging",
    "GetLifecycleConfiguration",
    "GetMetricsConfiguration",
    "GetMultiRegionAccessPoint",
    "GetMultiRegionAccessPointPolicy",
    "GetMultiRegionAccessPointPolicyStatus",
    "GetMultiRegionAccessPointRoutes",
    "GetObject",
    "GetObjectAcl",
    "GetObjectAnnotation",
    "GetObjectAttributes",
    "GetObjectLegalHold",
    "GetObjectRetention",
    "GetObjectTagging",
    "GetObjectTorrent",
    "GetObjectVersion",
    "GetObjectVersionAcl",
    "GetObjectVersionAnnotation",
    "GetObjectVersionAnnotationForReplication",
    "GetObjectVersionAttributes",
    "GetObjectVersionForReplication",
    "GetObjectVersionTagging",
    "GetObjectVersionTorrent",
    "GetReplicationConfiguration",
    "GetStorageLensConfiguration",
    "GetStorageLensConfigurationTagging",
    "GetStorageLensDashboard",
    "GetStorageLensGroup",
    "InitiateReplication",
    "ListAccessGrants",
    "ListAccessGrantsInstances",
    "ListAccessGrantsLocations",
    "ListAccessPoints",
    "ListAccessPointsForObjectLambda",
    "ListAllMyBuckets",
    "ListBucket",
    "ListBucketMultipartUploads",
    "ListBucketVersions",
    "ListCallerAccessGrants",
    "ListJobs",
    "ListMultipartUploadParts",
    "ListMultiRegionAccessPoints",
    "ListObjectAnnotations",
    "ListObjectVersionAnnotations",
    "ListStorageLensConfigurations",
    "ListStorageLensGroups",
    "ListTagsForResource",
    "ObjectOwnerOverrideToBucketOwner",
    "PauseReplication",
    "PutAccelerateConfiguration",
    "PutAccessGrantsInstanceResourcePolicy",
    "PutAccessPointConfigurationForObjectLambda",
    "PutAccessPointPolicy",
    "PutAccessPointPolicyForObjectLambda",
    "PutAccessPointPublicAccessBlock",
    "PutAccountPublicAccessBlock",
    "PutAnalyticsConfiguration",
    "PutBucketAbac",
    "PutBucketAcl",
    "PutBucketCORS",
    "PutBucketLogging",
    "PutBucketNotification",
    "PutBucketObjectLockConfiguration",
    "PutBucketOwnershipControls",
    "PutBucketPolicy",
    "PutBucketPublicAccessBlock",
    "PutBucketRequestPayment",
    "PutBucketTagging",
    "PutBucketVersioning",
    "PutBucketWebsite",
    "PutEncryptionConfiguration",
    "PutIntelligentTieringConfiguration",
    "PutInventoryConfiguration",
    "PutJobTagging",
    "PutLifecycleConfiguration",
    "PutMetricsConfiguration",
    "PutMultiRegionAccessPointPolicy",
    "PutObject",
    "PutObjectAcl",
    "PutObjectAnnotation",
    "PutObjectLegalHold",
    "PutObjectRetention",
    "PutObjectTagging",
    "PutObjectVersionAcl",
    "PutObjectVersionAnnotation",
    "PutObjectVersionTagging",
    "PutReplicationConfiguration",
    "PutStorageLensConfiguration",
    "PutStorageLensConfigurationTagging",
    "ReplicateDelete",
    "ReplicateObject",
    "ReplicateObjectAnnotation",
    "ReplicateTags",
    "RestoreObject",
    "SubmitMultiRegionAccessPointRoutes",
    "TagResource",
    "UntagResource",
    "UpdateAccessGrantsLocation",
    "UpdateBucketMetadataAnnotationTableConfiguration",
    "UpdateBucketMetadataInventoryTableConfiguration",
    "UpdateBucketMetadataJournalTableConfiguration",
    "UpdateJobPriority",
    "UpdateJobStatus",
    "UpdateObjectEncryption",
    "UpdateStorageLensGroup",
};

// Parsing state: the bucket and the first error.
class Parser {
 public:
  Parser(const std::string& bucket, std::string* reason) : bucket_(bucket), reason_(reason) {}

  bool document(const Json& doc, Policy* out) {
    if (doc.type != Json::Type::object)
      return fail("Policies must be valid JSON and the first byte must be '{'");
    for (const auto& [name, value] : doc.members) {
      if (name == "Version") {
        if (value.type != Json::Type::string ||
            (value.text != "2012-10-17" && value.text != "2008-10-17"))
          return fail("Invalid Version");
        out->version = value.text;
      } else if (name == "Id") {
        if (value.type != Json::Type::string) return fail("Invalid Id");
        out->id = value.text;
      } else if (name != "Statement") {
        return fail("Unknown field " + name);
      }
    }
    const Json* statements = doc.get("Statement");
    if (!statements) return fail("Missing required field Statement");
    if (statements->type == Json::Type::object) {
      out->statements.emplace_back();
      return statement(*statements, &out->statements.back());
    }
    if (statements->type != Json::Type::array || statements->items.empty())
      return fail("Missing required field Statement");
    for (const Json& s : statements->items) {
      if (s.type != Json::Type::object) return fail("Statement is not an object");
      out->statements.emplace_back();
      if (!statement(s, &out->statements.back())) return false;
    }
    return true;
  }

 private:
  bool fail(const std::string& why) {
    if (reason_->empty()) *reason_ = why;
    return false;
  }

  // A string or a non-empty array of strings (element `what`'s values).
  bool strings(const Json& v, std::vector<std::string>* out) {
    if (v.type == Json::Type::string) {
      out->push_back(v.text);
      return true;
    }
    if (v.type != Json::Type::array || v.items.empty()) return false;
    for (const Json& i : v.items) {
      if (i.type != Json::Type::string) return false;
      out->push_back(i.text);
    }
    return true;
  }

  // Exactly one of `name` and "Not" + name; *which: the one present.
  bool one_of(const Json& s, const std::string& name, const Json** which, bool* negated) {
    const Json* a = s.get(name);
    const Json* b = s.get("Not" + name);
    if (a && b) return fail("Statement has both " + name + " and Not" + name);
    if (!a && !b) return fail("Missing required field " + name);
    *which = a ? a : b;
    *negated = !a;
    return true;
  }

  bool statement(const Json& s, Statement* out) {
    static const char* const kFields[] = {
        "Sid",       "Effect",   "Principal",   "NotPrincipal", "Action",
        "NotAction", "Resource", "NotResource", "Condition",
    };
    for (const auto& [name, value] : s.members) {
      (void)value;
      if (std::find_if(std::begin(kFields), std::end(kFields),
                       [&](const char* f) { return name == f; }) == std::end(kFields))
        return fail("Unknown field " + name);
    }
    if (const Json* sid = s.get("Sid")) {
      if (sid->type != Json::Type::string) return fail("Invalid Sid");
      out->sid = sid->text;
    }
    const Json* effect = s.get("Effect");
    if (!effect) return fail("Missing required field Effect");
    if (effect->type != Json::Type::string || (effect->text != "Allow" && effect->text != "Deny"))
      return fail("Invalid effect: " + (effect->type == Json::Type::string ? effect->text : "?"));
    out->effect = effect->text == "Allow" ? Effect::allow : Effect::deny;

    const Json* v = nullptr;
    if (!one_of(s, "Principal", &v, &out->not_principal) || !principals(*v, &out->principals))
      return false;
    if (!one_of(s, "Action", &v, &out->not_action) || !actions(*v, &out->actions)) return false;
    if (!one_of(s, "Resource", &v, &out->not_resource) || !resources(*v, &out->resources))
      return false;
    if (const Json* c = s.get("Condition"))
      if (!conditions(*c, &out->conditions)) return false;
    return true;
  }

  // "*", an account id, arn:aws:iam::U:root or arn:aws:iam::U:user/NAME.
  bool aws_principal(const std::string& p, std::vector<PrincipalEntry>* out) {
    PrincipalEntry e;
    if (p == "*") {
      out->push_back(e);
      return true;
    }
    e.kind = PrincipalEntry::Kind::account;
    const std::string kArn = "arn:aws:iam::";
    if (p.compare(0, kArn.size(), kArn) == 0) {
      size_t colon = p.find(':', kArn.size());
      if (colon == std::string::npos) return false;
      e.id = p.substr(kArn.size(), colon - kArn.size());
      std::string rest = p.substr(colon + 1);
      if (rest != "root" && !(rest.compare(0, 5, "user/") == 0 && rest.size() > 5)) return false;
    } else {
      e.id = p;
    }
    if (!valid_id(e.id)) return false;
    out->push_back(std::move(e));
    return true;
  }

  // A uid as a principal can name it: no wildcard, colon, slash or space.
  static bool valid_id(const std::string& id) {
    if (id.empty() || id.size() > 256) return false;
    for (unsigned char c : id)
      if (c <= 0x20 || c == 0x7f || c == '*' || c == '?' || c == ':' || c == '/') return false;
    return true;
  }

  bool principals(const Json& v, std::vector<PrincipalEntry>* out) {
    const std::string kInvalid = "Invalid principal in policy";
    if (v.type == Json::Type::string) {
      if (v.text != "*") return fail(kInvalid);
      out->push_back(PrincipalEntry{});
      return true;
    }
    if (v.type != Json::Type::object || v.members.empty()) return fail(kInvalid);
    for (const auto& [kind, value] : v.members) {
      std::vector<std::string> ids;
      if (!strings(value, &ids)) return fail(kInvalid);
      for (const std::string& id : ids) {
        if (kind == "AWS") {
          if (!aws_principal(id, out)) return fail(kInvalid);
        } else if (kind == "CanonicalUser") {
          if (!valid_id(id)) return fail(kInvalid);
          out->push_back(PrincipalEntry{PrincipalEntry::Kind::canonical, id});
        } else if (kind == "Service") {
          if (id.empty()) return fail(kInvalid);
          out->push_back(PrincipalEntry{PrincipalEntry::Kind::service, id});
        } else {
          return fail(kInvalid);
        }
      }
    }
    return true;
  }

  bool actions(const Json& v, std::vector<std::string>* out) {
    std::vector<std::string> list;
    if (!strings(v, &list)) return fail("Policy has invalid action");
    for (const std::string& a : list) {
      std::string l = lower(a);
      if (l != "*") {
        if (l.compare(0, 3, "s3:") != 0 || l.size() == 3 ||
            l.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789*?", 3) != std::string::npos)
          return fail("Policy has invalid action");
        if (l.find_first_of("*?") == std::string::npos && !is_known_action(l))
          return fail("Policy has invalid action");
      }
      out->push_back(std::move(l));
    }
    return true;
  }

  bool resources(const Json& v, std::vector<std::string>* out) {
    const std::string kInvalid = "Policy has invalid resource";
    std::vector<std::string> list;
    if (!strings(v, &list)) return fail(kInvalid);
    const std::string prefix = "arn:aws:s3:::" + bucket_;
    for (const std::string& r : list) {
      if (r.compare(0, prefix.size(), prefix) != 0 ||
          (r.size() > prefix.size() && r[prefix.size()] != '/'))
        return fail(kInvalid);
      out->push_back(r);
    }
    return true;
  }

  // A condition value: a string, a number or a boolean, as text.
  static bool scalar(const Json& v, std::string* out) {
    switch (v.type) {
      case Json::Type::string:
      case Json::Type::number: *out = v.text; return true;
      case Json::Type::boolean: *out = v.boolean ? "true" : "false"; return true;
      default: return false;
    }
  }

  bool conditions(const Json& v, std::vector<Condition>* out) {
    if (v.type != Json::Type::object) return fail("Invalid Condition block");
    for (const auto& [op_name, keys] : v.members) {
      Condition base;
      if (!internal::parse_operator(op_name, &base))
        return fail("Invalid Condition type: " + op_name);
      if (keys.type != Json::Type::object || keys.members.empty())
        return fail("Invalid Condition block for " + op_name);
      for (const auto& [key, values] : keys.members) {
        Condition c = base;
        c.key = lower(key);
        if ((c.key.compare(0, 4, "aws:") != 0 && c.key.compare(0, 3, "s3:") != 0) ||
            c.key.size() <= 4)
          return fail("Policy has an invalid condition key");
        std::string text;
        if (values.type == Json::Type::array) {
          if (values.items.empty()) return fail("Invalid Condition value for " + op_name);
          for (const Json& i : values.items) {
            if (!scalar(i, &text)) return fail("Invalid Condition value for " + op_name);
            c.values.push_back(text);
          }
        } else if (scalar(values, &text)) {
          c.values.push_back(text);
        } else {
          return fail("Invalid Condition value for " + op_name);
        }
        for (const std::string& value : c.values)
          if (!internal::valid_value(c, value))
            return fail("Invalid Condition value for " + op_name);
        out->push_back(std::move(c));
      }
    }
    return true;
  }

  const std::string& bucket_;
  std::string* reason_;
};

}  // namespace

const std::vector<std::string>& s3_actions() {
  static const std::vector<std::string> kList = [] {
    std::vector<std::string> v;
    for (const char* a : kS3Actions) v.push_back(std::string("s3:") + a);
    std::sort(v.begin(), v.end(),
              [](const std::string& a, const std::string& b) { return lower(a) < lower(b); });
    return v;
  }();
  return kList;
}

bool is_known_action(std::string_view action) {
  static const std::vector<std::string> kLower = [] {
    std::vector<std::string> v;
    for (const std::string& a : s3_actions()) v.push_back(lower(a));
    return v;
  }();
  return std::binary_search(kLower.begin(), kLower.end(), lower(action));
}

bool parse(std::string_view json, const std::string& bucket, Policy* out, std::string* reason) {
  reason->clear();
  *out = Policy();
  if (json.size() > kMaxPolicySize) {
    *reason = "Policy exceeds the maximum allowed document size.";
    return false;
  }
  // The deepest valid document: policy > Statement[] > statement > Condition
  // > operator > key > values[] > value.
  Json doc;
  std::string error;
  if (!parse_json(json, &doc, &error, 8)) {
    *reason = "Policies must be valid JSON and the first byte must be '{'";
    return false;
  }
  if (!Parser(bucket, reason).document(doc, out)) {
    *out = Policy();
    return false;
  }
  return true;
}

}  // namespace rgw::policy
