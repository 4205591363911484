// op_container.cpp - a container: PUT, HEAD, GET (its objects), POST
// (metadata), DELETE.  A container is a bucket of the account's user.
#include <cstdlib>
#include <deque>
#include <iterator>
#include <optional>

#include "errors.h"
#include "swift/acl.h"
#include "swift/listing.h"
#include "swift/metadata.h"
#include "swift/op.h"
#include "swift/slo.h"
#include "swift/swift_error.h"
#include "swift/versioned_writes.h"
#include "xml.h"

namespace rgw::swift {

namespace {

std::string content_type_of(const ObjectInfo& o) {
  auto it = o.attrs.find("content-type");
  return it != o.attrs.end() ? it->second : "application/octet-stream";
}

class ContainerOp : public Op {
 public:
  using Op::Op;

  void finish() override {
    const std::string& m = ctx_.req.method;
    if (m == "PUT") return put();
    if (m == "DELETE") {
      authorize_container(ctx_, ctx_.container, Need::owner);
      ctx_.store.remove_bucket(ctx_.container);
      ctx_.resp.set_body(204, "", "text/html; charset=UTF-8");
      return;
    }
    BucketInfo bucket =
        authorize_container(ctx_, ctx_.container, m == "POST" ? Need::owner : Need::read);
    if (m == "POST") {
      apply_meta_headers(ctx_.req, "container", bucket.attrs);
      apply_acl_headers(bucket.attrs);
      apply_versioning_headers(ctx_.req, bucket.attrs);
      ctx_.store.update_bucket(bucket);
      ctx_.resp.set_body(204, "", "text/html; charset=UTF-8");
      return;
    }
    BucketStats stats = ctx_.store.bucket_stats(ctx_.container);
    Response& resp = ctx_.resp;
    resp.set_header("X-Container-Object-Count", std::to_string(stats.num_objects));
    resp.set_header("X-Container-Bytes-Used", std::to_string(stats.size_bytes));
    resp.set_header("X-Timestamp", x_timestamp(bucket.created_ns));
    resp.set_header("X-Storage-Policy", "default");
    meta_headers(resp, "container", bucket.attrs);
    versioning_headers(resp, bucket.attrs);
    if (ctx_.user && ctx_.user->uid == bucket.owner) {  // only the owner sees the ACLs
      for (const auto& a : {std::make_pair(kReadAclAttr, "X-Container-Read"),
                            std::make_pair(kWriteAclAttr, "X-Container-Write")}) {
        auto it = bucket.attrs.find(a.first);
        if (it != bucket.attrs.end()) resp.set_header(a.second, it->second);
      }
    }
    if (m == "HEAD") {
      resp.set_body(204, "", "text/plain; charset=utf-8");
      return;
    }
    if (!(ctx_.user && ctx_.user->uid == bucket.owner))
      authorize_container(ctx_, ctx_.container, Need::list);
    list();
  }

 private:
  // X-Container-Read / X-Container-Write: set (checked), or removed when
  // empty or by X-Remove-Container-Read / -Write.
  void apply_acl_headers(Attrs& attrs) {
    const struct {
      const char *header, *remove, *attr;
      bool read;
    } kAcls[] = {{"x-container-read", "x-remove-container-read", kReadAclAttr, true},
                 {"x-container-write", "x-remove-container-write", kWriteAclAttr, false}};
    for (const auto& a : kAcls) {
      if (const std::string* v = ctx_.req.header(a.header)) {
        std::string acl = check_container_acl(*v, a.read);
        if (acl.empty())
          attrs.erase(a.attr);
        else
          attrs[a.attr] = acl;
      }
      if (ctx_.req.header(a.remove)) attrs.erase(a.attr);
    }
  }

  void put() {
    if (!ctx_.user) throw_swift(401);
    if (ctx_.user->uid != ctx_.account) throw_swift(403);  // only the account's owner
    const User& user = *ctx_.user;
    BucketInfo info;
    info.name = ctx_.container;
    info.owner = user.uid;
    info.acl = rgw::canned_acl("private", user.uid);
    apply_meta_headers(ctx_.req, "container", info.attrs);
    apply_acl_headers(info.attrs);
    apply_versioning_headers(ctx_.req, info.attrs);
    try {
      ctx_.store.create_bucket(info);
      ctx_.resp.set_body(201, "", "text/html; charset=UTF-8");
      return;
    } catch (const Error& e) {
      if (e.code() != RGW_ERR_BUCKET_EXISTS) throw;
    }
    BucketInfo existing = authorize_container(ctx_, ctx_.container, Need::owner);
    apply_meta_headers(ctx_.req, "container", existing.attrs);
    apply_acl_headers(existing.attrs);
    apply_versioning_headers(ctx_.req, existing.attrs);
    ctx_.store.update_bucket(existing);
    ctx_.resp.set_body(202, "", "text/html; charset=UTF-8");
  }

  // A listed object (object set) or subdir (the common prefix in name).
  struct Entry {
    std::string name;
    std::optional<ObjectInfo> object;
  };

  // One store listing page's objects and subdirs, merged in name order.
  static void merge(ListResult& r, std::vector<Entry>& out) {
    size_t i = 0, j = 0;
    while (i < r.objects.size() || j < r.common_prefixes.size()) {
      if (j >= r.common_prefixes.size() ||
          (i < r.objects.size() && r.objects[i].key < r.common_prefixes[j])) {
        std::string name = r.objects[i].key;
        ObjectInfo& o = r.objects[i];
        // A SLO is listed with its content's size and ETag, as Swift lists it.
        auto size = o.attrs.find(kSloSizeAttr), etag = o.attrs.find(kSloEtagAttr);
        if (o.attrs.count(kSloAttr) && size != o.attrs.end() && etag != o.attrs.end()) {
          o.size = std::strtoull(size->second.c_str(), nullptr, 10);
          o.etag = etag->second;
        }
        out.push_back({std::move(name), std::move(o)});
        ++i;
      } else {
        out.push_back({std::move(r.common_prefixes[j]), std::nullopt});
        ++j;
      }
    }
  }

