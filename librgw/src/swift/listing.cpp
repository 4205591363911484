// listing.cpp - listing formats and parameters (see listing.h).
#include "swift/listing.h"

#include <cstdio>

#include "swift/op.h"
#include "swift/swift_error.h"
#include "xml.h"

namespace rgw::swift {

Format listing_format(const http::Request& req) {
  if (const std::string* f = req.query_param("format")) {
    if (*f == "json") return Format::json;
    if (*f == "xml") return Format::xml;
    return Format::text;
  }
  if (const std::string* accept = req.header("accept")) {
    if (accept->find("application/json") != std::string::npos) return Format::json;
    if (accept->find("application/xml") != std::string::npos ||
        accept->find("text/xml") != std::string::npos)
      return Format::xml;
  }
  return Format::text;
}

const char* listing_content_type(Format format) {
  switch (format) {
    case Format::json: return "application/json; charset=utf-8";
    case Format::xml: return "application/xml; charset=utf-8";
    default: return "text/plain; charset=utf-8";
  }
}

ListingQuery listing_query(const http::Request& req) {
  ListingQuery q;
  if (const std::string* limit = req.query_param("limit")) {
    uint64_t n = 0;
    if (!http::parse_decimal(*limit, &n))
      throw_swift(412, "Value of limit must be a positive integer");
    if (n > kListingLimit) throw_swift(412, "Maximum limit is " + std::to_string(kListingLimit));
    q.limit = static_cast<unsigned>(n);
  }
  if (const std::string* v = req.query_param("marker")) q.marker = *v;
  if (const std::string* v = req.query_param("end_marker")) q.end_marker = *v;
  if (const std::string* v = req.query_param("prefix")) q.prefix = *v;
  if (const std::string* v = req.query_param("delimiter")) {
    if (v->size() > 1) throw_swift(412, "Bad delimiter");
    q.delimiter = *v;
  }
  if (const std::string* v = req.query_param("reverse"))
    q.reverse = *v == "true" || *v == "yes" || *v == "1" || *v == "on" || *v == "True";
  return q;
}

std::string delete_report_body(const DeleteReport& report, Format format) {
  const std::string status = report.errors.empty() ? "200 OK" : "400 Bad Request";
  if (format == Format::json) {
    std::string errors;
    for (const auto& e : report.errors)
      errors += (errors.empty() ? "[" : ", [") + json_string(e.first) + ", " +
                json_string(e.second) + "]";
    return "{\"Number Deleted\": " + std::to_string(report.deleted) +
           ", \"Number Not Found\": " + std::to_string(report.not_found) +
           ", \"Response Body\": \"\", \"Response Status\": \"" + status + "\", \"Errors\": [" +
           errors + "]}";
  }
  if (format == Format::xml) {
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<delete><number_deleted>" +
                      std::to_string(report.deleted) + "</number_deleted><number_not_found>" +
                      std::to_string(report.not_found) +
                      "</number_not_found><response_body></response_body><response_status>" +
                      status + "</response_status><errors>";
    for (const auto& e : report.errors)
      out += "<object><name>" + xml_escape(e.first) + "</name><status>" + xml_escape(e.second) +
             "</status></object>";
    return out + "</errors></delete>";
  }
  std::string out = "Number Deleted: " + std::to_string(report.deleted) +
                    "\nNumber Not Found: " + std::to_string(report.not_found) +
                    "\nResponse Body: \nResponse Status: " + status + "\nErrors: \n";
  for (const auto& e : report.errors) out += e.first + ", " + e.second + "\n";
  return out;
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

}  // namespace rgw::swift
