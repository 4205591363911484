// test_s3_robustness.cpp - hostile and random input against the protocol
// layers: the XML reader, the aws-chunked decoder and the whole request
// driver for S3; tokens, temp URLs, ACLs, listings, large-object manifests
// and FormPOST bodies for Swift.
//
// Deterministic (seeded) random requests, signed correctly with SigV4 so
// that they reach every operation, with random methods, sub-resources,
// headers and bodies fed in random pieces.  Every request must end in a
// well-formed response (an HTTP status, a bounded body) with no exception
// escaping and, under `make test-sanitize`, no memory error.  Bodies that
// the server rejected must leave nothing behind.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "check.hpp"
#include "crypto.h"
#include "gateway/exchange.h"
#include "gateway/gateway.h"
#include "http/request.h"
#include "s3/auth.h"
#include "s3/auth_internal.h"
#include "s3/lifecycle.h"
#include "s3/s3_error.h"
#include "swift/tempurl.h"
#include "swift/token.h"
#include "util.h"
#include "xml.h"

using namespace rgw;
using namespace rgw::s3;

namespace {

std::mt19937_64 rng(20261126);

size_t pick(size_t n) { return static_cast<size_t>(rng() % n); }
template <typename T>
const T& pick(const std::vector<T>& v) {
  return v[pick(v.size())];
}

std::string random_bytes(size_t n) {
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

const std::vector<std::string> kInserts = {
    "<", "&", "&#x0;", "]]>", "<!DOCTYPE x>", "\r\n", "0;chunk-signature=", "ffffffffffffffff\r\n"};

// Mutates a document: flips, deletes, duplicates and inserts bytes.
std::string mutate(std::string s) {
  size_t edits = 1 + pick(4);
  for (size_t i = 0; i < edits && !s.empty(); ++i) {
    size_t at = pick(s.size());
    switch (pick(4)) {
      case 0: s[at] = static_cast<char>(rng()); break;
      case 1: s.erase(at, 1 + pick(8)); break;
      case 2: s.insert(at, s.substr(at, 1 + pick(16))); break;
      default: s.insert(at, pick(kInserts));
    }
  }
  return s;
}

// Responses whose body failed after the headers (counted, not errors).
int aborted_bodies = 0;

const std::vector<std::string> kXmlSeeds = {
    "<?xml version=\"1.0\"?><Delete><Quiet>true</Quiet><Object><Key>a&amp;b</Key></Object>"
    "<Object><Key>c</Key><VersionId>null</VersionId></Object></Delete>",
    "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"abc\"</ETag></Part>"
    "<Part><PartNumber>2</PartNumber><ETag>def</ETag></Part></CompleteMultipartUpload>",
    "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
    "<LocationConstraint>us-east-1</LocationConstraint></CreateBucketConfiguration>",
    "<a><![CDATA[x<y]]><!-- c --><b x='1' y=\"2\"/>&#233;&#x1F600;</a>",
    "<AccessControlPolicy><Owner><ID>fuzz</ID></Owner><AccessControlList><Grant><Grantee "
    "xsi:type=\"CanonicalUser\"><ID>fuzz</ID></Grantee><Permission>FULL_CONTROL</Permission>"
    "</Grant><Grant><Grantee><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI>"
    "</Grantee><Permission>READ</Permission></Grant><Grant><Grantee><EmailAddress>f@x"
    "</EmailAddress></Grantee><Permission>WRITE_ACP</Permission></Grant></AccessControlList>"
    "</AccessControlPolicy>",
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\","
    "\"Action\":[\"s3:GetObject\",\"s3:List*\"],\"Resource\":[\"arn:aws:s3:::bk1\","
    "\"arn:aws:s3:::bk1/*\"],\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"127.0.0.0/8\"},"
    "\"StringLike\":{\"s3:prefix\":[\"a*\",\"${aws:username}/*\"]}}},{\"Effect\":\"Deny\","
    "\"NotPrincipal\":{\"AWS\":\"arn:aws:iam::fuzz:root\"},\"NotAction\":\"s3:Get*\","
    "\"Resource\":\"arn:aws:s3:::bk1/*\"}]}",
    "<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>"
    "false</IgnorePublicAcls><RestrictPublicBuckets>TRUE</RestrictPublicBuckets>"
    "</PublicAccessBlockConfiguration>",
    "<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b</Key><Value></Value>"
    "</Tag></TagSet></Tagging>",
    "<LifecycleConfiguration><Rule><ID>logs</ID><Filter><Prefix>logs/</Prefix></Filter><Status>"
    "Enabled</Status><Expiration><Days>3</Days></Expiration></Rule><Rule><ID>all</ID><Filter>"
    "</Filter><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true"
    "</ExpiredObjectDeleteMarker></Expiration><AbortIncompleteMultipartUpload>"
    "<DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule><Rule>"
    "<Filter><And><Prefix>k</Prefix><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b</Key>"
    "<Value></Value></Tag><ObjectSizeGreaterThan>0</ObjectSizeGreaterThan><ObjectSizeLessThan>"
    "100</ObjectSizeLessThan></And></Filter><Status>Enabled</Status><Expiration><Date>"
    "2030-01-01T00:00:00.000Z</Date></Expiration><NoncurrentVersionExpiration><NoncurrentDays>5"
    "</NoncurrentDays><NewerNoncurrentVersions>2</NewerNoncurrentVersions>"
    "</NoncurrentVersionExpiration></Rule><Rule><ID>t</ID><Filter><Tag><Key>a</Key><Value>1"
    "</Value></Tag></Filter><Status>Disabled</Status><Expiration><Days>2</Days></Expiration>"
    "</Rule></LifecycleConfiguration>",
    "<LifecycleConfiguration><Rule><ID>v1</ID><Prefix>k</Prefix><Status>Enabled</Status>"
    "<Expiration><Days>1</Days></Expiration></Rule><Rule><Prefix>dir/</Prefix><Status>Enabled"
    "</Status><Expiration><Date>2031-06-01</Date></Expiration></Rule></LifecycleConfiguration>",
    "<CORSConfiguration><CORSRule><AllowedOrigin>https://*.example.com</AllowedOrigin>"
    "<AllowedMethod>GET</AllowedMethod><AllowedHeader>x-amz-*</AllowedHeader><ExposeHeader>ETag"
    "</ExposeHeader><MaxAgeSeconds>60</MaxAgeSeconds></CORSRule><CORSRule><AllowedOrigin>*"
    "</AllowedOrigin><AllowedMethod>HEAD</AllowedMethod></CORSRule></CORSConfiguration>",
    "--xx\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nup/${filename}\r\n--xx\r\n"
    "Content-Disposition: form-data; name=\"policy\"\r\n\r\neyJleHBpcmF0aW9uIjoiMjA5OS0wMS0wMVQw"
    "MDowMDowMFoiLCJjb25kaXRpb25zIjpbWyJzdGFydHMtd2l0aCIsIiRrZXkiLCJ1cC8iXV19\r\n--xx\r\n"
    "Content-Disposition: form-data; name=\"AWSAccessKeyId\"\r\n\r\nAKFUZZ\r\n--xx\r\n"
    "Content-Disposition: form-data; name=\"signature\"\r\n\r\nc2ln\r\n--xx\r\n"
    "Content-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhello\r\n"
    "--xx--\r\n",
};

void test_xml_reader() {
  for (int i = 0; i < 20000; ++i) {
    std::string doc = mutate(pick(kXmlSeeds));
    std::string err;
    auto tree = parse_xml(doc, &err);
    CHECK(tree != nullptr || !err.empty());
  }
  // Deep nesting is refused, not recursed into.
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "<a>";
  std::string err;
  CHECK(parse_xml(deep, &err) == nullptr);
}

// Lifecycle documents: every mutation either parses into a configuration
// whose normalized document parses into itself, or is refused with a 400;
// matching and expiry dates take any object.
void test_lifecycle_documents() {
  std::vector<std::string> seeds;
  for (const auto& s : kXmlSeeds)
    if (s.compare(0, 23, "<LifecycleConfiguration") == 0) seeds.push_back(s);
  CHECK(seeds.size() == 2);
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string doc = i % 10 ? mutate(pick(seeds)) : pick(seeds);
    try {
      LifecycleConfiguration config = parse_lifecycle(doc);
      std::string normal = lifecycle_document(config);
      CHECK(lifecycle_document(parse_lifecycle(normal)) == normal);
      ++accepted;
      const TagSet tags = {{"a", "1"}, {"b", ""}};
      for (const std::string key : {"", "k", "logs/x", "dir/k"}) {
        auto e = object_expiry(config, key, rng() % 200, tags, static_cast<int64_t>(rng() >> 1));
        if (e) expiration_header_value(*e);
      }
    } catch (const S3Error& e) {
      CHECK(e.status() == 400);
    }
  }
  CHECK(accepted > 1000);
}

// Whether `s` is UTF-8 whose every code point XML 1.0's Char production
// admits (what expat, boto3's parser, accepts as character data).
bool xml_chars_only(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    if (n == 0 || i + n > s.size()) return false;
    uint32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (size_t k = 1; k < n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = cp << 6 | (d & 0x3F);
    }
    const uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < least[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE ||
        cp == 0xFFFF || (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r'))
      return false;
    i += n;
  }
  return true;
}

void test_xml_writer() {
  // Whatever the bytes, the text written is XML 1.0 character data.
  for (int i = 0; i < 20000; ++i) {
    std::string text = random_bytes(pick(24));
    if (i % 2) text = "k\x01\x1f\xef\xbf\xbe\xed\xa0\x80\xc0\xaf" + text;
    XmlWriter x;
    x.open("Key").element("K", text).close("Key");
    const std::string doc = x.take();
    CHECK(xml_chars_only(doc));
    std::string err;
    CHECK(parse_xml(doc, &err) != nullptr);
  }
  // Valid text is kept exactly (entities are the reader's to undo).
  const std::string kept = "a&b<c>\"d'\t\r\n\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
  {
    XmlWriter x;
    x.element("K", kept);
    std::string err;
    auto tree = parse_xml(x.take(), &err);
    CHECK(tree && tree->text == kept);
  }
  // What XML 1.0 cannot hold becomes U+FFFD: each such character, and
  // each byte that is not well-formed UTF-8.
  CHECK(xml_escape_text(std::string("a\x01") + "b\x1f") ==
        std::string("a\xef\xbf\xbd") + "b\xef\xbf\xbd");
  CHECK(xml_escape_text("\xef\xbf\xbf|") == "\xef\xbf\xbd|");
  CHECK(xml_escape_text("\xc3(") == "\xef\xbf\xbd(");
  // Listings keep their keys as stored (they offer encoding-type=url).
  XmlWriter v(XmlWriter::Text::verbatim);
  v.element("K", "a\x01");
  CHECK(v.take().find("<K>a\x01</K>") != std::string::npos);
}

// --- SigV4 header signing (the client side, for the request tests) -------

struct Signer {
  std::string access_key, secret;
  // Headers to add for a request: Host, x-amz-date, x-amz-content-sha256,
  // Authorization over those and `extra` (signed too).
  std::vector<std::pair<std::string, std::string>> sign(
      const std::string& method, const http::Request& target,
      std::vector<std::pair<std::string, std::string>> extra, const std::string& payload) {
    std::string date = detail::format_amz_date(static_cast<int64_t>(std::time(nullptr)));
    extra.emplace_back("host", "127.0.0.1:8080");
    extra.emplace_back("x-amz-content-sha256", payload);
    extra.emplace_back("x-amz-date", date);
    std::sort(extra.begin(), extra.end());
    std::string signed_names, canonical_headers;
    for (const auto& h : extra) {
      canonical_headers += h.first + ":" + h.second + "\n";
      signed_names += (signed_names.empty() ? "" : ";") + h.first;
    }
    std::vector<std::pair<std::string, std::string>> q;
    for (const auto& p : target.query)
      q.emplace_back(http::uri_encode(p.first, true), http::uri_encode(p.second, true));
    std::sort(q.begin(), q.end());
    std::string cq;
    for (const auto& p : q) cq += (cq.empty() ? "" : "&") + p.first + "=" + p.second;
    std::string cr = method + "\n" + target.raw_path + "\n" + cq + "\n" + canonical_headers + "\n" +
                     signed_names + "\n" + payload;
    std::string scope = date.substr(0, 8) + "/us-east-1/s3/aws4_request";
    std::string sts = "AWS4-HMAC-SHA256\n" + date + "\n" + scope + "\n" + sha256_hex(cr);
    std::string key = detail::sigv4_signing_key(secret, date.substr(0, 8), "us-east-1", "s3");
    std::string sig = hex(hmac_sha256(key, sts));
    extra.emplace_back("authorization", "AWS4-HMAC-SHA256 Credential=" + access_key + "/" + scope +
                                            ", SignedHeaders=" + signed_names +
                                            ", Signature=" + sig);
    return extra;
  }
};

const std::vector<std::string> kMethods = {"GET",  "PUT",   "POST",   "DELETE",
                                           "HEAD", "PATCH", "OPTIONS"};
const std::vector<std::string> kSubresources = {"",
                                                "uploads",
                                                "delete",
                                                "acl",
                                                "location",
                                                "versioning",
                                                "versions",
                                                "list-type=2",
                                                "list-type=3",
                                                "policy",
                                                "policyStatus",
                                                "publicAccessBlock",
                                                "cors",
                                                "lifecycle",
                                                "tagging",
                                                "partNumber=1&uploadId=x",
                                                "uploadId=nope",
                                                "max-keys=2",
                                                "max-keys=-5",
                                                "max-keys=99999999999999999999",
                                                "prefix=a&delimiter=/",
                                                "encoding-type=url",
                                                "continuation-token=zz",
                                                "continuation-token=6162",
                                                "marker=%F0%9F%98%80",
                                                "response-content-type=a%0Db",
                                                "partNumber=0&uploadId=u",
                                                "partNumber=10001&uploadId=u",
                                                "versionId=7"};
const std::vector<std::string> kKeys = {
    "", "k", "dir/k", "%00", "a%2Fb", "%FF%FE", "..%2F..%2Fetc", "x%20y", std::string(1100, 'k')};
const std::vector<std::pair<std::string, std::vector<std::string>>> kHeaderChoices = {
    {"range",
     {"bytes=0-0", "bytes=-1", "bytes=5-", "bytes=9-2", "bytes=0-1,3-4", "bytes=x", "lines=1-2",
      "bytes=18446744073709551615-"}},
    {"if-match", {"*", "\"abc\"", "W/\"x\", \"y\"", ""}},
    {"if-none-match", {"*", "\"abc\""}},
    {"if-modified-since",
     {"Sun, 06 Nov 1994 08:49:37 GMT", "garbage", "Sunday, 06-Nov-94 08:49:37 GMT"}},
    {"x-amz-copy-source",
     {"/bk1/k", "bk1/k", "nobucket", "/", "%ZZ", "bk1/k?versionId=3", "bk1/%FF"}},
    {"x-amz-copy-source-range", {"bytes=0-0", "bytes=1-0", "bytes=0-99999999"}},
    {"x-amz-metadata-directive", {"COPY", "REPLACE", "MOVE"}},
    {"x-amz-acl",
     {"private", "public-read", "public-read-write", "authenticated-read", "aws-exec-read",
      "bogus"}},
    {"x-amz-grant-read",
     {"id=fuzz", "id=\"fuzz\", uri=\"http://acs.amazonaws.com/groups/global/AllUsers\"",
      "emailAddress=f@x", "uri=", "id=\"", ",,", "x"}},
    {"x-amz-grant-full-control", {"id=fuzz", "id=nobody"}},
    {"x-amz-tagging",
     {"a=1&b=2", "a=1&a=2", "%ZZ=1", "=", "aws:x=1", std::string(300, 'k') + "=v"}},
    {"x-amz-tagging-directive", {"COPY", "REPLACE", "MERGE"}},
    {"origin", {"https://a.example.com", "*", ""}},
    {"access-control-request-method", {"GET", "PUT", "PATCH", ""}},
    {"access-control-request-headers", {"x-amz-meta-a, content-type", ",,", "*"}},
    {"content-md5", {"1B2M2Y8AsgTpgAmY7PhCfg==", "bad", ""}},
    {"x-amz-checksum-crc32", {"AAAAAA==", "zz", ""}},
    {"x-amz-meta-m", {"v", std::string(3000, 'v')}},
    {"content-type", {"text/plain", "", "multipart/form-data; boundary=xx"}},
};

struct Outcome {
  int status = 0;
  size_t body = 0;
};

Outcome serve(Gateway& gw, Signer& signer, bool sign, bool chunked_garbage) {
  std::string method = pick(kMethods);
  std::string bucket = pick(std::vector<std::string>{"bk1", "bk2", "nobucket", "B!", ""});
  std::string target = "/" + bucket;
  if (!bucket.empty() && pick(3)) target += "/" + pick(kKeys);
  std::string sub = pick(kSubresources);
  if (!sub.empty()) target += "?" + sub;

  std::vector<std::pair<std::string, std::string>> headers;
  for (size_t i = 0, n = pick(4); i < n; ++i) {
    const auto& choice = pick(kHeaderChoices);
    headers.emplace_back(choice.first, pick(choice.second));
  }
  std::string body;
  switch (pick(4)) {
    case 0: break;
    case 1: body = random_bytes(pick(70000)); break;
    case 2: body = mutate(pick(kXmlSeeds)); break;
    default: body = pick(kXmlSeeds); break;
  }
  // Often the body's true Content-MD5, without which some operations
  // (PutBucketLifecycleConfiguration) refuse it.
  bool has_md5 = false;
  for (const auto& h : headers) has_md5 |= h.first == "content-md5";
  if (!has_md5 && pick(2)) {
    Md5 md5;
    md5.update(body.data(), body.size());
    std::string raw;
    unhex(md5.hex_digest(), raw);
    headers.emplace_back("content-md5", base64_encode(raw));
  }
  std::string payload = "UNSIGNED-PAYLOAD";
  if (chunked_garbage) {
    payload = pick(std::vector<std::string>{"STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                                            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"});
    headers.emplace_back("content-encoding", "aws-chunked");
    headers.emplace_back("x-amz-decoded-content-length", std::to_string(pick(100)));
    body = mutate("a\r\nhello worl\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n");
    if (pick(2)) headers.emplace_back("x-amz-trailer", "x-amz-checksum-crc32");
  }

  http::Request parsed;
  if (!parsed.parse_uri(target)) parsed.raw_path = "/";
  if (sign)
    headers = signer.sign(method, parsed, headers, payload);
  else if (pick(2))
    headers.emplace_back(
        "authorization",
        mutate("AWS4-HMAC-SHA256 Credential=AK/20261126/us-east-1/s3/aws4_request, "
               "SignedHeaders=host, Signature=00"));
  headers.emplace_back("content-length", std::to_string(body.size()));

  Exchange req(gw, method, target);
  for (auto& h : headers) req.add_header(h.first, h.second);
  Outcome out;
  bool more = req.start();
  size_t off = 0;
  while (more && off < body.size()) {
    size_t n = std::min(body.size() - off, 1 + pick(20000));
    more = req.body(body.data() + off, n);
    off += n;
  }
  if (more) req.end_body();
  CHECK(req.done());
  out.status = req.response().status;
  CHECK(out.status >= 200 && out.status <= 599);
  char buf[4096];
  std::string text;
  // A body that fails after the headers went (a large object's segment
  // removed by an earlier request) ends the response, as the C API's
  // rgw_response_read reports it to a door, which closes the connection.
  try {
    for (size_t n; (n = req.read(buf, sizeof buf)) > 0;) {
      out.body += n;
      if (text.size() < 600) text.append(buf, std::min<size_t>(n, 600));
    }
  } catch (const Error&) {
    ++aborted_bodies;
  }
  static int shown = 0;
  if (out.status >= 500 && out.status != 501 && shown++ < 5)
    std::fprintf(stderr, "%s %s -> %d %s\n", method.c_str(), target.substr(0, 80).c_str(),
                 out.status, text.substr(0, 300).c_str());
  CHECK(out.body <= 100 * 1024);  // nothing here stores more than ~70 KB
  return out;
}

void test_requests(const std::string& uri) {
  GatewayConfig cfg;
  cfg.store_uri = uri;
  cfg.max_object_size = 1 << 20;
  Gateway gw(cfg);
  User u;
  u.uid = "fuzz";
  u.keys.push_back({"AKFUZZ", "SKFUZZ"});
  gw.store().create_user(u);
  for (const char* b : {"bk1", "bk2"}) {
    BucketInfo info;
    info.name = b;
    info.owner = "fuzz";
    info.acl = canned_acl(b[2] == '1' ? "public-read" : "private", "fuzz");
    // A lifecycle rule matching bk1's object k, so that its answers carry
    // x-amz-expiration (until a request replaces or deletes the rules).
    if (b[2] == '1')
      for (const auto& seed : kXmlSeeds)
        if (seed.find("<ID>v1</ID>") != std::string::npos)
          info.attrs[kLifecycleAttr] = lifecycle_document(parse_lifecycle(seed));
    gw.store().create_bucket(info);
  }
  {
    auto w = gw.store().open_writer("bk1", "k");
    w->write("0123456789", 10);
    w->commit(WriteOptions{});
  }
  Signer signer{"AKFUZZ", "SKFUZZ"};
  int by_class[6] = {0, 0, 0, 0, 0, 0};
  int server_faults = 0;  // 5xx other than 501 NotImplemented
  for (int i = 0; i < 6000; ++i) {
    Outcome o = serve(gw, signer, pick(4) != 0, pick(5) == 0);
    by_class[o.status / 100]++;
    if (o.status >= 500 && o.status != 501) ++server_faults;
  }
  std::printf("request outcomes: 2xx %d, 3xx %d, 4xx %d, 5xx %d\n", by_class[2], by_class[3],
              by_class[4], by_class[5]);
  CHECK(by_class[2] > 100);  // the generator does reach the operations
  CHECK(by_class[4] > 100);
  CHECK(server_faults == 0);  // bad input is the client's error, never a server fault
}

// ---------------------------------------------------------------- Swift

const std::vector<std::string> kSwiftPaths = {"/auth/v1.0",
                                              "/auth/1.0/",
                                              "/info",
                                              "/swift/info",
                                              "/swift/v1",
                                              "/swift/v1/",
                                              "/swift/v1/AUTH_fz",
                                              "/swift/v1/AUTH_other",
                                              "/swift/v1/AUTH_",
                                              "/swift/v1/AUTH_fz/c1",
                                              "/swift/v1/AUTH_fz/c2/",
                                              "/swift/v1/AUTH_fz/nocont",
                                              "/swift/v1/c1",
                                              "/swift/v1/AUTH_fz/.."};
const std::vector<std::string> kSwiftKeys = {
    "k", "slo", "dlo", "dir/k", "%00", "%FF", "a%2Fb", "..%2F..", std::string(1100, 'o')};
const std::vector<std::string> kSwiftQueries = {
    "",
    "format=json",
    "format=xml&limit=2",
    "limit=10001",
    "limit=-1",
    "marker=k&end_marker=a&reverse=true",
    "delimiter=/&prefix=d",
    "delimiter=ab",
    "multipart-manifest=put",
    "multipart-manifest=get",
    "multipart-manifest=get&format=raw",
    "multipart-manifest=delete",
    "temp_url_sig=00&temp_url_expires=1",
    "temp_url_sig=sha512:AAAA&temp_url_expires=2030-01-01T00:00:00Z",
    "temp_url_sig=zz&temp_url_expires=x&temp_url_prefix=k&temp_url_ip_range=1.2.3.4/99",
    "filename=%0D%0Ax&inline",
    "bulk-delete"};
const std::vector<std::pair<std::string, std::vector<std::string>>> kSwiftHeaders = {
    {"x-auth-user", {"fz:fz", "fz", "", "nobody:x"}},
    {"x-auth-key", {"key", "wrong", ""}},
    {"x-container-read", {".r:*", ".r:*,.rlistings", "fz:fz", ".referrer:x", ".r:", "a b"}},
    {"x-container-write", {"fz", ".r:*", ""}},
    {"x-object-manifest", {"c1/d", "nocontainer", "/", "c1/%ZZ", ""}},
    {"x-copy-from", {"/c1/k", "c1/k", "nocontainer", "/c1/slo", "%ZZ", "/c1/"}},
    {"destination", {"c2/copy", "bad", "/c2/"}},
    {"range", {"bytes=0-0", "bytes=-1", "bytes=0-1,3-4,-2", "bytes=9-2,x", "bytes=0-0,0-0,0-0"}},
    {"if-match", {"*", "\"abc\"", ""}},
    {"if-none-match", {"*", "\"abc\"", "x"}},
    {"x-delete-at", {"1", "9999999999", "abc", ""}},
    {"x-delete-after", {"0", "10", "-1", "99999999999999999999"}},
    {"etag", {"d41d8cd98f00b204e9800998ecf8427e", "bad", ""}},
    {"x-object-meta-m", {"v", std::string(300, 'v'), "a\x01b"}},
    {"x-remove-container-meta-m", {"x"}},
    {"x-account-meta-temp-url-key", {"tk", ""}},
    {"x-fresh-metadata", {"true", "no"}},
    {"x-detect-content-type", {"true"}},
    {"content-type", {"multipart/form-data; boundary=B", "multipart/form-data", "text/plain"}},
    {"transfer-encoding", {"chunked", "gzip"}},
    {"referer", {"http://example.com/", "::::"}},
};
const std::vector<std::string> kSwiftBodies = {
    "/c1/k\n/c1/nothing\n/c2\n%ZZ\n/\n\n/c1/%00\n/nocontainer\n",
    R"([{"path": "/c1/k", "etag": null, "size_bytes": null}])",
    R"([{"path": "/c1/k", "etag": "x", "size_bytes": 1}, {"path": "/c1/slo"}])",
    R"([{"path": "/c1/k", "range": "0-1"}])",
    "[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]",
    "--B\r\nContent-Disposition: form-data; name=\"expires\"\r\n\r\n9999999999\r\n--B\r\n"
    "Content-Disposition: form-data; name=\"signature\"\r\n\r\n00\r\n--B\r\n"
    "Content-Disposition: form-data; name=\"f\"; filename=\"x\"\r\n\r\ndata\r\n--B--",
};

Outcome serve_swift(Gateway& gw, const std::string& token) {
  std::string method = pick(
      std::vector<std::string>{"GET", "HEAD", "PUT", "POST", "DELETE", "COPY", "OPTIONS", "PATCH"});
  std::string target = pick(kSwiftPaths);
  if (target.size() > 12 && pick(2)) target += "/" + pick(kSwiftKeys);
  std::string query = pick(kSwiftQueries);
  if (pick(8) == 0) query = mutate(query);
  if (!query.empty()) target += "?" + query;
  std::vector<std::pair<std::string, std::string>> headers;
  switch (pick(3)) {
    case 0: headers.emplace_back("x-auth-token", token); break;
    case 1: headers.emplace_back("x-auth-token", mutate(token)); break;
    default: break;
  }
  for (size_t i = 0, n = pick(5); i < n; ++i) {
    const auto& choice = pick(kSwiftHeaders);
    headers.emplace_back(choice.first, pick(choice.second));
  }
  std::string body;
  switch (pick(4)) {
    case 0: break;
    case 1: body = random_bytes(pick(20000)); break;
    case 2: body = mutate(pick(kSwiftBodies)); break;
    default: body = pick(kSwiftBodies); break;
  }
  headers.emplace_back("content-length", std::to_string(body.size()));
  Exchange req(gw, method, target);
  for (auto& h : headers) req.add_header(h.first, h.second);
  req.set_remote_addr(pick(std::vector<std::string>{"127.0.0.1", "::1", "garbage", ""}));
  Outcome out;
  bool more = req.start();
  size_t off = 0;
  while (more && off < body.size()) {
    size_t n = std::min(body.size() - off, 1 + pick(5000));
    more = req.body(body.data() + off, n);
    off += n;
  }
  if (more) req.end_body();
  CHECK(req.done());
  out.status = req.response().status;
  CHECK(out.status >= 200 && out.status <= 599);
  char buf[4096];
  std::string text;
  // A body that fails after the headers went (a large object's segment
  // removed by an earlier request) ends the response, as the C API's
  // rgw_response_read reports it to a door, which closes the connection.
  try {
    for (size_t n; (n = req.read(buf, sizeof buf)) > 0;) {
      out.body += n;
      if (text.size() < 600) text.append(buf, std::min<size_t>(n, 600));
    }
  } catch (const Error&) {
    ++aborted_bodies;
  }
  static int shown = 0;
  if (out.status >= 500 && out.status != 501 && shown++ < 5)
    std::fprintf(stderr, "swift %s %s -> %d %s\n", method.c_str(), target.substr(0, 80).c_str(),
                 out.status, text.substr(0, 300).c_str());
  CHECK(out.body <= 100 * 1024);
  return out;
}

void test_swift_requests(const std::string& uri) {
  GatewayConfig cfg;
  cfg.store_uri = uri;
  cfg.max_object_size = 1 << 20;
  Gateway gw(cfg);
  User u;
  u.uid = "fz";
  u.swift_user = "fz:fz";
  u.swift_key = "key";
  u.attrs["x-amz-meta-temp-url-key"] = "tk";
  gw.store().create_user(u);
  for (const char* c : {"c1", "c2"}) {
    BucketInfo info;
    info.name = c;
    info.owner = "fz";
    info.acl = canned_acl("private", "fz");
    if (c[1] == '1') info.attrs["x-container-read"] = ".r:*,.rlistings";
    gw.store().create_bucket(info);
  }
  auto put = [&](const std::string& key, const std::string& data, const Attrs& attrs) {
    auto w = gw.store().open_writer("c1", key);
    w->write(data.data(), data.size());
    WriteOptions o;
    o.attrs = attrs;
    w->commit(o);
  };
  put("k", "0123456789", {});
  put("dir/k", "x", {});
  put("slo", R"([{"name": "/c1/k", "hash": "781e5e245d69b566979b86e28d23f2c7", "bytes": 10}])",
      {{"x-static-large-object", "True"}, {"x-slo-size", "10"}, {"x-slo-etag", "e"}});
  put("dlo", "", {{"x-object-manifest", "c1/d"}});
  std::string token = swift::issue_token(u, static_cast<int64_t>(std::time(nullptr)) + 3600);
  int by_class[6] = {0, 0, 0, 0, 0, 0};
  int server_faults = 0;
  for (int i = 0; i < 4000; ++i) {
    Outcome o = serve_swift(gw, token);
    by_class[o.status / 100]++;
    if (o.status >= 500 && o.status != 501) ++server_faults;
  }
  std::printf("swift request outcomes: 2xx %d, 3xx %d, 4xx %d, 5xx %d\n", by_class[2], by_class[3],
              by_class[4], by_class[5]);
  CHECK(by_class[2] > 100);
  CHECK(by_class[4] > 100);
  CHECK(server_faults == 0);
}

}  // namespace

int main(int argc, char** argv) {
  char dir[] = "/tmp/librgw-robust-XXXXXX";
  std::string uri;
  if (argc > 1) {
    uri = argv[1];
  } else {
    if (!mkdtemp(dir)) return 2;
    uri = std::string("local:") + dir + "/store";
  }
  test_xml_reader();
  test_xml_writer();
  try {
    test_lifecycle_documents();
    test_requests(uri);
    test_swift_requests(uri);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "exception escaped: %s\n", e.what());
    ++check::failures;
  }
  return check::report();
}
