"""S3 POST Object (HTML form uploads) on every door and store driver: forms
signed by boto3's generate_presigned_post (SigV4) and by hand (V2), the
policy's expiration and conditions, success_action_status/redirect, ACL and
metadata fields, anonymous forms to a public-write bucket, and each refusal
storing nothing."""
import base64
import datetime
import hashlib
import hmac
import json

import pytest
import requests
from botocore.exceptions import ClientError
from s3_errors import raw_error


@pytest.fixture
def c(s3):
    return s3.client()


@pytest.fixture
def bucket(s3, c):
    name = s3.name()
    c.create_bucket(Bucket=name)
    return name


def post(s3, bucket, fields, body=b"form bytes", filename="photo.jpg"):
    return requests.post(f"{s3.url}/{bucket}", data=fields,
                         files={"file": (filename, body, "application/octet-stream")})


def missing(c, bucket, key):
    with pytest.raises(ClientError) as e:
        c.head_object(Bucket=bucket, Key=key)
    return e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_presigned_post_from_boto3(s3, c, bucket):
    signer = s3.client(signature_version="s3v4")
    p = signer.generate_presigned_post(
        bucket, "uploads/${filename}",
        Fields={"acl": "public-read", "Content-Type": "image/jpeg", "x-amz-meta-by": "form",
                "success_action_status": "201"},
        Conditions=[{"acl": "public-read"}, ["starts-with", "$Content-Type", "image/"],
                    {"x-amz-meta-by": "form"}, {"success_action_status": "201"},
                    ["content-length-range", 1, 1000]],
        ExpiresIn=300)
    assert p["fields"]["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    r = post(s3, bucket, p["fields"])
    assert r.status_code == 201, r.text
    assert "<Key>uploads/photo.jpg</Key>" in r.text
    got = c.get_object(Bucket=bucket, Key="uploads/photo.jpg")
    assert got["Body"].read() == b"form bytes" and got["ContentType"] == "image/jpeg"
    assert got["Metadata"] == {"by": "form"}
    assert requests.get(f"{s3.url}/{bucket}/uploads/photo.jpg").content == b"form bytes"
    assert r.headers["ETag"] == got["ETag"]
    # Too large for the content-length-range: refused, nothing stored.
    r = post(s3, bucket, p["fields"], body=b"x" * 1001, filename="big.jpg")
    assert raw_error(r) == (400, "EntityTooLarge")
    assert missing(c, bucket, "uploads/big.jpg")
    # A field the policy does not name, a condition that fails, a tampered
    # signature.
    r = post(s3, bucket, dict(p["fields"], **{"x-amz-meta-extra": "1"}), filename="e.jpg")
    assert raw_error(r) == (403, "AccessDenied") and "Extra input fields" in r.text
    r = post(s3, bucket, dict(p["fields"], **{"Content-Type": "text/plain"}), filename="t.jpg")
    assert raw_error(r) == (403, "AccessDenied")
    sig = p["fields"]["x-amz-signature"]
    r = post(s3, bucket, dict(p["fields"], **{"x-amz-signature": ("0" if sig[0] != "0" else "1")
                                              + sig[1:]}), filename="s.jpg")
    assert raw_error(r) == (403, "SignatureDoesNotMatch")
    for key in ("uploads/e.jpg", "uploads/t.jpg", "uploads/s.jpg"):
        assert missing(c, bucket, key)


def v2_form(s3, bucket, policy):
    encoded = base64.b64encode(json.dumps(policy).encode()).decode()
    sig = base64.b64encode(hmac.new(s3.secret_key.encode(), encoded.encode(),
                                    hashlib.sha1).digest()).decode()
    return {"AWSAccessKeyId": s3.access_key, "policy": encoded, "signature": sig}


def test_v2_signed_form_redirect_and_expiry(s3, c, bucket):
    soon = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=5))
    policy = {"expiration": soon.strftime("%Y-%m-%dT%H:%M:%SZ"),
              "conditions": [{"bucket": bucket}, ["starts-with", "$key", "v2/"],
                             {"success_action_redirect": "https://app.example.com/done"}]}
    fields = dict(v2_form(s3, bucket, policy), key="v2/a",
                  success_action_redirect="https://app.example.com/done")
    r = requests.post(f"{s3.url}/{bucket}", data=fields, files={"file": ("a", b"v2 bytes")},
                      allow_redirects=False)
    assert r.status_code == 303
    assert r.headers["Location"].startswith(f"https://app.example.com/done?bucket={bucket}&key=v2%2Fa")
    assert c.get_object(Bucket=bucket, Key="v2/a")["Body"].read() == b"v2 bytes"
    # Outside the key prefix; expired.
    r = post(s3, bucket, dict(fields, key="other/a"))
    assert raw_error(r) == (403, "AccessDenied")
    past = dict(policy, expiration="2001-01-01T00:00:00Z")
    r = post(s3, bucket, dict(v2_form(s3, bucket, past), key="v2/b",
                              success_action_redirect="https://app.example.com/done"))
    assert raw_error(r) == (403, "AccessDenied") and "expired" in r.text
    assert missing(c, bucket, "v2/b")


