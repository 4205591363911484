"""S3 access control lists through boto3 and raw requests, on every door and
store driver: every canned ACL, x-amz-grant-* headers and AccessControlPolicy
documents on buckets and objects (at creation, PUT, copy, multipart and later),
and their enforcement with S3's semantics (objects belong to their writers)."""
import pytest
import requests
from botocore.exceptions import ClientError
from s3_errors import error_of, raw_error
from s3_signing import sign_v4

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"


def grants_of(acl):
    """A policy's grants as a sorted list of (who, permission)."""
    out = []
    for g in acl["Grants"]:
        who = g["Grantee"]
        out.append((who.get("ID") or who.get("URI") or who.get("EmailAddress"), g["Permission"]))
    return sorted(out)


@pytest.fixture
def c(s3):
    return s3.client()


@pytest.fixture
def o(s3):
    """The other user's client."""
    return s3.other.client()


@pytest.fixture
def bucket(s3, c):
    name = s3.name()
    c.create_bucket(Bucket=name)
    return name


def anon(method, s3, path, **kw):
    return requests.request(method, s3.url + path, **kw)


def test_canned_bucket_acls_grant_what_they_say(s3, c, o):
    me, other = s3.uid, s3.other.uid
    expected = {
        "private": [(me, "FULL_CONTROL")],
        "public-read": [(me, "FULL_CONTROL"), (ALL_USERS, "READ")],
        "public-read-write": [(me, "FULL_CONTROL"), (ALL_USERS, "READ"), (ALL_USERS, "WRITE")],
        "authenticated-read": [(me, "FULL_CONTROL"), (AUTHENTICATED, "READ")],
        "log-delivery-write": [(me, "FULL_CONTROL"), (LOG_DELIVERY, "READ_ACP"),
                               (LOG_DELIVERY, "WRITE")],
    }
    for canned, want in expected.items():
        name = s3.name()
        c.create_bucket(Bucket=name, ACL=canned)
        acl = c.get_bucket_acl(Bucket=name)
        assert acl["Owner"] == {"ID": me, "DisplayName": "s3user"}
        assert grants_of(acl) == sorted(want), canned
        # Set later, the same.
        c.put_bucket_acl(Bucket=name, ACL="private")
        c.put_bucket_acl(Bucket=name, ACL=canned)
        assert grants_of(c.get_bucket_acl(Bucket=name)) == sorted(want), canned
        c.put_object(Bucket=name, Key="k", Body=b"x", ACL="public-read")
        listed = anon("GET", s3, f"/{name}").status_code
        assert listed == (200 if canned.startswith("public-read") else 403), canned
        try:
            o.list_objects_v2(Bucket=name)
            other_lists = True
        except ClientError as e:
            assert error_of(e) == (403, "AccessDenied")
            other_lists = False
        assert other_lists == (canned in ("public-read", "public-read-write",
                                          "authenticated-read")), canned
        wrote = anon("PUT", s3, f"/{name}/anon", data=b"by anyone").status_code
        assert wrote == (200 if canned == "public-read-write" else 403), canned
        # The bucket's READ lists; it does not read private objects.
        c.put_object(Bucket=name, Key="private", Body=b"p")
        assert anon("GET", s3, f"/{name}/private").status_code == 403
        with pytest.raises(ClientError) as e:
            o.get_object(Bucket=name, Key="private")
        assert error_of(e) == (403, "AccessDenied")
        # Nobody else reads or changes the bucket's ACL.
        with pytest.raises(ClientError) as e:
            o.get_bucket_acl(Bucket=name)
        assert error_of(e) == (403, "AccessDenied")
        with pytest.raises(ClientError) as e:
            o.put_bucket_acl(Bucket=name, ACL="public-read-write")
        assert error_of(e) == (403, "AccessDenied")
        assert other not in str(c.get_bucket_acl(Bucket=name))


