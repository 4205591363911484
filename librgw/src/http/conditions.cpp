// conditions.cpp - If-* evaluation (RFC 9110 order) and Range parsing.
#include "http/conditions.h"

#include "http/date.h"

namespace rgw::http {

namespace {

// Whether an If-Match/If-None-Match list names the etag ("*" names any).
bool etag_listed(const std::string& list, const std::string& etag) {
  size_t pos = 0;
  while (pos < list.size()) {
    size_t comma = list.find(',', pos);
    if (comma == std::string::npos) comma = list.size();
    std::string item = list.substr(pos, comma - pos);
    pos = comma + 1;
    size_t b = item.find_first_not_of(" \t");
    if (b == std::string::npos) continue;
    item = item.substr(b, item.find_last_not_of(" \t") - b + 1);
    if (item == "*") return true;
    if (item.compare(0, 2, "W/") == 0) item = item.substr(2);
    if (item.size() >= 2 && item.front() == '"' && item.back() == '"')
      item = item.substr(1, item.size() - 2);
    if (item == etag) return true;
  }
  return false;
}

bool parse_u64(const std::string& s, size_t b, size_t e, uint64_t* out) {
  return b < e && http::parse_decimal(std::string_view(s).substr(b, e - b), out);
}

}  // namespace

int evaluate_conditions(const http::Request& req, const ObjectInfo& info,
                        const std::string& prefix) {
  const bool copy = !prefix.empty();
  const int not_modified = copy ? 412 : 304;
  int64_t mtime = info.mtime_ns / 1000000000;
  const std::string* im = req.header(prefix + "if-match");
  const std::string* ius = req.header(prefix + "if-unmodified-since");
  const std::string* inm = req.header(prefix + "if-none-match");
  const std::string* ims = req.header(prefix + "if-modified-since");
  int64_t t;
  if (im) {
    if (!etag_listed(*im, info.etag)) return 412;
  } else if (ius && parse_http_date(*ius, &t) && mtime > t) {
    return 412;
  }
  if (inm) {
    if (etag_listed(*inm, info.etag)) return not_modified;
  } else if (ims && parse_http_date(*ims, &t) && mtime <= t) {
    return not_modified;
  }
  return 0;
}

ByteRange parse_range(const std::string* header) {
  ByteRange r;
  if (!header) return r;
  const std::string& h = *header;
  if (h.compare(0, 6, "bytes=") != 0 || h.find(',') != std::string::npos) return r;
  size_t dash = h.find('-', 6);
  if (dash == std::string::npos) return r;
  uint64_t a, b;
  if (dash == 6) {
    if (!parse_u64(h, 7, h.size(), &b)) return r;
    r.kind = ByteRange::Kind::suffix;
    r.last = b;
    return r;
  }
  if (!parse_u64(h, 6, dash, &a)) return r;
  if (dash + 1 == h.size()) {
    r.kind = ByteRange::Kind::from;
    r.first = a;
    return r;
  }
  if (!parse_u64(h, dash + 1, h.size(), &b) || b < a) return r;
  r.kind = ByteRange::Kind::from_to;
  r.first = a;
  r.last = b;
  return r;
}

std::vector<ByteRange> parse_ranges(const std::string* header, size_t max) {
  std::vector<ByteRange> out;
  if (!header || header->compare(0, 6, "bytes=") != 0) return out;
  size_t start = 6;
  for (;;) {
    size_t comma = header->find(',', start);
    std::string spec =
        header->substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t a = spec.find_first_not_of(" \t"), b = spec.find_last_not_of(" \t");
    spec = a == std::string::npos ? "" : spec.substr(a, b - a + 1);
    std::string one = "bytes=" + spec;
    ByteRange r = parse_range(&one);
    if (r.kind == ByteRange::Kind::none || out.size() == max) return {};
    out.push_back(r);
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

bool resolve_range(const ByteRange& range, uint64_t size, uint64_t* offset, uint64_t* length) {
  switch (range.kind) {
    case ByteRange::Kind::none:
      *offset = 0;
      *length = size;
      return true;
    case ByteRange::Kind::suffix:
      if (range.last == 0 || size == 0) return false;
      *length = range.last < size ? range.last : size;
      *offset = size - *length;
      return true;
    case ByteRange::Kind::from:
      if (range.first >= size) return false;
      *offset = range.first;
      *length = size - range.first;
      return true;
    case ByteRange::Kind::from_to:
      if (range.first >= size) return false;
      *offset = range.first;
      *length = (range.last < size ? range.last + 1 : size) - range.first;
      return true;
  }
  return false;
}

}  // namespace rgw::http
