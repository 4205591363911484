"""S3 through boto3 (current PyPI), on every door and store driver."""
import datetime
import hashlib
import io

import pytest
from botocore.exceptions import ClientError

import pyrgw


def error_code(exc_info):
    return exc_info.value.response["Error"]["Code"]


def status(exc_info):
    return exc_info.value.response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def c(s3):
    return s3.client()


@pytest.fixture
def bucket(s3, c):
    name = s3.name()
    c.create_bucket(Bucket=name)
    return name


def test_bucket_lifecycle(s3, c):
    name = s3.name()
    c.create_bucket(Bucket=name)
    names = [b["Name"] for b in c.list_buckets()["Buckets"]]
    assert name in names
    c.head_bucket(Bucket=name)
    assert c.get_bucket_location(Bucket=name)["LocationConstraint"] is None
    c.put_object(Bucket=name, Key="k", Body=b"x")
    with pytest.raises(ClientError) as e:
        c.delete_bucket(Bucket=name)
    assert error_code(e) == "BucketNotEmpty" and status(e) == 409
    c.delete_object(Bucket=name, Key="k")
    c.delete_bucket(Bucket=name)
    with pytest.raises(ClientError) as e:
        c.head_bucket(Bucket=name)
    assert status(e) == 404
    assert name not in [b["Name"] for b in c.list_buckets()["Buckets"]]


def test_create_bucket_with_location_and_twice(s3, c):
    name = s3.name()
    c.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "us-east-1"})
    c.put_object(Bucket=name, Key="kept", Body=b"x")
    acl = c.get_bucket_acl(Bucket=name)["Grants"]
    # us-east-1 (the gateway's region): its owner's re-create answers 200
    # (AWS's legacy rule), with or without a LocationConstraint, and changes
    # nothing: contents and ACL stay.
    r = c.create_bucket(Bucket=name)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200 and r["Location"] == f"/{name}"
    c.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "us-east-1"})
    assert [o["Key"] for o in c.list_objects_v2(Bucket=name)["Contents"]] == ["kept"]
    assert c.get_bucket_acl(Bucket=name)["Grants"] == acl
    # Another ACL is not applied: refused as radosgw does.
    with pytest.raises(ClientError) as e:
        c.create_bucket(Bucket=name, ACL="public-read")
    assert error_code(e) == "BucketAlreadyExists" and status(e) == 409
    assert c.get_bucket_acl(Bucket=name)["Grants"] == acl
    with pytest.raises(ClientError) as e:
        s3.other.client().create_bucket(Bucket=name)
    assert error_code(e) == "BucketAlreadyExists" and status(e) == 409
    with pytest.raises(ClientError) as e:
        c.create_bucket(Bucket=s3.name(), CreateBucketConfiguration={"LocationConstraint": "eu-west-9"})
    assert error_code(e) == "InvalidLocationConstraint"


def test_create_public_bucket_twice(s3, c):
    """The same canned ACL again is no change: 200, the bucket stays public."""
    import requests

    name = s3.name()
    c.create_bucket(Bucket=name, ACL="public-read")
    r = c.create_bucket(Bucket=name, ACL="public-read")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert requests.get(f"{s3.url}/{name}").status_code == 200
    # No ACL means private: a change, refused; the bucket stays public.
    with pytest.raises(ClientError) as e:
        c.create_bucket(Bucket=name)
    assert error_code(e) == "BucketAlreadyExists" and status(e) == 409
    assert requests.get(f"{s3.url}/{name}").status_code == 200


@pytest.fixture(scope="module")
def eu_servers(tmp_path_factory):
    """A second server of each (door, driver) on the same store, answering
    for region eu-west-1."""
    from s3_servers import STARTERS

    started = {}

    def get(ep):
        if (ep.door, ep.driver) not in started:
            workdir = str(tmp_path_factory.mktemp(f"eu-{ep.door}-{ep.driver}"))
            started[(ep.door, ep.driver)] = STARTERS[ep.door](ep.store_uri, workdir,
                                                              region="eu-west-1")
        return started[(ep.door, ep.driver)]

    yield get
    for server in started.values():
        server.stop()


