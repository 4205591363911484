"""S3 versioning through boto3 and raw requests, on every door and store
driver: Put/GetBucketVersioning, a version per write (PUT, copy, multipart
completion), reads, ACLs and tags of named versions, delete markers and
their 404/405 answers, removal of named versions, the null version of
objects from before versioning and of a suspended bucket,
ListObjectVersions with markers, prefix and delimiter, DeleteObjects with
versions, and concurrent writers of one key."""
import threading
import xml.etree.ElementTree as ET

import pytest
import requests
from botocore.exceptions import ClientError
from s3_errors import error_of, raw_error
from s3_signing import sign_v4

UNKNOWN = "0000000000000000000000000000000A"  # well-formed, never made


@pytest.fixture
def c(s3):
    return s3.client()


@pytest.fixture
def vbucket(s3, c):
    """A bucket with versioning enabled."""
    name = s3.name()
    c.create_bucket(Bucket=name)
    c.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return name


def body(c, bucket, key, **kw):
    return c.get_object(Bucket=bucket, Key=key, **kw)["Body"].read()


def versions(c, bucket, prefix=""):
    """[(key, version id, is latest, is delete marker)] in the answer's
    order (boto3 splits Version and DeleteMarker elements into two lists, so
    the document is read as sent)."""
    raw = {}

    def grab(http_response, **_):
        raw["body"] = http_response.content

    c.meta.events.register("after-call.s3.ListObjectVersions", grab)
    try:
        c.list_object_versions(Bucket=bucket, Prefix=prefix)
    finally:
        c.meta.events.unregister("after-call.s3.ListObjectVersions", grab)
    out = []
    for e in ET.fromstring(raw["body"]):
        kind = e.tag.split("}")[-1]
        if kind in ("Version", "DeleteMarker"):
            f = {x.tag.split("}")[-1]: x.text for x in e}
            out.append((f["Key"], f["VersionId"], f["IsLatest"] == "true",
                        kind == "DeleteMarker"))
    return out


def test_versioning_configuration(s3, c):
    b = s3.name()
    c.create_bucket(Bucket=b)
    assert "Status" not in c.get_bucket_versioning(Bucket=b)
    c.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
    assert c.get_bucket_versioning(Bucket=b)["Status"] == "Enabled"
    c.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Suspended",
                                                               "MFADelete": "Disabled"})
    assert c.get_bucket_versioning(Bucket=b)["Status"] == "Suspended"
    # Without a Status nothing changes: there is no way back to unversioned.
    c.put_bucket_versioning(Bucket=b, VersioningConfiguration={})
    assert c.get_bucket_versioning(Bucket=b)["Status"] == "Suspended"
    with pytest.raises(ClientError) as e:
        c.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled",
                                                                   "MFADelete": "Enabled"},
                                MFA="arn:aws:iam::1:mfa/x 123456")
    assert error_of(e) == (400, "InvalidRequest")
    for doc in (b"<VersioningConfiguration><Status>On</Status></VersioningConfiguration>",
                b"<VersioningConfiguration><Stat>Enabled</Stat></VersioningConfiguration>",
                b"<Versioning><Status>Enabled</Status></Versioning>", b"<VersioningConf"):
        path = f"/{b}?versioning"
        r = requests.put(s3.url + path, data=doc, headers=sign_v4(s3, "PUT", path, body=doc),
                         timeout=30)
        assert raw_error(r) == (400, "MalformedXML"), doc
    assert c.get_bucket_versioning(Bucket=b)["Status"] == "Suspended"
    # Only the owner may change it.
    with pytest.raises(ClientError) as e:
        s3.other.client().put_bucket_versioning(Bucket=b,
                                                VersioningConfiguration={"Status": "Enabled"})
    assert error_of(e) == (403, "AccessDenied")


