"""S3 on the wire: error codes and bodies, every signature and payload mode,
presigned URLs, tampering (nothing stored), addressing styles, framing.

Requests are raw (`requests`, `http.client`), signed with botocore's signers
or with the aws-chunked encodings built in s3_signing.py.
"""
import base64
import datetime
import hashlib
import http.client
import time
import xml.etree.ElementTree as ET
import zlib

import pytest
import requests
from botocore.exceptions import ClientError
from s3_signing import sign_v2, sign_v4, streaming_signed_body, unsigned_trailer_body

NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


def error_of(resp):
    """(status, code) of an S3 error response, after checking its shape."""
    assert resp.headers.get("x-amz-request-id"), resp.headers
    root = ET.fromstring(resp.content)
    assert root.tag == "Error", resp.content
    assert [c.tag for c in root][:2] == ["Code", "Message"]
    assert root.find("RequestId").text == resp.headers["x-amz-request-id"]
    assert root.find("Resource") is not None
    return resp.status_code, root.find("Code").text


@pytest.fixture
def bucket(s3):
    name = s3.name()
    s3.client().create_bucket(Bucket=name)
    return name


def put(s3, path, body, headers=None, **kw):
    h = sign_v4(s3, "PUT", path, headers, body, **kw)
    return requests.put(s3.url + path, data=body, headers=h)


def exists(s3, bucket, key):
    try:
        s3.client().head_object(Bucket=bucket, Key=key)
        return True
    except ClientError as e:
        assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 404
        return False


def test_error_body_and_request_id(s3):
    path = f"/{s3.name('missing')}/key"
    r = requests.get(s3.url + path, headers=sign_v4(s3, "GET", path))
    assert error_of(r) == (404, "NoSuchBucket")
    assert ET.fromstring(r.content).find("Resource").text == path
    assert r.headers["Content-Type"] == "application/xml"


def test_unknown_key_and_bad_signature(s3, bucket):
    path = f"/{bucket}/k"
    r = requests.put(s3.url + path, data=b"x",
                     headers=sign_v4(s3, "PUT", path, body=b"x", access_key="AKNOBODY"))
    assert error_of(r) == (403, "InvalidAccessKeyId")
    r = requests.put(s3.url + path, data=b"x",
                     headers=sign_v4(s3, "PUT", path, body=b"x", secret_key="wrong"))
    assert error_of(r) == (403, "SignatureDoesNotMatch")
    # A header changed after signing.
    h = sign_v4(s3, "PUT", path, {"Content-Type": "text/plain"}, b"x")
    h["Content-Type"] = "text/html"
    assert error_of(requests.put(s3.url + path, data=b"x", headers=h)) == (403, "SignatureDoesNotMatch")
    assert not exists(s3, bucket, "k")


