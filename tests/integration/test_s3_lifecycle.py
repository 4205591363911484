"""S3 bucket lifecycle configurations through boto3 and raw requests, on
every door and store driver: Put/Get/DeleteBucketLifecycleConfiguration
with every filter form, S3's validation answers, the Content-MD5 or checksum
S3 requires, refused transitions, who may set them, and the x-amz-expiration
header of the objects an enabled Expiration rule matches (PUT, HEAD, GET,
CopyObject, CompleteMultipartUpload).  The rules are not applied yet."""
import base64
import calendar
import email.utils
import hashlib
import json
from datetime import datetime, timezone

import pytest
import requests
from botocore.exceptions import ClientError
from s3_errors import error_of, raw_error
from s3_signing import sign_v4

DAY = 86400
UTC = timezone.utc


@pytest.fixture
def c(s3):
    return s3.client()


@pytest.fixture
def bucket(s3, c):
    name = s3.name()
    c.create_bucket(Bucket=name)
    return name


def put(c, bucket, rules):
    return c.put_bucket_lifecycle_configuration(
        Bucket=bucket, LifecycleConfiguration={"Rules": rules})


def rules_of(c, bucket):
    return c.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]


def refused(c, bucket, rules):
    with pytest.raises(ClientError) as e:
        put(c, bucket, rules)
    return error_of(e)


