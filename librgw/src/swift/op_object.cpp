// op_object.cpp - an object: PUT (streamed, or a copy with X-Copy-From),
// GET/HEAD (ranges, conditionals), POST (metadata), DELETE, COPY.
#include <cerrno>
#include <ctime>
#include <functional>

#include "crypto.h"
#include "errors.h"
#include "http/conditions.h"
#include "http/date.h"
#include "http/error.h"
#include "swift/byteranges.h"
#include "swift/large_object.h"
#include "swift/listing.h"
#include "swift/metadata.h"
#include "swift/op.h"
#include "swift/slo.h"
#include "swift/swift_error.h"
#include "swift/versioned_writes.h"
#include "util.h"

namespace rgw::swift {

namespace {

// Headers kept with an object besides its metadata, under S3's attribute
// names (S3 serves them too).
const char* const kStoredHeaders[] = {"content-type",     "content-encoding", "content-disposition",
                                      "content-language", "cache-control",    "expires"};

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
        if (!http::safe_header_value(*v)) throw_swift(400, std::string("Invalid ") + name);
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
  resp.set_header("Content-Type", ct != info.attrs.end() && http::safe_header_value(ct->second)
                                      ? ct->second
                                      : "application/octet-stream");
  static const char* const kCanonical[][2] = {{"content-encoding", "Content-Encoding"},
                                              {"content-disposition", "Content-Disposition"},
                                              {"content-language", "Content-Language"},
                                              {"cache-control", "Cache-Control"},
                                              {"expires", "Expires"}};
  for (const auto& c : kCanonical) {
    auto it = info.attrs.find(c[0]);
    if (it != info.attrs.end() && http::safe_header_value(it->second))
      resp.set_header(c[1], it->second);
  }
  if (info.delete_at) resp.set_header("X-Delete-At", std::to_string(info.delete_at));
  auto manifest = info.attrs.find(kManifestAttr);
  if (manifest != info.attrs.end() && http::safe_header_value(manifest->second))
    resp.set_header("X-Object-Manifest", manifest->second);
  meta_headers(resp, "object", info.attrs);
}

std::string strip_quotes(const std::string& v) {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') return v.substr(1, v.size() - 2);
  return v;
}

// The whole body of a small object (a SLO manifest, at most 2 MiB).
std::string read_whole(Store& store, const ObjectRef& ref, const ObjectInfo& info) {
  auto reader = store.open_reader(ref, ReadOptions{0, static_cast<int64_t>(info.size)});
  std::string body(reader->remaining(), '\0');
  size_t got = 0;
  while (got < body.size()) {
    size_t n = reader->read(&body[got], body.size() - got);
    if (n == 0) fail(-EIO, "short read of " + ref.key);
    got += n;
  }
  return body;
}

class PutObject : public Op {
 public:
  using Op::Op;
  bool wants_body() const override { return true; }

  void begin() override {
    container_ = authorize_container(ctx_, ctx_.container, Need::write);
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
      check_etag_ = true;
    }
    writer_ = ctx_.store.open_writer(ctx_.container, ctx_.object);
  }

  void feed(const char* data, size_t len) override { writer_->write(data, len); }

  void finish() override {
    // The writer hashes the body for the object's ETag: the client's ETag
    // is checked against that, before anything is committed.
    if (check_etag_ && writer_->md5_hex_so_far() != expected_etag_) throw_swift(422);
    archive_current(ctx_, container_, ctx_.object);
    ObjectInfo info = writer_->commit(options_);
    Response& resp = ctx_.resp;
    resp.set_header("ETag", info.etag);
    resp.set_header("Last-Modified", http::http_date((info.mtime_ns + 999999999) / 1000000000));
    resp.set_body(201, "", "text/html; charset=UTF-8");
  }

 private:
  BucketInfo container_;
  WriteOptions options_;
  std::string expected_etag_;
  bool check_etag_ = false;
  std::unique_ptr<ObjectWriter> writer_;
};

