// acl_request.cpp - canned ACLs, x-amz-grant-* headers and
// AccessControlPolicy documents as grant lists, and back.
#include "s3/acl_request.h"

#include <cctype>
#include <string_view>

#include "errors.h"
#include "s3/s3_error.h"
#include "xml.h"

namespace rgw::s3 {

namespace {

constexpr const char* kXsi = "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"";

constexpr const char* kAllUsersUri = "http://acs.amazonaws.com/groups/global/AllUsers";
constexpr const char* kAuthenticatedUsersUri =
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
constexpr const char* kLogDeliveryUri = "http://acs.amazonaws.com/groups/s3/LogDelivery";

// The grant headers and the permission each gives.
constexpr struct {
  const char* header;
  uint32_t permissions;
} kGrantHeaders[] = {
    {"x-amz-grant-read", kPermRead},
    {"x-amz-grant-write", kPermWrite},
    {"x-amz-grant-read-acp", kPermReadAcp},
    {"x-amz-grant-write-acp", kPermWriteAcp},
    {"x-amz-grant-full-control", kPermFullControl},
};

const char* group_uri(const std::string& group) {
  if (group == kGroupAllUsers) return kAllUsersUri;
  if (group == kGroupAuthenticatedUsers) return kAuthenticatedUsersUri;
  if (group == kGroupLogDelivery) return kLogDeliveryUri;
  return nullptr;
}

std::string display_name(Context& ctx, const std::string& uid) {
  try {
    return ctx.store.get_user(uid).display_name;
  } catch (const Error& e) {
    if (e.code() != RGW_ERR_NO_SUCH_USER) throw;
    return "";
  }
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// A grantee named by a canonical user id, an e-mail address or a group URI,
// checked against the store.
Grantee user_grantee(Context& ctx, const std::string& id) {
  try {
    ctx.store.get_user(id);
  } catch (const Error& e) {
    if (e.code() != RGW_ERR_NO_SUCH_USER) throw;
    throw_s3(400, "InvalidArgument", "Invalid id");
  }
  return Grantee{Grantee::Kind::user, id};
}

// E-mail grants are stored as the grant of the user the address is
// (S3 shows them as CanonicalUser grants afterwards).  Users are few and
// e-mail grants rare: a scan of the users is their cost.
Grantee email_grantee(Context& ctx, const std::string& email) {
  if (!email.empty())
    for (const std::string& uid : ctx.store.list_users()) {
      try {
        User u = ctx.store.get_user(uid);
        if (iequals(u.email, email)) return Grantee{Grantee::Kind::user, u.uid};
      } catch (const Error& e) {
        if (e.code() != RGW_ERR_NO_SUCH_USER) throw;  // removed meanwhile
      }
    }
  throw_s3(400, "UnresolvableGrantByEmailAddress",
           "The e-mail address you provided does not match any account on record.");
}

Grantee group_grantee(const std::string& uri) {
  if (uri == kAllUsersUri) return Grantee{Grantee::Kind::group, kGroupAllUsers};
  if (uri == kAuthenticatedUsersUri) return Grantee{Grantee::Kind::group, kGroupAuthenticatedUsers};
  if (uri == kLogDeliveryUri) return Grantee{Grantee::Kind::group, kGroupLogDelivery};
  throw_s3(400, "InvalidArgument", "Invalid group uri");
}

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

// One x-amz-grant-* header: `type=value[, type=value...]`, type one of id,
// emailAddress, uri, value optionally in double quotes.
void parse_grant_header(Context& ctx, const std::string& value, uint32_t permissions,
                        std::vector<Grant>& grants) {
  auto bad = [&]() { throw_s3(400, "InvalidArgument", "Invalid grant header: " + value); };
  size_t pos = 0;
  while (pos <= value.size()) {
    size_t comma = value.find(',', pos);
    // A comma inside quotes belongs to the value.
    size_t quote = value.find('"', pos);
    if (quote != std::string::npos && quote < comma) {
      size_t close = value.find('"', quote + 1);
      if (close == std::string::npos) bad();
      comma = value.find(',', close);
    }
    if (comma == std::string::npos) comma = value.size();
    std::string item = trim(std::string_view(value).substr(pos, comma - pos));
    pos = comma + 1;
    size_t eq = item.find('=');
    if (eq == std::string::npos) bad();
    std::string type = trim(std::string_view(item).substr(0, eq));
    std::string v = trim(std::string_view(item).substr(eq + 1));
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    if (v.empty()) bad();
    Grantee g;
    if (iequals(type, "id"))
      g = user_grantee(ctx, v);
    else if (iequals(type, "emailAddress"))
      g = email_grantee(ctx, v);
    else if (iequals(type, "uri"))
      g = group_grantee(v);
    else
      bad();
    grants.push_back(Grant{g, permissions});
    if (grants.size() > kMaxGrants)
      throw_s3(400, "MalformedACLError", "An ACL may have at most 100 grants.");
  }
}

uint32_t permission_named(const std::string& name) {
  if (name == "READ") return kPermRead;
  if (name == "WRITE") return kPermWrite;
  if (name == "READ_ACP") return kPermReadAcp;
  if (name == "WRITE_ACP") return kPermWriteAcp;
  if (name == "FULL_CONTROL") return kPermFullControl;
  return 0;
}

[[noreturn]] void malformed() {
  throw_s3(400, "MalformedACLError",
           "The XML you provided was not well-formed or did not validate against our published "
           "schema.");
}

// The <Grant> elements of one grant: FULL_CONTROL for all four permissions,
// else one per permission it holds.
void grant_xml(Context& ctx, const Grant& g, std::string& doc) {
  std::string grantee;
  switch (g.grantee.kind) {
    case Grantee::Kind::user:
      grantee = std::string("<Grantee ") + kXsi + " xsi:type=\"CanonicalUser\"><ID>" +
                xml_escape_text(g.grantee.id) + "</ID><DisplayName>" +
                xml_escape_text(display_name(ctx, g.grantee.id)) + "</DisplayName></Grantee>";
      break;
    case Grantee::Kind::email:
      grantee = std::string("<Grantee ") + kXsi +
                " xsi:type=\"AmazonCustomerByEmail\"><EmailAddress>" +
                xml_escape_text(g.grantee.id) + "</EmailAddress></Grantee>";
      break;
    case Grantee::Kind::group: {
      const char* uri = group_uri(g.grantee.id);
      if (!uri) return;
      grantee =
          std::string("<Grantee ") + kXsi + " xsi:type=\"Group\"><URI>" + uri + "</URI></Grantee>";
      break;
    }
    case Grantee::Kind::referrer: return;  // Swift's; S3 has no form for it
  }
  auto add = [&](const char* perm) {
    doc += "<Grant>" + grantee + "<Permission>" + perm + "</Permission></Grant>";
  };
  if ((g.permissions & kPermFullControl) == kPermFullControl) {
    add("FULL_CONTROL");
    return;
  }
  if (g.permissions & kPermRead) add("READ");
  if (g.permissions & kPermWrite) add("WRITE");
  if (g.permissions & kPermReadAcp) add("READ_ACP");
  if (g.permissions & kPermWriteAcp) add("WRITE_ACP");
}

}  // namespace

bool request_names_acl(const Context& ctx) {
  if (ctx.req.header("x-amz-acl")) return true;
  for (const auto& h : kGrantHeaders)
    if (ctx.req.header(h.header)) return true;
  return false;
}

Acl acl_from_headers(Context& ctx, const std::string& owner, const std::string& bucket_owner) {
  const std::string* canned = ctx.req.header("x-amz-acl");
  std::vector<Grant> grants;
  bool granted = false;
  for (const auto& h : kGrantHeaders)
    if (const std::string* v = ctx.req.header(h.header)) {
      granted = true;
      if (canned)
        throw_s3(400, "InvalidRequest",
                 "Specifying both Canned ACLs and Header Grants is not allowed");
      parse_grant_header(ctx, *v, h.permissions, grants);
    }
  if (granted) {
    Acl acl;
    acl.owner = owner;
    acl.grants = std::move(grants);
    return acl;
  }
  std::string name = canned ? *canned : "private";
  if (name == "aws-exec-read")
    throw_s3(501, "NotImplemented",
             "The canned ACL aws-exec-read grants Amazon EC2, which has no account here.");
  try {
    return rgw::canned_acl(name, owner, bucket_owner);
  } catch (const Error& e) {
    if (e.code() != RGW_ERR_INVALID_ARGUMENT) throw;
    throw_s3(400, "InvalidArgument", "Invalid canned ACL: " + name);
  }
}

Acl acl_from_document(Context& ctx, const std::string& body, const std::string& owner) {
  std::string err;
  auto doc = parse_xml(body, &err);
  const XmlNode* list = doc ? doc->child("AccessControlList") : nullptr;
  if (!doc || doc->name != "AccessControlPolicy" || !list) malformed();
  if (const XmlNode* o = doc->child("Owner")) {
    const XmlNode* id = o->child("ID");
    if (id && id->text != owner) throw_s3(403, "AccessDenied", "Access Denied");
  }
  Acl acl;
  acl.owner = owner;
  for (const XmlNode* g : list->children_named("Grant")) {
    const XmlNode* grantee = g->child("Grantee");
    const XmlNode* perm = g->child("Permission");
    if (!grantee || !perm) malformed();
    uint32_t permissions = permission_named(perm->text);
    if (!permissions) malformed();
    Grantee who;
    if (const XmlNode* id = grantee->child("ID"))
      who = user_grantee(ctx, id->text);
    else if (const XmlNode* email = grantee->child("EmailAddress"))
      who = email_grantee(ctx, email->text);
    else if (const XmlNode* uri = grantee->child("URI"))
      who = group_grantee(uri->text);
    else
      malformed();
    acl.grants.push_back(Grant{who, permissions});
    if (acl.grants.size() > kMaxGrants)
      throw_s3(400, "MalformedACLError", "An ACL may have at most 100 grants.");
  }
  return acl;
}

std::string acl_document(Context& ctx, const Acl& acl, const std::string& bucket_owner) {
  const std::string& owner = acl.owner.empty() ? bucket_owner : acl.owner;
  Acl shown = effective_acl(acl, bucket_owner);
  XmlWriter x;
  x.root("AccessControlPolicy", kS3Namespace)
      .open("Owner")
      .element("ID", owner)
      .element("DisplayName", display_name(ctx, owner))
      .close("Owner")
      .open("AccessControlList");
  std::string doc = x.take();
  for (const auto& g : shown.grants) grant_xml(ctx, g, doc);
  doc += "</AccessControlList></AccessControlPolicy>";
  return doc;
}

}  // namespace rgw::s3
