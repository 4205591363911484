// op_account.cpp - the account: GET (its containers), HEAD, POST (metadata).
// An account is a user; its containers are the buckets it owns.
#include <algorithm>

#include "errors.h"
#include "http/error.h"
#include "swift/listing.h"
#include "swift/metadata.h"
#include "swift/op.h"
#include "swift/swift_error.h"
#include "xml.h"

namespace rgw::swift {

namespace {

struct ContainerEntry {
  std::string name;
  BucketStats stats;
  int64_t created_ns = 0;
  bool subdir = false;
};

class AccountOp : public Op {
 public:
  using Op::Op;

  void finish() override {
    const User& user = *ctx_.user;
    Response& resp = ctx_.resp;
    if (ctx_.req.method == "POST") {
      Attrs attrs = user.attrs;
      apply_meta_headers(ctx_.req, "account", attrs);
      UserUpdate update;
      update.attrs = attrs;
      ctx_.store.update_user(user.uid, update);
      resp.set_body(204, "", "text/html; charset=UTF-8");
      return;
    }
    std::vector<BucketInfo> buckets = ctx_.store.list_buckets(user.uid);
    BucketStats total;
    std::vector<ContainerEntry> all;
    for (const auto& b : buckets) {
      ContainerEntry e{b.name, {}, b.created_ns, false};
      try {
        e.stats = ctx_.store.bucket_stats(b.name);
      } catch (const Error& err) {
        if (err.code() != RGW_ERR_NO_SUCH_BUCKET) throw;
        continue;  // removed while we listed
      }
      total.num_objects += e.stats.num_objects;
      total.size_bytes += e.stats.size_bytes;
      all.push_back(std::move(e));
    }
    resp.set_header("X-Account-Container-Count", std::to_string(all.size()));
    resp.set_header("X-Account-Object-Count", std::to_string(total.num_objects));
    resp.set_header("X-Account-Bytes-Used", std::to_string(total.size_bytes));
    resp.set_header("X-Timestamp", x_timestamp(user.created_ns));
    meta_headers(resp, "account", user.attrs);
    if (ctx_.req.method == "HEAD") {
      resp.set_body(204, "", "text/plain; charset=utf-8");
      return;
    }
    Format format = listing_format(ctx_.req);
    ListingQuery q = listing_query(ctx_.req);
    std::vector<ContainerEntry> page = select(all, q);
    render(page, format);
  }

 private:
  static std::vector<ContainerEntry> select(const std::vector<ContainerEntry>& all,
                                            const ListingQuery& q) {
    std::vector<ContainerEntry> out;
    std::vector<const ContainerEntry*> order;
    for (const auto& e : all) order.push_back(&e);
    if (q.reverse) std::reverse(order.begin(), order.end());
    for (const ContainerEntry* e : order) {
      if (out.size() >= q.limit) break;
      const std::string& n = e->name;
      if (n.compare(0, q.prefix.size(), q.prefix) != 0) continue;
      if (!q.marker.empty() && (q.reverse ? n >= q.marker : n <= q.marker)) continue;
      if (!q.end_marker.empty() && (q.reverse ? n <= q.end_marker : n >= q.end_marker)) continue;
      if (!q.delimiter.empty()) {
        size_t d = n.find(q.delimiter, q.prefix.size());
        if (d != std::string::npos) {
          std::string sub = n.substr(0, d + 1);
          if (out.empty() || out.back().name != sub) out.push_back({sub, {}, 0, true});
          continue;
        }
      }
      out.push_back(*e);
    }
    return out;
  }