def test_anonymous_forms_and_malformed_bodies(s3, c, bucket):
    r = post(s3, bucket, {"key": "anon"})
    assert raw_error(r) == (403, "AccessDenied")
    c.put_bucket_acl(Bucket=bucket, ACL="public-read-write")
    r = post(s3, bucket, {"key": "anon"})
    assert r.status_code == 204
    assert c.get_object(Bucket=bucket, Key="anon")["Body"].read() == b"form bytes"
    assert raw_error(post(s3, bucket, {})) == (400, "InvalidArgument")
    r = requests.post(f"{s3.url}/{bucket}", data={"key": "nofile"})
    assert r.status_code in (400, 412)
    r = requests.post(f"{s3.url}/{bucket}", data=b"--xx\r\nnot a form",
                      headers={"Content-Type": "multipart/form-data; boundary=xx"})
    assert raw_error(r) == (400, "MalformedPOSTRequest")
    assert missing(c, bucket, "nofile")


def test_forms_signed_by_pyrgw(s3, c, bucket):
    """pyrgw.presign_post signs through the core's signer; the form uploads
    through every door, its signature is the SigV4 HMAC of the policy, and a
    changed policy fails."""
    import pyrgw

    form = pyrgw.presign_post(f"{s3.url}/{bucket}", "py/${filename}", s3.access_key,
                              s3.secret_key, fields={"success_action_status": "201"},
                              conditions=[{"success_action_status": "201"},
                                          ["content-length-range", 1, 100]], expires=120)
    f = form["fields"]
    date8 = f["x-amz-date"][:8]
    k = ("AWS4" + s3.secret_key).encode()
    for part in (date8, "us-east-1", "s3", "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    assert f["x-amz-signature"] == hmac.new(k, f["policy"].encode(), hashlib.sha256).hexdigest()
    policy = json.loads(base64.b64decode(f["policy"]))
    assert {"bucket": bucket} in policy["conditions"]
    r = requests.post(form["url"], data=f, files={"file": ("cat.txt", b"meow")})
    assert r.status_code == 201, r.text
    assert c.get_object(Bucket=bucket, Key="py/cat.txt")["Body"].read() == b"meow"
    assert c.get_object_acl(Bucket=bucket, Key="py/cat.txt")["Owner"]["ID"] == s3.uid
    other = dict(policy, conditions=policy["conditions"][1:])
    tampered = dict(f, policy=base64.b64encode(json.dumps(other).encode()).decode())
    r = requests.post(form["url"], data=tampered, files={"file": ("dog.txt", b"woof")})
    assert raw_error(r) == (403, "SignatureDoesNotMatch")
    with pytest.raises(ValueError):
        pyrgw.presign_post("http://127.0.0.1:1/", "k", "AK", "SK")


def signed_form(s3, bucket, key, fields, conditions=None):
    """A SigV4 form from boto3 whose policy admits each of `fields` with any
    value (starts-with ""), unless `conditions` are given."""
    signer = s3.client(signature_version="s3v4")
    if conditions is None:
        conditions = [["starts-with", f"${name}", ""] for name in fields]
    return signer.generate_presigned_post(bucket, key, Fields=fields, Conditions=conditions,
                                          ExpiresIn=300)["fields"]


TAGGING = ("<Tagging><TagSet><Tag><Key>team</Key><Value>blue</Value></Tag>"
           "<Tag><Key>tier</Key><Value>a b</Value></Tag></TagSet></Tagging>")


def test_put_object_fields_tagging_storage_class_encryption(s3, c, bucket):
    """The fields PutObject takes as headers: tagging (a Tagging document),
    x-amz-storage-class, x-amz-server-side-encryption and the stored
    Content-* headers; each bad value gets PutObject's error and stores
    nothing."""
    fields = {"tagging": TAGGING, "x-amz-storage-class": "STANDARD_IA",
              "x-amz-server-side-encryption": "AES256", "Content-Type": "image/png",
              "Cache-Control": "max-age=60", "Content-Disposition": "attachment; filename=a.png",
              "Content-Encoding": "identity", "Expires": "Wed, 21 Oct 2037 07:28:00 GMT",
              "x-amz-meta-by": "form"}
    r = post(s3, bucket, signed_form(s3, bucket, "f/${filename}", fields), filename="a.png")
    assert r.status_code == 204, r.text
    assert c.get_object_tagging(Bucket=bucket, Key="f/a.png")["TagSet"] == [
        {"Key": "team", "Value": "blue"}, {"Key": "tier", "Value": "a b"}]
    head = c.head_object(Bucket=bucket, Key="f/a.png")
    h = head["ResponseMetadata"]["HTTPHeaders"]
    assert (head["ContentType"], head["CacheControl"], head["ContentDisposition"],
            head["ContentEncoding"], h["expires"], head["Metadata"]) == (
        "image/png", "max-age=60", "attachment; filename=a.png", "identity",
        "Wed, 21 Oct 2037 07:28:00 GMT", {"by": "form"})
    assert h["x-amz-tagging-count"] == "2"
    # Every object is STANDARD and unencrypted (as PutObject's).
    assert "x-amz-server-side-encryption" not in h and "StorageClass" not in head
    assert [o["StorageClass"] for o in c.list_objects_v2(Bucket=bucket)["Contents"]] == ["STANDARD"]
    # An empty Tagging document is an empty tag set.
    r = post(s3, bucket, signed_form(s3, bucket, "f/empty",
                                     {"tagging": "<Tagging><TagSet/></Tagging>"}))
    assert r.status_code == 204
    assert c.get_object_tagging(Bucket=bucket, Key="f/empty")["TagSet"] == []

    too_many = "".join(f"<Tag><Key>k{i}</Key><Value>v</Value></Tag>" for i in range(11))
    refused = [
        ({"tagging": "not xml"}, (400, "MalformedXML")),
        ({"tagging": "<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>"},
         (400, "MalformedXML")),
        ({"tagging": f"<Tagging><TagSet>{too_many}</TagSet></Tagging>"}, (400, "InvalidTag")),
        ({"tagging": "<Tagging><TagSet><Tag><Key>aws:x</Key><Value>v</Value></Tag></TagSet>"
                     "</Tagging>"}, (400, "InvalidTag")),
        ({"tagging": "<Tagging><TagSet><Tag><Key>d</Key><Value>1</Value></Tag><Tag><Key>d</Key>"
                     "<Value>2</Value></Tag></TagSet></Tagging>"}, (400, "InvalidTag")),
        ({"x-amz-storage-class": "FAKE_CLASS"}, (400, "InvalidStorageClass")),
        ({"x-amz-server-side-encryption": "AES512"}, (400, "InvalidArgument")),
        ({"x-amz-meta-big": "v" * 2100}, (400, "MetadataTooLarge")),
        # No temporary credentials exist yet: every token is invalid.
        ({"x-amz-security-token": "FQoGZXIvYXdzEXAMPLE"}, (400, "InvalidToken")),
    ]
    for i, (extra, want) in enumerate(refused):
        r = post(s3, bucket, signed_form(s3, bucket, f"bad/{i}", extra))
        assert raw_error(r) == want, (extra, r.text)
        assert missing(c, bucket, f"bad/{i}")
    r = post(s3, bucket, signed_form(s3, bucket, "bad/class", {"x-amz-storage-class": "FAKE_CLASS"}))
    assert "<StorageClassRequested>FAKE_CLASS</StorageClassRequested>" in r.text
    # The token is refused however well the form is otherwise signed; the
    # header form answers the same.
    r = requests.put(c.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "t"}),
                     data=b"x", headers={"x-amz-security-token": "FQoGZXIvYXdzEXAMPLE"})
    assert raw_error(r) == (400, "InvalidToken")
    # A field that no condition names is still refused.
    form = signed_form(s3, bucket, "bad/uncovered", {}, conditions=[])
    r = post(s3, bucket, dict(form, tagging=TAGGING))
    assert raw_error(r) == (403, "AccessDenied") and "Extra input fields: tagging" in r.text
    assert missing(c, bucket, "bad/uncovered")

    # PutObject, CopyObject and CreateMultipartUpload check the same values.
    c.put_object(Bucket=bucket, Key="p", Body=b"p", StorageClass="GLACIER",
                 ServerSideEncryption="AES256")
    assert [o["StorageClass"] for o in c.list_objects_v2(Bucket=bucket, Prefix="p")["Contents"]] \
        == ["STANDARD"]
    for call in (lambda kw: c.put_object(Bucket=bucket, Key="q", Body=b"q", **kw),
                 lambda kw: c.copy_object(Bucket=bucket, Key="q", CopySource=f"{bucket}/p", **kw),
                 lambda kw: c.create_multipart_upload(Bucket=bucket, Key="q", **kw)):
        for kw, want in (({"StorageClass": "FAKE_CLASS"}, (400, "InvalidStorageClass")),
                         ({"ServerSideEncryption": "AES512"}, (400, "InvalidArgument"))):
            with pytest.raises(ClientError) as e:
                call(kw)
            got = e.value.response
            assert (got["ResponseMetadata"]["HTTPStatusCode"], got["Error"]["Code"]) == want
    assert missing(c, bucket, "q")
    assert c.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_content_type_lists_and_starts_with(s3, c, bucket):
    """starts-with on Content-Type treats a comma-separated value as a list
    whose every element must match; other fields are plain strings."""
    cond = [["starts-with", "$Content-Type", "image/"], ["starts-with", "$x-amz-meta-list", "a/"]]
    ok = {"Content-Type": "image/jpg,image/png, image/gif", "x-amz-meta-list": "a/1,b/2"}
    r = post(s3, bucket, signed_form(s3, bucket, "ct/ok", ok, cond))
    assert r.status_code == 204, r.text
    assert c.head_object(Bucket=bucket, Key="ct/ok")["ContentType"] == "image/jpg,image/png, image/gif"
    for i, ct in enumerate(["image/jpg,text/plain", "text/plain,image/png", "image/png,"]):
        r = post(s3, bucket, signed_form(s3, bucket, f"ct/{i}", dict(ok, **{"Content-Type": ct}),
                                         cond))
        assert raw_error(r) == (403, "AccessDenied") and "Policy Condition failed" in r.text, ct
        assert missing(c, bucket, f"ct/{i}")
    # eq compares the whole value, commas and all.
    eq = [{"Content-Type": "image/jpg,image/png"}]
    r = post(s3, bucket, signed_form(s3, bucket, "ct/eq", {"Content-Type": "image/jpg,image/png"},
                                     eq))
    assert r.status_code == 204
    r = post(s3, bucket, signed_form(s3, bucket, "ct/eq2", {"Content-Type": "image/jpg"}, eq))
    assert raw_error(r) == (403, "AccessDenied")
    # A comma in another field is no list: "b/2" after the comma is not tested.
    r = post(s3, bucket, signed_form(s3, bucket, "ct/m", {"x-amz-meta-list": "b/1,a/2"},
                                     [["starts-with", "$x-amz-meta-list", "a/"]]))
    assert raw_error(r) == (403, "AccessDenied")
    assert missing(c, bucket, "ct/m")
