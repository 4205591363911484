"""ACLs, bucket policies and Block Public Access together, on every door and
store driver: for each combination, what the bucket's owner, another user and
an anonymous caller may do, through boto3 (signed) and raw requests
(anonymous), with S3's status and error code for each refusal.

S3's rules: an explicit Deny in the bucket policy refuses everybody (the
owner too); else an Allow admits; else the ACLs decide.  IgnorePublicAcls
voids grants to AllUsers and AuthenticatedUsers; RestrictPublicBuckets voids
the Allows of a public policy for everybody but the owner; BlockPublicAcls
and BlockPublicPolicy refuse new public ACLs and policies and leave existing
ones working."""
import json

import pytest
import requests
from botocore.exceptions import ClientError
from s3_errors import error_of, raw_error

OPEN = {"BlockPublicAcls": False, "IgnorePublicAcls": False, "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False}
AUTHENTICATED = "uri=http://acs.amazonaws.com/groups/global/AuthenticatedUsers"


@pytest.fixture
def c(s3):
    return s3.client()


@pytest.fixture
def o(s3):
    return s3.other.client()


@pytest.fixture
def world(s3, c):
    """A bucket (private ACL) holding one object of each ACL kind:
    public-read, authenticated-read, a READ grant to the other user, private,
    and private objects under pp/ (for the public policy) and deny/ (a
    public-read one, for the Deny)."""
    b = s3.name()
    c.create_bucket(Bucket=b)
    for key, acl in (("acl-public", {"ACL": "public-read"}),
                     ("acl-authenticated", {"ACL": "authenticated-read"}),
                     ("granted", {"GrantRead": f"id={s3.other.uid}",
                                  "GrantFullControl": f"id={s3.uid}"}),
                     ("private", {"ACL": "private"}),
                     ("pp/x", {"ACL": "private"}),
                     ("deny/x", {"ACL": "public-read"})):
        c.put_object(Bucket=b, Key=key, Body=key.encode(), **acl)
    return b


def policy_doc(bucket, *statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def outcome(s3, client, bucket, op, key=None):
    """The status of one operation by one caller: client None is anonymous
    (raw requests).  A refusal must be S3's 403 AccessDenied or 404 NoSuchKey."""
    if client is None:
        if op == "get":
            r = requests.get(f"{s3.url}/{bucket}/{key}")
            if r.status_code == 200:
                assert r.content == key.encode()
        elif op == "list":
            r = requests.get(f"{s3.url}/{bucket}")
        else:
            r = requests.put(f"{s3.url}/{bucket}/{key}", data=key.encode())
        if r.status_code >= 400:
            assert raw_error(r) in ((403, "AccessDenied"), (404, "NoSuchKey")), r.text
        return r.status_code
    try:
        if op == "get":
            assert client.get_object(Bucket=bucket, Key=key)["Body"].read() == key.encode()
        elif op == "list":
            client.list_objects_v2(Bucket=bucket)
        else:
            client.put_object(Bucket=bucket, Key=key, Body=key.encode())
        return 200
    except ClientError as e:
        assert error_of(e) in ((403, "AccessDenied"), (404, "NoSuchKey")), e.response
        return error_of(e)[0]


# What each case lets (owner, other, anonymous) do.  Keys: the object read,
# "list" (ListObjectsV2), "put" (PutObject of a new key), "drop/" (PutObject
# under drop/), "missing" (GET of a key that does not exist).
BASE = {
    "acl-public": (200, 200, 200), "acl-authenticated": (200, 200, 403),
    "granted": (200, 200, 403), "private": (200, 403, 403), "pp/x": (200, 403, 403),
    "deny/x": (200, 200, 200), "list": (200, 403, 403), "put": (200, 403, 403),
    "drop/": (200, 403, 403), "missing": (404, 403, 403),
}


def check(s3, c, o, bucket, want, case):
    callers = (c, o, None)
    for what, statuses in want.items():
        for who, client, expected in zip(("owner", "other", "anonymous"), callers, statuses):
            if what == "list":
                got = outcome(s3, client, bucket, "list")
            elif what == "put":
                got = outcome(s3, client, bucket, "put", f"new-{who}")
            elif what == "drop/":
                got = outcome(s3, client, bucket, "put", f"drop/{who}")
            elif what == "missing":
                got = outcome(s3, client, bucket, "get", "no-such-key")
            else:
                got = outcome(s3, client, bucket, "get", what)
            assert got == expected, f"{case}: {who} {what}: {got}, expected {expected}"


def test_acls_policies_and_block_public_access_combined(s3, c, o, world):
    b = world
    other = s3.other.uid
    check(s3, c, o, b, BASE, "ACLs alone")

    # A public policy (GetObject on pp/* for everybody), an Allow to the other
    # user without any ACL grant (ListBucket, PutObject on drop/*), and an
    # explicit Deny of deny/* to everybody.
    policy = policy_doc(
        b,
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{b}/pp/*"},
        {"Effect": "Allow", "Principal": {"AWS": other}, "Action": "s3:ListBucket",
         "Resource": f"arn:aws:s3:::{b}"},
        {"Effect": "Allow", "Principal": {"AWS": other}, "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{b}/drop/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{b}/deny/*"})
    c.put_bucket_policy(Bucket=b, Policy=policy)
    assert c.get_bucket_policy_status(Bucket=b)["PolicyStatus"]["IsPublic"] is True
    with_policy = dict(BASE, **{
        "pp/x": (200, 200, 200),       # the public Allow, beyond the private ACL
        "deny/x": (403, 403, 403),     # the Deny beats a public-read ACL and ownership
        "list": (200, 200, 403),       # an Allow without any ACL grant
        "drop/": (200, 200, 403),
        "missing": (404, 404, 403),    # who may list learns the key is missing
    })
    check(s3, c, o, b, with_policy, "policy")

    # IgnorePublicAcls: grants to AllUsers and AuthenticatedUsers give
    # nothing; user grants and the policy still do.
    c.put_public_access_block(Bucket=b, PublicAccessBlockConfiguration=dict(
        OPEN, IgnorePublicAcls=True))
    ignore = dict(with_policy, **{"acl-public": (200, 403, 403),
                                  "acl-authenticated": (200, 403, 403)})
    check(s3, c, o, b, ignore, "IgnorePublicAcls")

    # RestrictPublicBuckets as well: the policy is public, so its Allows admit
    # only the owner (the other user's own statement included); its Deny
    # still refuses everybody; ACL grants to users still count.
    c.put_public_access_block(Bucket=b, PublicAccessBlockConfiguration=dict(
        OPEN, IgnorePublicAcls=True, RestrictPublicBuckets=True))
    restrict = dict(ignore, **{"pp/x": (200, 403, 403), "list": (200, 403, 403),
                               "drop/": (200, 403, 403), "missing": (404, 403, 403)})
    check(s3, c, o, b, restrict, "IgnorePublicAcls + RestrictPublicBuckets")

    # RestrictPublicBuckets alone, with a policy that is not public: the
    # other user's Allows count again, the public ACLs too.
    c.put_public_access_block(Bucket=b, PublicAccessBlockConfiguration=dict(
        OPEN, RestrictPublicBuckets=True))
    private_policy = json.loads(policy)
    private_policy["Statement"] = private_policy["Statement"][1:]
    c.put_bucket_policy(Bucket=b, Policy=json.dumps(private_policy))
    assert c.get_bucket_policy_status(Bucket=b)["PolicyStatus"]["IsPublic"] is False
    check(s3, c, o, b, dict(with_policy, **{"pp/x": (200, 403, 403)}),
          "RestrictPublicBuckets, policy not public")

    # BlockPublicPolicy and BlockPublicAcls: new public policies and ACLs are
    # refused (403, nothing changes); existing public ACLs keep working.
    c.put_public_access_block(Bucket=b, PublicAccessBlockConfiguration=dict(
        OPEN, BlockPublicPolicy=True, BlockPublicAcls=True))
    for call in (lambda: c.put_bucket_policy(Bucket=b, Policy=policy),
                 lambda: c.put_bucket_acl(Bucket=b, ACL="public-read"),
                 lambda: c.put_object_acl(Bucket=b, Key="private", ACL="public-read"),
                 lambda: c.put_object_acl(Bucket=b, Key="private", GrantRead=AUTHENTICATED),
                 lambda: c.put_object(Bucket=b, Key="pub", Body=b"x", ACL="public-read")):
        with pytest.raises(ClientError) as e:
            call()
        assert error_of(e) == (403, "AccessDenied")
    assert c.get_bucket_policy_status(Bucket=b)["PolicyStatus"]["IsPublic"] is False
    assert requests.get(f"{s3.url}/{b}/pub").status_code == 403
    check(s3, c, o, b, dict(with_policy, **{"pp/x": (200, 403, 403)}),
          "BlockPublicPolicy + BlockPublicAcls")
    # The owner may still grant users (not public) by ACL.
    c.put_object_acl(Bucket=b, Key="private", GrantRead=f"id={other}",
                     GrantFullControl=f"id={s3.uid}")
    assert outcome(s3, o, b, "get", "private") == 200

    # Everything lifted: the public policy can be put again and admits all.
    c.delete_public_access_block(Bucket=b)
    c.put_bucket_policy(Bucket=b, Policy=policy)
    check(s3, c, o, b, dict(with_policy, private=(200, 200, 403)), "lifted")


def test_explicit_deny_overrides_acl_grants(s3, c, o, world):
    """A Deny to one user beats that user's ACL grants (object READ, bucket
    READ and WRITE) and leaves other callers to their grants."""
    b = world
    other = s3.other.uid
    c.put_bucket_acl(Bucket=b, GrantRead=f"id={other}", GrantWrite=f"id={other}",
                     GrantFullControl=f"id={s3.uid}")
    assert outcome(s3, o, b, "list") == 200
    assert outcome(s3, o, b, "put", "by-other") == 200
    assert outcome(s3, o, b, "get", "granted") == 200
    c.put_bucket_policy(Bucket=b, Policy=policy_doc(b, {
        "Effect": "Deny", "Principal": {"AWS": other},
        "Action": ["s3:GetObject", "s3:ListBucket", "s3:PutObject"],
        "Resource": [f"arn:aws:s3:::{b}", f"arn:aws:s3:::{b}/*"]}))
    assert outcome(s3, o, b, "list") == 403
    assert outcome(s3, o, b, "put", "by-other-2") == 403
    assert outcome(s3, o, b, "get", "granted") == 403
    assert outcome(s3, o, b, "get", "acl-public") == 403   # public grants too
    assert outcome(s3, o, b, "get", "no-such-key") == 403  # nothing leaks
    # Its own object: the Deny applies to its owner as well.
    assert outcome(s3, o, b, "get", "by-other") == 403
    # Others keep what their grants give.
    assert outcome(s3, None, b, "get", "acl-public") == 200
    assert outcome(s3, c, b, "list") == 200
    # The other user's ACL operations are not denied, and its object's ACL
    # stays its own to read.
    assert o.get_object_acl(Bucket=b, Key="by-other")["Owner"]["ID"] == other
    c.delete_bucket_policy(Bucket=b)
    assert outcome(s3, o, b, "get", "by-other") == 200