def test_create_bucket_twice_outside_us_east_1(s3, eu_servers):
    import boto3
    from botocore.config import Config

    server = eu_servers(s3)
    c = boto3.client("s3", endpoint_url=server.url, region_name="eu-west-1",
                     aws_access_key_id=s3.access_key, aws_secret_access_key=s3.secret_key,
                     config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
    name = s3.name()
    here = {"LocationConstraint": "eu-west-1"}
    c.create_bucket(Bucket=name, CreateBucketConfiguration=here)
    for kw in ({"CreateBucketConfiguration": here}, {}):
        with pytest.raises(ClientError) as e:
            c.create_bucket(Bucket=name, **kw)
        assert error_code(e) == "BucketAlreadyOwnedByYou" and status(e) == 409
    other = boto3.client("s3", endpoint_url=server.url, region_name="eu-west-1",
                         aws_access_key_id=s3.other.access_key,
                         aws_secret_access_key=s3.other.secret_key,
                         config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
    with pytest.raises(ClientError) as e:
        other.create_bucket(Bucket=name, CreateBucketConfiguration=here)
    assert error_code(e) == "BucketAlreadyExists" and status(e) == 409
    c.delete_bucket(Bucket=name)


def test_list_buckets_anonymous(s3, c):
    """An anonymous ListBuckets is an empty list owned by "anonymous", as
    radosgw's (and s3-tests' test_list_buckets_anonymous)."""
    from botocore import UNSIGNED

    c.create_bucket(Bucket=s3.name())  # someone has buckets
    r = s3.client(signature_version=UNSIGNED).list_buckets()
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert r["Buckets"] == []
    assert r["Owner"] == {"ID": "anonymous", "DisplayName": ""}


def test_put_get_head_with_metadata(c, bucket):
    body = b"hello world" * 1000
    r = c.put_object(Bucket=bucket, Key="dir/obj.txt", Body=body, ContentType="text/plain",
                     Metadata={"color": "blue", "Mixed-Case": "v"}, CacheControl="max-age=60",
                     ContentDisposition="attachment", ContentEncoding="identity",
                     Expires=datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc))
    assert r["ETag"] == '"%s"' % hashlib.md5(body).hexdigest()
    g = c.get_object(Bucket=bucket, Key="dir/obj.txt")
    assert g["Body"].read() == body
    assert g["ContentType"] == "text/plain"
    assert g["Metadata"] == {"color": "blue", "mixed-case": "v"}
    assert g["CacheControl"] == "max-age=60"
    assert g["ContentDisposition"] == "attachment"
    assert g["ContentEncoding"] == "identity"
    assert g["ETag"] == r["ETag"]
    assert g["ContentLength"] == len(body)
    h = c.head_object(Bucket=bucket, Key="dir/obj.txt")
    assert h["ContentLength"] == len(body) and h["ETag"] == r["ETag"]
    assert h["Metadata"]["color"] == "blue"


def test_missing_object_and_bucket(s3, c, bucket):
    with pytest.raises(ClientError) as e:
        c.get_object(Bucket=bucket, Key="nope")
    assert error_code(e) == "NoSuchKey" and status(e) == 404
    with pytest.raises(ClientError) as e:
        c.head_object(Bucket=bucket, Key="nope")
    assert status(e) == 404
    with pytest.raises(ClientError) as e:
        c.get_object(Bucket=s3.name("missing"), Key="k")
    assert error_code(e) == "NoSuchBucket"
    # DELETE is idempotent.
    c.delete_object(Bucket=bucket, Key="nope")


def test_ranges(c, bucket):
    body = bytes(range(256)) * 40
    c.put_object(Bucket=bucket, Key="r", Body=body)
    g = c.get_object(Bucket=bucket, Key="r", Range="bytes=10-19")
    assert g["Body"].read() == body[10:20]
    assert g["ContentRange"] == f"bytes 10-19/{len(body)}"
    assert g["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert c.get_object(Bucket=bucket, Key="r", Range="bytes=-5")["Body"].read() == body[-5:]
    assert c.get_object(Bucket=bucket, Key="r", Range="bytes=10000-")["Body"].read() == body[10000:]
    assert c.get_object(Bucket=bucket, Key="r", Range="bytes=10230-99999")["Body"].read() == body[10230:]
    with pytest.raises(ClientError) as e:
        c.get_object(Bucket=bucket, Key="r", Range=f"bytes={len(body)}-")
    assert status(e) == 416 and error_code(e) == "InvalidRange"


def test_conditionals(c, bucket):
    etag = c.put_object(Bucket=bucket, Key="c", Body=b"abc")["ETag"]
    assert c.get_object(Bucket=bucket, Key="c", IfMatch=etag)["Body"].read() == b"abc"
    with pytest.raises(ClientError) as e:
        c.get_object(Bucket=bucket, Key="c", IfMatch='"0000"')
    assert status(e) == 412
    with pytest.raises(ClientError) as e:
        c.get_object(Bucket=bucket, Key="c", IfNoneMatch=etag)
    assert status(e) == 304
    future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
    past = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
    with pytest.raises(ClientError) as e:
        c.get_object(Bucket=bucket, Key="c", IfModifiedSince=future)
    assert status(e) == 304
    assert c.get_object(Bucket=bucket, Key="c", IfModifiedSince=past)["Body"].read() == b"abc"
    with pytest.raises(ClientError) as e:
        c.get_object(Bucket=bucket, Key="c", IfUnmodifiedSince=past)
    assert status(e) == 412


def test_response_overrides(c, bucket):
    c.put_object(Bucket=bucket, Key="o", Body=b"x", ContentType="text/plain")
    g = c.get_object(Bucket=bucket, Key="o", ResponseContentType="application/json",
                     ResponseContentDisposition='attachment; filename="a.json"',
                     ResponseCacheControl="no-cache")
    assert g["ContentType"] == "application/json"
    assert g["ContentDisposition"] == 'attachment; filename="a.json"'
    assert g["CacheControl"] == "no-cache"


def test_copy_object(c, bucket):
    c.put_object(Bucket=bucket, Key="src", Body=b"copy me", ContentType="text/x",
                 Metadata={"a": "1"})
    r = c.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    assert r["CopyObjectResult"]["ETag"] == '"%s"' % hashlib.md5(b"copy me").hexdigest()
    g = c.get_object(Bucket=bucket, Key="dst")
    assert g["Body"].read() == b"copy me" and g["Metadata"] == {"a": "1"}
    assert g["ContentType"] == "text/x"
    c.copy_object(Bucket=bucket, Key="dst2", CopySource=f"{bucket}/src",
                  MetadataDirective="REPLACE", Metadata={"b": "2"}, ContentType="text/y")
    g = c.get_object(Bucket=bucket, Key="dst2")
    assert g["Metadata"] == {"b": "2"} and g["ContentType"] == "text/y"
    with pytest.raises(ClientError) as e:
        c.copy_object(Bucket=bucket, Key="src", CopySource=f"{bucket}/src")
    assert error_code(e) == "InvalidRequest"
    with pytest.raises(ClientError) as e:
        c.copy_object(Bucket=bucket, Key="d3", CopySource=f"{bucket}/src",
                      CopySourceIfMatch='"nomatch"')
    assert status(e) == 412
    with pytest.raises(ClientError) as e:
        c.copy_object(Bucket=bucket, Key="d3", CopySource=f"{bucket}/missing")
    assert error_code(e) == "NoSuchKey"


def test_delete_objects(c, bucket):
    for i in range(5):
        c.put_object(Bucket=bucket, Key=f"d/{i}", Body=b"x")
    r = c.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": f"d/{i}"} for i in range(3)]
                                                + [{"Key": "d/missing"}]})
    assert sorted(d["Key"] for d in r["Deleted"]) == ["d/0", "d/1", "d/2", "d/missing"]
    r = c.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "d/3"}], "Quiet": True})
    assert "Deleted" not in r and "Errors" not in r
    assert [o["Key"] for o in c.list_objects_v2(Bucket=bucket)["Contents"]] == ["d/4"]