def test_canned_object_acls(s3, c, o, bucket):
    me, other = s3.uid, s3.other.uid
    c.put_bucket_acl(Bucket=bucket, GrantWrite=f"id={other}", GrantFullControl=f"id={me}")
    # Written by the bucket's owner.
    for canned, anon_reads, other_reads in [
            ("private", False, False), ("public-read", True, True),
            ("public-read-write", True, True), ("authenticated-read", False, True),
            ("bucket-owner-read", False, False), ("bucket-owner-full-control", False, False)]:
        c.put_object(Bucket=bucket, Key=canned, Body=canned.encode(), ACL=canned)
        assert (anon("GET", s3, f"/{bucket}/{canned}").status_code == 200) == anon_reads, canned
        try:
            assert o.get_object(Bucket=bucket, Key=canned)["Body"].read() == canned.encode()
            got = True
        except ClientError as e:
            assert error_of(e) == (403, "AccessDenied")
            got = False
        assert got == other_reads, canned
        assert c.get_object_acl(Bucket=bucket, Key=canned)["Owner"]["ID"] == me

    # Written by another user (WRITE on the bucket): the object is theirs.
    o.put_object(Bucket=bucket, Key="theirs", Body=b"theirs")
    acl = o.get_object_acl(Bucket=bucket, Key="theirs")
    assert acl["Owner"]["ID"] == other and grants_of(acl) == [(other, "FULL_CONTROL")]
    with pytest.raises(ClientError) as e:
        c.get_object(Bucket=bucket, Key="theirs")
    assert error_of(e) == (403, "AccessDenied")
    with pytest.raises(ClientError) as e:
        c.get_object_acl(Bucket=bucket, Key="theirs")
    assert error_of(e) == (403, "AccessDenied")
    # bucket-owner-read: the bucket's owner reads it, but not its ACL.
    o.put_object(Bucket=bucket, Key="bor", Body=b"bor", ACL="bucket-owner-read")
    assert c.get_object(Bucket=bucket, Key="bor")["Body"].read() == b"bor"
    assert grants_of(o.get_object_acl(Bucket=bucket, Key="bor")) == sorted(
        [(other, "FULL_CONTROL"), (me, "READ")])
    with pytest.raises(ClientError) as e:
        c.put_object_acl(Bucket=bucket, Key="bor", ACL="public-read")
    assert error_of(e) == (403, "AccessDenied")
    # bucket-owner-full-control: everything, the ACL included.
    o.put_object(Bucket=bucket, Key="bofc", Body=b"bofc", ACL="bucket-owner-full-control")
    assert c.get_object(Bucket=bucket, Key="bofc")["Body"].read() == b"bofc"
    c.put_object_acl(Bucket=bucket, Key="bofc", ACL="public-read")
    assert anon("GET", s3, f"/{bucket}/bofc").content == b"bofc"
    # The bucket's owner still deletes what others wrote (WRITE on the bucket).
    c.delete_object(Bucket=bucket, Key="theirs")
    assert "theirs" not in [x["Key"] for x in c.list_objects_v2(Bucket=bucket)["Contents"]]
    # An unknown canned ACL, and aws-exec-read (Amazon EC2 has no account here).
    with pytest.raises(ClientError) as e:
        c.put_object(Bucket=bucket, Key="x", Body=b"x", ACL="bogus")
    assert error_of(e) == (400, "InvalidArgument")
    with pytest.raises(ClientError) as e:
        c.put_object(Bucket=bucket, Key="x", Body=b"x", ACL="aws-exec-read")
    assert error_of(e) == (501, "NotImplemented")