def test_each_write_is_a_version(c, vbucket):
    v1 = c.put_object(Bucket=vbucket, Key="k", Body=b"one")["VersionId"]
    v2 = c.put_object(Bucket=vbucket, Key="k", Body=b"two")["VersionId"]
    assert v1 != v2 and len(v1) == 32
    assert body(c, vbucket, "k") == b"two"
    assert body(c, vbucket, "k", VersionId=v1) == b"one"
    got = c.get_object(Bucket=vbucket, Key="k")
    assert got["VersionId"] == v2
    head = c.head_object(Bucket=vbucket, Key="k", VersionId=v1)
    assert head["VersionId"] == v1 and head["ContentLength"] == 3
    assert versions(c, vbucket) == [("k", v2, True, False), ("k", v1, False, False)]
    listed = c.list_objects_v2(Bucket=vbucket)["Contents"]
    assert [(o["Key"], o["Size"]) for o in listed] == [("k", 3)]
    # A range of an older version.
    assert c.get_object(Bucket=vbucket, Key="k", VersionId=v1,
                        Range="bytes=1-")["Body"].read() == b"ne"


def test_delete_marker(s3, c, vbucket):
    v1 = c.put_object(Bucket=vbucket, Key="k", Body=b"one")["VersionId"]
    r = c.delete_object(Bucket=vbucket, Key="k")
    assert r["DeleteMarker"] is True
    marker = r["VersionId"]
    assert marker != v1 and len(marker) == 32
    # The key is gone: 404 saying a delete marker is why.
    with pytest.raises(ClientError) as e:
        c.get_object(Bucket=vbucket, Key="k")
    assert error_of(e) == (404, "NoSuchKey")
    headers = e.value.response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amz-delete-marker"] == "true"
    assert headers["x-amz-version-id"] == marker
    with pytest.raises(ClientError) as e:
        c.head_object(Bucket=vbucket, Key="k")
    assert error_of(e)[0] == 404
    # The marker named: 405, with its Last-Modified.
    with pytest.raises(ClientError) as e:
        c.get_object(Bucket=vbucket, Key="k", VersionId=marker)
    assert error_of(e) == (405, "MethodNotAllowed")
    headers = e.value.response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amz-delete-marker"] == "true" and "last-modified" in headers
    with pytest.raises(ClientError) as e:
        c.head_object(Bucket=vbucket, Key="k", VersionId=marker)
    assert error_of(e)[0] == 405
    assert "Contents" not in c.list_objects_v2(Bucket=vbucket)
    assert "Contents" not in c.list_objects(Bucket=vbucket)
    assert versions(c, vbucket) == [("k", marker, True, True), ("k", v1, False, False)]
    # The old version still reads by id; a second delete adds a second marker.
    assert body(c, vbucket, "k", VersionId=v1) == b"one"
    m2 = c.delete_object(Bucket=vbucket, Key="k")["VersionId"]
    assert m2 != marker and len(versions(c, vbucket)) == 3
    # Removing the markers by id brings the object back.
    r = c.delete_object(Bucket=vbucket, Key="k", VersionId=m2)
    assert r["DeleteMarker"] is True and r["VersionId"] == m2
    c.delete_object(Bucket=vbucket, Key="k", VersionId=marker)
    assert body(c, vbucket, "k") == b"one"
    # A delete marker for a key that never existed.
    r = c.delete_object(Bucket=vbucket, Key="never")
    assert r["DeleteMarker"] is True
    assert versions(c, vbucket, "never") == [("never", r["VersionId"], True, True)]