def test_list_v1_v2_prefix_delimiter_pagination(c, bucket):
    keys = ["a/1", "a/2", "a/b/3", "b", "c/1", "c+d e", "é/ü"]
    for k in keys:
        c.put_object(Bucket=bucket, Key=k, Body=k.encode())
    r = c.list_objects_v2(Bucket=bucket)
    assert [o["Key"] for o in r["Contents"]] == sorted(keys, key=lambda k: k.encode())
    assert r["KeyCount"] == len(keys)
    r = c.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert [o["Key"] for o in r["Contents"]] == ["b", "c+d e"]
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["a/", "c/", "é/"]
    r = c.list_objects_v2(Bucket=bucket, Prefix="a/", Delimiter="/")
    assert [o["Key"] for o in r["Contents"]] == ["a/1", "a/2"]
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["a/b/"]
    # Pagination: v2 with continuation tokens, v1 with markers.
    seen, token = [], None
    while True:
        kw = {"ContinuationToken": token} if token else {}
        r = c.list_objects_v2(Bucket=bucket, MaxKeys=2, **kw)
        seen += [o["Key"] for o in r.get("Contents", [])]
        if not r["IsTruncated"]:
            break
        token = r["NextContinuationToken"]
    assert seen == sorted(keys, key=lambda k: k.encode())
    paginator = c.get_paginator("list_objects")
    seen = [o["Key"] for page in paginator.paginate(Bucket=bucket, PaginationConfig={"PageSize": 3})
            for o in page.get("Contents", [])]
    assert seen == sorted(keys, key=lambda k: k.encode())
    r = c.list_objects_v2(Bucket=bucket, StartAfter="b")
    assert [o["Key"] for o in r["Contents"]][0] == "c+d e"
    r = c.list_objects(Bucket=bucket, Marker="a/b/3", MaxKeys=1, Delimiter="/")
    assert r["IsTruncated"] and r["NextMarker"] == "b"
    owner = c.list_objects_v2(Bucket=bucket, FetchOwner=True)["Contents"][0]["Owner"]
    assert owner["ID"]
    assert "Owner" not in c.list_objects_v2(Bucket=bucket)["Contents"][0]


def test_list_object_versions_unversioned(c, bucket):
    c.put_object(Bucket=bucket, Key="v1", Body=b"1")
    c.put_object(Bucket=bucket, Key="v2", Body=b"22")
    r = c.list_object_versions(Bucket=bucket)
    assert [(v["Key"], v["VersionId"], v["IsLatest"], v["Size"]) for v in r["Versions"]] == [
        ("v1", "null", True, 1), ("v2", "null", True, 2)]
    after = c.list_object_versions(Bucket=bucket, KeyMarker="v1", VersionIdMarker="null")
    assert [(v["Key"], v["VersionId"]) for v in after["Versions"]] == [("v2", "null")]
    for params in ({"KeyMarker": "v1", "VersionIdMarker": "3sL4kqtJlcpXroDTDmJ"},
                   {"VersionIdMarker": "null"}):
        with pytest.raises(ClientError) as e:
            c.list_object_versions(Bucket=bucket, **params)
        assert error_code(e) == "InvalidArgument" and status(e) == 400
    # The cleanup idiom of many tools: delete every version, then the bucket.
    objs = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in r["Versions"]]
    c.delete_objects(Bucket=bucket, Delete={"Objects": objs})
    c.delete_bucket(Bucket=bucket)


def test_version_ids_name_the_null_version(c, bucket):
    c.put_object(Bucket=bucket, Key="k", Body=b"only")
    assert c.get_object(Bucket=bucket, Key="k", VersionId="null")["Body"].read() == b"only"
    assert c.head_object(Bucket=bucket, Key="k", VersionId="null")["ContentLength"] == 4
    # An id this gateway never makes is 400; a well-formed unknown one 404.
    malformed, unknown = "3sL4kqtJlcpXroDTDmJ", "0000000000000000000000000000000A"
    for call in (lambda: c.get_object(Bucket=bucket, Key="k", VersionId=malformed),
                 lambda: c.delete_object(Bucket=bucket, Key="k", VersionId=malformed)):
        with pytest.raises(ClientError) as e:
            call()
        assert status(e) == 400 and error_code(e) == "InvalidArgument"
    with pytest.raises(ClientError) as e:
        c.get_object(Bucket=bucket, Key="k", VersionId=unknown)
    assert status(e) == 404 and error_code(e) == "NoSuchVersion"
    # Deleting a version that is not there removes nothing: 204.
    r = c.delete_object(Bucket=bucket, Key="k", VersionId=unknown)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert c.head_object(Bucket=bucket, Key="k")["ContentLength"] == 4
    r = c.delete_objects(Bucket=bucket, Delete={"Objects": [
        {"Key": "k", "VersionId": malformed}, {"Key": "k", "VersionId": "null"}]})
    assert [(x["Key"], x["Code"]) for x in r["Errors"]] == [("k", "NoSuchVersion")]
    assert [(x["Key"], x["VersionId"]) for x in r["Deleted"]] == [("k", "null")]
    with pytest.raises(ClientError) as e:
        c.head_object(Bucket=bucket, Key="k")
    assert status(e) == 404