RULES = [
    {"ID": "logs", "Filter": {"Prefix": "logs/"}, "Status": "Enabled",
     "Expiration": {"Days": 3}},
    {"ID": "scratch", "Status": "Enabled",
     "Filter": {"And": {"Prefix": "tmp/", "Tags": [{"Key": "kind", "Value": "scratch"},
                                                   {"Key": "team", "Value": "a b"}],
                        "ObjectSizeGreaterThan": 10, "ObjectSizeLessThan": 1000}},
     "Expiration": {"Date": datetime(2031, 1, 1, tzinfo=UTC)}},
    {"ID": "tagged", "Filter": {"Tag": {"Key": "k", "Value": "v"}}, "Status": "Disabled",
     "Expiration": {"Days": 1}},
    {"ID": "big", "Filter": {"ObjectSizeGreaterThan": 1048576}, "Status": "Enabled",
     "NoncurrentVersionExpiration": {"NoncurrentDays": 30, "NewerNoncurrentVersions": 2}},
    {"ID": "small", "Filter": {"ObjectSizeLessThan": 5}, "Status": "Enabled",
     "Expiration": {"Days": 365}},
    {"ID": "everything", "Filter": {}, "Status": "Enabled",
     "Expiration": {"ExpiredObjectDeleteMarker": True},
     "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}},
]


def test_configuration_round_trip(s3, c, bucket):
    with pytest.raises(ClientError) as e:
        rules_of(c, bucket)
    assert error_of(e) == (404, "NoSuchLifecycleConfiguration")
    r = put(c, bucket, RULES)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert rules_of(c, bucket) == RULES
    # A new configuration replaces the old one whole.
    put(c, bucket, RULES[:1])
    assert rules_of(c, bucket) == RULES[:1]
    c.delete_bucket_lifecycle(Bucket=bucket)
    with pytest.raises(ClientError) as e:
        rules_of(c, bucket)
    assert error_of(e) == (404, "NoSuchLifecycleConfiguration")
    # Deleting what is not there succeeds too.
    assert c.delete_bucket_lifecycle(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_legacy_prefix_and_generated_ids(c, bucket):
    # The rule's own Prefix (before Filter existed), and a rule without an ID,
    # which gets one.
    put(c, bucket, [{"ID": "docs", "Prefix": "docs/", "Status": "Enabled",
                     "Expiration": {"Days": 30}},
                    {"Prefix": "", "Status": "Disabled",
                     "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2}}])
    got = rules_of(c, bucket)
    assert got[0] == {"ID": "docs", "Prefix": "docs/", "Status": "Enabled",
                      "Expiration": {"Days": 30}}
    assert got[1]["ID"] and len(got[1]["ID"]) <= 255 and got[1]["Prefix"] == ""
    assert got[1]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 2}
    # A 255-character ID is allowed, and the ID is kept as given.
    put(c, bucket, [{"ID": "é" * 255, "Filter": {"Prefix": "a <&> b"}, "Status": "Enabled",
                     "Expiration": {"Days": 1}}])
    assert rules_of(c, bucket)[0]["ID"] == "é" * 255
    assert rules_of(c, bucket)[0]["Filter"] == {"Prefix": "a <&> b"}


def rule(**fields):
    r = {"ID": "r", "Filter": {"Prefix": "p/"}, "Status": "Enabled", "Expiration": {"Days": 1}}
    r.update(fields)
    return {k: v for k, v in r.items() if v is not None}


MIDNIGHT = datetime(2030, 1, 1, tzinfo=UTC)
TAG = {"Key": "k", "Value": "v"}

REFUSED = [
    # Values S3 takes as arguments.
    ([rule(Expiration={"Days": 0})], "InvalidArgument"),
    ([rule(Expiration={"Days": -1})], "InvalidArgument"),
    ([rule(Expiration={"Date": datetime(2030, 1, 1, 12, tzinfo=UTC)})], "InvalidArgument"),
    ([rule(ID="x" * 256)], "InvalidArgument"),
    ([rule(ID="same"), rule(ID="same", Filter={"Prefix": "q/"})], "InvalidArgument"),
    ([rule(Expiration=None, NoncurrentVersionExpiration={"NoncurrentDays": 0})],
     "InvalidArgument"),
    ([rule(Expiration=None, NoncurrentVersionExpiration={"NoncurrentDays": 1,
                                                         "NewerNoncurrentVersions": 0})],
     "InvalidArgument"),
    ([rule(Expiration=None, AbortIncompleteMultipartUpload={"DaysAfterInitiation": 0})],
     "InvalidArgument"),
    ([rule(Filter={"Prefix": "p" * 1025})], "InvalidArgument"),
    # Documents that do not follow the schema.
    ([rule(Expiration={"Days": 1, "Date": MIDNIGHT})], "MalformedXML"),
    ([rule(Expiration={"Days": 1, "ExpiredObjectDeleteMarker": True})], "MalformedXML"),
    ([rule(Expiration={"Date": MIDNIGHT, "ExpiredObjectDeleteMarker": True})], "MalformedXML"),
    ([rule(Expiration={})], "MalformedXML"),
    ([rule(Status="Maybe")], "MalformedXML"),
    ([rule(Filter=None)], "MalformedXML"),
    ([rule(Filter={"Prefix": "p/", "Tag": TAG})], "MalformedXML"),
    ([rule(Expiration=None, NoncurrentVersionExpiration={"NewerNoncurrentVersions": 1})],
     "MalformedXML"),
    # S3's other rules.
    ([], "InvalidRequest"),
    ([rule(ID=str(i), Filter={"Prefix": f"{i}/"}) for i in range(1001)], "InvalidRequest"),
    ([rule(Expiration=None)], "InvalidRequest"),
    ([rule(Filter={"And": {"Tags": [TAG, dict(TAG, Value="w")]}})], "InvalidRequest"),
    ([rule(Filter={"And": {"ObjectSizeGreaterThan": 100, "ObjectSizeLessThan": 100}})],
     "InvalidRequest"),
    ([rule(Filter={"ObjectSizeGreaterThan": -1})], "InvalidRequest"),
    ([rule(Filter={"ObjectSizeLessThan": 0})], "InvalidRequest"),
    ([rule(Filter={"Tag": TAG}, Expiration={"ExpiredObjectDeleteMarker": True})],
     "InvalidRequest"),
    ([rule(Filter={"ObjectSizeGreaterThan": 1}, Expiration={"ExpiredObjectDeleteMarker": True})],
     "InvalidRequest"),
    ([rule(Filter={"And": {"Prefix": "a", "Tags": [TAG]}}, Expiration=None,
           AbortIncompleteMultipartUpload={"DaysAfterInitiation": 1})], "InvalidRequest"),
    # Filter and the legacy Prefix are not mixed: the first rule decides.
    ([rule(), rule(ID="s", Filter=None, Prefix="q/")], "InvalidRequest"),
    ([rule(Filter=None, Prefix="q/"), rule(ID="s")], "InvalidRequest"),
    # In the legacy form, overlapping prefixes for one kind of action.
    ([rule(Filter=None, Prefix="a"), rule(ID="s", Filter=None, Prefix="ab")], "InvalidRequest"),
    # Transitions: one storage class here.
    ([rule(Transitions=[{"Days": 30, "StorageClass": "GLACIER"}])], "InvalidStorageClass"),
    ([rule(Expiration=None, NoncurrentVersionTransitions=[
        {"NoncurrentDays": 30, "StorageClass": "STANDARD_IA"}])], "InvalidStorageClass"),
]


def test_refused_configurations(c, bucket):
    put(c, bucket, RULES)
    for rules, code in REFUSED:
        assert refused(c, bucket, rules) == (400, code), rules[:2]
    # Nothing refused was stored.
    assert rules_of(c, bucket) == RULES
    # Legacy rules whose prefixes do not overlap, or overlap for different
    # actions, are fine.
    put(c, bucket, [rule(Filter=None, Prefix="a"), rule(ID="s", Filter=None, Prefix="b"),
                    rule(ID="t", Filter=None, Prefix="ab", Expiration=None,
                         AbortIncompleteMultipartUpload={"DaysAfterInitiation": 1})])
    assert [r["Prefix"] for r in rules_of(c, bucket)] == ["a", "b", "ab"]
    # 1000 rules are allowed.
    many = [rule(ID=str(i), Filter={"Prefix": f"{i}/"}) for i in range(1000)]
    put(c, bucket, many)
    assert len(rules_of(c, bucket)) == 1000


def raw_put(s3, bucket, body, headers=None):
    path = f"/{bucket}?lifecycle"
    h = sign_v4(s3, "PUT", path, headers=headers, body=body)
    return requests.put(s3.url + path, data=body, headers=h)


def md5_of(body):
    return base64.b64encode(hashlib.md5(body).digest()).decode()


GOOD = (b'<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule>'
        b"<ID>r</ID><Filter><Prefix>p/</Prefix></Filter><Status>Enabled</Status>"
        b"<Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>")


def test_body_check_required_and_raw_documents(s3, c, bucket):
    # S3 requires Content-MD5 or an x-amz-checksum-* on this PUT.
    assert raw_error(raw_put(s3, bucket, GOOD)) == (400, "InvalidRequest")
    assert raw_error(raw_put(s3, bucket, GOOD, {"Content-MD5": md5_of(b"other")})) == (
        400, "BadDigest")
    assert raw_put(s3, bucket, GOOD, {"Content-MD5": md5_of(GOOD)}).status_code == 200
    crc = base64.b64encode(hashlib.sha256(GOOD).digest()).decode()
    assert raw_put(s3, bucket, GOOD, {"x-amz-checksum-sha256": crc}).status_code == 200
    assert rules_of(c, bucket) == [{"ID": "r", "Filter": {"Prefix": "p/"}, "Status": "Enabled",
                                    "Expiration": {"Days": 1}}]
    # Documents boto3 would not send.
    for body in (b"not xml", b"<Other/>", GOOD.replace(b"<ID>r</ID>", b"<ID>r</ID><ID>s</ID>"),
                 GOOD.replace(b"<ID>r</ID>", b"<Unknown/>"),
                 GOOD.replace(b"<Days>1</Days>", b"<Days>one</Days>"),
                 GOOD.replace(b"<Days>1</Days>", b"<Date>1 Jan 2030</Date>"),
                 GOOD.replace(b"<Status>Enabled</Status>", b""),
                 GOOD.replace(b"<Prefix>p/</Prefix>", b"<Tag><Key></Key><Value>v</Value></Tag>"),
                 GOOD.replace(b"<Prefix>p/</Prefix>", b"<And></And>")):
        assert raw_error(raw_put(s3, bucket, body, {"Content-MD5": md5_of(body)})) == (
            400, "MalformedXML"), body
    # Dates in other ISO 8601 forms, at midnight UTC, are stored normalized.
    for date in (b"2030-01-01", b"2030-01-01T00:00:00.000Z", b"2030-01-01T02:00:00+02:00"):
        body = GOOD.replace(b"<Days>1</Days>", b"<Date>" + date + b"</Date>")
        assert raw_put(s3, bucket, body, {"Content-MD5": md5_of(body)}).status_code == 200
        assert rules_of(c, bucket)[0]["Expiration"] == {"Date": MIDNIGHT}
        path = f"/{bucket}?lifecycle"
        text = requests.get(s3.url + path, headers=sign_v4(s3, "GET", path)).text
        assert "<Date>2030-01-01T00:00:00.000Z</Date>" in text


def test_who_may_configure(s3, c, bucket):
    other = s3.other.client()
    put(c, bucket, RULES[:1])
    for call in (lambda: other.get_bucket_lifecycle_configuration(Bucket=bucket),
                 lambda: put(other, bucket, RULES),
                 lambda: other.delete_bucket_lifecycle(Bucket=bucket)):
        with pytest.raises(ClientError) as e:
            call()
        assert error_of(e) == (403, "AccessDenied")
    principal = {"AWS": [f"arn:aws:iam::{s3.other.uid}:root"]}
    statements = [{"Effect": "Allow", "Principal": principal,
                   "Action": "s3:GetLifecycleConfiguration",
                   "Resource": f"arn:aws:s3:::{bucket}"}]

    def policy(statements):
        c.put_bucket_policy(Bucket=bucket, Policy=json.dumps(
            {"Version": "2012-10-17", "Statement": statements}))

    policy(statements)
    assert rules_of(other, bucket) == RULES[:1]
    with pytest.raises(ClientError) as e:
        put(other, bucket, RULES)
    assert error_of(e) == (403, "AccessDenied")
    # s3:PutLifecycleConfiguration covers DeleteBucketLifecycle too, as in S3.
    statements.append(dict(statements[0], Action="s3:PutLifecycleConfiguration"))
    policy(statements)
    put(other, bucket, RULES)
    assert rules_of(c, bucket) == RULES
    other.delete_bucket_lifecycle(Bucket=bucket)
    with pytest.raises(ClientError) as e:
        rules_of(c, bucket)
    assert error_of(e) == (404, "NoSuchLifecycleConfiguration")
    # An explicit Deny refuses the owner too.
    policy([{"Effect": "Deny", "Principal": "*", "Action": "s3:PutLifecycleConfiguration",
             "Resource": f"arn:aws:s3:::{bucket}"}])
    with pytest.raises(ClientError) as e:
        put(c, bucket, RULES)
    assert error_of(e) == (403, "AccessDenied")
    c.delete_bucket_policy(Bucket=bucket)
    put(c, bucket, RULES)


def expiry(created, days):
    """The expiry dates S3 gives an object created at `created` (its
    Last-Modified, an upload's Initiated) under a rule of `days`: creation
    time plus the days, rounded up to midnight UTC.  Last-Modified has whole
    seconds; a time on a midnight second may have been just past it."""
    t = calendar.timegm(created.utctimetuple()) + days * DAY
    dates = {(t // DAY + 1) * DAY} | ({t} if t % DAY == 0 else set())
    return {email.utils.formatdate(d, usegmt=True) for d in dates}


def http_date(dt):
    return email.utils.formatdate(calendar.timegm(dt.utctimetuple()), usegmt=True)


def header(date, rule_id):
    return f'expiry-date="{date}", rule-id="{rule_id}"'


def expected(last_modified, days, rule_id):
    return {header(d, rule_id) for d in expiry(last_modified, days)}


def test_expiration_header(s3, c, bucket):
    c.put_object(Bucket=bucket, Key="logs/before", Body=b"x")
    assert "Expiration" not in c.head_object(Bucket=bucket, Key="logs/before")
    put(c, bucket, [
        {"ID": "logs", "Filter": {"Prefix": "logs/"}, "Status": "Enabled",
         "Expiration": {"Days": 3}},
        {"ID": "logs big", "Filter": {"And": {"Prefix": "logs/", "ObjectSizeGreaterThan": 100}},
         "Status": "Enabled", "Expiration": {"Days": 1}},
        {"ID": "scratch", "Status": "Enabled",
         "Filter": {"And": {"Prefix": "tmp/", "Tags": [{"Key": "kind", "Value": "scratch"}],
                            "ObjectSizeGreaterThan": 10, "ObjectSizeLessThan": 1000}},
         "Expiration": {"Date": datetime(2031, 1, 1, tzinfo=UTC)}},
        {"ID": "disabled", "Filter": {}, "Status": "Disabled", "Expiration": {"Days": 1}},
        {"ID": "markers", "Filter": {"Prefix": "m/"}, "Status": "Enabled",
         "Expiration": {"ExpiredObjectDeleteMarker": True},
         "NoncurrentVersionExpiration": {"NoncurrentDays": 1},
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}},
    ])
    # Objects written before the configuration are matched too.
    head = c.head_object(Bucket=bucket, Key="logs/before")
    assert head["Expiration"] in expected(head["LastModified"], 3, "logs")

    # PUT, HEAD and GET of a matching object.
    r = c.put_object(Bucket=bucket, Key="logs/a", Body=b"log line")
    head = c.head_object(Bucket=bucket, Key="logs/a")
    want = expected(head["LastModified"], 3, "logs")
    assert r["Expiration"] in want and head["Expiration"] in want
    get = c.get_object(Bucket=bucket, Key="logs/a", Range="bytes=0-2")
    assert get["Expiration"] in want and get["Body"].read() == b"log"
    # Of two matching rules, the earlier expiry; the ID as given.
    c.put_object(Bucket=bucket, Key="logs/big", Body=b"x" * 200)
    head = c.head_object(Bucket=bucket, Key="logs/big")
    assert head["Expiration"] in expected(head["LastModified"], 1, "logs big")

    # Tags and sizes.
    scratch = header("Wed, 01 Jan 2031 00:00:00 GMT", "scratch")
    r = c.put_object(Bucket=bucket, Key="tmp/t", Body=b"y" * 50, Tagging="kind=scratch&x=1")
    assert r["Expiration"] == scratch
    assert c.get_object(Bucket=bucket, Key="tmp/t")["Expiration"] == scratch
    c.put_object(Bucket=bucket, Key="tmp/untagged", Body=b"y" * 50)
    c.put_object(Bucket=bucket, Key="tmp/small", Body=b"y" * 5, Tagging="kind=scratch")
    c.put_object(Bucket=bucket, Key="tmp/other", Body=b"y" * 50, Tagging="kind=keep")
    for key in ("tmp/untagged", "tmp/small", "tmp/other"):
        assert "Expiration" not in c.head_object(Bucket=bucket, Key=key), key
    # Tagging the object makes it match.
    c.put_object_tagging(Bucket=bucket, Key="tmp/untagged",
                         Tagging={"TagSet": [{"Key": "kind", "Value": "scratch"}]})
    assert c.head_object(Bucket=bucket, Key="tmp/untagged")["Expiration"] == scratch

    # No matching enabled Expiration rule (the disabled one matches all; the
    # markers rule has no Days or Date): no header.
    for key in ("other/a", "m/a"):
        r = c.put_object(Bucket=bucket, Key=key, Body=b"z")
        assert "Expiration" not in r
        assert "Expiration" not in c.head_object(Bucket=bucket, Key=key)
        assert "Expiration" not in c.get_object(Bucket=bucket, Key=key)

    # CopyObject and CompleteMultipartUpload answer it too.
    r = c.copy_object(Bucket=bucket, Key="logs/copy", CopySource={"Bucket": bucket,
                                                                 "Key": "other/a"})
    head = c.head_object(Bucket=bucket, Key="logs/copy")
    assert r["Expiration"] in expected(head["LastModified"], 3, "logs")
    assert "Expiration" not in c.copy_object(Bucket=bucket, Key="other/copy",
                                             CopySource={"Bucket": bucket, "Key": "logs/a"})
    up = c.create_multipart_upload(Bucket=bucket, Key="logs/mp")
    part = c.upload_part(Bucket=bucket, Key="logs/mp", UploadId=up["UploadId"], PartNumber=1,
                         Body=b"part")
    r = c.complete_multipart_upload(
        Bucket=bucket, Key="logs/mp", UploadId=up["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    head = c.head_object(Bucket=bucket, Key="logs/mp")
    assert r["Expiration"] in expected(head["LastModified"], 3, "logs")
    # Their tags: a copy's (the source's, by default), an upload's (given
    # when it was created).
    r = c.copy_object(Bucket=bucket, Key="tmp/copy", CopySource={"Bucket": bucket,
                                                                "Key": "tmp/t"})
    assert r["Expiration"] == scratch
    up = c.create_multipart_upload(Bucket=bucket, Key="tmp/mp", Tagging="kind=scratch")
    part = c.upload_part(Bucket=bucket, Key="tmp/mp", UploadId=up["UploadId"], PartNumber=1,
                         Body=b"p" * 20)
    r = c.complete_multipart_upload(
        Bucket=bucket, Key="tmp/mp", UploadId=up["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert r["Expiration"] == scratch

    # Without the configuration, no header.
    c.delete_bucket_lifecycle(Bucket=bucket)
    assert "Expiration" not in c.head_object(Bucket=bucket, Key="logs/a")
    assert "Expiration" not in c.put_object(Bucket=bucket, Key="logs/b", Body=b"x")


def test_abort_date_of_uploads(c, bucket):
    put(c, bucket, [
        {"ID": "uploads", "Filter": {"Prefix": "up/"}, "Status": "Enabled",
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}},
        {"ID": "soon", "Filter": {"And": {"Prefix": "up/soon"}}, "Status": "Enabled",
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2}},
        {"ID": "off", "Filter": {}, "Status": "Disabled",
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}},
    ])

    def initiated(key, upload_id):
        for u in c.list_multipart_uploads(Bucket=bucket, Prefix=key)["Uploads"]:
            if u["UploadId"] == upload_id:
                return u["Initiated"]

    for key, days, rule_id in (("up/a", 7, "uploads"), ("up/soon-1", 2, "soon")):
        up = c.create_multipart_upload(Bucket=bucket, Key=key)
        want = expiry(initiated(key, up["UploadId"]), days)
        assert http_date(up["AbortDate"]) in want
        assert up["AbortRuleId"] == rule_id
        parts = c.list_parts(Bucket=bucket, Key=key, UploadId=up["UploadId"])
        assert http_date(parts["AbortDate"]) in want
        assert parts["AbortRuleId"] == rule_id
    up = c.create_multipart_upload(Bucket=bucket, Key="other")
    assert "AbortDate" not in up and "AbortRuleId" not in up
    assert "AbortDate" not in c.list_parts(Bucket=bucket, Key="other", UploadId=up["UploadId"])


def test_expiration_header_rule_ids(c, bucket):
    # An ID a quoted header value cannot carry as it is goes percent-encoded.
    put(c, bucket, [{"ID": 'say "hi"', "Filter": {"Prefix": "q/"}, "Status": "Enabled",
                     "Expiration": {"Date": MIDNIGHT}},
                    {"ID": "é", "Filter": {"Prefix": "e/"}, "Status": "Enabled",
                     "Expiration": {"Date": MIDNIGHT}}])
    date = "Tue, 01 Jan 2030 00:00:00 GMT"
    assert c.put_object(Bucket=bucket, Key="q/1", Body=b"")["Expiration"] == header(
        date, "say%20%22hi%22")
    assert c.put_object(Bucket=bucket, Key="e/1", Body=b"")["Expiration"] == header(
        date, "%C3%A9")


def test_object_lifecycle_subresource_refused(s3, c, bucket):
    c.put_object(Bucket=bucket, Key="k", Body=b"x")
    path = f"/{bucket}/k?lifecycle"
    r = requests.delete(s3.url + path, headers=sign_v4(s3, "DELETE", path))
    assert r.status_code == 501
    assert c.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"
