"""S3 object and bucket tagging through boto3, on every door and store
driver: the ?tagging operations, x-amz-tagging on PUT, copy and multipart,
x-amz-tagging-directive, x-amz-tagging-count, S3's limits, and tags in
bucket policy conditions."""
import json

import pytest
import requests
from botocore.exceptions import ClientError
from s3_errors import error_of


@pytest.fixture
def c(s3):
    return s3.client()


@pytest.fixture
def bucket(s3, c):
    name = s3.name()
    c.create_bucket(Bucket=name)
    return name


def tagset(**tags):
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def tags(c, bucket, key):
    return {t["Key"]: t["Value"] for t in c.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]}


def test_object_tagging_operations(s3, c, bucket):
    etag = c.put_object(Bucket=bucket, Key="o", Body=b"tagged")["ETag"]
    assert tags(c, bucket, "o") == {}
    assert "TagCount" not in c.get_object(Bucket=bucket, Key="o")
    c.put_object_tagging(Bucket=bucket, Key="o", Tagging={"TagSet": tagset(
        color="blue", size="x l", **{"ünï/cödé": "v=1&2"})})
    assert tags(c, bucket, "o") == {"color": "blue", "size": "x l", "ünï/cödé": "v=1&2"}
    got = c.get_object(Bucket=bucket, Key="o")
    assert got["TagCount"] == 3 and got["ETag"] == etag and got["Body"].read() == b"tagged"
    assert c.head_object(Bucket=bucket, Key="o")["ResponseMetadata"]["HTTPHeaders"][
        "x-amz-tagging-count"] == "3"
    c.put_object_tagging(Bucket=bucket, Key="o", Tagging={"TagSet": tagset(only="one")})
    assert tags(c, bucket, "o") == {"only": "one"}
    c.delete_object_tagging(Bucket=bucket, Key="o")
    assert tags(c, bucket, "o") == {}
    with pytest.raises(ClientError) as e:
        c.get_object_tagging(Bucket=bucket, Key="missing")
    assert error_of(e) == (404, "NoSuchKey")
    # Others: not without grants.
    o = s3.other.client()
    for call in (lambda: o.get_object_tagging(Bucket=bucket, Key="o"),
                 lambda: o.put_object_tagging(Bucket=bucket, Key="o",
                                              Tagging={"TagSet": tagset(a="b")}),
                 lambda: o.delete_object_tagging(Bucket=bucket, Key="o")):
        with pytest.raises(ClientError) as e:
            call()
        assert error_of(e) == (403, "AccessDenied")


