// op_object.cpp - an object: PUT (streamed, or a copy with X-Copy-From),
// GET/HEAD (ranges, conditionals), POST (metadata), DELETE, COPY.
#include <ctime>

#include "crypto.h"
#include "errors.h"
#include "http/conditions.h"
#include "http/date.h"
#include "swift/dlo.h"
#include "swift/metadata.h"
#include "swift/op.h"
#include "swift/swift_error.h"
#include "util.h"

namespace rgw::swift {

namespace {

// Headers kept with an object besides its metadata, under S3's attribute
// names (S3 serves them too).
const char* const kStoredHeaders[] = {"content-type",     "content-encoding", "content-disposition",
                                      "content-language", "cache-control",    "expires"};

bool safe_value(const std::string& v) {
  for (unsigned char c : v)
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  return true;
}

// Content-Type from the name's extension, for X-Detect-Content-Type: true.
std::string guess_content_type(const std::string& name) {
  static const char* const kTypes[][2] = {{".txt", "text/plain"},
                                          {".html", "text/html"},
                                          {".htm", "text/html"},
                                          {".css", "text/css"},
                                          {".js", "application/javascript"},
                                          {".json", "application/json"},
                                          {".xml", "application/xml"},
                                          {".csv", "text/csv"},
                                          {".jpg", "image/jpeg"},
                                          {".jpeg", "image/jpeg"},
                                          {".png", "image/png"},
                                          {".gif", "image/gif"},
                                          {".svg", "image/svg+xml"},
                                          {".webp", "image/webp"},
                                          {".pdf", "application/pdf"},
                                          {".zip", "application/zip"},
                                          {".gz", "application/gzip"},
                                          {".tar", "application/x-tar"},
                                          {".mp4", "video/mp4"},
                                          {".mp3", "audio/mpeg"}};
  size_t dot = name.rfind('.');
  if (dot != std::string::npos && name.find('/', dot) == std::string::npos) {
    std::string ext = name.substr(dot);
    for (char& c : ext)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    for (const auto& t : kTypes)
      if (ext == t[0]) return t[1];
  }
  return "application/octet-stream";
}

// X-Delete-At / X-Delete-After: the expiry, epoch seconds (400 for a bad or
// past value); nullopt when neither is given.
std::optional<int64_t> delete_at_from(const http::Request& req) {
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  if (const std::string* at = req.header("x-delete-at")) {
    uint64_t v = 0;
    if (!http::parse_decimal(*at, &v)) throw_swift(400, "Non-integer X-Delete-At");
    if (static_cast<int64_t>(v) <= now) throw_swift(400, "X-Delete-At in past");
    return static_cast<int64_t>(v);
  }
  if (const std::string* after = req.header("x-delete-after")) {
    uint64_t v = 0;
    if (!http::parse_decimal(*after, &v)) throw_swift(400, "Non-integer X-Delete-After");
    if (v == 0) throw_swift(400, "X-Delete-After in past");
    return now + static_cast<int64_t>(v);
  }
  return std::nullopt;
}

// The attributes a PUT or POST gives an object: its stored headers (with
// Content-Type as sent, guessed when asked, else kept from `keep` or
// application/octet-stream) and its metadata.
Attrs attrs_from_request(const Context& ctx, const Attrs* keep) {
  const http::Request& req = ctx.req;
  Attrs attrs;
  for (const char* name : kStoredHeaders)
    if (const std::string* v = req.header(name))
      if (!v->empty()) {
        if (!safe_value(*v)) throw_swift(400, std::string("Invalid ") + name);
        attrs[name] = *v;
      }
  const std::string* detect = req.header("x-detect-content-type");
  if (detect && (*detect == "true" || *detect == "True" || *detect == "1"))
    attrs["content-type"] = guess_content_type(ctx.object);
  if (!attrs.count("content-type")) {
    auto kept = keep ? keep->find("content-type") : Attrs::const_iterator();
    attrs["content-type"] =
        keep && kept != keep->end() ? kept->second : std::string("application/octet-stream");
  }
  if (const std::string* manifest = req.header("x-object-manifest")) {
    std::string container, prefix;
    parse_manifest(*manifest, container, prefix);  // 400 unless container/prefix
    attrs[kManifestAttr] = *manifest;
  }
  apply_meta_headers(req, "object", attrs);
  return attrs;
}

void object_headers(Response& resp, const ObjectInfo& info) {
  resp.set_header("ETag", info.etag);
  resp.set_header("Last-Modified", http::http_date((info.mtime_ns + 999999999) / 1000000000));
  resp.set_header("X-Timestamp", x_timestamp(info.mtime_ns));
  resp.set_header("Accept-Ranges", "bytes");
  auto ct = info.attrs.find("content-type");
  resp.set_header("Content-Type", ct != info.attrs.end() && safe_value(ct->second)
                                      ? ct->second
                                      : "application/octet-stream");
  static const char* const kCanonical[][2] = {{"content-encoding", "Content-Encoding"},
                                              {"content-disposition", "Content-Disposition"},
                                              {"content-language", "Content-Language"},
                                              {"cache-control", "Cache-Control"},
                                              {"expires", "Expires"}};
  for (const auto& c : kCanonical) {
    auto it = info.attrs.find(c[0]);
    if (it != info.attrs.end() && safe_value(it->second)) resp.set_header(c[1], it->second);
  }
  if (info.delete_at) resp.set_header("X-Delete-At", std::to_string(info.delete_at));
  auto manifest = info.attrs.find(kManifestAttr);
  if (manifest != info.attrs.end() && safe_value(manifest->second))
    resp.set_header("X-Object-Manifest", manifest->second);
  meta_headers(resp, "object", info.attrs);
}

std::string strip_quotes(const std::string& v) {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') return v.substr(1, v.size() - 2);
  return v;
}

class PutObject : public Op {
 public:
  using Op::Op;
  bool wants_body() const override { return true; }