def test_remove_named_versions(c, vbucket):
    v1 = c.put_object(Bucket=vbucket, Key="k", Body=b"one")["VersionId"]
    v2 = c.put_object(Bucket=vbucket, Key="k", Body=b"two")["VersionId"]
    v3 = c.put_object(Bucket=vbucket, Key="k", Body=b"three")["VersionId"]
    r = c.delete_object(Bucket=vbucket, Key="k", VersionId=v2)
    assert r["VersionId"] == v2 and "DeleteMarker" not in r
    assert body(c, vbucket, "k") == b"three"
    with pytest.raises(ClientError) as e:
        c.get_object(Bucket=vbucket, Key="k", VersionId=v2)
    assert error_of(e) == (404, "NoSuchVersion")
    # The current version removed: the newest left becomes current.
    c.delete_object(Bucket=vbucket, Key="k", VersionId=v3)
    assert body(c, vbucket, "k") == b"one"
    assert versions(c, vbucket) == [("k", v1, True, False)]
    # A version that is not there (any more): 204, nothing happens.
    r = c.delete_object(Bucket=vbucket, Key="k", VersionId=v3)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    # The bucket holds a version: not empty until it goes.
    with pytest.raises(ClientError) as e:
        c.delete_bucket(Bucket=vbucket)
    assert error_of(e) == (409, "BucketNotEmpty")
    c.delete_object(Bucket=vbucket, Key="k")  # a marker: still not empty
    with pytest.raises(ClientError) as e:
        c.delete_bucket(Bucket=vbucket)
    assert error_of(e) == (409, "BucketNotEmpty")
    for key, vid, _, _ in versions(c, vbucket):
        c.delete_object(Bucket=vbucket, Key=key, VersionId=vid)
    c.delete_bucket(Bucket=vbucket)


def test_bad_version_ids(s3, c, vbucket):
    c.put_object(Bucket=vbucket, Key="k", Body=b"x")
    for bad in ("nope", "v1", "0" * 31, "0" * 31 + "!"):
        with pytest.raises(ClientError) as e:
            c.get_object(Bucket=vbucket, Key="k", VersionId=bad)
        assert error_of(e) == (400, "InvalidArgument"), bad
        with pytest.raises(ClientError) as e:
            c.delete_object(Bucket=vbucket, Key="k", VersionId=bad)
        assert error_of(e) == (400, "InvalidArgument"), bad
    path = f"/{vbucket}/k?versionId="
    r = requests.get(s3.url + path, headers=sign_v4(s3, "GET", path), timeout=30)
    assert raw_error(r) == (400, "InvalidArgument")
    with pytest.raises(ClientError) as e:
        c.get_object(Bucket=vbucket, Key="k", VersionId=UNKNOWN)
    assert error_of(e) == (404, "NoSuchVersion")
    with pytest.raises(ClientError) as e:
        c.get_object_acl(Bucket=vbucket, Key="k", VersionId=UNKNOWN)
    assert error_of(e) == (404, "NoSuchVersion")
    assert body(c, vbucket, "k") == b"x"


def test_null_version_before_versioning(s3, c):
    b = s3.name()
    c.create_bucket(Bucket=b)
    r = c.put_object(Bucket=b, Key="k", Body=b"old")
    assert "VersionId" not in r  # an unversioned bucket sends none
    assert "VersionId" not in c.get_object(Bucket=b, Key="k")
    c.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
    v1 = c.put_object(Bucket=b, Key="k", Body=b"new")["VersionId"]
    assert versions(c, b) == [("k", v1, True, False), ("k", "null", False, False)]
    assert body(c, b, "k", VersionId="null") == b"old"
    assert c.head_object(Bucket=b, Key="k", VersionId="null")["VersionId"] == "null"
    c.delete_object(Bucket=b, Key="k", VersionId="null")
    assert versions(c, b) == [("k", v1, True, False)]


def test_suspended_bucket_writes_the_null_version(s3, c, vbucket):
    v1 = c.put_object(Bucket=vbucket, Key="k", Body=b"one")["VersionId"]
    c.put_bucket_versioning(Bucket=vbucket, VersioningConfiguration={"Status": "Suspended"})
    c.put_object(Bucket=vbucket, Key="k", Body=b"null-1")
    assert c.get_object(Bucket=vbucket, Key="k")["VersionId"] == "null"
    c.put_object(Bucket=vbucket, Key="k", Body=b"null-2")  # replaces the null version
    assert versions(c, vbucket) == [("k", "null", True, False), ("k", v1, False, False)]
    assert body(c, vbucket, "k", VersionId="null") == b"null-2"
    # A delete replaces the null version with a null delete marker.
    r = c.delete_object(Bucket=vbucket, Key="k")
    assert r["DeleteMarker"] is True and r["VersionId"] == "null"
    assert versions(c, vbucket) == [("k", "null", True, True), ("k", v1, False, False)]
    # Enabled again: new versions above the null marker, which stays.
    c.put_bucket_versioning(Bucket=vbucket, VersioningConfiguration={"Status": "Enabled"})
    v3 = c.put_object(Bucket=vbucket, Key="k", Body=b"three")["VersionId"]
    assert versions(c, vbucket) == [("k", v3, True, False), ("k", "null", False, True),
                                    ("k", v1, False, False)]