def test_suspended_user_is_refused(s3, bucket):
    other = s3.other.client()
    other.list_buckets()
    with pyrgw.Store(s3.store_uri) as store:
        store.modify_user(s3.other.uid, suspended=True)
        try:
            with pytest.raises(ClientError) as e:
                other.list_buckets()
            assert error_code(e) == "AccessDenied" and status(e) == 403
        finally:
            store.modify_user(s3.other.uid, suspended=False)
    other.list_buckets()


def test_other_user_is_denied(s3, c, bucket):
    c.put_object(Bucket=bucket, Key="private", Body=b"secret")
    other = s3.other.client()
    for call in (lambda: other.get_object(Bucket=bucket, Key="private"),
                 lambda: other.put_object(Bucket=bucket, Key="x", Body=b"x"),
                 lambda: other.list_objects_v2(Bucket=bucket),
                 lambda: other.delete_bucket(Bucket=bucket)):
        with pytest.raises(ClientError) as e:
            call()
        assert error_code(e) == "AccessDenied" and status(e) == 403
    assert bucket not in [b["Name"] for b in other.list_buckets()["Buckets"]]


def test_upload_fileobj_streams(c, bucket):
    data = bytes(range(256)) * 4096 * 3  # 3 MiB: a single PUT below the multipart threshold
    c.upload_fileobj(io.BytesIO(data), bucket, "big")
    out = io.BytesIO()
    c.download_fileobj(bucket, "big", out)
    assert out.getvalue() == data


def test_multipart_upload(c, bucket):
    part = 5 * 1024 * 1024
    bodies = [bytes([i]) * part for i in range(1, 3)] + [b"tail"]
    up = c.create_multipart_upload(Bucket=bucket, Key="mp", ContentType="video/x",
                                   Metadata={"m": "1"})
    uid = up["UploadId"]
    assert [u["UploadId"] for u in c.list_multipart_uploads(Bucket=bucket)["Uploads"]] == [uid]
    etags = []
    for n, b in enumerate(bodies, 1):
        etags.append(c.upload_part(Bucket=bucket, Key="mp", UploadId=uid, PartNumber=n, Body=b)["ETag"])
    parts = c.list_parts(Bucket=bucket, Key="mp", UploadId=uid)["Parts"]
    assert [(p["PartNumber"], p["Size"], p["ETag"]) for p in parts] == [
        (n, len(b), e) for n, (b, e) in enumerate(zip(bodies, etags), 1)]
    r = c.complete_multipart_upload(
        Bucket=bucket, Key="mp", UploadId=uid,
        MultipartUpload={"Parts": [{"PartNumber": n, "ETag": e} for n, e in enumerate(etags, 1)]})
    md5s = b"".join(hashlib.md5(b).digest() for b in bodies)
    assert r["ETag"] == '"%s-3"' % hashlib.md5(md5s).hexdigest()
    g = c.get_object(Bucket=bucket, Key="mp")
    assert g["Body"].read() == b"".join(bodies)
    assert g["ContentType"] == "video/x" and g["Metadata"] == {"m": "1"}
    g = c.get_object(Bucket=bucket, Key="mp", Range=f"bytes={part - 2}-{part + 1}")
    assert g["Body"].read() == bodies[0][-2:] + bodies[1][:2]
    assert c.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    with pytest.raises(ClientError) as e:
        c.list_parts(Bucket=bucket, Key="mp", UploadId=uid)
    assert error_code(e) == "NoSuchUpload"