def test_clock_skew(s3, bucket):
    path = f"/{bucket}"
    h = sign_v4(s3, "GET", path)
    assert requests.get(s3.url + path, headers=h).status_code == 200
    # botocore re-stamps X-Amz-Date when signing: a stale request is made by
    # replaying after changing the date header, 20 minutes off on the
    # credential's own day (backwards, or forwards just after midnight UTC).
    stamp = datetime.datetime.strptime(h["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
    skewed = stamp - datetime.timedelta(minutes=20)
    if skewed.date() != stamp.date():
        skewed = stamp + datetime.timedelta(minutes=20)
    h["X-Amz-Date"] = skewed.strftime("%Y%m%dT%H%M%SZ")
    status, code = error_of(requests.get(s3.url + path, headers=h))
    assert status == 403 and code in ("RequestTimeTooSkewed", "SignatureDoesNotMatch")
    # A date on another day than the credential's scope is a malformed
    # header, as AWS answers it.
    h["X-Amz-Date"] = (stamp - datetime.timedelta(days=1)).strftime("%Y%m%dT%H%M%SZ")
    assert error_of(requests.get(s3.url + path, headers=h)) == (400, "AuthorizationHeaderMalformed")


def test_content_md5_and_sha256_mismatch_store_nothing(s3, bucket):
    path = f"/{bucket}/digest"
    good = base64.b64encode(hashlib.md5(b"payload").digest()).decode()
    assert put(s3, path, b"payload", {"Content-MD5": good}).status_code == 200
    bad = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    r = put(s3, path, b"changed", {"Content-MD5": bad})
    assert error_of(r) == (400, "BadDigest")
    r = put(s3, path, b"changed", {"Content-MD5": "not-base64!"})
    assert error_of(r) == (400, "InvalidDigest")
    # The signed payload hash is of other bytes than those sent.
    h = sign_v4(s3, "PUT", path, body=b"signed bytes")
    r = requests.put(s3.url + path, data=b"sent bytesXX", headers=h)
    assert error_of(r) == (400, "XAmzContentSHA256Mismatch")
    assert s3.client().get_object(Bucket=bucket, Key="digest")["Body"].read() == b"payload"


def test_content_md5_is_of_the_decoded_body_and_of_every_byte(s3, bucket):
    """Content-MD5 is checked against the MD5 the writer computes for the
    ETag: over the decoded payload of aws-chunked bodies, over bodies past
    one stripe (RADOS tail objects), and on UploadPart; a mismatch stores
    nothing."""
    md5 = lambda b: base64.b64encode(hashlib.md5(b).digest()).decode()  # noqa: E731
    data = bytes(range(256)) * 200
    chunks = [data[:20000], data[20000:]]
    for good in (True, False):
        key = f"chunked-md5-{good}"
        body = unsigned_trailer_body(chunks, "x-amz-checksum-crc32",
                                     base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode())
        headers = {"Content-Encoding": "aws-chunked", "X-Amz-Trailer": "x-amz-checksum-crc32",
                   "X-Amz-Decoded-Content-Length": str(len(data)),
                   "Content-Length": str(len(body)),
                   "Content-MD5": md5(data if good else data[:-1] + b"!")}
        h = sign_v4(s3, "PUT", f"/{bucket}/{key}", headers,
                    payload_hash="STREAMING-UNSIGNED-PAYLOAD-TRAILER")
        r = requests.put(f"{s3.url}/{bucket}/{key}", data=body, headers=h)
        if good:
            assert r.status_code == 200, r.content
            assert r.headers["ETag"] == '"%s"' % hashlib.md5(data).hexdigest()
        else:
            assert error_of(r) == (400, "BadDigest")
            assert not exists(s3, bucket, key)

    big = hashlib.sha256(b"seed").digest() * (((5 << 20) + 3) // 32 + 1)
    assert put(s3, f"/{bucket}/big-md5", big, {"Content-MD5": md5(big)}).status_code == 200
    r = put(s3, f"/{bucket}/big-md5-bad", big, {"Content-MD5": md5(big[1:])})
    assert error_of(r) == (400, "BadDigest")
    assert not exists(s3, bucket, "big-md5-bad")
    c = s3.client()
    assert c.get_object(Bucket=bucket, Key="big-md5")["Body"].read() == big

    up = c.create_multipart_upload(Bucket=bucket, Key="parts-md5")["UploadId"]
    part = b"p" * (5 << 20)
    with pytest.raises(ClientError) as e:
        c.upload_part(Bucket=bucket, Key="parts-md5", UploadId=up, PartNumber=1, Body=part,
                      ContentMD5=md5(part + b"x"))
    assert e.value.response["Error"]["Code"] == "BadDigest"
    assert c.list_parts(Bucket=bucket, Key="parts-md5", UploadId=up).get("Parts", []) == []
    etag = c.upload_part(Bucket=bucket, Key="parts-md5", UploadId=up, PartNumber=1, Body=part,
                         ContentMD5=md5(part))["ETag"]
    assert etag == '"%s"' % hashlib.md5(part).hexdigest()
    c.abort_multipart_upload(Bucket=bucket, Key="parts-md5", UploadId=up)


def test_checksum_header(s3, bucket):
    path = f"/{bucket}/crc"
    crc = base64.b64encode(zlib.crc32(b"data").to_bytes(4, "big")).decode()
    assert put(s3, path, b"data", {"x-amz-checksum-crc32": crc}).status_code == 200
    r = put(s3, f"/{bucket}/crc2", b"datb", {"x-amz-checksum-crc32": crc})
    assert error_of(r) == (400, "BadDigest")
    assert not exists(s3, bucket, "crc2")


def test_unsigned_payload_and_chunked_transfer(s3, bucket):
    path = f"/{bucket}/unsigned"
    r = put(s3, path, b"u" * 1000, payload_hash="UNSIGNED-PAYLOAD")
    assert r.status_code == 200
    # Transfer-Encoding: chunked (a generator body), no Content-Length.
    h = sign_v4(s3, "PUT", f"/{bucket}/te", payload_hash="UNSIGNED-PAYLOAD")
    r = requests.put(s3.url + f"/{bucket}/te", data=(b"%d," % i for i in range(1000)), headers=h)
    assert r.status_code == 200, r.content
    expect = b"".join(b"%d," % i for i in range(1000))
    assert s3.client().get_object(Bucket=bucket, Key="te")["Body"].read() == expect


def streaming_put(s3, path, chunks, tamper=None):
    data = b"".join(chunks)
    headers = {"Content-Encoding": "aws-chunked", "X-Amz-Decoded-Content-Length": str(len(data)),
               "Content-Type": "text/plain"}
    body_len = len(streaming_signed_body(s3, {"Authorization": "Signature=" + "0" * 64,
                                              "X-Amz-Date": "20000101T000000Z"}, chunks))
    headers["Content-Length"] = str(body_len)
    h = sign_v4(s3, "PUT", path, headers, payload_hash="STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
    body = streaming_signed_body(s3, h, chunks)
    if tamper:
        body = tamper(body)
    return requests.put(s3.url + path, data=body, headers=h)


def test_streaming_signed_chunks(s3, bucket):
    chunks = [b"a" * 65536, b"b" * 65536, b"c" * 1000]
    r = streaming_put(s3, f"/{bucket}/stream", chunks)
    assert r.status_code == 200, r.content
    g = s3.client().get_object(Bucket=bucket, Key="stream")
    assert g["Body"].read() == b"".join(chunks)
    assert g["ContentType"] == "text/plain"
    assert "ContentEncoding" not in g  # aws-chunked is not stored
    # One flipped byte in the second chunk: the chunk signature fails.
    r = streaming_put(s3, f"/{bucket}/stream2", chunks,
                      tamper=lambda b: b[:70000] + (b"X" if b[70000:70001] != b"X" else b"Y") + b[70001:])
    assert error_of(r) == (403, "SignatureDoesNotMatch")
    assert not exists(s3, bucket, "stream2")


def test_unsigned_trailer_checksums(s3, bucket):
    data = b"hello world" * 5000
    chunks = [data[:30000], data[30000:]]
    for name, value in (
            ("x-amz-checksum-crc32", base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()),
            ("x-amz-checksum-sha256", base64.b64encode(hashlib.sha256(data).digest()).decode()),
            ("x-amz-checksum-sha1", base64.b64encode(hashlib.sha1(data).digest()).decode())):
        for good in (True, False):
            key = f"{name}-{good}"
            wrong = base64.b64encode(b"\0" * len(base64.b64decode(value))).decode()
            body = unsigned_trailer_body(chunks, name, value if good else wrong)
            headers = {"Content-Encoding": "aws-chunked", "X-Amz-Trailer": name,
                       "X-Amz-Decoded-Content-Length": str(len(data)),
                       "Content-Length": str(len(body))}
            h = sign_v4(s3, "PUT", f"/{bucket}/{key}", headers,
                        payload_hash="STREAMING-UNSIGNED-PAYLOAD-TRAILER")
            r = requests.put(f"{s3.url}/{bucket}/{key}", data=body, headers=h)
            if good:
                assert r.status_code == 200, r.content
                assert s3.client().get_object(Bucket=bucket, Key=key)["Body"].read() == data
            else:
                assert error_of(r) == (400, "BadDigest")
                assert not exists(s3, bucket, key)


def test_presigned_get_put_and_expiry(s3, bucket):
    c = s3.client(signature_version="s3v4")
    url = c.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "pre"}, ExpiresIn=300)
    assert "X-Amz-Signature=" in url
    assert requests.put(url, data=b"presigned body").status_code == 200
    url = c.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "pre"}, ExpiresIn=300)
    r = requests.get(url)
    assert r.status_code == 200 and r.content == b"presigned body"
    # Tampered: another key with the same signature.
    assert error_of(requests.get(url.replace("/pre?", "/pre2?")))[0] == 403
    short = c.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "pre"}, ExpiresIn=1)
    time.sleep(2.1)
    assert error_of(requests.get(short)) == (403, "AccessDenied")
    too_long = url.replace("X-Amz-Expires=300", "X-Amz-Expires=604801")
    assert too_long != url
    assert error_of(requests.get(too_long))[0] in (400, 403)
    longest = c.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "pre"},
                                       ExpiresIn=604800)
    assert requests.get(longest).status_code == 200


