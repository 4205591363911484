// test_s3_auth.cpp - unit tests of the S3 authentication module: crypto
// helpers, SigV4 (header and presigned), SigV2 (header and query), and the
// payload decoders (plain, aws-chunked signed/unsigned, trailers,
// checksums).  Vectors: AWS documentation examples, and requests signed by
// botocore 1.43 (HmacV1Auth, S3SigV4Auth, S3SigV4QueryAuth) with the
// credentials AKIDEXAMPLE / "secret/with+chars".
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "check.hpp"
#include "crypto.h"
#include "http/request.h"
#include "s3/auth.h"
#include "s3/auth_internal.h"

using namespace rgw;
using namespace rgw::s3;

namespace {

// Runs f; it must throw S3Error with this status and code.
#define CHECK_S3(expr, st, cd) check_s3([&] { expr; }, st, cd, __FILE__, __LINE__, #expr)

void check_s3(const std::function<void()>& f, int status, const std::string& code, const char* file,
              int line, const char* text) {
  ++check::checks;
  try {
    f();
  } catch (const S3Error& e) {
    if (e.status() == status && e.code() == code) return;
    ++check::failures;
    std::fprintf(stderr, "%s:%d: %s threw %d %s (%s), expected %d %s\n", file, line, text,
                 e.status(), e.code().c_str(), e.what(), status, code.c_str());
    return;
  } catch (const std::exception& e) {
    ++check::failures;
    std::fprintf(stderr, "%s:%d: %s threw %s, expected %d %s\n", file, line, text, e.what(), status,
                 code.c_str());
    return;
  }
  ++check::failures;
  std::fprintf(stderr, "%s:%d: %s did not throw, expected %d %s\n", file, line, text, status,
               code.c_str());
}

#define CHECK_OK(expr) check_ok([&] { expr; }, __FILE__, __LINE__, #expr)

void check_ok(const std::function<void()>& f, const char* file, int line, const char* text) {
  ++check::checks;
  try {
    f();
  } catch (const S3Error& e) {
    ++check::failures;
    std::fprintf(stderr, "%s:%d: %s threw %d %s: %s\n", file, line, text, e.status(),
                 e.code().c_str(), e.what());
  } catch (const std::exception& e) {
    ++check::failures;
    std::fprintf(stderr, "%s:%d: %s threw %s\n", file, line, text, e.what());
  }
}

http::Request make_request(const std::string& method, const std::string& uri,
                           std::vector<std::pair<std::string, std::string>> headers) {
  http::Request r;
  r.method = method;
  if (!r.parse_uri(uri)) std::fprintf(stderr, "bad test uri %s\n", uri.c_str());
  for (auto& [name, value] : headers) {
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    size_t b = value.find_first_not_of(" \t"), e = value.find_last_not_of(" \t");
    value = b == std::string::npos ? std::string() : value.substr(b, e - b + 1);
    r.headers.emplace_back(name, value);
  }
  return r;
}

const std::string kAwsSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const std::string kAwsKey = "AKIAIOSFODNN7EXAMPLE";
const int64_t k20130524 = 1369353600;  // 20130524T000000Z
const std::string kEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const std::string kBotoSecret = "secret/with+chars";

// ---------------------------------------------------------------- crypto

void test_crypto() {
  CHECK_EQ(sha256_hex(""), kEmpty);
  CHECK_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  {
    Sha256 h;  // incremental, in odd pieces
    std::string msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    for (size_t i = 0; i < msg.size(); i += 5) h.update(msg.substr(i, 5));
    CHECK_EQ(h.hex_digest(), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  }
  {
    Sha1 h;
    h.update("a");
    h.update("bc");
    CHECK_EQ(hex(h.digest()), "a9993e364706816aba3e25717850c26c9cd0d89d");
  }
  // RFC 4231 test case 2 and RFC 2202 test case 2.
  CHECK_EQ(hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
           "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK_EQ(hex(hmac_sha1("Jefe", "what do ya want for nothing?")),
           "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");

  // base64 (RFC 4648 section 10) and strictness.
  const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (int i = 0; i < 7; ++i) {
    CHECK_EQ(base64_encode(plain[i]), enc[i]);
    std::string out;
    CHECK(base64_decode(enc[i], out));
    CHECK_EQ(out, plain[i]);
  }
  std::string out;
  CHECK(!base64_decode("Zg=", out));        // length not a multiple of 4
  CHECK(!base64_decode("Zg=a", out));       // data after padding
  CHECK(!base64_decode("Z===", out));       // too much padding
  CHECK(!base64_decode("Zh==", out));       // non-zero unused bits
  CHECK(!base64_decode("Zm9v Zm9v", out));  // space
  CHECK(!base64_decode("Zm9-", out));       // url-safe alphabet
  CHECK(!base64_decode("Zg==Zm9v", out));   // padding in the middle
  CHECK(base64_decode("+/+/", out));
  CHECK_EQ(hex(out), "fbffbf");
  CHECK_EQ(out.size(), 3u);

  CHECK(constant_time_equal("abc", "abc"));
  CHECK(constant_time_equal("", ""));
  CHECK(!constant_time_equal("abc", "abd"));
  CHECK(!constant_time_equal("abc", "ab"));
  CHECK(!constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));

  // CRC check values ("123456789") and S3 encodings.
  {
    Crc32 c;
    c.update("123456789");
    CHECK_EQ(c.value(), 0xCBF43926u);
    Crc32c cc;
    cc.update("123456789");
    CHECK_EQ(cc.value(), 0xE3069283u);
    Crc32 e;
    CHECK_EQ(e.value(), 0u);
  }
  {
    Crc32 c;  // incremental == one-shot; crosses the 8-byte fast path
    c.update("hello");
    c.update(" world");
    CHECK_EQ(base64_encode(be32(c.value())), "DUoRhQ==");
  }
  {
    Crc32c cc;  // AWS trailer example: 66560 bytes of 'a'
    std::string a(65536, 'a');
    cc.update(a);
    cc.update(std::string(1024, 'a'));
    CHECK_EQ(base64_encode(be32(cc.value())), "sOO8/Q==");
  }
  {
    Sha1 h;
    h.update("hello world");
    CHECK_EQ(base64_encode(h.digest()), "Kq5sNclPz7QV2+lfQIuc6R7oRu0=");
    CHECK_EQ(base64_encode(sha256("hello world")), "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=");
  }
}

void test_dates() {
  int64_t t = 0;
  CHECK(detail::parse_amz_date("20130524T000000Z", t));
  CHECK_EQ(t, k20130524);
  CHECK_EQ(detail::format_amz_date(k20130524), "20130524T000000Z");
  CHECK_EQ(detail::format_amz_date(1795653909), "20261126T004509Z");
  CHECK(!detail::parse_amz_date("20130524T000000", t));
  CHECK(!detail::parse_amz_date("20131324T000000Z", t));
  CHECK(!detail::parse_amz_date("2013-05-24T00:00", t));
  CHECK(detail::parse_http_date("Tue, 27 Mar 2007 19:36:42 +0000", t));
  CHECK_EQ(t, 1175024202);
  CHECK(detail::parse_http_date("Tue, 27 Mar 2007 19:36:42 GMT", t));
  CHECK_EQ(t, 1175024202);
  CHECK(detail::parse_http_date("Tue, 27 Mar 2007 21:36:42 +0200", t));
  CHECK_EQ(t, 1175024202);
  CHECK(!detail::parse_http_date("Tue, 27 Foo 2007 19:36:42 GMT", t));
  CHECK(!detail::parse_http_date("Tue, 27 Mar 2007 19:36 GMT", t));
  CHECK(!detail::parse_http_date("Tue, 27 Mar 2007 19:36:42 PST", t));
  CHECK_EQ(detail::normalize_header_value("  a   b \t c "), "a b c");
}

// ---------------------------------------------------------------- SigV4

const char kDocGetAuth[] =
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
    "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
    "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41";

http::Request doc_get(const std::string& auth, const std::string& date = "20130524T000000Z") {
  return make_request("GET", "/test.txt",
                      {{"Host", "examplebucket.s3.amazonaws.com"},
                       {"Range", "bytes=0-9"},
                       {"x-amz-content-sha256", kEmpty},
                       {"x-amz-date", date},
                       {"Authorization", auth}});
}

void test_v4_header_doc_vector() {
  http::Request req = doc_get(kDocGetAuth);
  AuthInfo a = parse_auth(req);
  CHECK(a.scheme == AuthScheme::v4_header);
  CHECK_EQ(a.access_key, kAwsKey);
  CHECK_EQ(a.scope, "20130524/us-east-1/s3/aws4_request");
  CHECK_EQ(a.region, "us-east-1");
  CHECK_EQ(a.service, "s3");
  CHECK_EQ(a.signed_headers, "host;range;x-amz-content-sha256;x-amz-date");
  CHECK_EQ(a.amz_date, "20130524T000000Z");
  CHECK_EQ(a.payload_hash, kEmpty);
  CHECK_EQ(a.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  CHECK_OK(verify_auth(a, req, kAwsSecret, k20130524, ""));
  CHECK_OK(verify_auth(a, req, kAwsSecret, k20130524 + 900, ""));
  CHECK_OK(verify_auth(a, req, kAwsSecret, k20130524 - 900, ""));
  CHECK_S3(verify_auth(a, req, kAwsSecret, k20130524 + 901, ""), 403, "RequestTimeTooSkewed");
  CHECK_S3(verify_auth(a, req, kAwsSecret, k20130524 - 901, ""), 403, "RequestTimeTooSkewed");
  CHECK_S3(verify_auth(a, req, kAwsSecret + "x", k20130524, ""), 403, "SignatureDoesNotMatch");

  // Any tampering with signed parts fails.
  http::Request t = req;
  t.headers[1].second = "bytes=0-10";
  CHECK_S3(verify_auth(a, t, kAwsSecret, k20130524, ""), 403, "SignatureDoesNotMatch");
  t = req;
  t.method = "HEAD";
  CHECK_S3(verify_auth(a, t, kAwsSecret, k20130524, ""), 403, "SignatureDoesNotMatch");
  t = doc_get(kDocGetAuth);
  t.parse_uri("/test.txt?acl");
  CHECK_S3(verify_auth(a, t, kAwsSecret, k20130524, ""), 403, "SignatureDoesNotMatch");
  t = doc_get(kDocGetAuth);
  t.parse_uri("/test.tx");
  CHECK_S3(verify_auth(a, t, kAwsSecret, k20130524, ""), 403, "SignatureDoesNotMatch");
  // Unsigned headers may change.
  t = req;
  t.headers.emplace_back("user-agent", "x");
  CHECK_OK(verify_auth(a, t, kAwsSecret, k20130524, ""));
  // Comma with spaces (as botocore sends it).
  std::string spaced = kDocGetAuth;
  for (size_t p; (p = spaced.find(",S")) != std::string::npos;) spaced.replace(p, 1, ", ");
  CHECK(spaced.find(", SignedHeaders=") != std::string::npos);
  http::Request sp = doc_get(spaced);
  CHECK_OK(verify_auth(parse_auth(sp), sp, kAwsSecret, k20130524, ""));
  // A wrong signature in the header.
  std::string wrong = kDocGetAuth;
  wrong[wrong.size() - 1] = '2';
  http::Request w = doc_get(wrong);
  CHECK_S3(verify_auth(parse_auth(w), w, kAwsSecret, k20130524, ""), 403, "SignatureDoesNotMatch");
}

void test_v4_header_errors() {
  auto parse = [](const std::string& authz) { return parse_auth(doc_get(authz)); };
  const std::string cred = "Credential=AK/20130524/us-east-1/s3/aws4_request";
  CHECK_S3(parse("AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host"), 400,
           "AuthorizationHeaderMalformed");
  CHECK_S3(parse("AWS4-HMAC-SHA256 " + cred + ", Signature=ab"), 400,
           "AuthorizationHeaderMalformed");
  CHECK_S3(parse("AWS4-HMAC-SHA256 SignedHeaders=host, Signature=ab"), 400,
           "AuthorizationHeaderMalformed");
  CHECK_S3(parse("AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3, SignedHeaders=host, "
                 "Signature=ab"),
           400, "AuthorizationHeaderMalformed");
  CHECK_S3(parse("AWS4-HMAC-SHA256 Credential=AK/2013052/us-east-1/s3/aws4_request, "
                 "SignedHeaders=host, Signature=ab"),
           400, "AuthorizationHeaderMalformed");
  CHECK_S3(parse("AWS4-HMAC-SHA256 Credential=/20130524/us-east-1/s3/aws4_request, "
                 "SignedHeaders=host, Signature=ab"),
           400, "AuthorizationHeaderMalformed");
  CHECK_S3(parse("AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=x-amz-date, Signature=ab"), 400,
           "AuthorizationHeaderMalformed");  // host not signed
  CHECK_S3(parse("AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;;range, Signature=ab"), 400,
           "AuthorizationHeaderMalformed");
  CHECK_S3(parse("AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host, Signature=ab, Foo=bar"), 400,
           "AuthorizationHeaderMalformed");
  CHECK_S3(parse("AWS4-HMAC-SHA256 " + cred + " SignedHeaders=host Signature=ab"), 400,
           "AuthorizationHeaderMalformed");
  CHECK_S3(parse("AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host, Signature=ab,"), 400,
           "AuthorizationHeaderMalformed");
  CHECK_S3(parse("AWS4-ECDSA-P256-SHA256 " + cred), 400, "InvalidArgument");
  CHECK_S3(parse("Bearer xyz"), 400, "InvalidArgument");

  // Empty region, service "sts".
  AuthInfo a = parse(
      "AWS4-HMAC-SHA256 Credential=AK/20130524//sts/aws4_request,"
      "SignedHeaders=host,Signature=ab");
  CHECK_EQ(a.region, "");
  CHECK_EQ(a.service, "sts");
  CHECK_EQ(a.scope, "20130524//sts/aws4_request");
  CHECK_EQ(a.access_key, "AK");

  // Scope date other than the request date.
  http::Request r = doc_get(kDocGetAuth, "20130525T000000Z");
  CHECK_S3(verify_auth(parse_auth(r), r, kAwsSecret, k20130524 + 86400, ""), 400,
           "AuthorizationHeaderMalformed");
  // Missing and malformed dates.
  http::Request nd = make_request(
      "GET", "/test.txt",
      {{"Host", "h"}, {"x-amz-content-sha256", kEmpty}, {"Authorization", kDocGetAuth}});
  CHECK_S3(parse_auth(nd), 403, "AccessDenied");
  CHECK_S3(parse_auth(doc_get(kDocGetAuth, "2013-05-24")), 403, "AccessDenied");

  // x-amz-content-sha256 required for header auth, valid values only.
  http::Request nh = make_request("GET", "/test.txt",
                                  {{"Host", "examplebucket.s3.amazonaws.com"},
                                   {"x-amz-date", "20130524T000000Z"},
                                   {"Authorization", kDocGetAuth}});
  CHECK_S3(verify_auth(parse_auth(nh), nh, kAwsSecret, k20130524, ""), 400, "InvalidRequest");
  http::Request bh = doc_get(kDocGetAuth);
  bh.headers[2].second = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";
  CHECK_S3(verify_auth(parse_auth(bh), bh, kAwsSecret, k20130524, ""), 400, "InvalidArgument");
  bh.headers[2].second = "STREAMING-FOO";
  CHECK_S3(verify_auth(parse_auth(bh), bh, kAwsSecret, k20130524, ""), 400, "InvalidArgument");

  // Header and query auth together.
  http::Request both = doc_get(kDocGetAuth);
  both.parse_uri("/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256");
  CHECK_S3(parse_auth(both), 400, "InvalidArgument");

  // Anonymous.
  http::Request anon = make_request("GET", "/b/k?acl", {{"Host", "h"}});
  AuthInfo an = parse_auth(anon);
  CHECK(an.scheme == AuthScheme::anonymous);
  CHECK_EQ(an.access_key, "");
  CHECK_OK(verify_auth(an, anon, "", 0, ""));
}

// Date header instead of x-amz-date (RFC 1123), signed with "date".
void test_v4_date_header() {
  // Same canonical request as the AWS example, but the date comes from Date:
  // the signature is the same as long as the signed header set matches.
  http::Request r =
      make_request("GET", "/test.txt",
                   {{"Host", "examplebucket.s3.amazonaws.com"},
                    {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                    {"x-amz-content-sha256", kEmpty},
                    {"Authorization",
                     "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request,"
                     "SignedHeaders=host;x-amz-content-sha256,Signature=00"}});
  AuthInfo a = parse_auth(r);
  CHECK_EQ(a.amz_date, "20130524T000000Z");
  // Compute the signature the way a client would.
  std::string cr =
      "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nx-amz-content-sha256:" + kEmpty +
      "\n\nhost;x-amz-content-sha256\n" + kEmpty;
  std::string key = detail::sigv4_signing_key(kAwsSecret, "20130524", "us-east-1", "s3");
  a.signature = hex(hmac_sha256(key, detail::v4_string_to_sign(a.amz_date, a.scope, cr)));
  CHECK_OK(verify_auth(a, r, kAwsSecret, k20130524 + 60, ""));
  CHECK_S3(verify_auth(a, r, kAwsSecret, k20130524 + 3600, ""), 403, "RequestTimeTooSkewed");
}

// botocore S3SigV4Auth: odd characters in path and query, header whitespace.
void test_v4_botocore() {
  const std::string path = "/bkt/dir/a%20b%2Bc/%E2%82%AC~x.txt";
  const std::string query = "?partNumber=1&uploadId=a%2Fb%3Dc&empty=";
  auto make = [&](const std::string& p, const std::string& q) {
    return make_request(
        "PUT", p + q,
        {{"Host", "localhost:8000"},
         {"x-amz-meta-Foo", "  a   b  "},
         {"Content-Type", "text/plain"},
         {"X-Amz-Date", "20261126T004509Z"},
         {"X-Amz-Content-SHA256", kEmpty},
         {"Authorization",
          "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/us-east-1/s3/aws4_request, "
          "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-meta-foo, "
          "Signature=c7c1779cc4e9c0200d72a36536bd4fc94da413048da6f9365d57281277608844"}});
  };
  const int64_t now = 1795653909;
  http::Request r = make(path, query);
  AuthInfo a = parse_auth(r);
  CHECK_OK(verify_auth(a, r, kBotoSecret, now, ""));
  // The same resource sent with other (valid) encodings: '+' and '~' raw,
  // lower-case escapes, an escaped unreserved character.
  for (const char* other :
       {"/bkt/dir/a%20b+c/%E2%82%AC~x.txt", "/bkt/dir/a%20b%2bc/%e2%82%ac%7Ex.txt",
        "/bkt/di%72/a%20b%2Bc/%E2%82%AC~x.txt"}) {
    http::Request o = make(other, query);
    CHECK_OK(verify_auth(a, o, kBotoSecret, now, ""));
  }
  // Query parameters in another order and with other escapes.
  http::Request o = make(path, "?empty&uploadId=a/b%3dc&partNumber=1");
  CHECK_OK(verify_auth(a, o, kBotoSecret, now, ""));
  // A different resource fails.
  http::Request d = make("/bkt/dir/a%20b%2Bc/%E2%82%AC~x.tx", query);
  CHECK_S3(verify_auth(a, d, kBotoSecret, now, ""), 403, "SignatureDoesNotMatch");
  http::Request dq = make(path, "?partNumber=2&uploadId=a%2Fb%3Dc&empty=");
  CHECK_S3(verify_auth(a, dq, kBotoSecret, now, ""), 403, "SignatureDoesNotMatch");

  // Empty region, GET with list parameters (botocore signs "//" in scope).
  http::Request g = make_request(
      "GET", "/bkt?list-type=2&prefix=a%2Fb%20c&encoding-type=url",
      {{"Host", "localhost:8000"},
       {"X-Amz-Date", "20261126T004509Z"},
       {"X-Amz-Content-SHA256", kEmpty},
       {"Authorization",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126//s3/aws4_request, "
        "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
        "Signature=c2342e4b6c53c80f705fbfacbcfc33fe749b34dd3adb5d60437a6bdf2981fdf3"}});
  AuthInfo ga = parse_auth(g);
  CHECK_EQ(ga.region, "");
  CHECK_OK(verify_auth(ga, g, kBotoSecret, now, ""));
  CHECK_EQ(detail::v4_canonical_query(g, false), "encoding-type=url&list-type=2&prefix=a%2Fb%20c");
}

// botocore SigV4Auth for STS: empty region, no x-amz-content-sha256 header;
// the door hashes the form body and fills in payload_hash.
void test_v4_sts_body_hash() {
  const std::string body = "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=900";
  http::Request r = make_request(
      "POST", "/",
      {{"Host", "localhost:8000"},
       {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
       {"X-Amz-Date", "20261126T004826Z"},
       {"Authorization",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126//sts/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date, "
        "Signature=5aaab046647857901312b66bcc7f6f061eaaae11ca7f9a5a24749832e7df81c6"}});
  AuthInfo a = parse_auth(r);
  CHECK_EQ(a.service, "sts");
  CHECK_EQ(a.payload_hash, "");
  const int64_t now = 1795653909 + 197;  // 20261126T004826Z
  CHECK_S3(verify_auth(a, r, kBotoSecret, now, ""), 400, "InvalidRequest");
  a.payload_hash = sha256_hex(body);
  CHECK_OK(verify_auth(a, r, kBotoSecret, now, ""));
  a.payload_hash = sha256_hex(body + "&x=1");
  CHECK_S3(verify_auth(a, r, kBotoSecret, now, ""), 403, "SignatureDoesNotMatch");
}

void test_v4_presigned() {
  const std::string q =
      "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-"
      "east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-"
      "SignedHeaders=host&X-Amz-Signature="
      "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
  http::Request r =
      make_request("GET", "/test.txt?" + q, {{"Host", "examplebucket.s3.amazonaws.com"}});
  AuthInfo a = parse_auth(r);
  CHECK(a.scheme == AuthScheme::v4_query);
  CHECK_EQ(a.access_key, kAwsKey);
  CHECK_EQ(a.expires, 86400);
  CHECK_EQ(a.payload_hash, "UNSIGNED-PAYLOAD");
  CHECK_EQ(a.signed_headers, "host");
  CHECK_OK(verify_auth(a, r, kAwsSecret, k20130524, ""));
  CHECK_OK(verify_auth(a, r, kAwsSecret, k20130524 + 86400, ""));
  CHECK_OK(verify_auth(a, r, kAwsSecret, k20130524 - 900, ""));
  CHECK_S3(verify_auth(a, r, kAwsSecret, k20130524 + 86401, ""), 403, "AccessDenied");
  try {
    verify_auth(a, r, kAwsSecret, k20130524 + 86401, "");
  } catch (const S3Error& e) {
    CHECK_EQ(std::string(e.what()), "Request has expired");
  }
  CHECK_S3(verify_auth(a, r, kAwsSecret, k20130524 - 901, ""), 403, "AccessDenied");
  CHECK_S3(verify_auth(a, r, "wrong", k20130524, ""), 403, "SignatureDoesNotMatch");
  http::Request other = make_request("GET", "/test.txt?" + q, {{"Host", "other.example.com"}});
  CHECK_S3(verify_auth(a, other, kAwsSecret, k20130524, ""), 403, "SignatureDoesNotMatch");
  http::Request extra =
      make_request("GET", "/test.txt?" + q + "&acl", {{"Host", "examplebucket.s3.amazonaws.com"}});
  CHECK_S3(verify_auth(parse_auth(extra), extra, kAwsSecret, k20130524, ""), 403,
           "SignatureDoesNotMatch");

  // presign_v4 reproduces the AWS example exactly.
  CHECK_EQ(presign_v4("GET", "examplebucket.s3.amazonaws.com", "/test.txt", kAwsKey, kAwsSecret,
                      "us-east-1", k20130524, 86400),
           q);
  // ... and what it produces verifies (odd path, empty region).
  std::string pq =
      presign_v4("PUT", "localhost:8000", "/b/a%20b/%E2%82%AC", "AK", "sk", "", 1700000000, 60);
  http::Request pr = make_request("PUT", "/b/a%20b/%E2%82%AC?" + pq, {{"Host", "localhost:8000"}});
  CHECK_OK(verify_auth(parse_auth(pr), pr, "sk", 1700000030, ""));
  CHECK_S3(verify_auth(parse_auth(pr), pr, "sk", 1700000061, ""), 403, "AccessDenied");
  CHECK_S3(presign_v4("GET", "h", "/", "AK", "sk", "", 0, 604801), 400,
           "AuthorizationQueryParametersError");

  // botocore S3SigV4QueryAuth.
  http::Request b = make_request(
      "GET",
      "/bkt/k%20y?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20261126%2Feu-"
      "west-1%2Fs3%2Faws4_request&X-Amz-Date=20261126T004513Z&X-Amz-Expires=3600&X-Amz-"
      "SignedHeaders=host&X-Amz-Signature="
      "c4585a51eff952d387c112a46e7b126f8f5cf1715541f3bfdcf73cc50082dc05",
      {{"Host", "localhost:8000"}});
  CHECK_OK(verify_auth(parse_auth(b), b, kBotoSecret, 1795653913 + 10, ""));

  // Malformed presigned queries.
  auto with = [&](const std::string& from, const std::string& to) {
    std::string s = q;
    size_t p = s.find(from);
    if (p == std::string::npos) std::fprintf(stderr, "test bug: %s\n", from.c_str());
    s.replace(p, from.size(), to);
    return make_request("GET", "/test.txt?" + s, {{"Host", "examplebucket.s3.amazonaws.com"}});
  };
  CHECK_S3(parse_auth(with("X-Amz-Expires=86400", "X-Amz-Expires=0")), 400,
           "AuthorizationQueryParametersError");
  CHECK_S3(parse_auth(with("X-Amz-Expires=86400", "X-Amz-Expires=-1")), 400,
           "AuthorizationQueryParametersError");
  CHECK_S3(parse_auth(with("X-Amz-Expires=86400", "X-Amz-Expires=604801")), 400,
           "AuthorizationQueryParametersError");
  CHECK_S3(parse_auth(with("X-Amz-Expires=86400", "X-Amz-Expires=1d")), 400,
           "AuthorizationQueryParametersError");
  CHECK_OK(parse_auth(with("X-Amz-Expires=86400", "X-Amz-Expires=604800")));
  CHECK_S3(parse_auth(with("X-Amz-Expires=86400&", "")), 400, "AuthorizationQueryParametersError");
  CHECK_S3(parse_auth(with("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1")), 400,
           "AuthorizationQueryParametersError");
  CHECK_S3(parse_auth(with("X-Amz-Date=20130524T000000Z", "X-Amz-Date=20130524")), 400,
           "AuthorizationQueryParametersError");
  CHECK_S3(parse_auth(with("SignedHeaders=host", "SignedHeaders=range")), 400,
           "AuthorizationQueryParametersError");
  CHECK_S3(parse_auth(with("%2Fs3%2Faws4_request", "%2Fs3%2Faws5_request")), 400,
           "AuthorizationQueryParametersError");
  http::Request dd = with("X-Amz-Date=20130524T000000Z", "X-Amz-Date=20130525T000000Z");
  CHECK_S3(verify_auth(parse_auth(dd), dd, kAwsSecret, k20130524 + 86400, ""), 400,
           "AuthorizationQueryParametersError");
  // A security token in the query is parsed (and signed like any parameter).
  http::Request tok = make_request("GET", "/test.txt?" + q + "&X-Amz-Security-Token=T%2B1",
                                   {{"Host", "examplebucket.s3.amazonaws.com"}});
  AuthInfo ta = parse_auth(tok);
  CHECK_EQ(ta.security_token, "T+1");
  CHECK_S3(verify_auth(ta, tok, kAwsSecret, k20130524, ""), 403, "SignatureDoesNotMatch");
}

// ---------------------------------------------------------------- SigV2

void test_v2() {
  // AWS example: GET /photos/puppy.jpg on the johnsmith bucket (virtual host).
  http::Request r =
      make_request("GET", "/photos/puppy.jpg",
                   {{"Host", "johnsmith.s3.amazonaws.com"},
                    {"Date", "Tue, 27 Mar 2007 19:36:42 +0000"},
                    {"Authorization", "AWS AKIAIOSFODNN7EXAMPLE:bWq2s1WEIj+Ydj0vQ697zp+IXMU="}});
  AuthInfo a = parse_auth(r);
  CHECK(a.scheme == AuthScheme::v2_header);
  CHECK_EQ(a.access_key, kAwsKey);
  CHECK_EQ(a.signature, "bWq2s1WEIj+Ydj0vQ697zp+IXMU=");
  const int64_t now = 1175024202;
  CHECK_EQ(detail::v2_string_to_sign(r, "Tue, 27 Mar 2007 19:36:42 +0000", "/photos/puppy.jpg",
                                     "johnsmith"),
           "GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/johnsmith/photos/puppy.jpg");
  CHECK_OK(verify_auth(a, r, kAwsSecret, now, "johnsmith"));
  CHECK_OK(verify_auth(a, r, kAwsSecret, now + 900, "johnsmith"));
  CHECK_S3(verify_auth(a, r, kAwsSecret, now + 901, "johnsmith"), 403, "RequestTimeTooSkewed");
  CHECK_S3(verify_auth(a, r, kAwsSecret, now, ""), 403, "SignatureDoesNotMatch");
  CHECK_S3(verify_auth(a, r, kAwsSecret, now, "otherbucket"), 403, "SignatureDoesNotMatch");
  // Path style: the bucket is in the path.
  http::Request ps =
      make_request("GET", "/johnsmith/photos/puppy.jpg",
                   {{"Host", "s3.amazonaws.com"},
                    {"Date", "Tue, 27 Mar 2007 19:36:42 +0000"},
                    {"Authorization", "AWS AKIAIOSFODNN7EXAMPLE:bWq2s1WEIj+Ydj0vQ697zp+IXMU="}});
  CHECK_OK(verify_auth(parse_auth(ps), ps, kAwsSecret, now, ""));

  // Query form.
  http::Request q = make_request(
      "GET",
      "/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1175139620&Signature="
      "NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D",
      {{"Host", "johnsmith.s3.amazonaws.com"}});
  AuthInfo qa = parse_auth(q);
  CHECK(qa.scheme == AuthScheme::v2_query);
  CHECK_EQ(qa.expires, 1175139620);
  CHECK_EQ(qa.signature, "NpgCjnDzrM+WFzoENXmpNDUsSn8=");
  CHECK_OK(verify_auth(qa, q, kAwsSecret, now, "johnsmith"));
  CHECK_OK(verify_auth(qa, q, kAwsSecret, 1175139620, "johnsmith"));
  CHECK_S3(verify_auth(qa, q, kAwsSecret, 1175139621, "johnsmith"), 403, "AccessDenied");
  CHECK_S3(verify_auth(qa, q, kAwsSecret, now, "x"), 403, "SignatureDoesNotMatch");
  http::Request qm = make_request("GET", "/photos/puppy.jpg?AWSAccessKeyId=AK&Expires=1175139620",
                                  {{"Host", "h"}});
  CHECK_S3(parse_auth(qm), 403, "AccessDenied");
  http::Request qe =
      make_request("GET", "/p?AWSAccessKeyId=AK&Expires=soon&Signature=x", {{"Host", "h"}});
  CHECK_S3(parse_auth(qe), 403, "AccessDenied");

  // botocore HmacV1Auth: sub-resources, x-amz-* headers, Content-MD5/Type.
  auto boto = [](const std::string& uri) {
    return make_request("PUT", uri,
                        {{"Host", "localhost:8000"},
                         {"x-amz-meta-b", "2"},
                         {"X-Amz-Meta-A", "1"},
                         {"Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg=="},
                         {"Content-Type", "text/x"},
                         {"Date", "Tue, 02 Jan 2024 03:04:05 GMT"},
                         {"Authorization", "AWS AKIDEXAMPLE:TEEX5GgPCiu2WygtxRpmABHV8fw="}});
  };
  http::Request b = boto("/bkt/my%20key?acl&foo=bar&versionId=3");
  CHECK_EQ(detail::v2_string_to_sign(b, "Tue, 02 Jan 2024 03:04:05 GMT", "/bkt/my%20key", ""),
           "PUT\n1B2M2Y8AsgTpgAmY7PhCfg==\ntext/x\nTue, 02 Jan 2024 03:04:05 GMT\n"
           "x-amz-meta-a:1\nx-amz-meta-b:2\n/bkt/my%20key?acl&versionId=3");
  CHECK_OK(verify_auth(parse_auth(b), b, kBotoSecret, 1704164645, ""));
  http::Request b2 = boto("/bkt/my+key?versionId=3&foo=baz&acl");  // '+' is not a space in a path
  CHECK_S3(verify_auth(parse_auth(b2), b2, kBotoSecret, 1704164645, ""), 403,
           "SignatureDoesNotMatch");
  http::Request b3 = boto("/bkt/my%20key?versionId=3&foo=baz&acl");  // order and non-sub-resource
  CHECK_OK(verify_auth(parse_auth(b3), b3, kBotoSecret, 1704164645, ""));
  http::Request b4 = boto("/bkt/my%20key?acl&versionId=4");
  CHECK_S3(verify_auth(parse_auth(b4), b4, kBotoSecret, 1704164645, ""), 403,
           "SignatureDoesNotMatch");

  // x-amz-date replaces Date (the Date line is then empty).
  http::Request xd = make_request("GET", "/b/k",
                                  {{"Host", "h"},
                                   {"x-amz-date", "Tue, 02 Jan 2024 03:04:05 GMT"},
                                   {"Date", "Mon, 01 Jan 2024 00:00:00 GMT"}});
  std::string sts = detail::v2_string_to_sign(xd, "", "/b/k", "");
  CHECK_EQ(sts, "GET\n\n\n\nx-amz-date:Tue, 02 Jan 2024 03:04:05 GMT\n/b/k");
  xd.headers.emplace_back("authorization", "AWS AK:" + base64_encode(hmac_sha1("sk", sts)));
  CHECK_OK(verify_auth(parse_auth(xd), xd, "sk", 1704164645, ""));

  // Repeated x-amz-* headers are joined with ','.
  http::Request rep =
      make_request("GET", "/b/k", {{"Host", "h"}, {"x-amz-meta-x", "1"}, {"x-amz-meta-x", " 2 "}});
  CHECK_EQ(detail::v2_string_to_sign(rep, "D", "/b/k", ""), "GET\n\n\nD\nx-amz-meta-x:1,2\n/b/k");

  // Malformed headers and missing dates.
  http::Request m = make_request("GET", "/b/k", {{"Host", "h"}, {"Authorization", "AWS AKnosig"}});
  CHECK_S3(parse_auth(m), 400, "InvalidArgument");
  http::Request m2 = make_request("GET", "/b/k", {{"Host", "h"}, {"Authorization", "AWS :sig"}});
  CHECK_S3(parse_auth(m2), 400, "InvalidArgument");
  http::Request nd = make_request("GET", "/b/k", {{"Host", "h"}, {"Authorization", "AWS AK:sig"}});
  CHECK_S3(verify_auth(parse_auth(nd), nd, "sk", 0, ""), 403, "AccessDenied");
}

// ---------------------------------------------------------------- payload

std::string feed_all(PayloadDecoder& d, const std::string& body, size_t piece) {
  std::string out, scratch;
  for (size_t i = 0; i < body.size(); i += piece) {
    scratch.clear();
    std::string_view bytes = d.feed(body.data() + i, std::min(piece, body.size() - i), scratch);
    out.append(bytes);
  }
  d.finish();
  return out;
}

const char kStreamAuth[] =
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
    "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-"
    "decoded-content-length;x-amz-storage-class,"
    "Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";

http::Request stream_request() {
  return make_request("PUT", "/examplebucket/chunkObject.txt",
                      {{"Host", "s3.amazonaws.com"},
                       {"x-amz-date", "20130524T000000Z"},
                       {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
                       {"Authorization", kStreamAuth},
                       {"x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"},
                       {"Content-Encoding", "aws-chunked"},
                       {"x-amz-decoded-content-length", "66560"},
                       {"Content-Length", "66824"}});
}

std::string stream_body() {
  return "10000;chunk-signature="
         "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n" +
         std::string(65536, 'a') +
         "\r\n400;chunk-signature="
         "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n" +
         std::string(1024, 'a') +
         "\r\n0;chunk-signature="
         "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n";
}

void test_streaming_signed() {
  http::Request req = stream_request();
  AuthInfo a = parse_auth(req);
  CHECK_EQ(a.payload_hash, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
  CHECK_OK(verify_auth(a, req, kAwsSecret, k20130524, ""));
  const std::string body = stream_body();
  CHECK_EQ(body.size(), 66824u);
  for (size_t piece : {size_t(1), size_t(7), size_t(4096), body.size()}) {
    auto d = PayloadDecoder::create(a, req, kAwsSecret);
    CHECK_EQ(d->declared_size(), 66560);
    std::string out;
    CHECK_OK(out = feed_all(*d, body, piece));
    CHECK_EQ(out.size(), 66560u);
    CHECK(out == std::string(66560, 'a'));
    CHECK_EQ(d->decoded_size(), 66560u);
  }
  // One tampered byte in each chunk's data, and in a signature.
  for (size_t pos : {size_t(100), size_t(66000)}) {
    std::string t = body;
    t[pos] = 'b';
    auto d = PayloadDecoder::create(a, req, kAwsSecret);
    CHECK_S3(feed_all(*d, t, 7), 403, "SignatureDoesNotMatch");
  }
  {
    std::string t = body;
    size_t p = t.rfind("df9");
    t[p] = 'e';  // final chunk signature
    auto d = PayloadDecoder::create(a, req, kAwsSecret);
    CHECK_S3(feed_all(*d, t, t.size()), 403, "SignatureDoesNotMatch");
  }
  {  // chunks swapped out of order: the chain breaks
    std::string t = body;
    auto d = PayloadDecoder::create(a, req, kAwsSecret);
    std::string second = t.substr(t.find("400;"));
    CHECK_S3(feed_all(*d, second, 1000), 403, "SignatureDoesNotMatch");
  }
  {  // wrong secret
    auto d = PayloadDecoder::create(a, req, "other");
    CHECK_S3(feed_all(*d, body, 4096), 403, "SignatureDoesNotMatch");
  }
  {  // missing chunk signature
    auto d = PayloadDecoder::create(a, req, kAwsSecret);
    CHECK_S3(feed_all(*d, "10000\r\n", 7), 403, "SignatureDoesNotMatch");
  }
  {  // truncated bodies
    for (size_t cut : {size_t(10), size_t(30000), body.size() - 50}) {
      auto d = PayloadDecoder::create(a, req, kAwsSecret);
      CHECK_S3(feed_all(*d, body.substr(0, cut), 999), 400, "IncompleteBody");
    }
  }
  {  // the empty line that ends the (empty) trailer section may be missing
    auto d = PayloadDecoder::create(a, req, kAwsSecret);
    CHECK_OK(feed_all(*d, body.substr(0, body.size() - 2), 999));
  }
  {  // a declared length other than the payload
    http::Request r2 = stream_request();
    r2.headers[6].second = "66561";
    auto d = PayloadDecoder::create(a, r2, kAwsSecret);
    CHECK_S3(feed_all(*d, body, 4096), 400, "IncompleteBody");
    r2.headers[6].second = "100";
    auto d2 = PayloadDecoder::create(a, r2, kAwsSecret);
    CHECK_S3(feed_all(*d2, body, 4096), 400, "IncompleteBody");
  }
  {  // junk after the end, bad framing
    auto d = PayloadDecoder::create(a, req, kAwsSecret);
    CHECK_S3(feed_all(*d, body + "x", 4096), 400, "IncompleteBody");
    auto d2 = PayloadDecoder::create(a, req, kAwsSecret);
    CHECK_S3(feed_all(*d2, "zz;chunk-signature=00\r\n", 3), 400, "IncompleteBody");
    auto d3 = PayloadDecoder::create(a, req, kAwsSecret);
    CHECK_S3(feed_all(*d3, std::string(5000, '1'), 100), 400, "IncompleteBody");
    auto d4 = PayloadDecoder::create(a, req, kAwsSecret);
    CHECK_S3(feed_all(*d4, "10000;chunk-signature=00\n", 3), 400, "IncompleteBody");
  }
  {  // signed chunks need header SigV4
    AuthInfo anon;
    CHECK_S3(PayloadDecoder::create(anon, req, ""), 400, "InvalidRequest");
  }
}

void test_streaming_signed_trailer() {
  // AWS "PUT object with trailing checksum" example (crc32c trailer).
  http::Request req =
      make_request("PUT", "/examplebucket/chunkObject.txt",
                   {{"Host", "s3.amazonaws.com"},
                    {"x-amz-date", "20130524T000000Z"},
                    {"x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"},
                    {"Content-Encoding", "aws-chunked"},
                    {"x-amz-decoded-content-length", "66560"},
                    {"x-amz-trailer", "x-amz-checksum-crc32c"}});
  AuthInfo a;
  a.scheme = AuthScheme::v4_header;
  a.access_key = kAwsKey;
  a.amz_date = "20130524T000000Z";
  a.scope = "20130524/us-east-1/s3/aws4_request";
  a.region = "us-east-1";
  a.service = "s3";
  a.signature = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e";
  a.payload_hash = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
  const std::string head =
      "10000;chunk-signature=b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2\r\n" +
      std::string(65536, 'a') +
      "\r\n400;chunk-signature="
      "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7\r\n" +
      std::string(1024, 'a') +
      "\r\n0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n";
  const std::string sig =
      "x-amz-trailer-signature:"
      "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n";
  const std::string body = head + "x-amz-checksum-crc32c:sOO8/Q==\r\n" + sig + "\r\n";
  for (size_t piece : {size_t(1), size_t(13), body.size()}) {
    auto d = PayloadDecoder::create(a, req, kAwsSecret);
    std::string out;
    CHECK_OK(out = feed_all(*d, body, piece));
    CHECK_EQ(out.size(), 66560u);
  }
  {  // without the final empty line
    auto d = PayloadDecoder::create(a, req, kAwsSecret);
    CHECK_OK(feed_all(*d, head + "x-amz-checksum-crc32c:sOO8/Q==\r\n" + sig, 100));
  }
  {  // tampered trailer value: the trailer signature fails
    auto d = PayloadDecoder::create(a, req, kAwsSecret);
    CHECK_S3(feed_all(*d, head + "x-amz-checksum-crc32c:sOO8/A==\r\n" + sig + "\r\n", 100), 403,
             "SignatureDoesNotMatch");
  }
  {  // trailer signature missing
    auto d = PayloadDecoder::create(a, req, kAwsSecret);
    CHECK_S3(feed_all(*d, head + "x-amz-checksum-crc32c:sOO8/Q==\r\n\r\n", 100), 400,
             "MalformedTrailerError");
  }
  {  // trailer missing
    auto d = PayloadDecoder::create(a, req, kAwsSecret);
    CHECK_S3(feed_all(*d, head + "\r\n", 100), 400, "MalformedTrailerError");
  }
  {  // tampered data: chunk signature fails before the checksum is looked at
    std::string t = body;
    t[200] = 'b';
    auto d = PayloadDecoder::create(a, req, kAwsSecret);
    CHECK_S3(feed_all(*d, t, 100), 403, "SignatureDoesNotMatch");
  }
}

http::Request trailer_request(const std::string& trailer) {
  return make_request("PUT", "/b/k",
                      {{"Host", "localhost"},
                       {"x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"},
                       {"Content-Encoding", "aws-chunked"},
                       {"Transfer-Encoding", "chunked"},
                       {"x-amz-decoded-content-length", "11"},
                       {"x-amz-trailer", trailer}});
}

void test_streaming_unsigned_trailer() {
  AuthInfo a;  // anonymous or any v4 header auth: no chunk signatures
  const std::string body = "b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n";
  for (size_t piece : {size_t(1), size_t(2), size_t(5), body.size()}) {
    auto d = PayloadDecoder::create(a, trailer_request("x-amz-checksum-crc32"), "");
    std::string out;
    CHECK_OK(out = feed_all(*d, body, piece));
    CHECK_EQ(out, "hello world");
    CHECK_EQ(d->declared_size(), 11);
  }
  {
    auto d = PayloadDecoder::create(a, trailer_request("x-amz-checksum-crc32"), "");
    CHECK_S3(feed_all(*d, "b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhA==\r\n\r\n", 4), 400,
             "BadDigest");
    auto d2 = PayloadDecoder::create(a, trailer_request("x-amz-checksum-crc32"), "");
    CHECK_S3(feed_all(*d2, "b\r\nhello worle\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n", 4),
             400, "BadDigest");
    auto d3 = PayloadDecoder::create(a, trailer_request("x-amz-checksum-crc32"), "");
    CHECK_S3(feed_all(*d3, "b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ\r\n\r\n", 4), 400,
             "InvalidRequest");
    auto d4 = PayloadDecoder::create(a, trailer_request("x-amz-checksum-crc32"), "");
    CHECK_S3(feed_all(*d4, "b\r\nhello world\r\n0\r\nx-amz-checksum-sha1:DUoRhQ==\r\n\r\n", 4), 400,
             "MalformedTrailerError");
    auto d5 = PayloadDecoder::create(a, trailer_request("x-amz-checksum-crc32"), "");
    CHECK_S3(feed_all(*d5, "b\r\nhello world\r\n0\r\nx-amz-trailer-signature:00\r\n\r\n", 4), 400,
             "MalformedTrailerError");
    auto d6 = PayloadDecoder::create(a, trailer_request("x-amz-checksum-crc32"), "");
    CHECK_S3(feed_all(*d6, "b\r\nhello world\r\n0\r\nx-amz-checksum-crc32 DUoRhQ==\r\n\r\n", 4),
             400, "MalformedTrailerError");
    auto d7 = PayloadDecoder::create(a, trailer_request("x-amz-checksum-crc32"), "");
    CHECK_S3(feed_all(*d7, "c\r\nhello world\r\n0\r\n", 4), 400, "IncompleteBody");
  }
  // The other algorithms, as trailers.
  struct {
    const char* name;
    const char* value;
  } sums[] = {{"x-amz-checksum-crc32c", "yZRlqg=="},
              {"x-amz-checksum-sha1", "Kq5sNclPz7QV2+lfQIuc6R7oRu0="},
              {"x-amz-checksum-sha256", "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek="}};
  for (const auto& s : sums) {
    auto d = PayloadDecoder::create(a, trailer_request(s.name), "");
    CHECK_OK(feed_all(
        *d, "6\r\nhello \r\n5\r\nworld\r\n0\r\n" + std::string(s.name) + ":" + s.value + "\r\n\r\n",
        3));
    auto bad = PayloadDecoder::create(a, trailer_request(s.name), "");
    CHECK_S3(feed_all(*bad,
                      "6\r\nhello \r\n5\r\nworle\r\n0\r\n" + std::string(s.name) + ":" + s.value +
                          "\r\n\r\n",
                      3),
             400, "BadDigest");
  }
  CHECK_S3(PayloadDecoder::create(a, trailer_request("x-amz-checksum-md5"), ""), 400,
           "InvalidRequest");
  CHECK_S3(
      PayloadDecoder::create(a, trailer_request("x-amz-checksum-crc32,x-amz-checksum-sha1"), ""),
      400, "InvalidRequest");
}

void test_plain() {
  AuthInfo a;
  a.scheme = AuthScheme::v4_header;
  const std::string hw = sha256_hex("hello world");
  CHECK_EQ(hw, "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");
  a.payload_hash = hw;
  auto plain = [](std::vector<std::pair<std::string, std::string>> extra) {
    std::vector<std::pair<std::string, std::string>> h = {{"Host", "h"}, {"Content-Length", "11"}};
    for (auto& e : extra) h.push_back(e);
    return make_request("PUT", "/b/k", h);
  };
  {
    auto d = PayloadDecoder::create(a, plain({}), "");
    CHECK_EQ(d->declared_size(), 11);
    std::string out;
    CHECK_OK(out = feed_all(*d, "hello world", 3));
    CHECK_EQ(out, "hello world");
    CHECK_EQ(d->decoded_size(), 11u);
  }
  {
    // A plain body is passed on as it came: a view of the wire bytes, no
    // copy into the scratch string.
    auto d = PayloadDecoder::create(a, plain({}), "");
    const std::string wire = "hello world";
    std::string scratch;
    std::string_view bytes;
    CHECK_OK(bytes = d->feed(wire.data(), wire.size(), scratch));
    CHECK(bytes.data() == wire.data() && bytes.size() == wire.size());
    CHECK(scratch.empty());
    CHECK_OK(d->finish());
  }
  {
    auto d = PayloadDecoder::create(a, plain({}), "");
    CHECK_S3(feed_all(*d, "hello worle", 3), 400, "XAmzContentSHA256Mismatch");
    auto d2 = PayloadDecoder::create(a, plain({}), "");
    CHECK_S3(feed_all(*d2, "hello", 3), 400, "IncompleteBody");
    auto d3 = PayloadDecoder::create(a, plain({}), "");
    CHECK_S3(feed_all(*d3, "hello world!", 3), 400, "IncompleteBody");
  }
  AuthInfo u;
  u.scheme = AuthScheme::v4_header;
  u.payload_hash = "UNSIGNED-PAYLOAD";
  {  // Content-MD5
    auto d = PayloadDecoder::create(u, plain({{"Content-MD5", "XrY7u+Ae7tCTyyK7j1rNww=="}}), "");
    CHECK_OK(feed_all(*d, "hello world", 11));
    auto d2 = PayloadDecoder::create(u, plain({{"Content-MD5", "XrY7u+Ae7tCTyyK7j1rNww=="}}), "");
    CHECK_S3(feed_all(*d2, "hello worle", 11), 400, "BadDigest");
    CHECK_S3(PayloadDecoder::create(u, plain({{"Content-MD5", "XrY7u+Ae7tCTyyK7j1rN"}}), ""), 400,
             "InvalidDigest");
    CHECK_S3(PayloadDecoder::create(u, plain({{"Content-MD5", "aGVsbG8="}}), ""), 400,
             "InvalidDigest");
  }
  {  // checksum headers
    auto d = PayloadDecoder::create(
        u, plain({{"x-amz-checksum-crc32", "DUoRhQ=="}, {"x-amz-checksum-algorithm", "CRC32"}}),
        "");
    CHECK_OK(feed_all(*d, "hello world", 5));
    auto d2 = PayloadDecoder::create(u, plain({{"x-amz-checksum-crc32", "DUoRhQ=="}}), "");
    CHECK_S3(feed_all(*d2, "hello worle", 5), 400, "BadDigest");
    auto d3 = PayloadDecoder::create(
        u, plain({{"x-amz-checksum-sha256", "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek="}}), "");
    CHECK_OK(feed_all(*d3, "hello world", 5));
    auto d4 = PayloadDecoder::create(u, plain({{"x-amz-checksum-crc32c", "yZRlqg=="}}), "");
    CHECK_OK(feed_all(*d4, "hello world", 5));
    auto d5 = PayloadDecoder::create(u, plain({{"x-amz-checksum-crc32c", "yZRlqA=="}}), "");
    CHECK_S3(feed_all(*d5, "hello world", 5), 400, "BadDigest");
    CHECK_S3(PayloadDecoder::create(u, plain({{"x-amz-checksum-crc32", "DUoRhQ"}}), ""), 400,
             "InvalidRequest");
    CHECK_S3(PayloadDecoder::create(u, plain({{"x-amz-checksum-sha1", "DUoRhQ=="}}), ""), 400,
             "InvalidRequest");
    CHECK_S3(
        PayloadDecoder::create(u,
                               plain({{"x-amz-checksum-crc32", "DUoRhQ=="},
                                      {"x-amz-checksum-sha1", "Kq5sNclPz7QV2+lfQIuc6R7oRu0="}}),
                               ""),
        400, "InvalidRequest");
  }
  {  // no Content-Length, no hash: anything goes through
    AuthInfo anon;
    auto d = PayloadDecoder::create(anon, make_request("PUT", "/b/k", {{"Host", "h"}}), "");
    CHECK_EQ(d->declared_size(), -1);
    std::string out;
    CHECK_OK(out = feed_all(*d, "abc", 1));
    CHECK_EQ(out, "abc");
    // v2/anonymous with a bad x-amz-content-sha256 header value
    CHECK_S3(PayloadDecoder::create(
                 anon, make_request("PUT", "/b/k", {{"x-amz-content-sha256", "xyz"}}), ""),
             400, "InvalidArgument");
  }
}

}  // namespace

int main() {
  test_crypto();
  test_dates();
  test_v4_header_doc_vector();
  test_v4_header_errors();
  test_v4_date_header();
  test_v4_botocore();
  test_v4_sts_body_hash();
  test_v4_presigned();
  test_v2();
  test_streaming_signed();
  test_streaming_signed_trailer();
  test_streaming_unsigned_trailer();
  test_plain();
  return check::report();
}
