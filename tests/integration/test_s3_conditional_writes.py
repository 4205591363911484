"""S3 conditional writes through boto3, on every door and driver: If-Match
and If-None-Match on PutObject and CompleteMultipartUpload (checked by the
store atomically with the commit: of racing creators with If-None-Match: *
exactly one wins), and If-Match on DeleteObject."""
import threading

import pytest
from botocore.exceptions import ClientError
from s3_errors import error_of


@pytest.fixture
def c(s3):
    return s3.client()


@pytest.fixture(params=["plain", "versioned"])
def bucket(request, s3, c):
    name = s3.name()
    c.create_bucket(Bucket=name)
    if request.param == "versioned":
        c.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return name


def refused(call, **kw):
    with pytest.raises(ClientError) as e:
        call(**kw)
    return error_of(e)


def body(c, bucket, key):
    return c.get_object(Bucket=bucket, Key=key)["Body"].read()


def test_put_if_none_match(c, bucket):
    etag = c.put_object(Bucket=bucket, Key="k", Body=b"one", IfNoneMatch="*")["ETag"]
    assert refused(c.put_object, Bucket=bucket, Key="k", Body=b"two", IfNoneMatch="*") == \
        (412, "PreconditionFailed")
    assert refused(c.put_object, Bucket=bucket, Key="k", Body=b"two", IfNoneMatch=etag) == \
        (412, "PreconditionFailed")
    assert body(c, bucket, "k") == b"one"
    c.put_object(Bucket=bucket, Key="k", Body=b"three", IfNoneMatch='"0123"')
    assert body(c, bucket, "k") == b"three"
    # Gone (a delete marker in a versioned bucket): the key may be created again.
    c.delete_object(Bucket=bucket, Key="k")
    c.put_object(Bucket=bucket, Key="k", Body=b"four", IfNoneMatch="*")
    assert body(c, bucket, "k") == b"four"


def test_put_if_match(c, bucket):
    assert refused(c.put_object, Bucket=bucket, Key="k", Body=b"x", IfMatch="*") == \
        (404, "NoSuchKey")
    assert refused(c.put_object, Bucket=bucket, Key="k", Body=b"x", IfMatch="badetag") == \
        (404, "NoSuchKey")
    etag = c.put_object(Bucket=bucket, Key="k", Body=b"one")["ETag"]
    etag2 = c.put_object(Bucket=bucket, Key="k", Body=b"two", IfMatch="*")["ETag"]
    assert refused(c.put_object, Bucket=bucket, Key="k", Body=b"x", IfMatch=etag) == \
        (412, "PreconditionFailed")
    assert refused(c.put_object, Bucket=bucket, Key="k", Body=b"x", IfMatch="badetag") == \
        (412, "PreconditionFailed")
    c.put_object(Bucket=bucket, Key="k", Body=b"three", IfMatch=etag2)
    assert body(c, bucket, "k") == b"three"
    c.delete_object(Bucket=bucket, Key="k")
    assert refused(c.put_object, Bucket=bucket, Key="k", Body=b"x", IfMatch="*") == \
        (404, "NoSuchKey")


def complete(c, bucket, key, data, **cond):
    up = c.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    part = c.upload_part(Bucket=bucket, Key=key, UploadId=up, PartNumber=1, Body=data)
    parts = {"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]}
    return up, parts, lambda: c.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=up,
                                                         MultipartUpload=parts, **cond)


def test_complete_multipart_upload_conditions(c, bucket):
    _, _, done = complete(c, bucket, "mp", b"first", IfMatch="*")
    assert refused(done) == (404, "NoSuchKey")
    _, _, done = complete(c, bucket, "mp", b"first", IfNoneMatch="*")
    etag = done()["ETag"]
    up, parts, done = complete(c, bucket, "mp", b"second", IfNoneMatch="*")
    assert refused(done) == (412, "PreconditionFailed")
    # The refused completion changed nothing: the upload is still there.
    assert body(c, bucket, "mp") == b"first"
    c.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up, MultipartUpload=parts,
                                IfMatch=etag)
    assert body(c, bucket, "mp") == b"second"


def test_racing_creators_one_wins(s3, bucket):
    results = []

    def create(n):
        try:
            s3.client().put_object(Bucket=bucket, Key="lock", Body=b"%d" % n, IfNoneMatch="*")
            results.append(("won", n))
        except ClientError as e:
            results.append((error_of(e), n))

    threads = [threading.Thread(target=create, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [n for r, n in results if r == "won"]
    assert len(winners) == 1, results
    assert all(r in ("won", (412, "PreconditionFailed"), (409, "OperationAborted"))
               for r, _ in results), results
    assert body(s3.client(), bucket, "lock") == b"%d" % winners[0]


def test_delete_if_match(c, bucket):
    etag = c.put_object(Bucket=bucket, Key="k", Body=b"one")["ETag"]
    assert refused(c.delete_object, Bucket=bucket, Key="k", IfMatch="badetag") == \
        (412, "PreconditionFailed")
    assert body(c, bucket, "k") == b"one"
    c.delete_object(Bucket=bucket, Key="k", IfMatch=etag)
    assert refused(c.head_object, Bucket=bucket, Key="k")[0] == 404
    # A missing object: nothing to refuse.
    r = c.delete_object(Bucket=bucket, Key="never", IfMatch="badetag")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    c.put_object(Bucket=bucket, Key="k", Body=b"two")
    c.delete_object(Bucket=bucket, Key="k", IfMatch="*")
    assert refused(c.head_object, Bucket=bucket, Key="k")[0] == 404