def test_copy_and_multipart_make_versions(c, vbucket):
    v1 = c.put_object(Bucket=vbucket, Key="src", Body=b"first")["VersionId"]
    c.put_object(Bucket=vbucket, Key="src", Body=b"second")
    r = c.copy_object(Bucket=vbucket, Key="dst",
                      CopySource={"Bucket": vbucket, "Key": "src", "VersionId": v1})
    assert r["CopySourceVersionId"] == v1 and len(r["VersionId"]) == 32
    assert body(c, vbucket, "dst") == b"first"
    # A copy of the current version names it too.
    r2 = c.copy_object(Bucket=vbucket, Key="dst", CopySource={"Bucket": vbucket, "Key": "src"})
    assert r2["CopySourceVersionId"] != v1 and r2["VersionId"] != r["VersionId"]
    # Copying an object onto itself from an older version restores it.
    c.copy_object(Bucket=vbucket, Key="src",
                  CopySource={"Bucket": vbucket, "Key": "src", "VersionId": v1})
    assert body(c, vbucket, "src") == b"first"
    marker = c.delete_object(Bucket=vbucket, Key="gone")["VersionId"]
    with pytest.raises(ClientError) as e:
        c.copy_object(Bucket=vbucket, Key="x",
                      CopySource={"Bucket": vbucket, "Key": "gone", "VersionId": marker})
    assert error_of(e) == (400, "InvalidRequest")
    with pytest.raises(ClientError) as e:
        c.copy_object(Bucket=vbucket, Key="x", CopySource={"Bucket": vbucket, "Key": "gone"})
    assert error_of(e) == (404, "NoSuchKey")
    with pytest.raises(ClientError) as e:
        c.copy_object(Bucket=vbucket, Key="x",
                      CopySource={"Bucket": vbucket, "Key": "src", "VersionId": UNKNOWN})
    assert error_of(e) == (404, "NoSuchVersion")
    # UploadPartCopy from an older version, then completion: a new version.
    up = c.create_multipart_upload(Bucket=vbucket, Key="mp")["UploadId"]
    part = c.upload_part_copy(Bucket=vbucket, Key="mp", UploadId=up, PartNumber=1,
                              CopySource={"Bucket": vbucket, "Key": "src", "VersionId": v1})
    assert part["CopySourceVersionId"] == v1
    done = c.complete_multipart_upload(
        Bucket=vbucket, Key="mp", UploadId=up,
        MultipartUpload={"Parts": [{"PartNumber": 1,
                                    "ETag": part["CopyPartResult"]["ETag"]}]})
    assert len(done["VersionId"]) == 32
    assert body(c, vbucket, "mp", VersionId=done["VersionId"]) == b"first"