def test_sigv2_header_and_query(s3, bucket):
    path = f"/{bucket}/v2"
    h = sign_v2(s3, "PUT", path, {"Content-Type": "text/plain", "x-amz-meta-a": "b"})
    assert requests.put(s3.url + path, data=b"v2 body", headers=h).status_code == 200
    h = sign_v2(s3, "GET", path)
    r = requests.get(s3.url + path, headers=h)
    assert r.status_code == 200 and r.content == b"v2 body"
    h["Authorization"] = h["Authorization"][:-4] + "AAA="
    assert error_of(requests.get(s3.url + path, headers=h)) == (403, "SignatureDoesNotMatch")
    import boto3
    from botocore.config import Config
    v2 = boto3.client("s3", endpoint_url=s3.url, aws_access_key_id=s3.access_key,
                      aws_secret_access_key=s3.secret_key, region_name="us-east-1",
                      config=Config(signature_version="s3", s3={"addressing_style": "path"}))
    url = v2.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "v2"}, ExpiresIn=60)
    assert "AWSAccessKeyId=" in url and "Signature=" in url
    r = requests.get(url)
    assert r.status_code == 200 and r.content == b"v2 body"


def test_request_errors(s3, bucket):
    def call(method, path, **kw):
        body = kw.pop("body", b"")
        return requests.request(method, s3.url + path, data=body,
                                headers=sign_v4(s3, method, path, kw.pop("headers", None), body))

    assert error_of(call("PUT", "/AB")) == (400, "InvalidBucketName")
    assert error_of(call("PUT", f"/{bucket}?policy", body=b"{}")) == (400, "MalformedPolicy")
    assert error_of(call("GET", f"/{bucket}?policy")) == (404, "NoSuchBucketPolicy")
    assert error_of(call("POST", f"/{bucket}/k")) == (405, "MethodNotAllowed")
    assert error_of(call("PUT", f"/{bucket}/" + "k" * 1025, body=b"x")) == (400, "KeyTooLongError")
    assert error_of(call("GET", f"/{bucket}?list-type=2&max-keys=-1")) == (400, "InvalidArgument")
    assert error_of(call("GET", f"/{bucket}?encoding-type=base64")) == (400, "InvalidArgument")
    assert error_of(call("POST", f"/{bucket}?delete", body=b"<Delete><Nope/></Delete>")) == (
        400, "MalformedXML")
    assert error_of(call("POST", f"/{bucket}?delete", body=b"<Delete><Object><Key>a")) == (
        400, "MalformedXML")
    assert error_of(call("PUT", f"/{bucket}/k", body=b"x", headers={"x-amz-acl": "bogus"})) == (
        400, "InvalidArgument")
    assert error_of(call("PUT", f"/{bucket}/k", body=b"x",
                         headers={"x-amz-acl": "public-read", "x-amz-grant-read": "uri=x"})) == (
        400, "InvalidRequest")
    meta = {f"x-amz-meta-m{i}": "v" * 100 for i in range(30)}
    assert error_of(call("PUT", f"/{bucket}/k", body=b"x", headers=meta)) == (400, "MetadataTooLarge")
    assert error_of(requests.get(s3.url + f"/{bucket}/k", headers={"Authorization": "AWS4-HMAC-SHA256 junk"}))[0] == 400


