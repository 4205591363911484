"""S3 bucket policies through boto3 and raw requests, on every door and store
driver: Put/Get/DeleteBucketPolicy, GetBucketPolicyStatus, and policies
combined with ACLs as S3 does (an explicit Deny wins, an Allow admits, else
the ACL decides), with conditions on the request."""
import json

import pytest
import requests
from botocore.exceptions import ClientError
from s3_errors import error_of


@pytest.fixture
def c(s3):
    return s3.client()


@pytest.fixture
def o(s3):
    return s3.other.client()


@pytest.fixture
def bucket(s3, c):
    name = s3.name()
    c.create_bucket(Bucket=name)
    return name


def put_policy(c, bucket, *statements):
    c.put_bucket_policy(Bucket=bucket, Policy=json.dumps(
        {"Version": "2012-10-17", "Statement": list(statements)}))


def test_policy_round_trip_status_and_errors(s3, c, o, bucket):
    with pytest.raises(ClientError) as e:
        c.get_bucket_policy(Bucket=bucket)
    assert error_of(e) == (404, "NoSuchBucketPolicy")
    with pytest.raises(ClientError) as e:
        c.get_bucket_policy_status(Bucket=bucket)
    assert error_of(e) == (404, "NoSuchBucketPolicy")
    doc = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "read", "Effect": "Allow", "Principal": {"AWS": [f"arn:aws:iam::{s3.other.uid}:root"]},
        "Action": ["s3:GetObject"], "Resource": f"arn:aws:s3:::{bucket}/*"}]})
    c.put_bucket_policy(Bucket=bucket, Policy=doc)
    assert c.get_bucket_policy(Bucket=bucket)["Policy"] == doc
    assert c.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is False
    put_policy(c, bucket, {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                           "Resource": f"arn:aws:s3:::{bucket}/*"})
    assert c.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is True
    # The policy operations are the owner's, whatever the policy says.
    put_policy(c, bucket, {"Effect": "Allow", "Principal": "*", "Action": "s3:*",
                           "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]})
    for call in (lambda: o.get_bucket_policy(Bucket=bucket),
                 lambda: o.delete_bucket_policy(Bucket=bucket),
                 lambda: o.put_bucket_policy(Bucket=bucket, Policy=doc)):
        with pytest.raises(ClientError) as e:
            call()
        assert error_of(e) == (403, "AccessDenied")
    c.delete_bucket_policy(Bucket=bucket)
    c.delete_bucket_policy(Bucket=bucket)  # idempotent
    with pytest.raises(ClientError) as e:
        c.get_bucket_policy(Bucket=bucket)
    assert error_of(e) == (404, "NoSuchBucketPolicy")

    def malformed(policy):
        with pytest.raises(ClientError) as e:
            c.put_bucket_policy(Bucket=bucket, Policy=policy)
        assert error_of(e) == (400, "MalformedPolicy"), policy
        return e.value.response["Error"]["Message"]

    good = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{bucket}/*"}
    malformed("not json")
    malformed("{}")
    assert "action" in malformed(json.dumps({"Statement": [dict(good, Action="s3:Fly")]}))
    assert "resource" in malformed(json.dumps(
        {"Statement": [dict(good, Resource="arn:aws:s3:::another-bucket/*")]}))
    assert "Principal" in malformed(json.dumps(
        {"Statement": [{k: v for k, v in good.items() if k != "Principal"}]}))
    malformed(json.dumps({"Statement": [dict(good, Condition={"NoSuchOperator": {"a": "b"}})]}))
    malformed(json.dumps({"Version": "2020-01-01", "Statement": [good]}))
    # Nothing was stored by the refusals.
    with pytest.raises(ClientError) as e:
        c.get_bucket_policy(Bucket=bucket)
    assert error_of(e) == (404, "NoSuchBucketPolicy")


def test_allow_admits_beyond_the_acl(s3, c, o, bucket):
    c.put_object(Bucket=bucket, Key="public/a", Body=b"public")
    c.put_object(Bucket=bucket, Key="private/a", Body=b"private")
    put_policy(c, bucket,
               {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/public/*"},
               {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{s3.other.uid}:user/any"},
                "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{bucket}",
                "Condition": {"StringLike": {"s3:prefix": "public/*"}}},
               {"Effect": "Allow", "Principal": {"CanonicalUser": s3.other.uid},
                "Action": ["s3:PutObject", "s3:DeleteObject"],
                "Resource": f"arn:aws:s3:::{bucket}/drop/*"})
    assert requests.get(f"{s3.url}/{bucket}/public/a").content == b"public"
    assert requests.get(f"{s3.url}/{bucket}/private/a").status_code == 403
    assert [x["Key"] for x in o.list_objects_v2(Bucket=bucket, Prefix="public/")["Contents"]] \
        == ["public/a"]
    with pytest.raises(ClientError) as e:
        o.list_objects_v2(Bucket=bucket)
    assert error_of(e) == (403, "AccessDenied")
    with pytest.raises(ClientError) as e:
        o.list_objects_v2(Bucket=bucket, Prefix="private/")
    assert error_of(e) == (403, "AccessDenied")
    o.put_object(Bucket=bucket, Key="drop/x", Body=b"dropped")
    assert o.get_object_acl(Bucket=bucket, Key="drop/x")["Owner"]["ID"] == s3.other.uid
    with pytest.raises(ClientError) as e:
        o.put_object(Bucket=bucket, Key="elsewhere", Body=b"no")
    assert error_of(e) == (403, "AccessDenied")
    r = o.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "drop/x"}, {"Key": "public/a"}]})
    assert [d["Key"] for d in r.get("Deleted", [])] == ["drop/x"]
    assert [(x["Key"], x["Code"]) for x in r["Errors"]] == [("public/a", "AccessDenied")]
    assert c.get_object(Bucket=bucket, Key="public/a")["Body"].read() == b"public"


def test_explicit_deny_wins_over_acls_and_ownership(s3, c, o, bucket):
    c.put_object(Bucket=bucket, Key="keep/a", Body=b"keep", ACL="public-read")
    c.put_object(Bucket=bucket, Key="other", Body=b"other", ACL="public-read")
    put_policy(c, bucket,
               {"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject",
                "Resource": f"arn:aws:s3:::{bucket}/keep/*"},
               {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
                "Condition": {"StringNotEquals": {"aws:PrincipalType": "Account"}}})
    with pytest.raises(ClientError) as e:
        c.delete_object(Bucket=bucket, Key="keep/a")
    assert error_of(e) == (403, "AccessDenied")
    r = c.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "keep/a"}, {"Key": "other"}]})
    assert [d["Key"] for d in r["Deleted"]] == ["other"]
    assert [(x["Key"], x["Code"]) for x in r["Errors"]] == [("keep/a", "AccessDenied")]
    # public-read, but anonymous readers are denied; signed ones are not.
    assert requests.get(f"{s3.url}/{bucket}/keep/a").status_code == 403
    assert o.get_object(Bucket=bucket, Key="keep/a")["Body"].read() == b"keep"
    c.delete_bucket_policy(Bucket=bucket)
    assert requests.get(f"{s3.url}/{bucket}/keep/a").content == b"keep"
    c.delete_object(Bucket=bucket, Key="keep/a")


def test_conditions_see_the_request(s3, c, bucket):
    c.put_object(Bucket=bucket, Key="k", Body=b"cond")
    # Every door tells the core the client's address.
    put_policy(c, bucket, {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                           "Resource": f"arn:aws:s3:::{bucket}/k",
                           "Condition": {"IpAddress": {"aws:SourceIp": ["127.0.0.0/8", "::1/128"]}}})
    assert requests.get(f"{s3.url}/{bucket}/k").content == b"cond"
    put_policy(c, bucket, {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                           "Resource": f"arn:aws:s3:::{bucket}/k",
                           "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}})
    assert requests.get(f"{s3.url}/{bucket}/k").status_code == 403
    # TLS as a terminating proxy reports it; the owner is denied too.
    put_policy(c, bucket, {"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                           "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                           "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
    with pytest.raises(ClientError) as e:
        c.get_object(Bucket=bucket, Key="k")
    assert error_of(e) == (403, "AccessDenied")
    with pytest.raises(ClientError) as e:
        c.list_objects_v2(Bucket=bucket)
    assert error_of(e) == (403, "AccessDenied")
    c.delete_bucket_policy(Bucket=bucket)
    # Time and the user agent.
    put_policy(c, bucket, {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                           "Resource": f"arn:aws:s3:::{bucket}/k",
                           "Condition": {"DateLessThan": {"aws:CurrentTime": "2000-01-01T00:00:00Z"}}})
    assert requests.get(f"{s3.url}/{bucket}/k").status_code == 403
    put_policy(c, bucket, {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                           "Resource": f"arn:aws:s3:::{bucket}/k",
                           "Condition": {"StringLike": {"aws:UserAgent": "trusted-agent/*"}}})
    assert requests.get(f"{s3.url}/{bucket}/k").status_code == 403
    r = requests.get(f"{s3.url}/{bucket}/k", headers={"User-Agent": "trusted-agent/1.0"})
    assert r.content == b"cond"


CORS = {"CORSRules": [{"AllowedOrigins": ["https://a.example"], "AllowedMethods": ["GET"]}]}
TAGS = {"TagSet": [{"Key": "team", "Value": "blue"}]}
NO_BLOCK = {"BlockPublicAcls": False, "IgnorePublicAcls": False, "BlockPublicPolicy": False,
            "RestrictPublicBuckets": False}


def setting_calls(client, bucket):
    """Each bucket-setting operation, by the IAM action that governs it."""
    return [
        ("s3:PutBucketCORS", lambda: client.put_bucket_cors(Bucket=bucket, CORSConfiguration=CORS)),
        ("s3:GetBucketCORS", lambda: client.get_bucket_cors(Bucket=bucket)),
        ("s3:PutBucketCORS", lambda: client.delete_bucket_cors(Bucket=bucket)),
        ("s3:PutBucketTagging", lambda: client.put_bucket_tagging(Bucket=bucket, Tagging=TAGS)),
        ("s3:GetBucketTagging", lambda: client.get_bucket_tagging(Bucket=bucket)),
        ("s3:PutBucketTagging", lambda: client.delete_bucket_tagging(Bucket=bucket)),
        ("s3:PutBucketPublicAccessBlock", lambda: client.put_public_access_block(
            Bucket=bucket, PublicAccessBlockConfiguration=NO_BLOCK)),
        ("s3:GetBucketPublicAccessBlock", lambda: client.get_public_access_block(Bucket=bucket)),
        ("s3:PutBucketPublicAccessBlock", lambda: client.delete_public_access_block(Bucket=bucket)),
        ("s3:GetBucketPolicyStatus", lambda: client.get_bucket_policy_status(Bucket=bucket)),
        ("s3:GetBucketAcl", lambda: client.get_bucket_acl(Bucket=bucket)),
        ("s3:PutBucketAcl", lambda: client.put_bucket_acl(Bucket=bucket, ACL="private")),
        ("s3:GetBucketVersioning", lambda: client.get_bucket_versioning(Bucket=bucket)),
        ("s3:GetBucketLocation", lambda: client.get_bucket_location(Bucket=bucket)),
    ]


def denied(call):
    with pytest.raises(ClientError) as e:
        call()
    return error_of(e) == (403, "AccessDenied")


def test_bucket_settings_follow_the_policy(s3, c, o, bucket):
    """A bucket-setting operation's IAM action in the bucket policy admits a
    non-owner (Allow) or refuses the owner (Deny), as in S3; without a
    statement for it, the setting is the owner's.  The policy operations
    stay the owner's whatever the policy says."""
    arn = f"arn:aws:s3:::{bucket}"
    actions = sorted({a for a, _ in setting_calls(o, bucket)})
    # A policy that names other actions only: the other user is refused all.
    put_policy(c, bucket, {"Effect": "Allow", "Principal": {"AWS": s3.other.uid},
                           "Action": "s3:GetObject", "Resource": arn + "/*"})
    for action, call in setting_calls(o, bucket):
        assert denied(call), action
    # Allowed each action: the other user may do each.
    put_policy(c, bucket, {"Effect": "Allow", "Principal": {"AWS": s3.other.uid},
                           "Action": actions, "Resource": arn})
    for _action, call in setting_calls(o, bucket):
        call()
    assert o.get_bucket_acl(Bucket=bucket)["Owner"]["ID"] == s3.uid  # the owner stays
    o.put_bucket_cors(Bucket=bucket, CORSConfiguration=CORS)
    o.put_bucket_tagging(Bucket=bucket, Tagging=TAGS)
    assert c.get_bucket_cors(Bucket=bucket)["CORSRules"][0]["AllowedOrigins"] == ["https://a.example"]
    assert c.get_bucket_tagging(Bucket=bucket)["TagSet"] == TAGS["TagSet"]
    # Only the actions allowed: reading tags, not changing them.
    put_policy(c, bucket, {"Effect": "Allow", "Principal": {"AWS": s3.other.uid},
                           "Action": ["s3:GetBucketTagging", "s3:GetBucketCors"], "Resource": arn})
    assert o.get_bucket_tagging(Bucket=bucket)["TagSet"] == TAGS["TagSet"]
    assert o.get_bucket_cors(Bucket=bucket)["CORSRules"]  # action names are case-insensitive
    assert denied(lambda: o.delete_bucket_tagging(Bucket=bucket))
    assert denied(lambda: o.put_bucket_cors(Bucket=bucket, CORSConfiguration=CORS))
    assert denied(lambda: o.get_public_access_block(Bucket=bucket))
    assert c.get_bucket_tagging(Bucket=bucket)["TagSet"] == TAGS["TagSet"]  # nothing changed
    # The policy operations are never the other user's.
    put_policy(c, bucket, {"Effect": "Allow", "Principal": {"AWS": s3.other.uid},
                           "Action": "s3:*", "Resource": arn})
    assert denied(lambda: o.get_bucket_policy(Bucket=bucket))
    assert denied(lambda: o.delete_bucket_policy(Bucket=bucket))
    # Anonymous callers too, by a statement for everybody (raw requests).
    put_policy(c, bucket, {"Effect": "Allow", "Principal": "*",
                           "Action": ["s3:GetBucketTagging", "s3:GetBucketLocation"],
                           "Resource": arn})
    r = requests.get(f"{s3.url}/{bucket}?tagging")
    assert r.status_code == 200 and "<Key>team</Key><Value>blue</Value>" in r.text
    assert requests.get(f"{s3.url}/{bucket}?location").status_code == 200
    assert requests.get(f"{s3.url}/{bucket}?cors").status_code == 403
    assert requests.put(f"{s3.url}/{bucket}?tagging", data=b"<Tagging><TagSet/></Tagging>"
                        ).status_code == 403

    # An explicit Deny refuses the owner each setting...
    c.put_bucket_cors(Bucket=bucket, CORSConfiguration=CORS)
    put_policy(c, bucket, {"Effect": "Deny", "Principal": {"AWS": s3.uid},
                           "Action": actions + ["s3:GetBucketPolicy", "s3:PutBucketPolicy",
                                                "s3:DeleteBucketPolicy"], "Resource": arn})
    for action, call in setting_calls(c, bucket):
        assert denied(call), action
    # ...but not the policy operations, which stay the owner's: it reads,
    # replaces and removes the policy that denies it, and gets its settings back.
    assert "Deny" in c.get_bucket_policy(Bucket=bucket)["Policy"]
    put_policy(c, bucket, {"Effect": "Deny", "Principal": {"AWS": s3.uid},
                           "Action": "s3:*", "Resource": arn})
    assert denied(lambda: c.get_bucket_cors(Bucket=bucket))
    c.delete_bucket_policy(Bucket=bucket)
    assert c.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert c.get_bucket_tagging(Bucket=bucket)["TagSet"] == TAGS["TagSet"]
    for action, call in setting_calls(o, bucket):
        assert denied(call), action


def test_listing_allowed_by_policy_shows_missing_keys(s3, c, o, bucket):
    """s3:ListBucket on the bucket in its policy is what the bucket's READ
    is: who has it learns that a key is missing (404), others get 403."""
    mine = s3.name()
    o.create_bucket(Bucket=mine)
    for call in (lambda: o.get_object(Bucket=bucket, Key="missing"),
                 lambda: o.copy_object(Bucket=mine, Key="c",
                                       CopySource={"Bucket": bucket, "Key": "missing"})):
        assert denied(call)
    put_policy(c, bucket, {"Effect": "Allow", "Principal": {"AWS": s3.other.uid},
                           "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{bucket}"})
    with pytest.raises(ClientError) as e:
        o.get_object(Bucket=bucket, Key="missing")
    assert error_of(e) == (404, "NoSuchKey")
    with pytest.raises(ClientError) as e:
        o.head_object(Bucket=bucket, Key="missing")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(ClientError) as e:
        o.copy_object(Bucket=mine, Key="c", CopySource={"Bucket": bucket, "Key": "missing"})
    assert error_of(e) == (404, "NoSuchKey")
    # A Deny of listing hides it again, from the owner too.
    put_policy(c, bucket, {"Effect": "Deny", "Principal": "*", "Action": "s3:ListBucket",
                           "Resource": f"arn:aws:s3:::{bucket}"})
    assert denied(lambda: c.get_object(Bucket=bucket, Key="missing"))
    assert denied(lambda: o.get_object(Bucket=bucket, Key="missing"))