  void render(const std::vector<ContainerEntry>& page, Format format) {
    Response& resp = ctx_.resp;
    std::string body;
    if (format == Format::text) {
      for (const auto& e : page) body += e.name + "\n";
      if (page.empty()) {
        resp.set_body(204, "", listing_content_type(format));
        return;
      }
    } else if (format == Format::json) {
      body = "[";
      for (const auto& e : page) {
        if (body.size() > 1) body += ", ";
        if (e.subdir) {
          body += "{\"subdir\": " + json_string(e.name) + "}";
          continue;
        }
        body += "{\"name\": " + json_string(e.name) +
                ", \"count\": " + std::to_string(e.stats.num_objects) +
                ", \"bytes\": " + std::to_string(e.stats.size_bytes) + ", \"last_modified\": \"" +
                listing_time(e.created_ns) + "\"}";
      }
      body += "]";
    } else {
      body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<account name=\"" +
             xml_escape("AUTH_" + ctx_.account) + "\">";
      for (const auto& e : page) {
        if (e.subdir) {
          body += "<subdir name=\"" + xml_escape(e.name) + "\"><name>" + xml_escape(e.name) +
                  "</name></subdir>";
          continue;
        }
        body += "<container><name>" + xml_escape(e.name) + "</name><count>" +
                std::to_string(e.stats.num_objects) + "</count><bytes>" +
                std::to_string(e.stats.size_bytes) + "</bytes><last_modified>" +
                listing_time(e.created_ns) + "</last_modified></container>";
      }
      body += "</account>";
    }
    resp.set_body(200, std::move(body), listing_content_type(format));
  }
};

// POST ?bulk-delete: a newline-separated list of percent-encoded
// "/container/object" (an object) or "/container" (an empty container) to
// delete, as Swift's bulk middleware takes it; each is authorized as its own
// DELETE would be.  The body is bounded (kMaxBulkDeletes paths).
class BulkDelete : public Op {
 public:
  using Op::Op;
  bool wants_body() const override { return true; }

  void feed(const char* data, size_t len) override {
    if (body_.size() + len > kMaxBulkBody) throw_swift(413, "Max delete failures exceeded");
    body_.append(data, len);
  }

  void finish() override {
    DeleteReport report;
    size_t count = 0, start = 0;
    while (start < body_.size()) {
      size_t eol = body_.find('\n', start);
      if (eol == std::string::npos) eol = body_.size();
      std::string line = body_.substr(start, eol - start);
      start = eol + 1;
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      if (line.empty()) continue;
      if (++count > kMaxBulkDeletes)
        throw_swift(413,
                    "Maximum Bulk Deletes: " + std::to_string(kMaxBulkDeletes) + " per request");
      delete_one(line, report);
    }
    Format format = listing_format(ctx_.req);
    ctx_.resp.set_body(200, delete_report_body(report, format), listing_content_type(format));
  }

  static constexpr size_t kMaxBulkDeletes = 10000;

 private:
  static constexpr size_t kMaxBulkBody = kMaxBulkDeletes * 1300;

  void delete_one(const std::string& encoded, DeleteReport& report) {
    std::string path;
    if (!http::percent_decode(encoded, path) || path.find('\0') != std::string::npos) {
      report.errors.emplace_back(encoded, "400 Bad Request");
      return;
    }
    if (!path.empty() && path[0] == '/') path.erase(0, 1);
    size_t slash = path.find('/');
    std::string container = path.substr(0, slash);
    std::string object = slash == std::string::npos ? "" : path.substr(slash + 1);
    try {
      if (container.empty()) throw_swift(400);
      if (object.empty()) {
        authorize_container(ctx_, container, Need::owner);
        ctx_.store.remove_bucket(container);
      } else {
        authorize_container(ctx_, container, Need::write);
        const ObjectRef ref{container, object, ""};
        ctx_.store.stat_object(ref);
        ctx_.store.remove_object(ref, RemoveOptions{});
      }
      ++report.deleted;
    } catch (const http::Error& e) {
      report.errors.emplace_back(
          "/" + path, std::to_string(e.status()) + " " + http::status_reason(e.status()));
    } catch (const Error& e) {
      if (e.code() == RGW_ERR_NO_SUCH_KEY || e.code() == RGW_ERR_NO_SUCH_BUCKET)
        ++report.not_found;
      else if (e.code() == RGW_ERR_BUCKET_NOT_EMPTY)
        report.errors.emplace_back("/" + path, "409 Conflict");
      else
        throw;
    }
  }

  std::string body_;
};

}  // namespace

std::unique_ptr<Op> make_account_op(Context& ctx) {
  const std::string& m = ctx.req.method;
  if (m == "POST" && ctx.req.has_query("bulk-delete")) return std::make_unique<BulkDelete>(ctx);
  if (m != "GET" && m != "HEAD" && m != "POST") method_not_allowed(ctx, "GET, HEAD, POST");
  return std::make_unique<AccountOp>(ctx);
}

}  // namespace rgw::swift