def test_list_buckets_anonymous(s3, bucket):
    """GET / unsigned: 200 and an empty ListAllMyBucketsResult owned by
    radosgw's anonymous user (ID "anonymous", empty DisplayName)."""
    r = requests.get(s3.url + "/")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/xml"
    root = ET.fromstring(r.content)
    assert root.tag == NS + "ListAllMyBucketsResult"
    owner = root.find(NS + "Owner")
    assert owner.find(NS + "ID").text == "anonymous"
    assert owner.find(NS + "DisplayName").text is None  # present, empty
    assert list(root.find(NS + "Buckets")) == []
    assert requests.head(s3.url + "/").status_code == 200
    # Signed, the same request lists the caller's buckets.
    r = requests.get(s3.url + "/", headers=sign_v4(s3, "GET", "/"))
    root = ET.fromstring(r.content)
    assert root.find(f"{NS}Owner/{NS}ID").text == s3.uid
    assert bucket in [b.find(NS + "Name").text for b in root.find(NS + "Buckets")]


def list_raw(s3, bucket, query):
    """A signed GET /bucket?query (already encoded): (status, root)."""
    path = f"/{bucket}?{query}"
    r = requests.get(s3.url + path, headers=sign_v4(s3, "GET", path))
    return r.status_code, ET.fromstring(r.content)


