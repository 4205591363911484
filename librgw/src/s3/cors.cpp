// cors.cpp - Put/Get/DeleteBucketCors, preflight, and CORS headers.
#include "s3/cors.h"

#include <cctype>

#include "errors.h"
#include "policy.h"
#include "xml.h"

namespace rgw::s3 {

namespace {

constexpr size_t kMaxRules = 100;

struct CorsRule {
  std::vector<std::string> origins, methods, headers, expose;
  int64_t max_age = -1;
};

[[noreturn]] void malformed() {
  throw_s3(400, "MalformedXML",
           "The XML you provided was not well-formed or did not validate against our published "
           "schema.");
}

std::vector<std::string> texts(const XmlNode& rule, const char* name) {
  std::vector<std::string> out;
  for (const XmlNode* n : rule.children_named(name)) out.push_back(n->text);
  return out;
}

// Parses a configuration; `check` makes the PUT's validation errors, else a
// document that does not parse yields no rules.
std::vector<CorsRule> parse_cors(const std::string& body, bool check) {
  std::string err;
  auto doc = parse_xml(body, &err);
  std::vector<CorsRule> rules;
  if (!doc || doc->name != "CORSConfiguration") {
    if (check) malformed();
    return rules;
  }
  auto nodes = doc->children_named("CORSRule");
  if (check && (nodes.empty())) malformed();
  if (check && nodes.size() > kMaxRules)
    throw_s3(400, "InvalidRequest", "The CORS configuration may have at most 100 rules.");
  for (const XmlNode* n : nodes) {
    CorsRule r;
    r.origins = texts(*n, "AllowedOrigin");
    r.methods = texts(*n, "AllowedMethod");
    r.headers = texts(*n, "AllowedHeader");
    r.expose = texts(*n, "ExposeHeader");
    if (const XmlNode* age = n->child("MaxAgeSeconds")) {
      uint64_t v = 0;
      if (!http::parse_decimal(age->text, &v) || v > 0x7fffffff) {
        if (check) malformed();
      } else {
        r.max_age = static_cast<int64_t>(v);
      }
    }
    if (check) {
      if (r.origins.empty() || r.methods.empty()) malformed();
      for (const auto& m : r.methods)
        if (m != "GET" && m != "PUT" && m != "HEAD" && m != "POST" && m != "DELETE")
          throw_s3(400, "InvalidRequest",
                   "Found unsupported HTTP method in CORS config. Unsupported method is " + m);
      for (const auto& o : r.origins)
        if (o.find('*') != o.rfind('*'))
          throw_s3(400, "InvalidRequest",
                   "AllowedOrigin \"" + o + "\" can not have more than one wildcard.");
      for (const auto& h : r.headers)
        if (h.find('*') != h.rfind('*'))
          throw_s3(400, "InvalidRequest",
                   "AllowedHeader \"" + h + "\" can not have more than one wildcard.");
    }
    rules.push_back(std::move(r));
  }
  return rules;
}

bool any_matches(const std::vector<std::string>& patterns, const std::string& value,
                 bool ignore_case) {
  for (const auto& p : patterns)
    if (policy::wildcard_match(p, value, ignore_case)) return true;
  return false;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t comma = s.find(',', pos);
    if (comma == std::string::npos) comma = s.size();
    std::string item = trim(s.substr(pos, comma - pos));
    if (!item.empty()) out.push_back(item);
    pos = comma + 1;
  }
  return out;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

const CorsRule* matching_rule(const std::vector<CorsRule>& rules, const std::string& origin,
                              const std::string& method,
                              const std::vector<std::string>* request_headers) {
  for (const auto& r : rules) {
    if (!any_matches(r.origins, origin, false)) continue;
    bool method_ok = false;
    for (const auto& m : r.methods) method_ok |= m == method;
    if (!method_ok) continue;
    bool headers_ok = true;
    if (request_headers)
      for (const auto& h : *request_headers) headers_ok &= any_matches(r.headers, h, true);
    if (headers_ok) return &r;
  }
  return nullptr;
}

// The headers a matching rule gives a response.
void rule_headers(Response& resp, const CorsRule& rule, const std::string& origin) {
  bool any_origin = false;
  for (const auto& o : rule.origins) any_origin |= o == "*";
  resp.set_header("Access-Control-Allow-Origin", any_origin ? "*" : origin);
  if (!any_origin) resp.set_header("Access-Control-Allow-Credentials", "true");
  resp.set_header("Access-Control-Allow-Methods", joined(rule.methods));
  if (!rule.expose.empty()) resp.set_header("Access-Control-Expose-Headers", joined(rule.expose));
  if (rule.max_age >= 0) resp.set_header("Access-Control-Max-Age", std::to_string(rule.max_age));
  resp.set_header("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
}

class BucketCors : public XmlBodyOp {
 public:
  explicit BucketCors(Context& ctx) : XmlBodyOp(ctx, 64 * 1024) {}
  bool wants_body() const override { return ctx_.req.method == "PUT"; }
  void begin() override { authorize_bucket(ctx_, ctx_.bucket, Access::owner, action()); }
  void finish() override {
    const std::string& m = ctx_.req.method;
    BucketInfo b = authorize_bucket(ctx_, ctx_.bucket, Access::owner, action());
    if (m == "GET") {
      auto it = b.attrs.find(kCorsAttr);
      if (it == b.attrs.end()) {
        S3Error e(404, "NoSuchCORSConfiguration", "The CORS configuration does not exist");
        e.details.emplace_back("BucketName", ctx_.bucket);
        throw e;
      }
      ctx_.resp.set_xml(200, it->second);
      return;
    }
    if (m == "PUT") {
      parse_cors(body_, true);
      b.attrs[kCorsAttr] = body_;
      ctx_.store.update_bucket(b);
      ctx_.resp.status = 200;
      return;
    }
    if (b.attrs.erase(kCorsAttr)) ctx_.store.update_bucket(b);
    ctx_.resp.status = 204;
  }

 private:
  // IAM's actions: DeleteBucketCors is s3:PutBucketCORS.
  const char* action() const {
    return ctx_.req.method == "GET" ? "s3:GetBucketCORS" : "s3:PutBucketCORS";
  }
};

class Preflight : public Op {
 public:
  using Op::Op;
  void finish() override {
    const std::string* origin = ctx_.req.header("origin");
    if (!origin || origin->empty())
      throw_s3(400, "BadRequest", "Insufficient information. Origin request header needed.");
    const std::string* method = ctx_.req.header("access-control-request-method");
    if (!method || method->empty())
      throw_s3(400, "BadRequest", "Invalid Access-Control-Request-Method: ");
    const BucketInfo b = ctx_.store.get_bucket(ctx_.bucket);
    auto it = b.attrs.find(kCorsAttr);
    if (it == b.attrs.end())
      throw_s3(403, "AccessForbidden", "CORSResponse: CORS is not enabled for this bucket.");
    const std::string* wanted = ctx_.req.header("access-control-request-headers");
    std::vector<std::string> headers = wanted ? split_list(*wanted) : std::vector<std::string>{};
    std::vector<CorsRule> rules = parse_cors(it->second, false);
    const CorsRule* rule = matching_rule(rules, *origin, *method, &headers);
    if (!rule)
      throw_s3(403, "AccessForbidden",
               "CORSResponse: This CORS request is not allowed. This is usually because the "
               "evalution of Origin, request method / Access-Control-Request-Method or "
               "Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.");
    rule_headers(ctx_.resp, *rule, *origin);
    if (!headers.empty()) ctx_.resp.set_header("Access-Control-Allow-Headers", joined(headers));
    ctx_.resp.status = 200;
  }
};

}  // namespace

std::unique_ptr<Op> make_cors_op(Context& ctx) {
  if (!ctx.req.has_query("cors")) return nullptr;
  const std::string& m = ctx.req.method;
  if (m == "GET" || m == "PUT" || m == "DELETE") return std::make_unique<BucketCors>(ctx);
  throw_s3(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
}

std::unique_ptr<Op> make_preflight_op(Context& ctx) { return std::make_unique<Preflight>(ctx); }

void add_cors_headers(Context& ctx) noexcept {
  try {
    if (ctx.bucket.empty() || ctx.req.method == "OPTIONS") return;
    const std::string* origin = ctx.req.header("origin");
    if (!origin || origin->empty()) return;
    const BucketInfo b = ctx.store.get_bucket(ctx.bucket);
    auto it = b.attrs.find(kCorsAttr);
    if (it == b.attrs.end()) return;
    std::vector<CorsRule> rules = parse_cors(it->second, false);
    if (const CorsRule* rule = matching_rule(rules, *origin, ctx.req.method, nullptr))
      rule_headers(ctx.resp, *rule, *origin);
  } catch (...) {
  }
}

}  // namespace rgw::s3