def test_grant_headers_on_every_write(s3, c, o):
    me, other = s3.uid, s3.other.uid
    name = s3.name()
    c.create_bucket(Bucket=name, GrantRead=f'id="{other}"', GrantWrite=f"uri={ALL_USERS}",
                    GrantReadACP=f"emailAddress={other}@example.com",
                    GrantFullControl=f"id={me}")
    assert grants_of(c.get_bucket_acl(Bucket=name)) == sorted(
        [(other, "READ"), (ALL_USERS, "WRITE"), (other, "READ_ACP"), (me, "FULL_CONTROL")])
    # The e-mail grant is the user's, shown as a CanonicalUser with its name.
    acl = o.get_bucket_acl(Bucket=name)
    shown = [g for g in acl["Grants"] if g["Permission"] == "READ_ACP"][0]["Grantee"]
    assert shown == {"Type": "CanonicalUser", "ID": other, "DisplayName": "s3other"}
    assert o.list_objects_v2(Bucket=name)["KeyCount"] == 0
    assert anon("PUT", s3, f"/{name}/a", data=b"anonymous").status_code == 200

    # Objects: PUT, copy and multipart creation take grant headers too.
    c.put_object(Bucket=name, Key="put", Body=b"put", GrantRead=f"id={other}",
                 GrantReadACP=f"uri={AUTHENTICATED}")
    assert o.get_object(Bucket=name, Key="put")["Body"].read() == b"put"
    assert grants_of(o.get_object_acl(Bucket=name, Key="put")) == sorted(
        [(other, "READ"), (AUTHENTICATED, "READ_ACP")])
    # Grant headers give exactly what they list: the owner keeps only its
    # implicit READ_ACP and WRITE_ACP.
    with pytest.raises(ClientError) as e:
        c.get_object(Bucket=name, Key="put")
    assert error_of(e) == (403, "AccessDenied")
    c.put_object_acl(Bucket=name, Key="put", GrantFullControl=f"id={me}")
    assert c.get_object(Bucket=name, Key="put")["Body"].read() == b"put"

    c.copy_object(Bucket=name, Key="copy", CopySource={"Bucket": name, "Key": "put"},
                  GrantFullControl=f"id={me}", GrantRead=f"uri={ALL_USERS}")
    assert anon("GET", s3, f"/{name}/copy").content == b"put"
    up = c.create_multipart_upload(Bucket=name, Key="mp", GrantFullControl=f"id={me}",
                                   GrantRead=f"emailAddress={other}@example.com")["UploadId"]
    etag = c.upload_part(Bucket=name, Key="mp", UploadId=up, PartNumber=1, Body=b"mp")["ETag"]
    c.complete_multipart_upload(Bucket=name, Key="mp", UploadId=up,
                                MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert o.get_object(Bucket=name, Key="mp")["Body"].read() == b"mp"
    assert grants_of(c.get_object_acl(Bucket=name, Key="mp")) == sorted(
        [(me, "FULL_CONTROL"), (other, "READ")])


def test_bad_grants_are_refused_and_store_nothing(s3, c, bucket):
    def put(headers):
        path = f"/{bucket}/g"
        return raw_error(requests.put(s3.url + path, data=b"x",
                                      headers=sign_v4(s3, "PUT", path, headers, b"x")))

    assert put({"x-amz-grant-read": "id=nobody-at-all"}) == (400, "InvalidArgument")
    assert put({"x-amz-grant-read": "emailAddress=nobody@example.com"}) == (
        400, "UnresolvableGrantByEmailAddress")
    assert put({"x-amz-grant-read": "uri=http://example.com/group"}) == (400, "InvalidArgument")
    assert put({"x-amz-grant-read": "who=me"}) == (400, "InvalidArgument")
    assert put({"x-amz-grant-read": 'id="unterminated'}) == (400, "InvalidArgument")
    assert put({"x-amz-grant-read": f"id={s3.uid}", "x-amz-acl": "private"}) == (
        400, "InvalidRequest")
    with pytest.raises(ClientError) as e:
        c.head_object(Bucket=bucket, Key="g")
    assert error_of(e) == (404, "404")
    # Several grantees in one header, quoted values with commas.
    assert put({"x-amz-grant-read": f'id="{s3.other.uid}", uri="{ALL_USERS}"'}) == (200, "")
    assert grants_of(c.get_object_acl(Bucket=bucket, Key="g")) == sorted(
        [(s3.other.uid, "READ"), (ALL_USERS, "READ")])


def test_access_control_policy_documents(s3, c, o, bucket):
    me, other = s3.uid, s3.other.uid
    owner = {"ID": me, "DisplayName": "s3user"}
    c.put_object(Bucket=bucket, Key="k", Body=b"doc")
    policy = {"Owner": owner, "Grants": [
        {"Grantee": {"Type": "CanonicalUser", "ID": me}, "Permission": "FULL_CONTROL"},
        {"Grantee": {"Type": "AmazonCustomerByEmail", "EmailAddress": f"{other}@example.com"},
         "Permission": "WRITE_ACP"},
        {"Grantee": {"Type": "CanonicalUser", "ID": other}, "Permission": "READ_ACP"},
        {"Grantee": {"Type": "Group", "URI": AUTHENTICATED}, "Permission": "READ"},
    ]}
    c.put_bucket_acl(Bucket=bucket, AccessControlPolicy=policy)
    c.put_object_acl(Bucket=bucket, Key="k", AccessControlPolicy=policy)
    want = sorted([(me, "FULL_CONTROL"), (other, "WRITE_ACP"), (other, "READ_ACP"),
                   (AUTHENTICATED, "READ")])
    assert grants_of(o.get_bucket_acl(Bucket=bucket)) == want
    assert grants_of(o.get_object_acl(Bucket=bucket, Key="k")) == want
    assert o.get_object(Bucket=bucket, Key="k")["Body"].read() == b"doc"
    assert o.list_objects_v2(Bucket=bucket)["KeyCount"] == 1
    assert anon("GET", s3, f"/{bucket}").status_code == 403
    # WRITE_ACP lets the other user replace the ACL (not the owner).
    o.put_object_acl(Bucket=bucket, Key="k", ACL="public-read")
    assert anon("GET", s3, f"/{bucket}/k").content == b"doc"
    assert c.get_object_acl(Bucket=bucket, Key="k")["Owner"]["ID"] == me
    o.put_bucket_acl(Bucket=bucket, ACL="public-read")
    assert anon("GET", s3, f"/{bucket}").status_code == 200

    def refused(**kw):
        with pytest.raises(ClientError) as e:
            c.put_bucket_acl(Bucket=bucket, **kw)
        return error_of(e)

    other_owner = {"ID": other, "DisplayName": "s3other"}
    assert refused(AccessControlPolicy={"Owner": other_owner, "Grants": []}) == (
        403, "AccessDenied")
    assert refused(AccessControlPolicy={"Owner": owner, "Grants": [
        {"Grantee": {"Type": "CanonicalUser", "ID": "no-such-user"}, "Permission": "READ"}]}) == (
        400, "InvalidArgument")
    assert refused(AccessControlPolicy={"Owner": owner, "Grants": [
        {"Grantee": {"Type": "Group", "URI": "http://example.com/g"}, "Permission": "READ"}]}) == (
        400, "InvalidArgument")
    assert refused(AccessControlPolicy={"Owner": owner, "Grants": [
        {"Grantee": {"Type": "AmazonCustomerByEmail", "EmailAddress": "x@nowhere.example"},
         "Permission": "READ"}]}) == (400, "UnresolvableGrantByEmailAddress")
    path = f"/{bucket}?acl"
    for body in [b"<AccessControlPolicy><AccessControlList><Grant><Grantee><ID>" +
                 me.encode() + b"</ID></Grantee><Permission>ALL</Permission></Grant>"
                 b"</AccessControlList></AccessControlPolicy>",
                 b"<NotAPolicy/>", b"<AccessControlPolicy><AccessControlList>",
                 b"<AccessControlPolicy><AccessControlList><Grant><Permission>READ</Permission>"
                 b"</Grant></AccessControlList></AccessControlPolicy>"]:
        r = requests.put(s3.url + path, data=body, headers=sign_v4(s3, "PUT", path, None, body))
        assert raw_error(r) == (400, "MalformedACLError"), body
    # A body and an ACL header together.
    body = b"<AccessControlPolicy><AccessControlList/></AccessControlPolicy>"
    r = requests.put(s3.url + path, data=body,
                     headers=sign_v4(s3, "PUT", path, {"x-amz-acl": "private"}, body))
    assert raw_error(r) == (400, "UnexpectedContent")
    # An empty grant list: only the owner's implicit ACL rights are left, and
    # the bucket's owner keeps its bucket.
    c.put_bucket_acl(Bucket=bucket, AccessControlPolicy={"Owner": owner, "Grants": []})
    assert c.get_bucket_acl(Bucket=bucket).get("Grants", []) == []
    assert c.list_objects_v2(Bucket=bucket)["KeyCount"] == 1
    with pytest.raises(ClientError) as e:
        o.get_bucket_acl(Bucket=bucket)
    assert error_of(e) == (403, "AccessDenied")


def test_listing_multipart_and_copy_sources_are_enforced(s3, c, o, bucket):
    me, other = s3.uid, s3.other.uid
    c.put_object(Bucket=bucket, Key="src", Body=b"source")
    theirs = s3.name()
    o.create_bucket(Bucket=theirs)
    # No grant: no listing, no uploads, no copying out; a missing key is
    # AccessDenied to those who may not list (nothing leaks).
    with pytest.raises(ClientError) as e:
        o.list_objects(Bucket=bucket)
    assert error_of(e) == (403, "AccessDenied")
    with pytest.raises(ClientError) as e:
        o.list_multipart_uploads(Bucket=bucket)
    assert error_of(e) == (403, "AccessDenied")
    with pytest.raises(ClientError) as e:
        o.create_multipart_upload(Bucket=bucket, Key="mp")
    assert error_of(e) == (403, "AccessDenied")
    with pytest.raises(ClientError) as e:
        o.copy_object(Bucket=theirs, Key="c", CopySource={"Bucket": bucket, "Key": "src"})
    assert error_of(e) == (403, "AccessDenied")
    with pytest.raises(ClientError) as e:
        o.get_object(Bucket=bucket, Key="missing")
    assert error_of(e) == (403, "AccessDenied")
    with pytest.raises(ClientError) as e:
        o.copy_object(Bucket=theirs, Key="c", CopySource={"Bucket": bucket, "Key": "missing"})
    assert error_of(e) == (403, "AccessDenied")

    # READ on the source object: copies; READ on the bucket: lists, and a
    # missing key is NoSuchKey.
    c.put_object_acl(Bucket=bucket, Key="src", GrantRead=f"id={other}",
                     GrantFullControl=f"id={me}")
    o.copy_object(Bucket=theirs, Key="c", CopySource={"Bucket": bucket, "Key": "src"})
    assert o.get_object(Bucket=theirs, Key="c")["Body"].read() == b"source"
    assert o.get_object_acl(Bucket=theirs, Key="c")["Owner"]["ID"] == other
    up = o.create_multipart_upload(Bucket=theirs, Key="pc")["UploadId"]
    part = o.upload_part_copy(Bucket=theirs, Key="pc", UploadId=up, PartNumber=1,
                              CopySource={"Bucket": bucket, "Key": "src"})
    o.complete_multipart_upload(Bucket=theirs, Key="pc", UploadId=up, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": part["CopyPartResult"]["ETag"]}]})
    assert o.get_object(Bucket=theirs, Key="pc")["Body"].read() == b"source"
    c.put_bucket_acl(Bucket=bucket, GrantRead=f"id={other}", GrantFullControl=f"id={me}")
    assert [x["Key"] for x in o.list_objects(Bucket=bucket)["Contents"]] == ["src"]
    with pytest.raises(ClientError) as e:
        o.get_object(Bucket=bucket, Key="missing")
    assert error_of(e) == (404, "NoSuchKey")
    with pytest.raises(ClientError) as e:
        o.put_object(Bucket=bucket, Key="w", Body=b"w")
    assert error_of(e) == (403, "AccessDenied")

    # WRITE on the bucket: multipart uploads by the other user, who initiates
    # and owns them; the bucket's owner sees them listed.
    c.put_bucket_acl(Bucket=bucket, GrantWrite=f"id={other}", GrantFullControl=f"id={me}")
    up = o.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    etag = o.upload_part(Bucket=bucket, Key="mp", UploadId=up, PartNumber=1, Body=b"p")["ETag"]
    parts = o.list_parts(Bucket=bucket, Key="mp", UploadId=up)
    assert parts["Initiator"]["ID"] == other and parts["Owner"]["ID"] == other
    listed = c.list_multipart_uploads(Bucket=bucket)["Uploads"]
    assert [(u["Key"], u["Initiator"]["ID"]) for u in listed] == [("mp", other)]
    o.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up,
                                MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert o.get_object_acl(Bucket=bucket, Key="mp")["Owner"]["ID"] == other
    with pytest.raises(ClientError) as e:
        c.get_object(Bucket=bucket, Key="mp")
    assert error_of(e) == (403, "AccessDenied")


def test_listings_show_each_objects_owner(s3, c, o, bucket):
    """ListObjects, ListObjectsV2 (fetch-owner) and ListObjectVersions show
    every object's writer as its Owner, not the bucket's owner."""
    me, other = s3.uid, s3.other.uid
    c.put_bucket_acl(Bucket=bucket, GrantWrite=f"id={other}", GrantRead=f"id={other}",
                     GrantFullControl=f"id={me}")
    c.put_object(Bucket=bucket, Key="a-mine", Body=b"a")
    o.put_object(Bucket=bucket, Key="b-theirs", Body=b"b")
    o.copy_object(Bucket=bucket, Key="c-their-copy", CopySource={"Bucket": bucket, "Key": "b-theirs"})
    up = o.create_multipart_upload(Bucket=bucket, Key="d-their-upload")["UploadId"]
    etag = o.upload_part(Bucket=bucket, Key="d-their-upload", UploadId=up, PartNumber=1,
                         Body=b"d")["ETag"]
    o.complete_multipart_upload(Bucket=bucket, Key="d-their-upload", UploadId=up,
                                MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    # The bucket's owner overwrites one of theirs: it is then the owner's.
    o.put_object(Bucket=bucket, Key="e-overwritten", Body=b"e")
    c.put_object(Bucket=bucket, Key="e-overwritten", Body=b"e2")
    # An anonymous writer's object belongs to the bucket's owner.
    c.put_bucket_acl(Bucket=bucket, ACL="public-read-write")
    assert anon("PUT", s3, f"/{bucket}/f-anonymous", data=b"f").status_code == 200
    # Changing an object's ACL keeps its owner.
    o.put_object_acl(Bucket=bucket, Key="b-theirs", ACL="public-read")

    mine, theirs = {"ID": me, "DisplayName": "s3user"}, {"ID": other, "DisplayName": "s3other"}
    want = [("a-mine", mine), ("b-theirs", theirs), ("c-their-copy", theirs),
            ("d-their-upload", theirs), ("e-overwritten", mine), ("f-anonymous", mine)]
    for client in (c, o):
        v1 = client.list_objects(Bucket=bucket)["Contents"]
        assert [(x["Key"], x["Owner"]) for x in v1] == want
        v2 = client.list_objects_v2(Bucket=bucket, FetchOwner=True)["Contents"]
        assert [(x["Key"], x["Owner"]) for x in v2] == want
        assert all("Owner" not in x for x in client.list_objects_v2(Bucket=bucket)["Contents"])
        versions = client.list_object_versions(Bucket=bucket)["Versions"]
        assert [(x["Key"], x["Owner"]) for x in versions] == want
    # Pages resume with the same owners.
    page = c.list_objects_v2(Bucket=bucket, FetchOwner=True, MaxKeys=2, StartAfter="a-mine")
    assert [(x["Key"], x["Owner"]) for x in page["Contents"]] == want[1:3]
    # Anonymous listing (v1, raw) names them too.
    r = anon("GET", s3, f"/{bucket}")
    assert r.status_code == 200
    assert r.text.count(f"<ID>{other}</ID><DisplayName>s3other</DisplayName>") == 3
    assert r.text.count(f"<ID>{me}</ID><DisplayName>s3user</DisplayName>") == 3