// A GET of several ranges: the satisfiable ones as one multipart/byteranges
// body (none: 416; one: an ordinary 206).  False when the request is not
// one (no Range, one range, or more than kMaxRanges: the whole object).
bool serve_ranges(Response& resp, const http::Request& req, const ObjectInfo& view, bool head,
                  const std::function<void()>& headers, const SpanOpener& open) {
  std::vector<http::ByteRange> ranges = http::parse_ranges(req.header("range"), kMaxRanges);
  if (ranges.size() < 2) return false;
  std::vector<Span> spans;
  for (const auto& r : ranges) {
    Span span;
    if (http::resolve_range(r, view.size, &span.offset, &span.length)) spans.push_back(span);
  }
  if (spans.empty()) {
    resp.set_header("Content-Range", "bytes */" + std::to_string(view.size));
    throw_swift(416);
  }
  headers();
  resp.status = 206;
  if (spans.size() == 1) {
    const Span& s = spans[0];
    resp.set_header("Content-Range", "bytes " + std::to_string(s.offset) + "-" +
                                         std::to_string(s.offset + s.length - 1) + "/" +
                                         std::to_string(view.size));
    resp.content_length = static_cast<int64_t>(s.length);
    if (!head) resp.reader = open(s.offset, s.length);
    return true;
  }
  auto ct = view.attrs.find("content-type");
  std::string boundary = new_boundary();
  auto reader = open_byteranges_reader(view, std::move(spans), view.size,
                                       ct != view.attrs.end() && http::safe_header_value(ct->second)
                                           ? ct->second
                                           : "application/octet-stream",
                                       boundary, open);
  resp.set_header("Content-Type", "multipart/byteranges;boundary=" + boundary);
  resp.content_length = static_cast<int64_t>(reader->remaining());
  if (!head) resp.reader = std::move(reader);
  return true;
}

class GetObject : public Op {
 public:
  using Op::Op;