def test_acl_and_tags_of_a_version(c, vbucket):
    v1 = c.put_object(Bucket=vbucket, Key="k", Body=b"one", Tagging="n=1")["VersionId"]
    v2 = c.put_object(Bucket=vbucket, Key="k", Body=b"two", Tagging="n=2")["VersionId"]
    t = c.get_object_tagging(Bucket=vbucket, Key="k", VersionId=v1)
    assert t["TagSet"] == [{"Key": "n", "Value": "1"}] and t["VersionId"] == v1
    c.put_object_tagging(Bucket=vbucket, Key="k", VersionId=v1,
                         Tagging={"TagSet": [{"Key": "n", "Value": "one"}]})
    assert c.get_object_tagging(Bucket=vbucket, Key="k",
                                VersionId=v1)["TagSet"] == [{"Key": "n", "Value": "one"}]
    assert c.get_object_tagging(Bucket=vbucket, Key="k")["TagSet"] == [{"Key": "n", "Value": "2"}]
    c.put_object_acl(Bucket=vbucket, Key="k", VersionId=v1, ACL="public-read")
    grants = c.get_object_acl(Bucket=vbucket, Key="k", VersionId=v1)["Grants"]
    assert any(g["Grantee"].get("URI", "").endswith("AllUsers") for g in grants)
    grants = c.get_object_acl(Bucket=vbucket, Key="k", VersionId=v2)["Grants"]
    assert not any(g["Grantee"].get("URI", "").endswith("AllUsers") for g in grants)
    c.delete_object_tagging(Bucket=vbucket, Key="k", VersionId=v2)
    assert c.get_object_tagging(Bucket=vbucket, Key="k")["TagSet"] == []
    # The body and ETag of each version stay.
    assert body(c, vbucket, "k", VersionId=v1) == b"one"


def test_public_read_of_one_version(s3, c, vbucket):
    v1 = c.put_object(Bucket=vbucket, Key="k", Body=b"one", ACL="public-read")["VersionId"]
    c.put_object(Bucket=vbucket, Key="k", Body=b"two")
    anon = requests.get(f"{s3.url}/{vbucket}/k", params={"versionId": v1}, timeout=30)
    assert anon.status_code == 200 and anon.content == b"one"
    assert anon.headers["x-amz-version-id"] == v1
    assert requests.get(f"{s3.url}/{vbucket}/k", timeout=30).status_code == 403


def test_list_object_versions_paging(c, vbucket):
    expected = []
    for key in ("a", "b/x", "b/y", "c"):
        ids = [c.put_object(Bucket=vbucket, Key=key, Body=key.encode())["VersionId"]
               for _ in range(3)]
        expected += [(key, v) for v in reversed(ids)]
    marker = c.delete_object(Bucket=vbucket, Key="c")["VersionId"]
    expected.insert(9, ("c", marker))
    got, kw, pages = [], {}, 0
    while True:
        r = c.list_object_versions(Bucket=vbucket, MaxKeys=4, **kw)
        page = r.get("Versions", []) + r.get("DeleteMarkers", [])
        assert len(page) <= 4
        got += sorted([(e["Key"], e["VersionId"]) for e in page],
                      key=lambda e: expected.index(e))
        pages += 1
        if not r["IsTruncated"]:
            break
        kw = {"KeyMarker": r["NextKeyMarker"], "VersionIdMarker": r["NextVersionIdMarker"]}
    assert got == expected and pages == 4
    # Prefix and delimiter: b/ rolls up once.
    r = c.list_object_versions(Bucket=vbucket, Delimiter="/")
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["b/"]
    assert len(r.get("Versions", [])) == 6 and len(r["DeleteMarkers"]) == 1
    r = c.list_object_versions(Bucket=vbucket, Prefix="b/")
    assert sorted(v["Key"] for v in r["Versions"]) == ["b/x"] * 3 + ["b/y"] * 3
    # Resuming after one version of a key lists its older ones first.
    a_mid = expected[1][1]
    r = c.list_object_versions(Bucket=vbucket, KeyMarker="a", VersionIdMarker=a_mid)
    assert [v["VersionId"] for v in r["Versions"]][:1] == [expected[2][1]]
    # A key marker alone skips every version of that key.
    r = c.list_object_versions(Bucket=vbucket, KeyMarker="a")
    assert all(v["Key"] != "a" for v in r["Versions"])
    with pytest.raises(ClientError) as e:
        c.list_object_versions(Bucket=vbucket, KeyMarker="a", VersionIdMarker=UNKNOWN)
    assert error_of(e) == (400, "InvalidArgument")
    # Each entry's fields.
    r = c.list_object_versions(Bucket=vbucket, Prefix="c")
    assert r["DeleteMarkers"][0]["IsLatest"] is True and "Owner" in r["DeleteMarkers"][0]
    v = r["Versions"][0]
    assert v["Size"] == 1 and v["ETag"].startswith('"') and v["StorageClass"] == "STANDARD"