def test_list_v2_empty_continuation_token(s3, bucket):
    c = s3.client()
    for k in ("a", "b", "c"):
        c.put_object(Bucket=bucket, Key=k, Body=b"")
    # Empty: from the beginning (start-after is ignored, as radosgw does),
    # echoed as an empty ContinuationToken.
    status, root = list_raw(s3, bucket, "list-type=2&continuation-token=&start-after=a")
    assert status == 200
    assert root.find(NS + "ContinuationToken") is not None
    assert root.find(NS + "ContinuationToken").text is None
    assert [k.text for k in root.iter(NS + "Key")] == ["a", "b", "c"]
    # Without the parameter no ContinuationToken element; a bad one is refused.
    status, root = list_raw(s3, bucket, "list-type=2")
    assert status == 200 and root.find(NS + "ContinuationToken") is None
    path = f"/{bucket}?list-type=2&continuation-token=nothex"
    r = requests.get(s3.url + path, headers=sign_v4(s3, "GET", path))
    assert error_of(r) == (400, "InvalidArgument")


def test_list_encoding_url_raw(s3, bucket):
    """encoding-type=url: every key-like element percent-encoded as the keys
    are (UTF-8, '/' kept, space %20, '+' %2B, controls %XX), nothing raw."""
    from urllib.parse import quote

    c = s3.client()
    keys = ["a b+c/1", "a b+c/2\x01x", "a b+c/3", "z%\u00e9\n"]
    for k in keys:
        c.put_object(Bucket=bucket, Key=k, Body=b"")
    enc = lambda v: quote(v, safe="/~")  # noqa: E731
    q = lambda v: quote(v, safe="")  # noqa: E731
    pfx, dl, marker = "a b+c/", "\x01", "a b+c/1"
    status, root = list_raw(s3, bucket, f"encoding-type=url&prefix={q(pfx)}&delimiter={q(dl)}"
                                        f"&marker={q(marker)}&max-keys=1")
    assert status == 200
    got = {e: root.find(NS + e).text for e in ("Prefix", "Delimiter", "Marker", "NextMarker",
                                                "EncodingType")}
    assert got == {"Prefix": enc(pfx), "Delimiter": "%01", "Marker": enc(marker),
                   "NextMarker": enc("a b+c/2\x01"), "EncodingType": "url"}
    assert enc(pfx) == "a%20b%2Bc/"
    assert [p.text for p in root.iter(NS + "Prefix")][1:] == [enc("a b+c/2\x01")]
    # v2: Prefix, Delimiter, StartAfter, Key; the token is opaque.
    status, root = list_raw(s3, bucket, f"list-type=2&encoding-type=url&start-after={q('a b+c/3')}"
                                        "&max-keys=1")
    assert status == 200
    assert root.find(NS + "StartAfter").text == enc("a b+c/3")
    assert [k.text for k in root.iter(NS + "Key")] == ["z%25%C3%A9%0A"]
    # Versions: KeyMarker, NextKeyMarker, Key.
    status, root = list_raw(s3, bucket, f"versions&encoding-type=url&key-marker={q(marker)}"
                                        "&max-keys=1")
    assert status == 200
    assert root.find(NS + "KeyMarker").text == enc(marker)
    assert root.find(NS + "NextKeyMarker").text == enc("a b+c/2\x01x")
    assert [k.text for k in root.iter(NS + "Key")] == ["a%20b%2Bc/2%01x"]
    # Uploads: KeyMarker, NextKeyMarker, Key, Prefix, Delimiter.
    for k in keys:
        url = c.generate_presigned_url("create_multipart_upload", HttpMethod="POST",
                                       Params={"Bucket": bucket, "Key": k})
        assert requests.post(url).status_code == 200
    status, root = list_raw(s3, bucket, f"uploads&encoding-type=url&prefix={q(pfx)}"
                                        f"&delimiter={q(dl)}&key-marker={q(marker)}")
    assert status == 200
    got = {e: root.find(NS + e).text for e in ("Prefix", "Delimiter", "KeyMarker", "EncodingType")}
    assert got == {"Prefix": enc(pfx), "Delimiter": "%01", "KeyMarker": enc(marker),
                   "EncodingType": "url"}
    assert [k.text for k in root.iter(NS + "Key")] == [enc("a b+c/3")]
    assert [p.text for p in root.findall(f"{NS}CommonPrefixes/{NS}Prefix")] == \
        [enc("a b+c/2\x01")]
    path = f"/{bucket}?uploads&encoding-type=base64"
    r = requests.get(s3.url + path, headers=sign_v4(s3, "GET", path))
    assert error_of(r) == (400, "InvalidArgument")