def test_multipart_errors(c, bucket):
    uid = c.create_multipart_upload(Bucket=bucket, Key="e")["UploadId"]
    e1 = c.upload_part(Bucket=bucket, Key="e", UploadId=uid, PartNumber=1, Body=b"small")["ETag"]
    e2 = c.upload_part(Bucket=bucket, Key="e", UploadId=uid, PartNumber=2, Body=b"small")["ETag"]
    with pytest.raises(ClientError) as e:
        c.complete_multipart_upload(Bucket=bucket, Key="e", UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
    assert error_code(e) == "EntityTooSmall"
    with pytest.raises(ClientError) as e:
        c.complete_multipart_upload(Bucket=bucket, Key="e", UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": 2, "ETag": e2}, {"PartNumber": 1, "ETag": e1}]})
    assert error_code(e) == "InvalidPartOrder"
    with pytest.raises(ClientError) as e:
        c.complete_multipart_upload(Bucket=bucket, Key="e", UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": '"00000000000000000000000000000000"'}]})
    assert error_code(e) == "InvalidPart"
    with pytest.raises(ClientError) as e:
        c.complete_multipart_upload(Bucket=bucket, Key="e", UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": 3, "ETag": e1}]})
    assert error_code(e) == "InvalidPart"
    with pytest.raises(ClientError) as e:
        c.head_object(Bucket=bucket, Key="e")
    assert status(e) == 404  # nothing was published
    # A single part may be small: it is the last one.
    r = c.complete_multipart_upload(Bucket=bucket, Key="e", UploadId=uid, MultipartUpload={
        "Parts": [{"PartNumber": 2, "ETag": e2}]})
    assert r["ETag"].endswith('-1"')
    assert c.get_object(Bucket=bucket, Key="e")["Body"].read() == b"small"
    uid2 = c.create_multipart_upload(Bucket=bucket, Key="e")["UploadId"]
    c.abort_multipart_upload(Bucket=bucket, Key="e", UploadId=uid2)
    with pytest.raises(ClientError) as e:
        c.upload_part(Bucket=bucket, Key="e", UploadId=uid2, PartNumber=1, Body=b"x")
    assert error_code(e) == "NoSuchUpload"


def upload_part_twice_first_finishing_last(s3, c, bucket, key, uid, a, b):
    """Part 1 twice: A's request starts (half its body sent), B's is made
    whole, then A's finishes last.  Returns their ETags (A, B)."""
    import http.client

    from s3_signing import sign_v4

    path = f"/{bucket}/{key}?partNumber=1&uploadId={uid}"
    h = sign_v4(s3, "PUT", path, {"Content-Length": str(len(a))}, payload_hash="UNSIGNED-PAYLOAD")
    conn = http.client.HTTPConnection(s3.host, timeout=60)
    try:
        conn.putrequest("PUT", path, skip_accept_encoding=True)
        for k, v in h.items():
            conn.putheader(k, v)
        conn.endheaders()
        conn.send(a[:len(a) // 2])
        eb = c.upload_part(Bucket=bucket, Key=key, UploadId=uid, PartNumber=1, Body=b)["ETag"]
        conn.send(a[len(a) // 2:])
        r = conn.getresponse()
        assert r.status == 200, r.read()
        ea = r.getheader("ETag")
        r.read()
    finally:
        conn.close()
    return ea, eb


@pytest.mark.parametrize("named", ["first", "last", "both", "neither"])
def test_part_uploaded_twice_first_finishing_last(s3, c, bucket, named):
    """Two uploads of one part number stay distinct: completion takes the one
    whose ETag it names, whichever finished last.  Named twice (as s3-tests'
    test_multipart_resend_first_finishes_last does), the last entry counts."""
    part = 5 * 1024 * 1024
    a, b = b"A" * part, b"B" * part
    uid = c.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    ea, eb = upload_part_twice_first_finishing_last(s3, c, bucket, "mp", uid, a, b)
    assert (ea, eb) == ('"%s"' % hashlib.md5(a).hexdigest(), '"%s"' % hashlib.md5(b).hexdigest())
    e2 = c.upload_part(Bucket=bucket, Key="mp", UploadId=uid, PartNumber=2, Body=b"two")["ETag"]
    # The part listed is the upload that finished last.
    parts = c.list_parts(Bucket=bucket, Key="mp", UploadId=uid)["Parts"]
    assert [(p["PartNumber"], p["ETag"]) for p in parts] == [(1, ea), (2, e2)]
    first = {"first": [eb], "last": [ea], "both": [eb, ea],
             "neither": ['"%s"' % hashlib.md5(b"C").hexdigest()]}[named]
    listed = [{"PartNumber": 1, "ETag": e} for e in first] + [{"PartNumber": 2, "ETag": e2}]
    if named == "neither":
        with pytest.raises(ClientError) as e:
            c.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=uid,
                                        MultipartUpload={"Parts": listed})
        assert error_code(e) == "InvalidPart" and status(e) == 400
        with pytest.raises(ClientError) as e:
            c.head_object(Bucket=bucket, Key="mp")
        assert status(e) == 404
        c.abort_multipart_upload(Bucket=bucket, Key="mp", UploadId=uid)
        return
    body = b if named == "first" else a
    r = c.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=uid,
                                    MultipartUpload={"Parts": listed})
    md5s = hashlib.md5(body).digest() + hashlib.md5(b"two").digest()
    assert r["ETag"] == '"%s-2"' % hashlib.md5(md5s).hexdigest()
    assert c.get_object(Bucket=bucket, Key="mp")["Body"].read() == body + b"two"


def test_upload_part_copy(c, bucket):
    src = bytes(range(256)) * 4096 * 6  # 6 MiB
    c.put_object(Bucket=bucket, Key="src", Body=src)
    uid = c.create_multipart_upload(Bucket=bucket, Key="pc")["UploadId"]
    p1 = c.upload_part_copy(Bucket=bucket, Key="pc", UploadId=uid, PartNumber=1,
                            CopySource={"Bucket": bucket, "Key": "src"},
                            CopySourceRange=f"bytes=0-{5 * 1024 * 1024 - 1}")
    p2 = c.upload_part_copy(Bucket=bucket, Key="pc", UploadId=uid, PartNumber=2,
                            CopySource={"Bucket": bucket, "Key": "src"},
                            CopySourceRange=f"bytes={5 * 1024 * 1024}-{len(src) - 1}")
    c.complete_multipart_upload(Bucket=bucket, Key="pc", UploadId=uid, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": p1["CopyPartResult"]["ETag"]},
        {"PartNumber": 2, "ETag": p2["CopyPartResult"]["ETag"]}]})
    assert c.get_object(Bucket=bucket, Key="pc")["Body"].read() == src


def test_public_read_bucket_lists_for_anyone(s3, c):
    """As in S3, a public-read bucket lets anyone list it; its objects are
    readable by anyone only when their own ACL says so."""
    import requests

    name = s3.name()
    c.create_bucket(Bucket=name, ACL="public-read")
    c.put_object(Bucket=name, Key="pub", Body=b"for all", ACL="public-read")
    c.put_object(Bucket=name, Key="mine", Body=b"mine")
    listing = requests.get(f"{s3.url}/{name}")
    assert listing.status_code == 200 and b"<Key>mine</Key>" in listing.content
    r = requests.get(f"{s3.url}/{name}/pub")
    assert r.status_code == 200 and r.content == b"for all"
    assert requests.head(f"{s3.url}/{name}/pub").status_code == 200
    assert requests.get(f"{s3.url}/{name}/mine").status_code == 403
    # A lister learns that a key is missing.
    assert requests.get(f"{s3.url}/{name}/missing").status_code == 404
    assert requests.put(f"{s3.url}/{name}/x", data=b"no").status_code == 403
    private = s3.name()
    c.create_bucket(Bucket=private)
    c.put_object(Bucket=private, Key="p", Body=b"no")
    r = requests.get(f"{s3.url}/{private}/p")
    assert r.status_code == 403 and b"<Code>AccessDenied</Code>" in r.content
    assert requests.get(f"{s3.url}/{private}/missing").status_code == 403


# Keys that encoding-type=url must carry: spaces, '+', '%', non-ASCII and
# control characters (which XML 1.0 cannot hold raw).
ODD_KEYS = ["a b/1", "a b/2", "p+q/x", "100%/y", "\u00fc/\u00e9", "c\x01/z", "n\n/w", "plain",
            "t\tab"]


def test_list_encoding_url_round_trips(c, bucket):
    """boto3 asks for encoding-type=url and decodes what AWS encodes:
    round-trip equality proves each element was encoded like the keys."""
    for k in ODD_KEYS:
        c.put_object(Bucket=bucket, Key=k, Body=k.encode())
    r = c.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert r["EncodingType"] == "url" and r["Delimiter"] == "/"
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == sorted(
        {k.split("/")[0] + "/" for k in ODD_KEYS if "/" in k})
    assert [o["Key"] for o in r["Contents"]] == ["plain", "t\tab"]
    for pfx, after in (("a b/", "a b/1"), ("c\x01/", ""), ("n\n/", ""), ("\u00fc/", "")):
        kw = {"StartAfter": after} if after else {}
        r = c.list_objects_v2(Bucket=bucket, Prefix=pfx, Delimiter="\x01", **kw)
        assert r["Prefix"] == pfx and r["Delimiter"] == "\x01"
        assert r.get("StartAfter", "") == after
        want = sorted(k for k in ODD_KEYS if k.startswith(pfx) and k > after)
        assert [o["Key"] for o in r["Contents"]] == want
    # v1: Marker and NextMarker (botocore leaves v1's Prefix encoded).
    r = c.list_objects(Bucket=bucket, Marker="a b/1", Delimiter="\x01", MaxKeys=2)
    assert r["Marker"] == "a b/1" and r["Delimiter"] == "\x01" and r["IsTruncated"]
    assert [o["Key"] for o in r["Contents"]] == ["a b/2"]
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["c\x01"]
    assert r["NextMarker"] == "c\x01"
    r = c.list_objects(Bucket=bucket, Prefix="n\n/")
    assert r["Prefix"] == "n%0A/" and [o["Key"] for o in r["Contents"]] == ["n\n/w"]
    # Versions: KeyMarker, NextKeyMarker, Prefix, Delimiter.
    r = c.list_object_versions(Bucket=bucket, KeyMarker="100%/y", MaxKeys=2)
    assert r["KeyMarker"] == "100%/y" and r["NextKeyMarker"] == "a b/2"
    assert [v["Key"] for v in r["Versions"]] == ["a b/1", "a b/2"]
    r = c.list_object_versions(Bucket=bucket, Prefix="p+q/", Delimiter="+")
    assert r["Prefix"] == "p+q/" and r["Delimiter"] == "+"
    assert [v["Key"] for v in r["Versions"]] == ["p+q/x"]


def test_control_characters_in_keys_keep_xml_well_formed(s3, c, bucket):
    """XML 1.0 cannot carry most C0 controls, even as character references:
    answers that echo a key outside listings write each as U+FFFD, so that
    boto3 (expat) parses them."""
    import requests

    key, shown = "ctl\x01mid\x1fend", "ctl\ufffdmid\ufffdend"
    c.put_object(Bucket=bucket, Key=key, Body=b"body")
    assert c.get_object(Bucket=bucket, Key=key)["Body"].read() == b"body"
    r = c.copy_object(Bucket=bucket, Key=key + "-copy", CopySource={"Bucket": bucket, "Key": key})
    assert r["CopyObjectResult"]["ETag"] == '"%s"' % hashlib.md5(b"body").hexdigest()
    up = c.create_multipart_upload(Bucket=bucket, Key=key + "-mp")
    assert up["Key"] == shown + "-mp" and up["Bucket"] == bucket
    etag = c.upload_part(Bucket=bucket, Key=key + "-mp", UploadId=up["UploadId"], PartNumber=1,
                         Body=b"part")["ETag"]
    parts = c.list_parts(Bucket=bucket, Key=key + "-mp", UploadId=up["UploadId"])
    assert parts["Key"] == shown + "-mp" and [p["ETag"] for p in parts["Parts"]] == [etag]
    done = c.complete_multipart_upload(Bucket=bucket, Key=key + "-mp", UploadId=up["UploadId"],
                                       MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert done["Key"] == shown + "-mp"
    assert c.get_object(Bucket=bucket, Key=key + "-mp")["Body"].read() == b"part"
    # Tags holding control characters (x-amz-tagging is percent-encoded).
    c.put_object(Bucket=bucket, Key=key + "-tagged", Body=b"t", Tagging="k%01=v%1Fw")
    assert c.get_object_tagging(Bucket=bucket, Key=key + "-tagged")["TagSet"] == [
        {"Key": "k\ufffd", "Value": "v\ufffdw"}]
    # Errors naming the key parse, so the client sees their code.
    with pytest.raises(ClientError) as e:
        c.get_object(Bucket=bucket, Key=key + "-missing")
    assert (status(e), error_code(e)) == (404, "NoSuchKey")
    with pytest.raises(ClientError) as e:
        c.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": key + "\x02"})
    assert (status(e), error_code(e)) == (404, "NoSuchKey")
    r = requests.get(c.generate_presigned_url("get_object", Params={"Bucket": bucket,
                                                                    "Key": key + "-missing"}))
    assert r.status_code == 404
    assert f"<Resource>/{bucket}/{shown}-missing</Resource>" in r.text
    assert not any(ch in r.content for ch in b"\x01\x1f")
    # Listings keep the keys exact (boto3 asks for encoding-type=url).
    listed = c.list_objects_v2(Bucket=bucket)["Contents"]
    assert sorted(o["Key"] for o in listed) == sorted(
        [key, key + "-copy", key + "-mp", key + "-tagged"])


def test_list_uploads_encoding_url(s3, c, bucket):
    """ListMultipartUploads with encoding-type=url (boto3 does not decode it)."""
    from urllib.parse import unquote

    import requests

    for k in ODD_KEYS:
        url = c.generate_presigned_url("create_multipart_upload", HttpMethod="POST",
                                       Params={"Bucket": bucket, "Key": k})
        assert requests.post(url).status_code == 200
    r = c.list_multipart_uploads(Bucket=bucket, EncodingType="url", Delimiter="/")
    assert r["EncodingType"] == "url" and r["Delimiter"] == "/"
    assert [unquote(u["Key"]) for u in r["Uploads"]] == ["plain", "t\tab"]
    assert [unquote(p["Prefix"]) for p in r["CommonPrefixes"]] == sorted(
        {k.split("/")[0] + "/" for k in ODD_KEYS if "/" in k})
    r = c.list_multipart_uploads(Bucket=bucket, EncodingType="url", Prefix="c\x01/",
                                 Delimiter="\n")
    assert (r["Prefix"], r["Delimiter"]) == ("c%01/", "%0A")
    assert [u["Key"] for u in r["Uploads"]] == ["c%01/z"]
    r = c.list_multipart_uploads(Bucket=bucket, EncodingType="url", KeyMarker="a b/1", MaxUploads=1)
    assert (r["KeyMarker"], r["NextKeyMarker"]) == ("a%20b/1", "a%20b/2")
    assert [u["Key"] for u in r["Uploads"]] == ["a%20b/2"]
    # Without encoding-type the keys are as stored (these need no encoding).
    r = c.list_multipart_uploads(Bucket=bucket, Prefix="p+q/")
    assert "EncodingType" not in r and [u["Key"] for u in r["Uploads"]] == ["p+q/x"]


def test_list_v2_empty_continuation_token(c, bucket):
    """An empty continuation-token starts from the beginning (s3-tests'
    test_bucket_listv2_continuationtoken_empty) and is echoed empty."""
    keys = ["bar", "baz", "foo", "quxx"]
    for k in keys:
        c.put_object(Bucket=bucket, Key=k, Body=b"")
    r = c.list_objects_v2(Bucket=bucket, ContinuationToken="")
    assert r["ContinuationToken"] == "" and not r["IsTruncated"]
    assert [o["Key"] for o in r["Contents"]] == keys
    r = c.list_objects_v2(Bucket=bucket, ContinuationToken="", MaxKeys=2)
    assert [o["Key"] for o in r["Contents"]] == keys[:2] and r["IsTruncated"]
    r = c.list_objects_v2(Bucket=bucket, ContinuationToken=r["NextContinuationToken"])
    assert [o["Key"] for o in r["Contents"]] == keys[2:]


def test_list_multipart_uploads_pagination_and_delimiter(c, bucket):
    made = []
    for key in ["a/1", "a/2", "b", "b", "c/x/1", "d"]:
        made.append((key, c.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]))
    pages = list(c.get_paginator("list_multipart_uploads").paginate(
        Bucket=bucket, PaginationConfig={"PageSize": 2}))
    seen = [(u["Key"], u["UploadId"]) for p in pages for u in p.get("Uploads", [])]
    assert seen == sorted(made) and len(pages) == 3
    r = c.list_multipart_uploads(Bucket=bucket, Delimiter="/")
    assert [u["Key"] for u in r["Uploads"]] == ["b", "b", "d"]
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["a/", "c/"]
    r = c.list_multipart_uploads(Bucket=bucket, Delimiter="/", MaxUploads=2)
    assert r["IsTruncated"] and [p["Prefix"] for p in r.get("CommonPrefixes", [])] == ["a/"]
    assert [u["Key"] for u in r["Uploads"]] == ["b"]  # the first of b's two uploads
    assert (r["NextKeyMarker"], r["NextUploadIdMarker"]) == ("b", r["Uploads"][0]["UploadId"])
    r2 = c.list_multipart_uploads(Bucket=bucket, Delimiter="/", MaxUploads=10,
                                  KeyMarker=r["NextKeyMarker"], UploadIdMarker=r["NextUploadIdMarker"])
    got = [u["Key"] for u in r2.get("Uploads", [])] + [p["Prefix"] for p in r2.get("CommonPrefixes", [])]
    assert sorted(got) == ["b", "c/", "d"] and not r2["IsTruncated"]
    r = c.list_multipart_uploads(Bucket=bucket, Prefix="a/")
    assert [u["Key"] for u in r["Uploads"]] == ["a/1", "a/2"]
    r = c.list_multipart_uploads(Bucket=bucket, KeyMarker="b")
    assert [u["Key"] for u in r["Uploads"]] == ["c/x/1", "d"]
    for key, uid in made:
        c.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=uid)


def test_public_read_objects_in_a_private_bucket(s3, c, bucket):
    import requests

    c.put_object(Bucket=bucket, Key="pub", Body=b"public bytes", ACL="public-read")
    c.put_object(Bucket=bucket, Key="priv", Body=b"private bytes")
    r = requests.get(f"{s3.url}/{bucket}/pub")
    assert r.status_code == 200 and r.content == b"public bytes"
    assert requests.get(f"{s3.url}/{bucket}/pub", headers={"Range": "bytes=0-5"}).content == b"public"
    # A private object and a missing one look the same to strangers.
    for key in ("priv", "missing"):
        r = requests.get(f"{s3.url}/{bucket}/{key}")
        assert r.status_code == 403 and b"<Code>AccessDenied</Code>" in r.content
    assert requests.get(f"{s3.url}/{bucket}?list-type=2").status_code == 403
    assert s3.other.client().get_object(Bucket=bucket, Key="pub")["Body"].read() == b"public bytes"
    grants = c.get_object_acl(Bucket=bucket, Key="pub")["Grants"]
    assert {g["Permission"] for g in grants} == {"FULL_CONTROL", "READ"}
    assert [g["Permission"] for g in c.get_object_acl(Bucket=bucket, Key="priv")["Grants"]] == ["FULL_CONTROL"]
    # Copies are private unless the copy asks otherwise; the ACL is not metadata.
    c.copy_object(Bucket=bucket, Key="copy", CopySource=f"{bucket}/pub")
    assert requests.get(f"{s3.url}/{bucket}/copy").status_code == 403
    assert "rgw-acl" not in str(c.head_object(Bucket=bucket, Key="pub")["ResponseMetadata"]["HTTPHeaders"])
    c.copy_object(Bucket=bucket, Key="copy", CopySource=f"{bucket}/copy", ACL="public-read")
    assert requests.get(f"{s3.url}/{bucket}/copy").content == b"public bytes"
    up = c.create_multipart_upload(Bucket=bucket, Key="mp", ACL="public-read")["UploadId"]
    e = c.upload_part(Bucket=bucket, Key="mp", UploadId=up, PartNumber=1, Body=b"mp")["ETag"]
    c.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up,
                                MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e}]})
    assert requests.get(f"{s3.url}/{bucket}/mp").content == b"mp"
    # Overwriting without the ACL makes it private again.
    c.put_object(Bucket=bucket, Key="pub", Body=b"now private")
    assert requests.get(f"{s3.url}/{bucket}/pub").status_code == 403


