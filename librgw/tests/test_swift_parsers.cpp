// test_swift_parsers.cpp - unit tests of the parsers browser and Swift
// uploads go through: multipart/form-data (fed whole and one byte at a
// time: the parts must not depend on how the body is cut), the JSON reader
// of SLO manifests (hostile inputs included), and HTTP multi-range headers.
#include <string>
#include <vector>

#include "check.hpp"
#include "http/conditions.h"
#include "http/error.h"
#include "http/form_data.h"
#include "json.h"

using namespace rgw;

namespace {

struct Collect : http::FormDataParser::Handler {
  std::vector<std::string> log;
  void part_begin(const http::FormDataParser::Part& p) override {
    log.push_back("begin " + p.name + (p.has_filename ? " file=" + p.filename : "") +
                  " ct=" + p.content_type);
    log.push_back("");
  }
  void part_data(const char* d, size_t n) override { log.back().append(d, n); }
  void part_end() override { log.push_back("end"); }
};

// The log of parsing body in pieces of `step` bytes (0: whole); "ERROR" if refused.
std::vector<std::string> parse(const std::string& boundary, const std::string& body, size_t step) {
  Collect c;
  try {
    http::FormDataParser p(boundary, c, 256);
    if (step == 0) {
      p.feed(body.data(), body.size());
    } else {
      for (size_t i = 0; i < body.size(); i += step)
        p.feed(body.data() + i, std::min(step, body.size() - i));
    }
    p.finish();
  } catch (const http::Error& e) {
    c.log.push_back("ERROR " + std::to_string(e.status()));
  }
  // Data pieces were appended to one entry each: the log does not depend on cuts.
  return c.log;
}

void test_form_data() {
  const std::string body =
      "preamble to ignore\r\n"
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"expires\"\r\n\r\n"
      "1700000000\r\n"
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".txt\"\r\n"
      "Content-Type: text/plain\r\n\r\n"
      "line one\r\n-XyZ, --XyZ mid-line\r\n\r\n-\r\n--Xy\r\n"
      "--XyZ  \r\n"
      "Content-Disposition: form-data; name=empty\r\n\r\n"
      "\r\n"
      "--XyZ--\r\nepilogue";
  std::vector<std::string> want = {"begin expires ct=",
                                   "1700000000",
                                   "end",
                                   "begin file file=a \"b\".txt ct=text/plain",
                                   "line one\r\n-XyZ, --XyZ mid-line\r\n\r\n-\r\n--Xy",
                                   "end",
                                   "begin empty ct=",
                                   "",
                                   "end"};
  for (size_t step : {0, 1, 2, 3, 7, 64}) CHECK(parse("XyZ", body, step) == want);
  // The body may open with the boundary itself.
  CHECK(parse("b", "--b\r\nContent-Disposition: form-data; name=x\r\n\r\nv\r\n--b--", 1) ==
        std::vector<std::string>({"begin x ct=", "v", "end"}));
  // Refused: no closing boundary, no boundary at all, headers too large, a
  // part that is not form-data or has no name.
  CHECK(parse("b", "--b\r\nContent-Disposition: form-data; name=x\r\n\r\nv", 0).back() ==
        "ERROR 400");
  CHECK(parse("b", std::string(10000, 'x'), 100).back() == "ERROR 400");
  CHECK(parse("b", "--b\r\nX: " + std::string(300, 'h') + "\r\n\r\nv\r\n--b--", 5).back() ==
        "ERROR 400");
  CHECK(parse("b", "--b\r\nContent-Disposition: attachment; name=x\r\n\r\nv\r\n--b--", 0).back() ==
        "ERROR 400");
  CHECK(parse("b", "--b\r\nContent-Disposition: form-data\r\n\r\nv\r\n--b--", 0).back() ==
        "ERROR 400");
  std::string b;
  CHECK(http::FormDataParser::boundary_of("multipart/form-data; boundary=abc", &b) && b == "abc");
  CHECK(http::FormDataParser::boundary_of("Multipart/Form-Data;boundary=\"a b\"", &b) &&
        b == "a b");
  CHECK(!http::FormDataParser::boundary_of("multipart/mixed; boundary=abc", &b));
  CHECK(!http::FormDataParser::boundary_of("multipart/form-data", &b));
  CHECK(!http::FormDataParser::boundary_of("multipart/form-data; boundary=" + std::string(71, 'a'),
                                           &b));
}

void test_json() {
  Json j;
  std::string err;
  CHECK(parse_json(
      R"( [{"path": "/c/o\u00e9\ud83d\ude00", "etag": null, "size_bytes": 10}, true, -1.5e3] )", &j,
      &err));
  CHECK(j.type == Json::Type::array && j.items.size() == 3);
  CHECK_EQ(j.items[0].get("path")->text, std::string("/c/o\xc3\xa9\xf0\x9f\x98\x80"));
  uint64_t n = 0;
  CHECK(j.items[0].get("size_bytes")->as_uint(&n) && n == 10);
  CHECK(j.items[0].get("etag")->type == Json::Type::null);
  CHECK(!j.items[2].as_uint(&n) && j.items[2].number == -1500);
  for (const char* bad : {"", "[", "[1,]", "{\"a\" 1}", "01", "\"\\ud800\"", "\"a\nb\"", "[1] x",
                          "nul", "{\"a\":1,}", "\"\\x\"", "1.", "-"})
    CHECK(!parse_json(bad, &j, &err));
  std::string deep(100, '[');
  deep += std::string(100, ']');
  CHECK(!parse_json(deep, &j, &err, 16));
  CHECK(parse_json("[[[]]]", &j, &err, 3));
}

void test_ranges() {
  std::string h = "bytes=0-9, 20-,-5";
  auto r = http::parse_ranges(&h, 50);
  CHECK(r.size() == 3 && r[0].kind == http::ByteRange::Kind::from_to &&
        r[1].kind == http::ByteRange::Kind::from && r[2].kind == http::ByteRange::Kind::suffix);
  for (std::string bad : {"bytes=0-9,x", "bytes=", "items=0-1,2-3", "bytes=5-1,0-1"})
    CHECK(http::parse_ranges(&bad, 50).empty());
  std::string many = "bytes=0-0,1-1,2-2";
  CHECK(http::parse_ranges(&many, 2).empty());
}

}  // namespace

int main() {
  test_form_data();
  test_json();
  test_ranges();
  return check::report();
}
