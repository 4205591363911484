// byteranges.cpp - multipart/byteranges bodies (see byteranges.h).
#include "swift/byteranges.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "errors.h"
#include "util.h"

namespace rgw::swift {

namespace {

class ByterangesReader : public ObjectReader {
 public:
  ByterangesReader(const ObjectInfo& info, std::vector<Span> spans, uint64_t size,
                   const std::string& content_type, const std::string& boundary, SpanOpener open)
      : info_(info), spans_(std::move(spans)), open_(std::move(open)) {
    for (size_t i = 0; i < spans_.size(); ++i) {
      const Span& s = spans_[i];
      pieces_.push_back({(i ? "\r\n--" : "--") + boundary + "\r\nContent-Type: " + content_type +
                             "\r\nContent-Range: bytes " + std::to_string(s.offset) + "-" +
                             std::to_string(s.offset + s.length - 1) + "/" + std::to_string(size) +
                             "\r\n\r\n",
                         -1});
      pieces_.push_back({"", static_cast<int>(i)});
    }
    pieces_.push_back({"\r\n--" + boundary + "--", -1});
    for (const auto& p : pieces_) remaining_ += p.span < 0 ? p.text.size() : spans_[p.span].length;
  }

  const ObjectInfo& info() const override { return info_; }
  uint64_t remaining() const override { return remaining_; }

  size_t read(char* buf, size_t len) override {
    size_t done = 0;
    while (done < len && piece_ < pieces_.size()) {
      const Piece& p = pieces_[piece_];
      size_t n = 0;
      if (p.span < 0) {
        n = std::min(len - done, p.text.size() - pos_);
        std::memcpy(buf + done, p.text.data() + pos_, n);
        pos_ += n;
        if (pos_ == p.text.size()) next();
      } else {
        const Span& s = spans_[p.span];
        if (!reader_) {
          reader_ = open_(s.offset, s.length);
          if (reader_->remaining() != s.length) fail(-EIO, "object changed while read");
        }
        n = reader_->read(buf + done, len - done);
        if (n == 0) {
          if (reader_->remaining()) fail(-EIO, "short read");
          reader_.reset();
          next();
          continue;
        }
        if (reader_->remaining() == 0) {
          reader_.reset();
          next();
        }
      }
      done += n;
      remaining_ -= n;
    }
    return done;
  }

 private:
  struct Piece {
    std::string text;  // framing, when span < 0
    int span;          // index into spans_
  };
  void next() {
    ++piece_;
    pos_ = 0;
  }

  ObjectInfo info_;
  std::vector<Span> spans_;
  SpanOpener open_;
  std::vector<Piece> pieces_;
  size_t piece_ = 0, pos_ = 0;
  uint64_t remaining_ = 0;
  std::unique_ptr<ObjectReader> reader_;
};

}  // namespace

std::string new_boundary() { return "librgw" + random_hex(16); }

std::unique_ptr<ObjectReader> open_byteranges_reader(const ObjectInfo& info,
                                                     std::vector<Span> spans, uint64_t size,
                                                     const std::string& content_type,
                                                     const std::string& boundary, SpanOpener open) {
  return std::make_unique<ByterangesReader>(info, std::move(spans), size, content_type, boundary,
                                            std::move(open));
}

}  // namespace rgw::swift