def test_delete_objects_with_versions(c, vbucket):
    v1 = c.put_object(Bucket=vbucket, Key="a", Body=b"1")["VersionId"]
    v2 = c.put_object(Bucket=vbucket, Key="a", Body=b"2")["VersionId"]
    c.put_object(Bucket=vbucket, Key="b", Body=b"b")
    m = c.delete_object(Bucket=vbucket, Key="m")["VersionId"]
    r = c.delete_objects(Bucket=vbucket, Delete={"Objects": [
        {"Key": "a", "VersionId": v1}, {"Key": "b"}, {"Key": "m", "VersionId": m},
        {"Key": "a", "VersionId": "bad"}]})
    deleted = {(d["Key"], d.get("VersionId")): d for d in r["Deleted"]}
    assert "DeleteMarker" not in deleted[("a", v1)]
    assert deleted[("b", None)]["DeleteMarker"] is True
    assert len(deleted[("b", None)]["DeleteMarkerVersionId"]) == 32
    assert deleted[("m", m)]["DeleteMarker"] is True
    assert [(e["Key"], e["VersionId"], e["Code"]) for e in r["Errors"]] == \
        [("a", "bad", "NoSuchVersion")]
    assert versions(c, vbucket, "a") == [("a", v2, True, False)]
    assert versions(c, vbucket, "m") == []
    with pytest.raises(ClientError):
        c.head_object(Bucket=vbucket, Key="b")


def test_concurrent_writers_each_get_a_version(s3, vbucket):
    ids, errors = [], []

    def writer(n):
        cl = s3.client()
        try:
            for i in range(10):
                ids.append(cl.put_object(Bucket=vbucket, Key="race",
                                         Body=f"{n}-{i}".encode())["VersionId"])
        except Exception as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    c = s3.client()
    listed = c.list_object_versions(Bucket=vbucket)["Versions"]
    assert sorted(v["VersionId"] for v in listed) == sorted(ids) and len(set(ids)) == 40
    latest = [v for v in listed if v["IsLatest"]]
    assert len(latest) == 1
    current = c.get_object(Bucket=vbucket, Key="race")
    assert current["VersionId"] == latest[0]["VersionId"]
    assert current["Body"].read() == body(c, vbucket, "race", VersionId=latest[0]["VersionId"])


def test_policy_on_version_actions(s3, c, vbucket):
    import json
    v1 = c.put_object(Bucket=vbucket, Key="k", Body=b"one")["VersionId"]
    c.put_object(Bucket=vbucket, Key="k", Body=b"two")
    c.put_bucket_policy(Bucket=vbucket, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Principal": "*",
                       "Action": ["s3:GetObjectVersion", "s3:DeleteObjectVersion"],
                       "Resource": f"arn:aws:s3:::{vbucket}/*"}]}))
    assert body(c, vbucket, "k") == b"two"  # s3:GetObject is not denied
    with pytest.raises(ClientError) as e:
        c.get_object(Bucket=vbucket, Key="k", VersionId=v1)
    assert error_of(e) == (403, "AccessDenied")
    with pytest.raises(ClientError) as e:
        c.delete_object(Bucket=vbucket, Key="k", VersionId=v1)
    assert error_of(e) == (403, "AccessDenied")
    c.delete_bucket_policy(Bucket=vbucket)
    assert body(c, vbucket, "k", VersionId=v1) == b"one"


def test_browser_post_makes_a_version(c, vbucket):
    old = c.put_object(Bucket=vbucket, Key="form", Body=b"old")["VersionId"]
    post = c.generate_presigned_post(vbucket, "form", ExpiresIn=600)
    r = requests.post(post["url"], data=post["fields"], files={"file": ("f", b"new")},
                      timeout=30)
    assert r.status_code == 204, r.text
    vid = r.headers["x-amz-version-id"]
    assert vid != old and body(c, vbucket, "form") == b"new"
    assert [v[1] for v in versions(c, vbucket, "form")] == [vid, old]