def test_tag_limits(s3, c, bucket):
    c.put_object(Bucket=bucket, Key="o", Body=b"x")

    def refused(tag_list):
        with pytest.raises(ClientError) as e:
            c.put_object_tagging(Bucket=bucket, Key="o", Tagging={"TagSet": tag_list})
        return error_of(e)

    assert refused(tagset(**{f"k{i}": "v" for i in range(11)})) == (400, "InvalidTag")
    assert refused(tagset(**{"k" * 129: "v"})) == (400, "InvalidTag")
    assert refused(tagset(k="v" * 257)) == (400, "InvalidTag")
    assert refused([{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]) == (400, "InvalidTag")
    assert refused(tagset(**{"aws:x": "v"})) == (400, "InvalidTag")
    assert tags(c, bucket, "o") == {}
    # At the limits: accepted (characters, not bytes).
    c.put_object_tagging(Bucket=bucket, Key="o", Tagging={"TagSet": tagset(
        **{"é" * 128: "ü" * 256}, **{f"k{i}": "" for i in range(9)})})
    assert len(tags(c, bucket, "o")) == 10
    with pytest.raises(ClientError) as e:
        c.put_object(Bucket=bucket, Key="p", Body=b"x",
                     Tagging="&".join(f"k{i}=v" for i in range(11)))
    assert error_of(e) == (400, "InvalidTag")


def test_tagging_on_put_copy_and_multipart(s3, c, bucket):
    c.put_object(Bucket=bucket, Key="src", Body=b"src", Tagging="a=1&b=two%20words")
    assert tags(c, bucket, "src") == {"a": "1", "b": "two words"}
    c.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "src"})
    assert tags(c, bucket, "copy") == {"a": "1", "b": "two words"}
    c.copy_object(Bucket=bucket, Key="copy2", CopySource={"Bucket": bucket, "Key": "src"},
                  Tagging="c=3", TaggingDirective="COPY")
    assert tags(c, bucket, "copy2") == {"a": "1", "b": "two words"}
    c.copy_object(Bucket=bucket, Key="copy3", CopySource={"Bucket": bucket, "Key": "src"},
                  Tagging="c=3", TaggingDirective="REPLACE")
    assert tags(c, bucket, "copy3") == {"c": "3"}
    c.copy_object(Bucket=bucket, Key="copy4", CopySource={"Bucket": bucket, "Key": "src"},
                  MetadataDirective="REPLACE", Metadata={"m": "1"})
    assert tags(c, bucket, "copy4") == {"a": "1", "b": "two words"}
    up = c.create_multipart_upload(Bucket=bucket, Key="mp", Tagging="mp=yes")["UploadId"]
    etag = c.upload_part(Bucket=bucket, Key="mp", UploadId=up, PartNumber=1, Body=b"mp")["ETag"]
    c.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up,
                                MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert tags(c, bucket, "mp") == {"mp": "yes"}
    # Overwriting replaces the tags with the new request's.
    c.put_object(Bucket=bucket, Key="src", Body=b"again")
    assert tags(c, bucket, "src") == {}


def test_bucket_tagging(s3, c, bucket):
    with pytest.raises(ClientError) as e:
        c.get_bucket_tagging(Bucket=bucket)
    assert error_of(e) == (404, "NoSuchTagSet")
    c.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tagset(team="storage", env="prod")})
    got = c.get_bucket_tagging(Bucket=bucket)["TagSet"]
    assert {t["Key"]: t["Value"] for t in got} == {"team": "storage", "env": "prod"}
    with pytest.raises(ClientError) as e:
        s3.other.client().get_bucket_tagging(Bucket=bucket)
    assert error_of(e) == (403, "AccessDenied")
    with pytest.raises(ClientError) as e:
        c.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tagset(
            **{f"k{i}": "v" for i in range(51)})})
    assert error_of(e) == (400, "InvalidTag")
    c.delete_bucket_tagging(Bucket=bucket)
    with pytest.raises(ClientError) as e:
        c.get_bucket_tagging(Bucket=bucket)
    assert error_of(e) == (404, "NoSuchTagSet")


def test_tags_in_policy_conditions(s3, c, bucket):
    c.put_object(Bucket=bucket, Key="pub", Body=b"public", Tagging="visibility=public")
    c.put_object(Bucket=bucket, Key="priv", Body=b"private", Tagging="visibility=private")
    c.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{bucket}/*",
         "Condition": {"StringEquals": {"s3:ExistingObjectTag/visibility": "public"}}},
        {"Effect": "Allow", "Principal": {"AWS": s3.other.uid}, "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{bucket}/*",
         "Condition": {"StringEquals": {"s3:RequestObjectTag/owner": "other"}}}]}))
    assert requests.get(f"{s3.url}/{bucket}/pub").content == b"public"
    assert requests.get(f"{s3.url}/{bucket}/priv").status_code == 403
    o = s3.other.client()
    o.put_object(Bucket=bucket, Key="mine", Body=b"m", Tagging="owner=other")
    with pytest.raises(ClientError) as e:
        o.put_object(Bucket=bucket, Key="mine2", Body=b"m", Tagging="owner=me")
    assert error_of(e) == (403, "AccessDenied")
    with pytest.raises(ClientError) as e:
        o.put_object(Bucket=bucket, Key="mine3", Body=b"m")
    assert error_of(e) == (403, "AccessDenied")
