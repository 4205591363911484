// validate.cpp - names the store accepts.  These rules keep the store safe
// (no NUL, no path separators in bucket names, valid UTF-8); the protocol
// layers add their own stricter naming rules on top.
#include <cstdint>
#include <string>
#include <utility>

#include "errors.h"
#include "model.h"

namespace rgw {
namespace {

bool valid_utf8(const std::string& s) {
  size_t i = 0, n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      len = 1;
      cp = c;
    } else if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07;
    } else
      return false;
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += len;
  }
  return true;
}

}  // namespace

void validate_object_key(const std::string& key) {
  if (key.empty()) fail(RGW_ERR_INVALID_KEY, "object key is empty");
  if (key.size() > 1024)
    fail(RGW_ERR_INVALID_KEY,
         "object key is longer than 1024 bytes (" + std::to_string(key.size()) + ")");
  if (key.find('\0') != std::string::npos) fail(RGW_ERR_INVALID_KEY, "object key contains NUL");
  if (!valid_utf8(key)) fail(RGW_ERR_INVALID_KEY, "object key is not valid UTF-8");
}

void validate_list_params(const ListParams& p) {
  const std::pair<const std::string*, const char*> fields[] = {
      {&p.prefix, "prefix"},
      {&p.delimiter, "delimiter"},
      {&p.marker, "marker"},
      {&p.end_marker, "end marker"},
      {&p.version_marker, "version marker"}};
  for (const auto& [field, what] : fields) {
    if (field->size() > 1024)
      fail(RGW_ERR_INVALID_ARGUMENT, std::string("listing ") + what + " is longer than 1024 bytes");
    if (field->find('\0') != std::string::npos)
      fail(RGW_ERR_INVALID_ARGUMENT, std::string("listing ") + what + " contains NUL");
    if (!valid_utf8(*field))
      fail(RGW_ERR_INVALID_ARGUMENT, std::string("listing ") + what + " is not valid UTF-8");
  }
}

void validate_bucket_name(const std::string& name) {
  // Swift's container names (1 to 255 bytes); S3 checks its own stricter rules.
  if (name.empty() || name.size() > 255)
    fail(RGW_ERR_INVALID_BUCKET_NAME, "bucket name must be 1 to 255 bytes long: '" + name + "'");
  if (name == "." || name == "..")
    fail(RGW_ERR_INVALID_BUCKET_NAME, "bucket name must not be '.' or '..'");
  if (!valid_utf8(name)) fail(RGW_ERR_INVALID_BUCKET_NAME, "bucket name is not valid UTF-8");
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f || c == '/')
      fail(RGW_ERR_INVALID_BUCKET_NAME,
           "bucket name contains '/' or a control character: '" + name + "'");
  }
}

void validate_uid(const std::string& uid) {
  if (uid.empty() || uid.size() > 255)
    fail(RGW_ERR_INVALID_ARGUMENT, "user id must be 1 to 255 characters long");
  for (unsigned char c : uid) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-' || c == '@' || c == '+';
    if (!ok)
      fail(RGW_ERR_INVALID_ARGUMENT,
           "user id may contain only letters, digits and . _ - @ +: '" + uid + "'");
  }
}

void validate_part_number(int number) {
  if (number < 1 || number > kMaxPartNumber)
    fail(RGW_ERR_INVALID_ARGUMENT, "part number " + std::to_string(number) + " is outside 1.." +
                                       std::to_string(kMaxPartNumber));
}

std::vector<std::pair<int, std::string>> checked_completion_parts(
    const std::vector<std::pair<int, std::string>>& parts) {
  if (parts.empty())
    fail(RGW_ERR_INVALID_PART, "a multipart upload completes with at least one part");
  std::vector<std::pair<int, std::string>> out;
  out.reserve(parts.size());
  int last = 0;
  for (const auto& [n, etag] : parts) {
    if (n < 1 || n > kMaxPartNumber)
      fail(RGW_ERR_INVALID_PART, "part number " + std::to_string(n) + " does not exist");
    if (n <= last) fail(RGW_ERR_INVALID_PART, "parts must be listed in ascending order, once each");
    last = n;
    std::string e = etag;
    if (e.size() >= 2 && e.front() == '"' && e.back() == '"') e = e.substr(1, e.size() - 2);
    out.emplace_back(n, std::move(e));
  }
  return out;
}

}  // namespace rgw
