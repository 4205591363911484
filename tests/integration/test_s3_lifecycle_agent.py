"""The lifecycle agent (librgw-agent lifecycle) applying S3 lifecycle
configurations set through every door, on both drivers, with compressed
days (--day-seconds): objects an enabled Expiration rule matches (prefix,
tag, size) go once their time has passed and not before, the others stay,
and incomplete multipart uploads due are aborted."""
import re
import subprocess
import sys
import time

import pytest

AGENT = [sys.executable, "-m", "pyrgw.agent"]
DAY = 5  # seconds in a compressed day


@pytest.fixture
def c(s3):
    return s3.client()


def run_agent(s3, bucket, *extra):
    p = subprocess.run(AGENT + ["--store", s3.store_uri, "-v", "lifecycle", "--once",
                                "--bucket", bucket, "--day-seconds", str(DAY), *extra],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return p.stderr


def keys(c, bucket):
    return sorted(o["Key"] for o in c.list_objects_v2(Bucket=bucket).get("Contents", []))


def test_lifecycle_agent_applies_the_rules(s3, c):
    bucket = s3.name("lc")
    c.create_bucket(Bucket=bucket)
    c.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "logs", "Status": "Enabled", "Filter": {"Prefix": "logs/"},
         "Expiration": {"Days": 1}},
        {"ID": "temp", "Status": "Enabled", "Filter": {"Tag": {"Key": "temp", "Value": "yes"}},
         "Expiration": {"Days": 1}},
        {"ID": "big", "Status": "Enabled",
         "Filter": {"And": {"Prefix": "big/", "ObjectSizeGreaterThan": 100}},
         "Expiration": {"Days": 1}},
        {"ID": "off", "Status": "Disabled", "Filter": {"Prefix": "keep/"},
         "Expiration": {"Days": 1}},
        {"ID": "later", "Status": "Enabled", "Filter": {"Prefix": "later/"},
         "Expiration": {"Days": 30}},
        {"ID": "uploads", "Status": "Enabled", "Filter": {"Prefix": "up/"},
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}},
    ]})
    started = time.time()
    for key, body, tagging in [("logs/a", b"a", ""), ("logs/b", b"b", ""), ("other/c", b"c", ""),
                               ("tagged/t", b"t", "temp=yes"), ("tagged/u", b"u", "temp=no"),
                               ("big/large", b"L" * 200, ""), ("big/small", b"s", ""),
                               ("keep/k", b"k", ""), ("later/l", b"l", "")]:
        c.put_object(Bucket=bucket, Key=key, Body=body, Tagging=tagging)
    due_upload = c.create_multipart_upload(Bucket=bucket, Key="up/x")["UploadId"]
    other_upload = c.create_multipart_upload(Bucket=bucket, Key="other/y")["UploadId"]
    everything = keys(c, bucket)

    # Before a (compressed) day has passed: nothing goes.
    log = run_agent(s3, bucket)
    if time.time() < started + DAY - 0.5:
        assert "0 objects expired, 0 uploads aborted" in log, log
        assert keys(c, bucket) == everything

    time.sleep(max(0.0, started + DAY + 1.5 - time.time()))
    log = run_agent(s3, bucket)
    assert "1 buckets, 4 objects expired, 1 uploads aborted" in log, log
    assert sorted(re.findall(r"expired %s/(\S+)$" % re.escape(bucket), log, re.M)) == \
        ["big/large", "logs/a", "logs/b", "tagged/t"]
    assert keys(c, bucket) == ["big/small", "keep/k", "later/l", "other/c", "tagged/u"]
    uploads = [u["UploadId"] for u in c.list_multipart_uploads(Bucket=bucket).get("Uploads", [])]
    assert uploads == [other_upload] and due_upload not in uploads

    # A bucket without a configuration, and a missing bucket.
    plain = s3.name("plain")
    c.create_bucket(Bucket=plain)
    c.put_object(Bucket=plain, Key="logs/a", Body=b"a")
    assert "0 buckets, 0 objects expired" in run_agent(s3, plain)
    assert keys(c, plain) == ["logs/a"]
    p = subprocess.run(AGENT + ["--store", s3.store_uri, "lifecycle", "--once", "--bucket",
                                s3.name("missing")], capture_output=True, text=True, timeout=60)
    assert "NoSuchBucket" in p.stderr