  std::vector<Entry> page(const ListingQuery& q) {
    std::vector<Entry> out;
    if (q.limit == 0) return out;
    ListParams params;
    params.prefix = q.prefix;
    params.delimiter = q.delimiter;
    params.marker = q.marker;
    params.end_marker = q.end_marker;
    params.max_keys = q.limit;
    ListResult r = ctx_.store.list_objects(ctx_.container, params);
    merge(r, out);
    return out;
  }

  // reverse=true: names below marker and above end_marker, last first.  The
  // store lists forward only, so the window is walked forward keeping its
  // last `limit` entries: memory stays within the limit, time grows with
  // the window.
  std::vector<Entry> reverse_page(const ListingQuery& q) {
    std::deque<Entry> last;
    if (q.limit == 0) return {};
    ListParams params;
    params.prefix = q.prefix;
    params.delimiter = q.delimiter;
    params.marker = q.end_marker;  // reversed: after end_marker ...
    params.end_marker = q.marker;  // ... and before marker
    params.max_keys = 1000;
    for (;;) {
      ListResult r = ctx_.store.list_objects(ctx_.container, params);
      bool truncated = r.truncated;
      std::string next = r.next_marker;
      std::vector<Entry> entries;
      merge(r, entries);
      for (auto& e : entries) {
        last.push_back(std::move(e));
        if (last.size() > q.limit) last.pop_front();
      }
      if (!truncated || next.empty()) break;
      params.marker = next;
    }
    return std::vector<Entry>(std::make_move_iterator(last.rbegin()),
                              std::make_move_iterator(last.rend()));
  }

  void list() {
    Format format = listing_format(ctx_.req);
    ListingQuery q = listing_query(ctx_.req);
    std::vector<Entry> entries = q.reverse ? reverse_page(q) : page(q);
    Response& resp = ctx_.resp;
    std::string body;
    if (format == Format::text) {
      if (entries.empty()) {
        resp.set_body(204, "", listing_content_type(format));
        return;
      }
      for (const auto& e : entries) body += e.name + "\n";
    } else if (format == Format::json) {
      body = "[";
      for (const auto& e : entries) {
        if (body.size() > 1) body += ", ";
        if (!e.object) {
          body += "{\"subdir\": " + json_string(e.name) + "}";
          continue;
        }
        const ObjectInfo& o = *e.object;
        body += "{\"name\": " + json_string(o.key) + ", \"hash\": \"" + o.etag +
                "\", \"bytes\": " + std::to_string(o.size) +
                ", \"content_type\": " + json_string(content_type_of(o)) +
                ", \"last_modified\": \"" + listing_time(o.mtime_ns) + "\"}";
      }
      body += "]";
    } else {
      body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<container name=\"" +
             xml_escape(ctx_.container) + "\">";
      for (const auto& e : entries) {
        if (!e.object) {
          body += "<subdir name=\"" + xml_escape(e.name) + "\"><name>" + xml_escape(e.name) +
                  "</name></subdir>";
          continue;
        }
        const ObjectInfo& o = *e.object;
        body += "<object><name>" + xml_escape(o.key) + "</name><hash>" + o.etag + "</hash><bytes>" +
                std::to_string(o.size) + "</bytes><content_type>" + xml_escape(content_type_of(o)) +
                "</content_type><last_modified>" + listing_time(o.mtime_ns) +
                "</last_modified></object>";
      }
      body += "</container>";
    }
    resp.set_body(200, std::move(body), listing_content_type(format));
  }
};

}  // namespace

BucketInfo authorize_container(Context& ctx, const std::string& container, Need need) {
  BucketInfo bucket = ctx.store.get_bucket(container);
  const int refused = ctx.user ? 403 : 401;
  // Another account's container of that name (the namespace is shared).
  if (bucket.owner != ctx.account) throw_swift(refused);
  if (ctx.user && ctx.user->uid == bucket.owner) return bucket;
  if (need == Need::owner) throw_swift(refused);
  auto acl = [&](const char* name) {
    auto it = bucket.attrs.find(name);
    return it == bucket.attrs.end() ? std::string() : it->second;
  };
  if (need == Need::write) {
    if (ctx.user && names_user(acl(kWriteAclAttr), *ctx.user)) return bucket;
    throw_swift(refused);
  }
  std::string readers = acl(kReadAclAttr);
  if (ctx.user ? names_user(readers, *ctx.user)
               : anonymous_may_read(readers, ctx.req, need == Need::list))
    return bucket;
  // A user no ACL names still gets what anyone gets.
  if (ctx.user && anonymous_may_read(readers, ctx.req, need == Need::list)) return bucket;
  throw_swift(refused);
}

void method_not_allowed(Context& ctx, const char* allowed) {
  ctx.resp.set_header("Allow", allowed);
  throw_swift(405);
}

std::unique_ptr<Op> make_container_op(Context& ctx) {
  if (is_formpost(ctx)) return make_formpost_op(ctx);
  const std::string& m = ctx.req.method;
  if (m != "GET" && m != "HEAD" && m != "POST" && m != "PUT" && m != "DELETE")
    method_not_allowed(ctx, "DELETE, GET, HEAD, POST, PUT");
  return std::make_unique<ContainerOp>(ctx);
}

}  // namespace rgw::swift
