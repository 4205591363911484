// tagging.cpp - tag sets: parsing, limits, storage, and the ?tagging
// operations on objects and buckets.
#include "s3/tagging.h"

#include <set>

#include "errors.h"
#include "xml.h"

namespace rgw::s3 {

namespace {

constexpr size_t kMaxObjectTags = 10;
constexpr size_t kMaxBucketTags = 50;

// Characters, not bytes: a UTF-8 sequence counts once.
size_t characters(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

[[noreturn]] void invalid_tag(const std::string& message) { throw_s3(400, "InvalidTag", message); }

void check_tags(const TagSet& tags, size_t max) {
  if (tags.size() > max)
    invalid_tag(max == kMaxObjectTags ? "Object tags cannot be greater than 10"
                                      : "Bucket tags cannot be greater than 50");
  std::set<std::string> seen;
  for (const auto& t : tags) {
    if (t.first.empty() || characters(t.first) > 128)
      invalid_tag("The TagKey you have provided is invalid");
    if (characters(t.second) > 256) invalid_tag("The TagValue you have provided is invalid");
    if (t.first.compare(0, 4, "aws:") == 0) invalid_tag("Your TagKey cannot be prefixed with aws:");
    if (!seen.insert(t.first).second) invalid_tag("Cannot provide multiple Tags with the same key");
  }
}

TagSet parse_query(const std::string& value, bool* ok) {
  TagSet tags;
  *ok = true;
  if (value.empty()) return tags;
  size_t pos = 0;
  while (pos <= value.size()) {
    size_t amp = value.find('&', pos);
    if (amp == std::string::npos) amp = value.size();
    std::string item = value.substr(pos, amp - pos);
    pos = amp + 1;
    size_t eq = item.find('=');
    std::string k, v;
    if (!http::percent_decode(item.substr(0, eq), k) ||
        (eq != std::string::npos && !http::percent_decode(item.substr(eq + 1), v))) {
      *ok = false;
      return tags;
    }
    tags.emplace_back(std::move(k), std::move(v));
  }
  return tags;
}

TagSet parse_tagging_xml(const std::string& body) {
  std::string err;
  auto doc = parse_xml(body, &err);
  const XmlNode* set = doc ? doc->child("TagSet") : nullptr;
  if (!doc || doc->name != "Tagging" || !set)
    throw_s3(400, "MalformedXML",
             "The XML you provided was not well-formed or did not validate against our published "
             "schema.");
  TagSet tags;
  for (const XmlNode* t : set->children_named("Tag")) {
    const XmlNode* k = t->child("Key");
    const XmlNode* v = t->child("Value");
    if (!k || !v)
      throw_s3(400, "MalformedXML",
               "The XML you provided was not well-formed or did not validate against our "
               "published schema.");
    tags.emplace_back(k->text, v->text);
  }
  return tags;
}

std::string tagging_document(const TagSet& tags) {
  XmlWriter x;
  x.root("Tagging", kS3Namespace).open("TagSet");
  for (const auto& t : tags)
    x.open("Tag").element("Key", t.first).element("Value", t.second).close("Tag");
  x.close("TagSet").close("Tagging");
  return x.take();
}

// Reading an object's tags takes its READ; changing them its WRITE_ACP
// (which its owner always holds), as for the object's other metadata that
// is not its data.
class ObjectTagging : public XmlBodyOp {
 public:
  explicit ObjectTagging(Context& ctx) : XmlBodyOp(ctx, 64 * 1024) {}
  bool wants_body() const override { return ctx_.req.method == "PUT"; }
  void finish() override {
    const std::string& m = ctx_.req.method;
    const BucketInfo b = ctx_.store.get_bucket(ctx_.bucket);
    if (m == "GET") {
      ObjectInfo info = authorize_object(
          ctx_, b, kPermRead,
          ctx_.version_id.empty() ? "s3:GetObjectTagging" : "s3:GetObjectVersionTagging");
      ctx_.resp.set_xml(200, tagging_document(tags_of(info.attrs)));
      add_version_header(ctx_, b, info);
      return;
    }
    TagSet tags;
    if (m == "PUT") {
      tags = parse_tagging_xml(body_);
      check_tags(tags, kMaxObjectTags);
    }
    const bool v = !ctx_.version_id.empty();
    ObjectInfo info = authorize_object(
        ctx_, b, kPermWriteAcp,
        m == "PUT" ? (v ? "s3:PutObjectVersionTagging" : "s3:PutObjectTagging")
                   : (v ? "s3:DeleteObjectVersionTagging" : "s3:DeleteObjectTagging"));
    AttrsUpdate update;
    update.attrs = info.attrs;
    set_tags(*update.attrs, tags);
    update.if_match = info.etag;
    ctx_.store.update_object(ObjectRef{ctx_.bucket, ctx_.key, ctx_.version_id}, update);
    ctx_.resp.status = m == "PUT" ? 200 : 204;
    add_version_header(ctx_, b, info);
  }
};

class BucketTagging : public XmlBodyOp {
 public:
  explicit BucketTagging(Context& ctx) : XmlBodyOp(ctx, 64 * 1024) {}
  bool wants_body() const override { return ctx_.req.method == "PUT"; }
  void begin() override { authorize_bucket(ctx_, ctx_.bucket, Access::owner, action()); }
  void finish() override {
    const std::string& m = ctx_.req.method;
    BucketInfo b = authorize_bucket(ctx_, ctx_.bucket, Access::owner, action());
    if (m == "GET") {
      TagSet tags = tags_of(b.attrs, kBucketTagsAttr);
      if (!b.attrs.count(kBucketTagsAttr)) {
        S3Error e(404, "NoSuchTagSet", "The TagSet does not exist");
        e.details.emplace_back("BucketName", ctx_.bucket);
        throw e;
      }
      ctx_.resp.set_xml(200, tagging_document(tags));
      return;
    }
    if (m == "PUT") {
      TagSet tags = parse_tagging_xml(body_);
      check_tags(tags, kMaxBucketTags);
      set_tags(b.attrs, tags, kBucketTagsAttr);
      // An empty set is a set: GET answers it, not NoSuchTagSet.
      if (tags.empty()) b.attrs[kBucketTagsAttr] = "";
      ctx_.store.update_bucket(b);
      ctx_.resp.status = 204;
      return;
    }
    if (b.attrs.erase(kBucketTagsAttr)) ctx_.store.update_bucket(b);
    ctx_.resp.status = 204;
  }

 private:
  // IAM's actions: DeleteBucketTagging is s3:PutBucketTagging.
  const char* action() const {
    return ctx_.req.method == "GET" ? "s3:GetBucketTagging" : "s3:PutBucketTagging";
  }
};

std::unique_ptr<Op> tagging_op(Context& ctx, bool object) {
  if (!ctx.req.has_query("tagging")) return nullptr;
  const std::string& m = ctx.req.method;
  if (m != "GET" && m != "PUT" && m != "DELETE")
    throw_s3(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
  if (object) return std::make_unique<ObjectTagging>(ctx);
  return std::make_unique<BucketTagging>(ctx);
}

}  // namespace

TagSet tags_of(const Attrs& attrs, const char* attr) {
  auto it = attrs.find(attr);
  if (it == attrs.end()) return {};
  bool ok = true;
  TagSet tags = parse_query(it->second, &ok);
  return ok ? tags : TagSet{};
}

void set_tags(Attrs& attrs, const TagSet& tags, const char* attr) {
  if (tags.empty()) {
    attrs.erase(attr);
    return;
  }
  std::string s;
  for (const auto& t : tags) {
    if (!s.empty()) s += '&';
    s += http::uri_encode(t.first, true) + "=" + http::uri_encode(t.second, true);
  }
  attrs[attr] = s;
}

TagSet parse_tagging_header(const std::string& value) {
  bool ok = true;
  TagSet tags = parse_query(value, &ok);
  if (!ok)
    throw_s3(400, "InvalidArgument",
             "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query "
             "parameters without tag name duplicates.");
  check_tags(tags, kMaxObjectTags);
  return tags;
}

TagSet parse_object_tagging_document(const std::string& body) {
  TagSet tags = parse_tagging_xml(body);
  check_tags(tags, kMaxObjectTags);
  return tags;
}

void tags_from_headers(const Context& ctx, Attrs& attrs) {
  const std::string* h = ctx.req.header("x-amz-tagging");
  if (h) set_tags(attrs, parse_tagging_header(*h));
}

std::unique_ptr<Op> make_object_tagging_op(Context& ctx) { return tagging_op(ctx, true); }
std::unique_ptr<Op> make_bucket_tagging_op(Context& ctx) { return tagging_op(ctx, false); }

}  // namespace rgw::s3