  void begin() override {
    authorize_container(ctx_, ctx_.container, Need::write);
    if (const std::string* inm = ctx_.req.header("if-none-match")) {
      if (*inm != "*") throw_swift(400, "If-None-Match only supports *");
      try {
        ctx_.store.stat_object(ObjectRef{ctx_.container, ctx_.object, ""});
        throw_swift(412);
      } catch (const Error& e) {
        if (e.code() != RGW_ERR_NO_SUCH_KEY) throw;
      }
    }
    options_.attrs = attrs_from_request(ctx_, nullptr);
    options_.delete_at = delete_at_from(ctx_.req).value_or(0);
    if (const std::string* etag = ctx_.req.header("etag")) {
      expected_etag_ = strip_quotes(*etag);
      for (char& c : expected_etag_)
        if (c >= 'A' && c <= 'F') c = static_cast<char>(c + 32);
      md5_ = std::make_unique<Md5>();
    }
    writer_ = ctx_.store.open_writer(ctx_.container, ctx_.object);
  }

  void feed(const char* data, size_t len) override {
    if (md5_) md5_->update(data, len);
    writer_->write(data, len);
  }

  void finish() override {
    if (md5_ && md5_->hex_digest() != expected_etag_) throw_swift(422);
    ObjectInfo info = writer_->commit(options_);
    Response& resp = ctx_.resp;
    resp.set_header("ETag", info.etag);
    resp.set_header("Last-Modified", http::http_date((info.mtime_ns + 999999999) / 1000000000));
    resp.set_body(201, "", "text/html; charset=UTF-8");
  }

 private:
  WriteOptions options_;
  std::string expected_etag_;
  std::unique_ptr<Md5> md5_;
  std::unique_ptr<ObjectWriter> writer_;
};

class GetObject : public Op {
 public:
  using Op::Op;