def put_headers_only(s3, path, headers):
    """Sends a PUT's headers and no body; returns (status, body) of the answer."""
    conn = http.client.HTTPConnection(s3.host, timeout=10)
    try:
        conn.putrequest("PUT", path, skip_accept_encoding=True)
        for k, v in headers.items():
            conn.putheader(k, v)
        conn.endheaders()
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def test_too_large_is_refused_before_the_body(s3, bucket):
    path = f"/{bucket}/huge"
    h = sign_v4(s3, "PUT", path, payload_hash="UNSIGNED-PAYLOAD")
    h["Content-Length"] = str(6 << 30)
    status, body = put_headers_only(s3, path, h)
    assert status == 400 and b"EntityTooLarge" in body


def test_missing_content_length(s3, bucket):
    path = f"/{bucket}/nolen"
    status, body = put_headers_only(s3, path, sign_v4(s3, "PUT", path, payload_hash="UNSIGNED-PAYLOAD"))
    assert status == 411 and b"MissingContentLength" in body


def test_expect_100_continue(s3, bucket):
    path = f"/{bucket}/expect"
    body = b"e" * 100000
    h = sign_v4(s3, "PUT", path, {"Expect": "100-continue"}, body)
    conn = http.client.HTTPConnection(s3.host, timeout=10)
    conn.putrequest("PUT", path, skip_accept_encoding=True)
    for k, v in h.items():
        conn.putheader(k, v)
    conn.putheader("Content-Length", str(len(body)))
    conn.endheaders()
    # The interim response arrives before we send a byte of the body.
    line = conn.sock.recv(64)
    assert line.startswith(b"HTTP/1.1 100"), line
    conn.sock.sendall(body)
    r = conn.getresponse()
    assert r.status == 200, r.read()
    conn.close()
    assert s3.client().get_object(Bucket=bucket, Key="expect")["Body"].read() == body