def test_put_bucket_acl(s3, c, bucket):
    import requests

    c.put_object(Bucket=bucket, Key="k", Body=b"acl", ACL="public-read")
    assert requests.get(f"{s3.url}/{bucket}").status_code == 403
    c.put_bucket_acl(Bucket=bucket, ACL="public-read")
    assert requests.get(f"{s3.url}/{bucket}").status_code == 200
    policy = c.get_bucket_acl(Bucket=bucket)
    assert {g["Permission"] for g in policy["Grants"]} == {"FULL_CONTROL", "READ"}
    # The same policy document back, minus the public grant: private again.
    private = {"Owner": policy["Owner"],
               "Grants": [g for g in policy["Grants"] if g["Permission"] == "FULL_CONTROL"]}
    c.put_bucket_acl(Bucket=bucket, AccessControlPolicy=private)
    assert requests.get(f"{s3.url}/{bucket}").status_code == 403
    c.put_bucket_acl(Bucket=bucket,
                     AccessControlPolicy={"Owner": policy["Owner"], "Grants": policy["Grants"]})
    assert requests.get(f"{s3.url}/{bucket}").status_code == 200
    # A WRITE grant to everybody lets anonymous writers in.
    c.put_bucket_acl(Bucket=bucket, AccessControlPolicy={"Owner": policy["Owner"], "Grants": [
        {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
         "Permission": "WRITE"}]})
    assert requests.put(f"{s3.url}/{bucket}/anon", data=b"a").status_code == 200
    with pytest.raises(ClientError) as e:
        s3.other.client().put_bucket_acl(Bucket=bucket, ACL="private")
    assert error_code(e) == "AccessDenied"


