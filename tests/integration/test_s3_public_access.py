"""S3 Block Public Access on a bucket, through boto3 on every door and store
driver: Put/Get/DeletePublicAccessBlock and what each of the four flags does
to ACLs and bucket policies."""
import json

import pytest
import requests
from botocore.exceptions import ClientError
from s3_errors import error_of

ALL_FALSE = {"BlockPublicAcls": False, "IgnorePublicAcls": False,
             "BlockPublicPolicy": False, "RestrictPublicBuckets": False}


@pytest.fixture
def c(s3):
    return s3.client()


@pytest.fixture
def bucket(s3, c):
    name = s3.name()
    c.create_bucket(Bucket=name)
    return name


def block(c, bucket, **flags):
    c.put_public_access_block(Bucket=bucket,
                              PublicAccessBlockConfiguration=dict(ALL_FALSE, **flags))


def public_policy(bucket):
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*"}]})


def test_configuration_round_trip(s3, c, bucket):
    with pytest.raises(ClientError) as e:
        c.get_public_access_block(Bucket=bucket)
    assert error_of(e) == (404, "NoSuchPublicAccessBlockConfiguration")
    block(c, bucket, BlockPublicAcls=True, RestrictPublicBuckets=True)
    got = c.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert got == dict(ALL_FALSE, BlockPublicAcls=True, RestrictPublicBuckets=True)
    with pytest.raises(ClientError) as e:
        s3.other.client().get_public_access_block(Bucket=bucket)
    assert error_of(e) == (403, "AccessDenied")
    with pytest.raises(ClientError) as e:
        s3.other.client().delete_public_access_block(Bucket=bucket)
    assert error_of(e) == (403, "AccessDenied")
    c.delete_public_access_block(Bucket=bucket)
    with pytest.raises(ClientError) as e:
        c.get_public_access_block(Bucket=bucket)
    assert error_of(e) == (404, "NoSuchPublicAccessBlockConfiguration")


def test_block_and_ignore_public_acls(s3, c, bucket):
    c.put_object(Bucket=bucket, Key="was-public", Body=b"old", ACL="public-read")
    c.put_bucket_acl(Bucket=bucket, ACL="public-read")
    block(c, bucket, BlockPublicAcls=True)
    for call in (lambda: c.put_object(Bucket=bucket, Key="new", Body=b"x", ACL="public-read"),
                 lambda: c.put_object(Bucket=bucket, Key="new", Body=b"x",
                                      GrantRead="uri=http://acs.amazonaws.com/groups/global/"
                                                "AuthenticatedUsers"),
                 lambda: c.put_object_acl(Bucket=bucket, Key="was-public", ACL="public-read"),
                 lambda: c.put_bucket_acl(Bucket=bucket, ACL="public-read-write"),
                 lambda: c.copy_object(Bucket=bucket, Key="copy", ACL="public-read",
                                       CopySource={"Bucket": bucket, "Key": "was-public"}),
                 lambda: c.create_multipart_upload(Bucket=bucket, Key="mp", ACL="public-read")):
        with pytest.raises(ClientError) as e:
            call()
        assert error_of(e) == (403, "AccessDenied")
    assert [x["Key"] for x in c.list_objects_v2(Bucket=bucket)["Contents"]] == ["was-public"]
    c.put_object(Bucket=bucket, Key="private", Body=b"p", ACL="private")
    # Blocking new public ACLs leaves the existing ones working...
    assert requests.get(f"{s3.url}/{bucket}/was-public").content == b"old"
    assert requests.get(f"{s3.url}/{bucket}").status_code == 200
    # ...ignoring them does not.
    block(c, bucket, IgnorePublicAcls=True)
    assert requests.get(f"{s3.url}/{bucket}/was-public").status_code == 403
    assert requests.get(f"{s3.url}/{bucket}").status_code == 403
    c.put_object_acl(Bucket=bucket, Key="private", ACL="public-read")  # not blocked: ignored
    assert requests.get(f"{s3.url}/{bucket}/private").status_code == 403
    c.delete_public_access_block(Bucket=bucket)
    assert requests.get(f"{s3.url}/{bucket}/was-public").content == b"old"
    assert requests.get(f"{s3.url}/{bucket}/private").content == b"p"


def test_block_public_policy_and_restrict_public_buckets(s3, c, bucket):
    c.put_object(Bucket=bucket, Key="k", Body=b"policy")
    c.put_bucket_policy(Bucket=bucket, Policy=public_policy(bucket))
    assert requests.get(f"{s3.url}/{bucket}/k").content == b"policy"
    o = s3.other.client()
    assert o.get_object(Bucket=bucket, Key="k")["Body"].read() == b"policy"
    block(c, bucket, RestrictPublicBuckets=True)
    assert requests.get(f"{s3.url}/{bucket}/k").status_code == 403
    with pytest.raises(ClientError) as e:
        o.get_object(Bucket=bucket, Key="k")
    assert error_of(e) == (403, "AccessDenied")
    assert c.get_object(Bucket=bucket, Key="k")["Body"].read() == b"policy"
    block(c, bucket, BlockPublicPolicy=True)
    assert requests.get(f"{s3.url}/{bucket}/k").content == b"policy"  # existing policy works
    with pytest.raises(ClientError) as e:
        c.put_bucket_policy(Bucket=bucket, Policy=public_policy(bucket))
    assert error_of(e) == (403, "AccessDenied")
    # A policy for one user is not public, and is accepted.
    c.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Statement": [{
        "Effect": "Allow", "Principal": {"AWS": s3.other.uid}, "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
    assert o.get_object(Bucket=bucket, Key="k")["Body"].read() == b"policy"
    assert requests.get(f"{s3.url}/{bucket}/k").status_code == 403