  void finish() override {
    authorize_container(ctx_, ctx_.container, Need::read);
    const ObjectRef ref{ctx_.container, ctx_.object, ""};
    const bool head = ctx_.req.method == "HEAD";
    ObjectInfo info = ctx_.store.stat_object(ref);
    auto manifest = info.attrs.find(kManifestAttr);
    const std::string* mm = ctx_.req.query_param("multipart-manifest");
    if (manifest != info.attrs.end() && !(mm && *mm == "get"))
      return large_object(info, manifest->second, head);
    Response& resp = ctx_.resp;
    int cond = http::evaluate_conditions(ctx_.req, info);
    if (cond == 412) {
      resp.set_header("ETag", info.etag);
      throw_swift(412);
    }
    if (cond == 304) {
      object_headers(resp, info);
      resp.status = 304;
      resp.content_length = -1;
      return;
    }
    http::ByteRange range = http::parse_range(ctx_.req.header("range"));
    uint64_t offset = 0, length = info.size;
    if (!http::resolve_range(range, info.size, &offset, &length)) {
      resp.set_header("Content-Range", "bytes */" + std::to_string(info.size));
      throw_swift(416);
    }
    std::unique_ptr<ObjectReader> reader;
    if (!head) {
      reader = ctx_.store.open_reader(ref, ReadOptions{offset, static_cast<int64_t>(length)});
      if (reader->info().etag != info.etag) {  // replaced since the stat
        info = reader->info();
        if (!http::resolve_range(range, info.size, &offset, &length)) throw_swift(416);
        reader = ctx_.store.open_reader(ref, ReadOptions{offset, static_cast<int64_t>(length)});
      }
    }
    object_headers(resp, info);
    resp.status = 200;
    if (range.kind != http::ByteRange::Kind::none) {
      resp.status = 206;
      resp.set_header("Content-Range", "bytes " + std::to_string(offset) + "-" +
                                           std::to_string(offset + length - 1) + "/" +
                                           std::to_string(info.size));
    }
    resp.content_length = static_cast<int64_t>(length);
    resp.reader = std::move(reader);
  }

 private:
  // A DLO manifest: the concatenation of its segments, with the ETag Swift
  // gives it (quoted: it is not the MD5 of the body).
  void large_object(const ObjectInfo& manifest, const std::string& value, bool head) {
    std::string container, prefix;
    parse_manifest(value, container, prefix);
    authorize_container(ctx_, container, Need::read);
    Dlo dlo = load_dlo(ctx_.store, value);
    ObjectInfo view = manifest;
    view.size = dlo.size;
    view.etag = dlo.etag;
    Response& resp = ctx_.resp;
    int cond = http::evaluate_conditions(ctx_.req, view);
    if (cond == 412) throw_swift(412);
    if (cond == 304) {
      object_headers(resp, view);
      resp.set_header("ETag", "\"" + view.etag + "\"");
      resp.status = 304;
      resp.content_length = -1;
      return;
    }
    http::ByteRange range = http::parse_range(ctx_.req.header("range"));
    uint64_t offset = 0, length = view.size;
    if (!http::resolve_range(range, view.size, &offset, &length)) {
      resp.set_header("Content-Range", "bytes */" + std::to_string(view.size));
      throw_swift(416);
    }
    object_headers(resp, view);
    resp.set_header("ETag", "\"" + view.etag + "\"");
    resp.status = 200;
    if (range.kind != http::ByteRange::Kind::none) {
      resp.status = 206;
      resp.set_header("Content-Range", "bytes " + std::to_string(offset) + "-" +
                                           std::to_string(offset + length - 1) + "/" +
                                           std::to_string(view.size));
    }
    resp.content_length = static_cast<int64_t>(length);
    if (!head) resp.reader = open_dlo_reader(ctx_.store, std::move(dlo), view, offset, length);
  }
};

class PostObject : public Op {
 public:
  using Op::Op;

  void finish() override {
    authorize_container(ctx_, ctx_.container, Need::write);
    const ObjectRef ref{ctx_.container, ctx_.object, ""};
    ObjectInfo info = ctx_.store.stat_object(ref);
    AttrsUpdate update;
    update.attrs = attrs_from_request(ctx_, &info.attrs);
    if (auto at = delete_at_from(ctx_.req))
      update.delete_at = *at;
    else if (ctx_.req.header("x-remove-delete-at"))
      update.delete_at = 0;
    update.if_match = info.etag;
    ctx_.store.update_object(ref, update);
    ctx_.resp.set_body(202, "", "text/html; charset=UTF-8");
  }
};

class DeleteObject : public Op {
 public:
  using Op::Op;