def test_virtual_hosted_style(s3, bucket):
    if not s3.domain:
        pytest.fail("the door under test was started without an S3 domain")
    host = f"{bucket}.{s3.domain}:{s3.host.split(':')[1]}"
    h = sign_v4(s3, "PUT", "/vh/key", body=b"vhost", host=host)
    r = requests.put(s3.url + "/vh/key", data=b"vhost", headers=h)
    assert r.status_code == 200, r.content
    assert s3.client().get_object(Bucket=bucket, Key="vh/key")["Body"].read() == b"vhost"
    h = sign_v4(s3, "GET", "/?list-type=2", host=host)
    r = requests.get(s3.url + "/?list-type=2", headers=h)
    assert r.status_code == 200 and b"<Key>vh/key</Key>" in r.content


def test_unsigned_amz_header_is_refused(s3, bucket):
    """A presigned PUT cannot be turned into a copy (or given metadata) by
    whoever holds the URL: x-amz-* headers must be signed."""
    c = s3.client(signature_version="s3v4")
    c.put_object(Bucket=bucket, Key="secret", Body=b"secret bytes")
    url = c.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "drop"},
                                   ExpiresIn=300)
    r = requests.put(url, data=b"", headers={"x-amz-copy-source": f"/{bucket}/secret"})
    assert error_of(r) == (403, "AccessDenied")
    assert b"x-amz-copy-source" in r.content
    assert not exists(s3, bucket, "drop")
    assert requests.put(url, data=b"ok").status_code == 200


def test_security_token_without_sts_is_refused(s3, bucket):
    path = f"/{bucket}"
    h = sign_v4(s3, "GET", path, {"X-Amz-Security-Token": "forged"})
    assert error_of(requests.get(s3.url + path, headers=h)) == (400, "InvalidToken")


def test_urls_presigned_by_pyrgw(s3, bucket):
    """pyrgw signs URLs with the core's signer."""
    import pyrgw

    put_url = pyrgw.presign_url(f"{s3.url}/{bucket}/by-core", s3.access_key, s3.secret_key,
                                method="PUT", expires=60)
    assert "X-Amz-Signature=" in put_url
    assert requests.put(put_url, data=b"signed in the core").status_code == 200
    get_url = pyrgw.presign_url(f"{s3.url}/{bucket}/by-core", s3.access_key, s3.secret_key)
    r = requests.get(get_url)
    assert r.status_code == 200 and r.content == b"signed in the core"
    bad = pyrgw.presign_url(f"{s3.url}/{bucket}/by-core", s3.access_key, "wrong-secret")
    assert error_of(requests.get(bad)) == (403, "SignatureDoesNotMatch")


def test_unconfigured_bucket_settings_read_as_absent(s3, bucket):
    c = s3.client()
    for call, code in ((c.get_bucket_policy, "NoSuchBucketPolicy"),
                       (c.get_bucket_cors, "NoSuchCORSConfiguration"),
                       (c.get_bucket_lifecycle_configuration, "NoSuchLifecycleConfiguration"),
                       (c.get_bucket_tagging, "NoSuchTagSet"),
                       (c.get_bucket_website, "NoSuchWebsiteConfiguration")):
        with pytest.raises(ClientError) as e:
            call(Bucket=bucket)
        assert e.value.response["Error"]["Code"] == code
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert "LoggingEnabled" not in c.get_bucket_logging(Bucket=bucket)
    assert c.get_bucket_request_payment(Bucket=bucket)["Payer"] == "BucketOwner"
    c.put_object(Bucket=bucket, Key="o", Body=b"x")
    acl = c.get_object_acl(Bucket=bucket, Key="o")
    assert acl["Owner"]["ID"] == s3.uid
    assert [g["Permission"] for g in acl["Grants"]] == ["FULL_CONTROL"]
    assert c.get_object_tagging(Bucket=bucket, Key="o")["TagSet"] == []
    with pytest.raises(ClientError) as e:
        c.get_bucket_policy(Bucket=s3.name("missing"))
    assert e.value.response["Error"]["Code"] == "NoSuchBucket"
    with pytest.raises(ClientError) as e:
        c.put_bucket_policy(Bucket=bucket, Policy="{}")
    assert e.value.response["Error"]["Code"] == "MalformedPolicy"


