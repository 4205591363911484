// op_container.cpp - a container: PUT, HEAD, GET (its objects), POST
// (metadata), DELETE.  A container is a bucket of the account's user.
#include "errors.h"
#include "swift/listing.h"
#include "swift/metadata.h"
#include "swift/op.h"
#include "swift/swift_error.h"
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
      owned_container(ctx_);
      ctx_.store.remove_bucket(ctx_.container);
      ctx_.resp.set_body(204, "", "text/html; charset=UTF-8");
      return;
    }
    BucketInfo bucket = owned_container(ctx_);
    if (m == "POST") {
      apply_meta_headers(ctx_.req, "container", bucket.attrs);
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
    if (m == "HEAD") {
      resp.set_body(204, "", "text/plain; charset=utf-8");
      return;
    }
    list();
  }

 private:
  void put() {
    const User& user = *ctx_.user;
    BucketInfo info;
    info.name = ctx_.container;
    info.owner = user.uid;
    info.acl = rgw::canned_acl("private", user.uid);
    apply_meta_headers(ctx_.req, "container", info.attrs);
    try {
      ctx_.store.create_bucket(info);
      ctx_.resp.set_body(201, "", "text/html; charset=UTF-8");
      return;
    } catch (const Error& e) {
      if (e.code() != RGW_ERR_BUCKET_EXISTS) throw;
    }
    BucketInfo existing = owned_container(ctx_);  // 403 if another account's
    apply_meta_headers(ctx_.req, "container", existing.attrs);
    ctx_.store.update_bucket(existing);
    ctx_.resp.set_body(202, "", "text/html; charset=UTF-8");
  }

  void list() {
    Format format = listing_format(ctx_.req);
    ListingQuery q = listing_query(ctx_.req);
    ListParams params;
    params.prefix = q.prefix;
    params.delimiter = q.delimiter;
    params.marker = q.marker;
    params.end_marker = q.end_marker;
    params.max_keys = q.limit;
    ListResult r;
    if (q.limit > 0) r = ctx_.store.list_objects(ctx_.container, params);
    // Objects and subdirs, merged in name order.
    struct Entry {
      const std::string* name;
      const ObjectInfo* object;
    };
    std::vector<Entry> entries;
    size_t i = 0, j = 0;
    while (i < r.objects.size() || j < r.common_prefixes.size()) {
      if (j >= r.common_prefixes.size() ||
          (i < r.objects.size() && r.objects[i].key < r.common_prefixes[j])) {
        entries.push_back({&r.objects[i].key, &r.objects[i]});
        ++i;
      } else {
        entries.push_back({&r.common_prefixes[j], nullptr});
        ++j;
      }
    }
    Response& resp = ctx_.resp;
    std::string body;
    if (format == Format::text) {
      if (entries.empty()) {
        resp.set_body(204, "", listing_content_type(format));
        return;
      }
      for (const auto& e : entries) body += *e.name + "\n";
    } else if (format == Format::json) {
      body = "[";
      for (const auto& e : entries) {
        if (body.size() > 1) body += ", ";
        if (!e.object) {
          body += "{\"subdir\": " + json_string(*e.name) + "}";
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
          body += "<subdir name=\"" + xml_escape(*e.name) + "\"><name>" + xml_escape(*e.name) +
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

BucketInfo owned_container(Context& ctx) {
  BucketInfo bucket = ctx.store.get_bucket(ctx.container);
  if (!ctx.user || bucket.owner != ctx.user->uid) throw_swift(403);
  return bucket;
}

void method_not_allowed(Context& ctx, const char* allowed) {
  ctx.resp.set_header("Allow", allowed);
  throw_swift(405);
}

std::unique_ptr<Op> make_container_op(Context& ctx) {
  const std::string& m = ctx.req.method;
  if (m != "GET" && m != "HEAD" && m != "POST" && m != "PUT" && m != "DELETE")
    method_not_allowed(ctx, "DELETE, GET, HEAD, POST, PUT");
  return std::make_unique<ContainerOp>(ctx);
}

}  // namespace rgw::swift