  void finish() override {
    authorize_container(ctx_, ctx_.container, Need::write);
    const ObjectRef ref{ctx_.container, ctx_.object, ""};
    ctx_.store.stat_object(ref);  // 404 for a missing object, as Swift answers
    ctx_.store.remove_object(ref, RemoveOptions{});
    ctx_.resp.set_body(204, "", "text/html; charset=UTF-8");
  }
};

// "container/object" (a leading '/' allowed), percent-decoded.
void split_location(const std::string& raw, const char* header, std::string& container,
                    std::string& object) {
  std::string path;
  if (!http::percent_decode(raw, path)) throw_swift(412, std::string("Bad ") + header);
  if (!path.empty() && path[0] == '/') path.erase(0, 1);
  size_t slash = path.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == path.size())
    throw_swift(412,
                std::string(header) + " header must be of the form <container name>/<object name>");
  container = path.substr(0, slash);
  object = path.substr(slash + 1);
}

// PUT with X-Copy-From (the request names the destination), or COPY with
// Destination (the request names the source).
class CopyObject : public Op {
 public:
  using Op::Op;

  void finish() override {
    std::string src_container = ctx_.container, src_object = ctx_.object;
    std::string dst_container = ctx_.container, dst_object = ctx_.object;
    if (ctx_.req.method == "COPY") {
      const std::string* dest = ctx_.req.header("destination");
      if (!dest) throw_swift(412, "Destination header required");
      split_location(*dest, "Destination", dst_container, dst_object);
    } else {
      split_location(*ctx_.req.header("x-copy-from"), "X-Copy-From", src_container, src_object);
    }
    authorize_container(ctx_, src_container, Need::read);
    authorize_container(ctx_, dst_container, Need::write);
    const ObjectRef src{src_container, src_object, ""};
    ObjectInfo source = ctx_.store.stat_object(src);
    int cond = http::evaluate_conditions(ctx_.req, source);
    if (cond) throw_swift(412);
    const std::string* fresh = ctx_.req.header("x-fresh-metadata");
    bool fresh_metadata = fresh && (*fresh == "true" || *fresh == "True" || *fresh == "1");
    Attrs attrs = fresh_metadata ? Attrs() : source.attrs;
    for (const char* name : kStoredHeaders)
      if (const std::string* v = ctx_.req.header(name))
        if (!v->empty()) attrs[name] = *v;
    if (!attrs.count("content-type")) attrs["content-type"] = "application/octet-stream";
    apply_meta_headers(ctx_.req, "object", attrs);
    CopyOptions options;
    options.attrs = attrs;
    if (auto at = delete_at_from(ctx_.req)) options.delete_at = *at;
    ObjectInfo info = ctx_.store.copy_object(src, dst_container, dst_object, options);
    Response& resp = ctx_.resp;
    resp.set_header("ETag", info.etag);
    resp.set_header("Last-Modified", http::http_date((info.mtime_ns + 999999999) / 1000000000));
    resp.set_header("X-Copied-From", http::uri_encode(src_container + "/" + src_object, false));
    resp.set_header("X-Copied-From-Last-Modified",
                    http::http_date((source.mtime_ns + 999999999) / 1000000000));
    resp.set_body(201, "", "text/html; charset=UTF-8");
  }
};

}  // namespace

std::unique_ptr<Op> make_object_op(Context& ctx) {
  const std::string& m = ctx.req.method;
  if (m == "PUT" && ctx.req.header("x-copy-from")) return std::make_unique<CopyObject>(ctx);
  if (m == "PUT") return std::make_unique<PutObject>(ctx);
  if (m == "GET" || m == "HEAD") return std::make_unique<GetObject>(ctx);
  if (m == "POST") return std::make_unique<PostObject>(ctx);
  if (m == "DELETE") return std::make_unique<DeleteObject>(ctx);
  if (m == "COPY") return std::make_unique<CopyObject>(ctx);
  method_not_allowed(ctx, "COPY, DELETE, GET, HEAD, POST, PUT");
}

}  // namespace rgw::swift