  void finish() override {
    authorize_container(ctx_, ctx_.container, Need::read);
    const ObjectRef ref{ctx_.container, ctx_.object, ""};
    const bool head = ctx_.req.method == "HEAD";
    http::ByteRange range = http::parse_range(ctx_.req.header("range"));
    // The common GET (no suffix range, not several ranges) opens the reader
    // at once: one store round trip, and the object it pins is the one the
    // conditions see (as S3's GET).
    std::unique_ptr<ObjectReader> reader;
    ObjectInfo info;
    const std::string* range_header = ctx_.req.header("range");
    const bool several = range_header && range_header->find(',') != std::string::npos;
    if (!head && !several && range.kind != http::ByteRange::Kind::suffix) {
      uint64_t first = range.kind == http::ByteRange::Kind::none ? 0 : range.first;
      int64_t count = range.kind == http::ByteRange::Kind::from_to
                          ? static_cast<int64_t>(range.last - range.first + 1)
                          : -1;
      try {
        reader = ctx_.store.open_reader(ref, ReadOptions{first, count});
        info = reader->info();
      } catch (const Error& e) {
        if (e.code() != RGW_ERR_INVALID_RANGE) throw;
        info = ctx_.store.stat_object(ref);
      }
    } else {
      info = ctx_.store.stat_object(ref);
    }
    auto manifest = info.attrs.find(kManifestAttr);
    const bool slo = info.attrs.count(kSloAttr) > 0;
    const std::string* mm = ctx_.req.query_param("multipart-manifest");
    const bool manifest_itself = mm && *mm == "get";
    if (slo || (manifest != info.attrs.end() && !manifest_itself)) reader.reset();
    if (slo && manifest_itself) return slo_manifest(ref, info);
    if (slo) return large_object(info, head, [&] { return read_slo(ref, info); });
    if (manifest != info.attrs.end() && !manifest_itself) {
      std::string container, prefix;
      parse_manifest(manifest->second, container, prefix);
      authorize_container(ctx_, container, Need::read);
      return large_object(info, head, [&] { return load_dlo(ctx_.store, manifest->second); });
    }
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
    Store& store = ctx_.store;
    const std::string etag = info.etag;
    if (serve_ranges(
            resp, ctx_.req, info, head, [&] { object_headers(resp, info); },
            [&store, ref, etag](uint64_t offset, uint64_t length) {
              auto r = store.open_reader(ref, ReadOptions{offset, static_cast<int64_t>(length)});
              if (r->info().etag != etag) fail(-EIO, "object replaced while read");
              return r;
            }))
      return;
    uint64_t offset = 0, length = info.size;
    if (!http::resolve_range(range, info.size, &offset, &length)) {
      resp.set_header("Content-Range", "bytes */" + std::to_string(info.size));
      throw_swift(416);
    }
    if (!head && !reader)
      reader = ctx_.store.open_reader(ref, ReadOptions{offset, static_cast<int64_t>(length)});
    if (reader) {
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
  LargeObject read_slo(const ObjectRef& ref, const ObjectInfo& info) {
    if (info.size > kMaxSloManifestSize) fail(-EIO, "static large object manifest too large");
    std::string body = read_whole(ctx_.store, ref, info);
    LargeObject slo = load_slo(body);
    for (const auto& s : slo.segments) authorize_container(ctx_, s.container, Need::read);
    return slo;
  }

  // ?multipart-manifest=get of a SLO: its segments as JSON, as stored, or
  // with &format=raw as a PUT takes them.
  void slo_manifest(const ObjectRef& ref, const ObjectInfo& info) {
    std::string body = read_whole(ctx_.store, ref, info);
    const std::string* format = ctx_.req.query_param("format");
    if (format && *format == "raw") body = raw_manifest(load_slo(body));
    object_headers(ctx_.resp, info);
    ctx_.resp.set_header("X-Static-Large-Object", "True");
    ctx_.resp.set_body(200, std::move(body), "application/json; charset=utf-8");
  }

  // A manifest: the concatenation of its segments (load() lists them), with
  // the ETag Swift gives it (quoted: it is not the MD5 of the body).
  template <typename Load>
  void large_object(const ObjectInfo& manifest, bool head, Load load) {
    LargeObject object;
    ObjectInfo view = manifest;
    auto slo_size = manifest.attrs.find(kSloSizeAttr);
    auto slo_etag = manifest.attrs.find(kSloEtagAttr);
    const bool slo = manifest.attrs.count(kSloAttr) > 0;
    if (head && slo && slo_size != manifest.attrs.end() && slo_etag != manifest.attrs.end()) {
      view.size = std::stoull(slo_size->second);  // HEAD: no need to read the manifest
      view.etag = slo_etag->second;
    } else {
      object = load();
      view.size = object.size;
      view.etag = object.etag;
    }
    Response& resp = ctx_.resp;
    auto headers = [&] {
      object_headers(resp, view);
      resp.set_header("ETag", "\"" + view.etag + "\"");
      if (slo) resp.set_header("X-Static-Large-Object", "True");
    };
    int cond = http::evaluate_conditions(ctx_.req, view);
    if (cond == 412) throw_swift(412);
    if (cond == 304) {
      headers();
      resp.status = 304;
      resp.content_length = -1;
      return;
    }
    Store& store = ctx_.store;
    if (serve_ranges(resp, ctx_.req, view, head, headers,
                     [&store, object, view](uint64_t offset, uint64_t length) {
                       return open_large_object_reader(store, object, view, offset, length);
                     }))
      return;
    http::ByteRange range = http::parse_range(ctx_.req.header("range"));
    uint64_t offset = 0, length = view.size;
    if (!http::resolve_range(range, view.size, &offset, &length)) {
      resp.set_header("Content-Range", "bytes */" + std::to_string(view.size));
      throw_swift(416);
    }
    headers();
    resp.status = 200;
    if (range.kind != http::ByteRange::Kind::none) {
      resp.status = 206;
      resp.set_header("Content-Range", "bytes " + std::to_string(offset) + "-" +
                                           std::to_string(offset + length - 1) + "/" +
                                           std::to_string(view.size));
    }
    resp.content_length = static_cast<int64_t>(length);
    if (!head)
      resp.reader = open_large_object_reader(ctx_.store, std::move(object), view, offset, length);
  }
};

// PUT ?multipart-manifest=put: the segments are checked (they exist, the
// caller may read them, their ETags and sizes are the ones given), then the
// manifest object is written in one commit.
class PutSloManifest : public Op {
 public:
  using Op::Op;
  bool wants_body() const override { return true; }

  void begin() override {
    container_ = authorize_container(ctx_, ctx_.container, Need::write);
    options_.attrs = attrs_from_request(ctx_, nullptr);
    options_.attrs.erase(kManifestAttr);
    options_.delete_at = delete_at_from(ctx_.req).value_or(0);
  }

  void feed(const char* data, size_t len) override {
    if (body_.size() + len > kMaxSloManifestSize)
      throw_swift(413, "Manifest File > " + std::to_string(kMaxSloManifestSize) + " bytes");
    body_.append(data, len);
  }

  void finish() override {
    std::vector<SloEntry> entries = parse_put_manifest(body_);
    std::vector<Segment> segments;
    std::vector<ObjectInfo> infos;
    std::string problems;
    for (const auto& e : entries) {
      std::string path = "/" + e.container + "/" + e.key;
      try {
        authorize_container(ctx_, e.container, Need::read);
        ObjectInfo info = ctx_.store.stat_object(ObjectRef{e.container, e.key, ""});
        if (info.attrs.count(kSloAttr) || info.attrs.count(kManifestAttr))
          problems += path + ", Nested large objects are not supported\n";
        else if (e.etag && *e.etag != info.etag)
          problems += path + ", Etag Mismatch\n";
        else if (e.size && *e.size != info.size)
          problems += path + ", Size Mismatch\n";
        else if (info.size == 0)
          problems += path + ", Too Small; each segment must be at least 1 byte.\n";
        segments.push_back({e.container, e.key, info.size, info.etag});
        infos.push_back(std::move(info));
      } catch (const http::Error& err) {
        problems += path + ", " + std::to_string(err.status()) + "\n";
      } catch (const Error& err) {
        if (err.code() != RGW_ERR_NO_SUCH_KEY && err.code() != RGW_ERR_NO_SUCH_BUCKET) throw;
        problems += path + ", 404 Not Found\n";
      }
    }
    if (!problems.empty()) throw_swift(400, "Errors:\n" + problems);
    uint64_t total = 0;
    for (const auto& seg : segments) total += seg.size;
    std::string etag = segments_etag(segments);
    options_.attrs[kSloAttr] = "True";
    options_.attrs[kSloEtagAttr] = etag;
    options_.attrs[kSloSizeAttr] = std::to_string(total);
    std::string manifest = stored_manifest(segments, infos);
    archive_current(ctx_, container_, ctx_.object);
    auto writer = ctx_.store.open_writer(ctx_.container, ctx_.object);
    writer->write(manifest.data(), manifest.size());
    ObjectInfo info = writer->commit(options_);
    Response& resp = ctx_.resp;
    resp.set_header("ETag", "\"" + etag + "\"");
    resp.set_header("Last-Modified", http::http_date((info.mtime_ns + 999999999) / 1000000000));
    resp.set_body(201, "", "text/html; charset=UTF-8");
  }

 private:
  BucketInfo container_;
  WriteOptions options_;
  std::string body_;
};

// DELETE ?multipart-manifest=delete of a SLO: its segments, then itself.
class DeleteSlo : public Op {
 public:
  using Op::Op;

  void finish() override {
    authorize_container(ctx_, ctx_.container, Need::write);
    const ObjectRef ref{ctx_.container, ctx_.object, ""};
    ObjectInfo info = ctx_.store.stat_object(ref);
    DeleteReport report;
    if (info.attrs.count(kSloAttr)) {
      LargeObject slo = load_slo(read_whole(ctx_.store, ref, info));
      for (const auto& s : slo.segments) {
        std::string path = "/" + s.container + "/" + s.key;
        try {
          authorize_container(ctx_, s.container, Need::write);
          const ObjectRef seg{s.container, s.key, ""};
          ctx_.store.stat_object(seg);
          ctx_.store.remove_object(seg, RemoveOptions{});
          ++report.deleted;
        } catch (const http::Error& err) {
          report.errors.emplace_back(
              path, std::to_string(err.status()) + " " + http::status_reason(err.status()));
        } catch (const Error& err) {
          if (err.code() != RGW_ERR_NO_SUCH_KEY && err.code() != RGW_ERR_NO_SUCH_BUCKET) throw;
          ++report.not_found;
        }
      }
    }
    ctx_.store.remove_object(ref, RemoveOptions{});  // the manifest (or a plain object)
    ++report.deleted;
    Format format = listing_format(ctx_.req);
    ctx_.resp.set_body(200, delete_report_body(report, format), listing_content_type(format));
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
    for (const char* kept : {kSloAttr, kSloEtagAttr, kSloSizeAttr}) {  // still a SLO
      auto it = info.attrs.find(kept);
      if (it != info.attrs.end()) (*update.attrs)[kept] = it->second;
    }
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
    BucketInfo container = authorize_container(ctx_, ctx_.container, Need::write);
    if (versioned_delete(ctx_, container, ctx_.object)) return;
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
    const BucketInfo dst = authorize_container(ctx_, dst_container, Need::write);
    const ObjectRef src{src_container, src_object, ""};
    ObjectInfo source = ctx_.store.stat_object(src);
    const std::string* mm = ctx_.req.query_param("multipart-manifest");
    const bool large = source.attrs.count(kSloAttr) || source.attrs.count(kManifestAttr);
    // A large object's content is copied (?multipart-manifest=get: its manifest).
    std::optional<LargeObject> content;
    if (large && !(mm && *mm == "get")) {
      content = load_content(src, source);
      source.size = content->size;
      source.etag = content->etag;
      for (const char* a : {kManifestAttr, kSloAttr, kSloEtagAttr, kSloSizeAttr})
        source.attrs.erase(a);
    }
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
    archive_current(ctx_, dst, dst_object);
    ObjectInfo info =
        content ? copy_content(std::move(*content), source, dst_container, dst_object, options)
                : ctx_.store.copy_object(src, dst_container, dst_object, options);
    Response& resp = ctx_.resp;
    resp.set_header("ETag", info.etag);
    resp.set_header("Last-Modified", http::http_date((info.mtime_ns + 999999999) / 1000000000));
    resp.set_header("X-Copied-From", http::uri_encode(src_container + "/" + src_object, false));
    resp.set_header("X-Copied-From-Last-Modified",
                    http::http_date((source.mtime_ns + 999999999) / 1000000000));
    resp.set_body(201, "", "text/html; charset=UTF-8");
  }

 private:
  LargeObject load_content(const ObjectRef& src, const ObjectInfo& info) {
    LargeObject object;
    if (info.attrs.count(kSloAttr)) {
      if (info.size > kMaxSloManifestSize) fail(-EIO, "static large object manifest too large");
      object = load_slo(read_whole(ctx_.store, src, info));
    } else {
      const std::string& value = info.attrs.at(kManifestAttr);
      std::string container, prefix;
      parse_manifest(value, container, prefix);
      authorize_container(ctx_, container, Need::read);
      object = load_dlo(ctx_.store, value);
    }
    for (const auto& s : object.segments) authorize_container(ctx_, s.container, Need::read);
    if (object.size > ctx_.gw.config().max_object_size) throw_swift(413);
    return object;
  }

  // The segments' bytes, streamed through one buffer into a new object.
  ObjectInfo copy_content(LargeObject object, const ObjectInfo& view, const std::string& container,
                          const std::string& key, const CopyOptions& options) {
    uint64_t size = object.size;
    auto reader = open_large_object_reader(ctx_.store, std::move(object), view, 0, size);
    auto writer = ctx_.store.open_writer(container, key);
    std::string buf(std::max<uint64_t>(ctx_.gw.config().buffer_size, 4096), '\0');
    for (size_t n; (n = reader->read(&buf[0], buf.size())) > 0;) writer->write(buf.data(), n);
    if (writer->bytes_written() != size) fail(-EIO, "large object changed while copied");
    WriteOptions write;
    write.attrs = options.attrs.value_or(view.attrs);
    write.delete_at = options.delete_at.value_or(0);
    return writer->commit(write);
  }
};

}  // namespace

std::unique_ptr<Op> make_object_op(Context& ctx) {
  if (is_formpost(ctx)) return make_formpost_op(ctx);
  const std::string& m = ctx.req.method;
  const std::string* mm = ctx.req.query_param("multipart-manifest");
  if (m == "PUT" && mm && *mm == "put") return std::make_unique<PutSloManifest>(ctx);
  if (m == "DELETE" && mm && *mm == "delete") return std::make_unique<DeleteSlo>(ctx);
  if (m == "PUT" && ctx.req.header("x-copy-from")) return std::make_unique<CopyObject>(ctx);
  if (m == "PUT") return std::make_unique<PutObject>(ctx);
  if (m == "GET" || m == "HEAD") return std::make_unique<GetObject>(ctx);
  if (m == "POST") return std::make_unique<PostObject>(ctx);
  if (m == "DELETE") return std::make_unique<DeleteObject>(ctx);
  if (m == "COPY") return std::make_unique<CopyObject>(ctx);
  method_not_allowed(ctx, "COPY, DELETE, GET, HEAD, POST, PUT");
}

}  // namespace rgw::swift