def test_put_object_acl(s3, c, bucket):
    import requests

    body = bytes(range(256)) * 100
    etag = c.put_object(Bucket=bucket, Key="o", Body=body, Metadata={"keep": "me"})["ETag"]
    before = c.head_object(Bucket=bucket, Key="o")
    assert requests.get(f"{s3.url}/{bucket}/o").status_code == 403
    c.put_object_acl(Bucket=bucket, Key="o", ACL="public-read")
    r = requests.get(f"{s3.url}/{bucket}/o")
    assert r.status_code == 200 and r.content == body
    after = c.head_object(Bucket=bucket, Key="o")
    # The data, ETag, metadata and LastModified are untouched.
    assert (after["ETag"], after["Metadata"], after["LastModified"]) == \
        (etag, {"keep": "me"}, before["LastModified"])
    grants = c.get_object_acl(Bucket=bucket, Key="o")["Grants"]
    assert {g["Permission"] for g in grants} == {"FULL_CONTROL", "READ"}
    policy = c.get_object_acl(Bucket=bucket, Key="o")
    c.put_object_acl(Bucket=bucket, Key="o", AccessControlPolicy={
        "Owner": policy["Owner"],
        "Grants": [g for g in policy["Grants"] if g["Permission"] == "FULL_CONTROL"]})
    assert requests.get(f"{s3.url}/{bucket}/o").status_code == 403
    c.put_object_acl(Bucket=bucket, Key="o", ACL="bucket-owner-full-control")
    assert requests.get(f"{s3.url}/{bucket}/o").status_code == 403
    with pytest.raises(ClientError) as e:
        c.put_object_acl(Bucket=bucket, Key="missing", ACL="public-read")
    assert error_code(e) == "NoSuchKey"
    with pytest.raises(ClientError) as e:
        s3.other.client().put_object_acl(Bucket=bucket, Key="o", ACL="public-read")
    assert error_code(e) == "AccessDenied"
