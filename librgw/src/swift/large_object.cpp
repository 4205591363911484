// large_object.cpp - reading large objects, listing DLO segments (see
// large_object.h).
#include "swift/large_object.h"

#include <cerrno>

#include "errors.h"
#include "http/request.h"
#include "swift/swift_error.h"
#include "util.h"

namespace rgw::swift {

namespace {

class LargeObjectReader : public ObjectReader {
 public:
  LargeObjectReader(Store& store, LargeObject dlo, ObjectInfo info, uint64_t offset,
                    uint64_t length)
      : store_(store), dlo_(std::move(dlo)), info_(std::move(info)), remaining_(length) {
    // The segment holding `offset`, and where in it.
    while (index_ < dlo_.segments.size() && offset >= dlo_.segments[index_].size) {
      offset -= dlo_.segments[index_].size;
      ++index_;
    }
    skip_ = offset;
  }

  const ObjectInfo& info() const override { return info_; }
  uint64_t remaining() const override { return remaining_; }

  size_t read(char* buf, size_t len) override {
    size_t done = 0;
    while (done < len && remaining_ > 0) {
      if (!reader_) {
        if (index_ >= dlo_.segments.size()) fail(-EIO, "large object segments ran out");
        const Segment& seg = dlo_.segments[index_];
        uint64_t want = std::min<uint64_t>(seg.size - skip_, remaining_);
        reader_ = store_.open_reader(ObjectRef{seg.container, seg.key, ""},
                                     ReadOptions{skip_, static_cast<int64_t>(want)});
        if (reader_->info().size != seg.size || reader_->remaining() != want)
          fail(-EIO, "large object segment changed while read: " + seg.key);
        skip_ = 0;
        ++index_;
      }
      size_t n = reader_->read(buf + done, std::min<uint64_t>(len - done, remaining_));
      if (n == 0) {
        if (reader_->remaining() != 0) fail(-EIO, "short read of a large object segment");
        reader_.reset();
        continue;
      }
      done += n;
      remaining_ -= n;
      if (reader_->remaining() == 0) reader_.reset();
    }
    return done;
  }

 private:
  Store& store_;
  LargeObject dlo_;
  ObjectInfo info_;
  uint64_t remaining_;
  size_t index_ = 0;
  uint64_t skip_ = 0;
  std::unique_ptr<ObjectReader> reader_;
};

}  // namespace

void parse_manifest(const std::string& value, std::string& container, std::string& prefix) {
  size_t slash = value.find('/');
  if (slash == std::string::npos || slash == 0)
    throw_swift(400, "X-Object-Manifest must be in the format container/prefix");
  if (!http::percent_decode(value.substr(0, slash), container) ||
      !http::percent_decode(value.substr(slash + 1), prefix))
    throw_swift(400, "X-Object-Manifest must be in the format container/prefix");
}

LargeObject load_dlo(Store& store, const std::string& manifest_value) {
  LargeObject dlo;
  std::string container, prefix;
  parse_manifest(manifest_value, container, prefix);
  ListParams params;
  params.prefix = prefix;
  for (;;) {
    ListResult page = store.list_objects(container, params);
    for (const auto& o : page.objects) {
      if (dlo.segments.size() >= kMaxDloSegments)
        throw_swift(409, "Too many segments in the large object");
      dlo.segments.push_back({container, o.key, o.size, o.etag});
      dlo.size += o.size;
    }
    if (!page.truncated || page.objects.empty()) break;
    params.marker = page.objects.back().key;
  }
  dlo.etag = segments_etag(dlo.segments);
  return dlo;
}

std::string segments_etag(const std::vector<Segment>& segments) {
  Md5 md5;
  for (const auto& s : segments) md5.update(s.etag.data(), s.etag.size());
  return md5.hex_digest();
}

std::unique_ptr<ObjectReader> open_large_object_reader(Store& store, LargeObject object,
                                                       const ObjectInfo& manifest, uint64_t offset,
                                                       uint64_t length) {
  return std::make_unique<LargeObjectReader>(store, std::move(object), manifest, offset, length);
}

}  // namespace rgw::swift