def versions_of(c, bucket):
    """{key: [(version id, is delete marker)] newest first}."""
    r = c.list_object_versions(Bucket=bucket)
    out = {}
    entries = [(v, False) for v in r.get("Versions", [])] + \
        [(m, True) for m in r.get("DeleteMarkers", [])]
    entries.sort(key=lambda e: (e[0]["Key"], -e[0]["LastModified"].timestamp()))
    for e, marker in entries:
        out.setdefault(e["Key"], []).append((e["VersionId"], marker))
    return out


def test_lifecycle_agent_on_versions(s3, c):
    bucket = s3.name("lcv")
    c.create_bucket(Bucket=bucket)
    c.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    c.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "cur", "Status": "Enabled", "Filter": {"Prefix": "cur/"},
         "Expiration": {"Days": 1}},
        {"ID": "old", "Status": "Enabled", "Filter": {"Prefix": "old/"},
         "NoncurrentVersionExpiration": {"NoncurrentDays": 1, "NewerNoncurrentVersions": 1}},
        {"ID": "markers", "Status": "Enabled", "Filter": {"Prefix": "dm/"},
         "Expiration": {"ExpiredObjectDeleteMarker": True}},
        # Days also removes lone delete markers old enough (as S3 does).
        {"ID": "days", "Status": "Enabled", "Filter": {"Prefix": "dd/"},
         "Expiration": {"Days": 1}},
    ]})
    started = time.time()
    c.put_object(Bucket=bucket, Key="cur/a", Body=b"a")
    old = [c.put_object(Bucket=bucket, Key="old/k", Body=b"%d" % i)["VersionId"]
           for i in range(4)]
    c.put_object(Bucket=bucket, Key="dm/alone", Body=b"x")
    c.delete_object(Bucket=bucket, Key="dm/alone")
    for v in versions_of(c, bucket)["dm/alone"]:
        if not v[1]:
            c.delete_object(Bucket=bucket, Key="dm/alone", VersionId=v[0])
    c.put_object(Bucket=bucket, Key="dd/alone", Body=b"z")
    c.delete_object(Bucket=bucket, Key="dd/alone")
    for v in versions_of(c, bucket)["dd/alone"]:
        if not v[1]:
            c.delete_object(Bucket=bucket, Key="dd/alone", VersionId=v[0])
    c.put_object(Bucket=bucket, Key="dm/kept", Body=b"y")
    c.delete_object(Bucket=bucket, Key="dm/kept")  # a marker over a version: not alone
    before = versions_of(c, bucket)
    assert len(before["old/k"]) == 4 and before["dm/alone"][0][1]

    time.sleep(max(0.0, started + DAY + 1.5 - time.time()))
    log = run_agent(s3, bucket)
    assert "1 objects expired" in log and \
        "2 noncurrent versions and 2 delete markers removed" in log, log
    after = versions_of(c, bucket)
    # Expiration in a versioning bucket: a delete marker over the object.
    assert after["cur/a"][0][1] is True and len(after["cur/a"]) == 2
    # The current version and the newest noncurrent one stay.
    assert [v for v, _ in after["old/k"]] == [old[3], old[2]]
    assert "dm/alone" not in after and "dd/alone" not in after
    assert [m for _, m in after["dm/kept"]] == [True, False]
    # The next pass finds nothing more to do but the new marker of cur/a,
    # which still hides a version.
    log = run_agent(s3, bucket)
    assert "0 noncurrent versions and 0 delete markers removed" in log, log
