// metadata.cpp - Swift metadata headers and timestamps (see metadata.h).
#include "swift/metadata.h"

#include <cstdio>
#include <ctime>

#include "swift/op.h"
#include "swift/swift_error.h"

namespace rgw::swift {

namespace {

std::string title_case(const std::string& name) {
  std::string out = name;
  bool start = true;
  for (char& c : out) {
    if (start && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    start = c == '-';
  }
  return out;
}

}  // namespace

void apply_meta_headers(const http::Request& req, const std::string& kind, Attrs& attrs) {
  const std::string set_prefix = "x-" + kind + "-meta-";
  const std::string remove_prefix = "x-remove-" + kind + "-meta-";
  for (const auto& h : req.headers) {
    std::string name;
    bool remove = false;
    if (h.first.compare(0, set_prefix.size(), set_prefix) == 0) {
      name = h.first.substr(set_prefix.size());
      remove = h.second.empty();
    } else if (h.first.compare(0, remove_prefix.size(), remove_prefix) == 0) {
      name = h.first.substr(remove_prefix.size());
      remove = true;
    } else {
      continue;
    }
    if (name.empty()) throw_swift(400, "Metadata name cannot be empty");
    if (name.size() > kMaxMetaNameLength)
      throw_swift(400, "Metadata name too long; max " + std::to_string(kMaxMetaNameLength));
    if (h.second.size() > kMaxMetaValueLength)
      throw_swift(400, "Metadata value longer than " + std::to_string(kMaxMetaValueLength));
    if (!http::safe_header_value(h.second))
      throw_swift(400, "Metadata value has control characters");
    if (remove)
      attrs.erase(kMetaAttrPrefix + name);
    else
      attrs[kMetaAttrPrefix + name] = h.second;
  }
  size_t count = 0, size = 0;
  const std::string prefix = kMetaAttrPrefix;
  for (const auto& a : attrs) {
    if (a.first.compare(0, prefix.size(), prefix) != 0) continue;
    ++count;
    size += a.first.size() - prefix.size() + a.second.size();
  }
  if (count > kMaxMetaCount)
    throw_swift(400, "Too many metadata items; max " + std::to_string(kMaxMetaCount));
  if (size > kMaxMetaOverallSize)
    throw_swift(400, "Total metadata too large; max " + std::to_string(kMaxMetaOverallSize));
}

void meta_headers(http::Response& resp, const std::string& kind, const Attrs& attrs) {
  const std::string prefix = kMetaAttrPrefix;
  const std::string header = "X-" + title_case(kind) + "-Meta-";
  for (const auto& a : attrs)
    if (a.first.compare(0, prefix.size(), prefix) == 0 && http::safe_header_value(a.second))
      resp.set_header(header + title_case(a.first.substr(prefix.size())), a.second);
}

std::string x_timestamp(int64_t epoch_ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%05lld", static_cast<long long>(epoch_ns / 1000000000),
                static_cast<long long>((epoch_ns % 1000000000) / 10000));
  return buf;
}

std::string listing_time(int64_t epoch_ns) {
  time_t secs = static_cast<time_t>(epoch_ns / 1000000000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lld", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>((epoch_ns % 1000000000) / 1000));
  return buf;
}

}  // namespace rgw::swift