def test_bucket_names_follow_s3_rules(s3):
    for bad in ("ab", "Upper-case", "under_score", "-dash", "dots..dots", "192.168.1.1",
                "a" * 64):
        path = f"/{bad}"
        r = requests.put(s3.url + path, headers=sign_v4(s3, "PUT", path))
        assert error_of(r) == (400, "InvalidBucketName"), bad
    ok = "a.b-" + s3.name("c")[:40]
    path = f"/{ok}"
    assert requests.put(s3.url + path, headers=sign_v4(s3, "PUT", path)).status_code == 200


def test_response_overrides_cannot_inject_headers(s3, bucket):
    c = s3.client(signature_version="s3v4")
    c.put_object(Bucket=bucket, Key="o", Body=b"x")
    url = c.generate_presigned_url("get_object", Params={
        "Bucket": bucket, "Key": "o", "ResponseContentType": "text/plain\r\nSet-Cookie: a=b"})
    r = requests.get(url)
    assert error_of(r) == (400, "InvalidArgument")
    assert "Set-Cookie" not in r.headers


def test_no_content_length_on_204_and_304(s3, bucket):
    etag = s3.client().put_object(Bucket=bucket, Key="n", Body=b"12345")["ETag"]
    path = f"/{bucket}/n"
    r = requests.get(s3.url + path, headers=sign_v4(s3, "GET", path, {"If-None-Match": etag}))
    assert r.status_code == 304 and r.content == b""
    assert "Content-Length" not in r.headers and r.headers["ETag"] == etag
    r = requests.delete(s3.url + path, headers=sign_v4(s3, "DELETE", path))
    assert r.status_code == 204 and "Content-Length" not in r.headers


def test_too_many_headers(s3, bucket):
    path = f"/{bucket}"
    h = sign_v4(s3, "GET", path)
    h.update({f"X-Filler-{i}": "v" * 7000 for i in range(10)})  # 70 KB: under the server's own limits
    assert error_of(requests.get(s3.url + path, headers=h)) == (400, "RequestHeaderSectionTooLarge")


def test_streaming_signed_chunks_with_signed_trailer(s3, bucket):
    data = b"signed trailer " * 5000
    chunks = [data[:40000], data[40000:]]
    crc = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
    bad = base64.b64encode(zlib.crc32(data + b"!").to_bytes(4, "big")).decode()
    for key, value, tamper, expect in (("st-ok", crc, None, 200),
                                       ("st-badsum", bad, None, "BadDigest"),
                                       ("st-badsig", crc, "sig", "SignatureDoesNotMatch")):
        path = f"/{bucket}/{key}"
        headers = {"Content-Encoding": "aws-chunked", "X-Amz-Trailer": "x-amz-checksum-crc32",
                   "X-Amz-Decoded-Content-Length": str(len(data))}
        dummy = {"Authorization": "Signature=" + "0" * 64, "X-Amz-Date": "20000101T000000Z"}
        headers["Content-Length"] = str(len(streaming_signed_body(
            s3, dummy, chunks, trailer=("x-amz-checksum-crc32", value))))
        h = sign_v4(s3, "PUT", path, headers,
                    payload_hash="STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER")
        body = streaming_signed_body(s3, h, chunks, trailer=("x-amz-checksum-crc32", value))
        if tamper == "sig":  # the trailer signature no longer matches the trailer
            i = body.rindex(b"x-amz-trailer-signature:") + 24
            body = body[:i] + (b"0" if body[i:i + 1] != b"0" else b"1") + body[i + 1:]
        r = requests.put(s3.url + path, data=body, headers=h)
        if expect == 200:
            assert r.status_code == 200, r.content
            assert s3.client().get_object(Bucket=bucket, Key=key)["Body"].read() == data
        else:
            assert error_of(r)[1] == expect
            assert not exists(s3, bucket, key)
