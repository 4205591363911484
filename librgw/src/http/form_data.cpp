// form_data.cpp - streaming multipart/form-data (see form_data.h).
#include "http/form_data.h"

#include "http/error.h"

namespace rgw::http {

namespace {

[[noreturn]] void malformed(const std::string& why) {
  throw Error(400, "MalformedPOSTRequest",
              "The body of your POST request is not well-formed multipart/form-data: " + why);
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return s;
}

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

// The value of parameter `name` in a header value ("form-data; name="x"").
bool param(const std::string& value, const std::string& name, std::string* out) {
  size_t pos = value.find(';');
  while (pos != std::string::npos) {
    size_t start = value.find_first_not_of(" \t", pos + 1);
    if (start == std::string::npos) return false;
    size_t eq = value.find('=', start);
    if (eq == std::string::npos) return false;
    std::string key = lower(trim(value.substr(start, eq - start)));
    size_t v = eq + 1;
    std::string text;
    if (v < value.size() && value[v] == '"') {
      size_t i = v + 1;
      for (; i < value.size() && value[i] != '"'; ++i) {
        if (value[i] == '\\' && i + 1 < value.size()) ++i;
        text.push_back(value[i]);
      }
      pos = value.find(';', i);
    } else {
      pos = value.find(';', v);
      text = trim(value.substr(v, pos == std::string::npos ? std::string::npos : pos - v));
    }
    if (key == name) {
      *out = text;
      return true;
    }
  }
  return false;
}

}  // namespace

bool FormDataParser::boundary_of(const std::string& content_type, std::string* boundary) {
  std::string type = lower(trim(content_type.substr(0, content_type.find(';'))));
  if (type != "multipart/form-data") return false;
  std::string b;
  if (!param(content_type, "boundary", &b) || b.empty() || b.size() > 70) return false;
  *boundary = b;
  return true;
}

FormDataParser::FormDataParser(const std::string& boundary, Handler& handler,
                               size_t max_header_bytes)
    : delimiter_("\r\n--" + boundary), handler_(handler), max_header_bytes_(max_header_bytes) {
  buf_ = "\r\n";  // the first delimiter may open the body: as if after a line
}

void FormDataParser::feed(const char* data, size_t len) {
  if (state_ == State::done) return;  // the epilogue is ignored
  buf_.append(data, len);
  run();
}

void FormDataParser::finish() {
  if (state_ != State::done) malformed("the closing boundary is missing");
}

void FormDataParser::run() {
  for (;;) {
    switch (state_) {
      case State::preamble: {
        size_t at = buf_.find(delimiter_);
        if (at == std::string::npos) {
          if (buf_.size() >= delimiter_.size())  // keep what may start a delimiter
            buf_.erase(0, buf_.size() - (delimiter_.size() - 1));
          if (buf_.size() > 4096 + delimiter_.size()) malformed("no boundary");
          return;
        }
        buf_.erase(0, at + delimiter_.size());
        state_ = State::after_delimiter;
        break;
      }
      case State::after_delimiter: {
        if (buf_.size() < 2) return;
        if (buf_.compare(0, 2, "--") == 0) {
          state_ = State::done;
          buf_.clear();
          return;
        }
        // Transport padding (spaces, tabs) may precede the line end.
        size_t eol = buf_.find("\r\n");
        if (eol == std::string::npos) {
          size_t other = buf_.find_first_not_of(" \t");
          if (other != std::string::npos && !(other + 1 == buf_.size() && buf_[other] == '\r'))
            malformed("bad boundary line");
          if (buf_.size() > 256) malformed("bad boundary line");
          return;
        }
        if (buf_.find_first_not_of(" \t") < eol) malformed("bad boundary line");
        buf_.erase(0, eol + 2);
        state_ = State::headers;
        break;
      }
      case State::headers: {
        size_t end = buf_.find("\r\n\r\n");
        if (buf_.compare(0, 2, "\r\n") == 0) end = 0;  // a part without headers
        if (end == std::string::npos) {
          if (buf_.size() > max_header_bytes_) malformed("part headers too large");
          return;
        }
        if (end > max_header_bytes_) malformed("part headers too large");
        std::string block = buf_.substr(0, end);
        buf_.erase(0, end == 0 ? 2 : end + 4);
        parse_headers(block);
        state_ = State::body;
        break;
      }
      case State::body: {
        size_t at = buf_.find(delimiter_);
        if (at == std::string::npos) {
          if (buf_.size() >= delimiter_.size()) {
            size_t safe = buf_.size() - (delimiter_.size() - 1);
            handler_.part_data(buf_.data(), safe);
            buf_.erase(0, safe);
          }
          return;
        }
        if (at) handler_.part_data(buf_.data(), at);
        buf_.erase(0, at + delimiter_.size());
        handler_.part_end();
        state_ = State::after_delimiter;
        break;
      }
      case State::done: return;
    }
  }
}

void FormDataParser::parse_headers(const std::string& block) {
  Part part;
  bool disposition = false;
  size_t start = 0;
  while (start < block.size()) {
    size_t eol = block.find("\r\n", start);
    if (eol == std::string::npos) eol = block.size();
    std::string line = block.substr(start, eol - start);
    start = eol + 2;
    size_t colon = line.find(':');
    if (colon == std::string::npos) malformed("bad part header");
    std::string name = lower(trim(line.substr(0, colon)));
    std::string value = trim(line.substr(colon + 1));
    if (name == "content-disposition") {
      if (lower(trim(value.substr(0, value.find(';')))) != "form-data")
        malformed("a part is not form-data");
      if (!param(value, "name", &part.name)) malformed("a part has no name");
      part.has_filename = param(value, "filename", &part.filename);
      disposition = true;
    } else if (name == "content-type") {
      part.content_type = value;
    }
  }
  if (!disposition) malformed("a part has no Content-Disposition");
  handler_.part_begin(part);
}

}  // namespace rgw::http
