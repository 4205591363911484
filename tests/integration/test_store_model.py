"""The model through pyrgw on both drivers: users with attributes and one
lookup by credential kind, access policies as grant lists on buckets and
objects, in-place metadata updates (policy, expiry, attributes), conditional
removes, versions, and listings with an end marker."""
import time

import pytest

import pyrgw


def test_user_attributes_and_credentials(store, store_setup):
    uid = store_setup.name("model-user")
    store.create_user(uid, display_name="M", access_key="AKM" + store_setup.tag,
                      secret_key="SK", swift_user=f"acct{store_setup.tag}:m", swift_key="sw")
    assert store.get_user_by_access_key("AKM" + store_setup.tag).uid == uid
    assert store.get_user_by_swift_user(f"acct{store_setup.tag}:m").uid == uid
    with pytest.raises(pyrgw.NoSuchUser):
        store.get_user_by_swift_user(f"acct{store_setup.tag}:nobody")

    store.modify_user(uid, email="m@example.com", attrs={"temp-url-key": "k1"})
    u = store.get_user(uid)
    assert (u.display_name, u.email, u.attrs, u.suspended) == ("M", "m@example.com",
                                                               {"temp-url-key": "k1"}, False)
    store.modify_user(uid, suspended=True)
    u = store.get_user(uid)
    assert u.suspended and u.attrs == {"temp-url-key": "k1"} and u.email == "m@example.com"
    store.modify_user(uid, attrs={})
    assert store.get_user(uid).attrs == {}
    with pytest.raises(pyrgw.NoSuchUser):
        store.modify_user(store_setup.name("nobody"), email="x@example.com")


def test_bucket_policies_are_grant_lists(store, store_setup, owner):
    name = store_setup.name("policy")
    acl = pyrgw.Acl.canned("authenticated-read", owner)
    b = store.create_bucket(name, owner=owner, acl=acl, attrs={"x-container-meta-a": "b"})
    assert b.acl == "authenticated-read" and b.policy.owner == owner
    assert [(g.kind, g.id, g.permissions) for g in b.policy.grants] == [
        ("group", pyrgw._librgw.GROUP_AUTHENTICATED_USERS, pyrgw._librgw.PERM_READ),
        ("user", owner, pyrgw._librgw.PERM_FULL_CONTROL)]
    got = store.get_bucket(name)
    assert got.acl == "authenticated-read" and got.attrs == {"x-container-meta-a": "b"}
    # A policy that is no canned ACL: a user grant and a referrer grant.
    got.policy = pyrgw.Acl(owner, [pyrgw.Grant("user", owner, pyrgw._librgw.PERM_FULL_CONTROL),
                                   pyrgw.Grant("referrer", "*", pyrgw._librgw.PERM_READ_OBJECTS)])
    store.update_bucket(got)
    again = store.get_bucket(name)
    assert again.acl is None and again.policy.grants[1].kind == "referrer"
    with pytest.raises(ValueError):
        pyrgw.Grant("robot", "x", 1)
    with pytest.raises(pyrgw.InvalidArgument):
        pyrgw.Acl.canned("aws-exec-read", owner)


def test_object_policy_expiry_and_attrs_change_in_place(store, bucket, owner):
    info = store.put_object(bucket, "k", b"body", content_type="text/plain",
                            policy=pyrgw.Acl.canned("public-read", owner))
    assert info.policy.canned_name(owner) == "public-read"
    # Written without a policy: the bucket owner's, private.
    plain = store.put_object(bucket, "plain", b"x")
    assert plain.policy.owner == "" and plain.policy.canned_name(owner) == "private"

    updated = store.update_object(bucket, "k", policy=pyrgw.Acl.canned("private", owner),
                                  if_match=info.etag)
    assert updated.policy.canned_name(owner) == "private"
    assert (updated.etag, updated.mtime_ns, updated.size) == (info.etag, info.mtime_ns, 4)
    assert updated.attrs == {"content-type": "text/plain"}
    assert store.stat_object(bucket, "k").policy.canned_name(owner) == "private"
    with pytest.raises(pyrgw.Conflict):
        store.update_object(bucket, "k", attrs={}, if_match="0" * 32)
    store.update_object(bucket, "k", attrs={"x-amz-meta-a": "1"})
    assert store.stat_object(bucket, "k").attrs == {"x-amz-meta-a": "1"}
    # An expiry set after the write: the object then reads as missing.
    store.update_object(bucket, "k", delete_at=int(time.time()) + 3600)
    assert store.get_object(bucket, "k") == b"body"
    store.update_object(bucket, "k", delete_at=int(time.time()) - 1)
    with pytest.raises(pyrgw.NoSuchKey):
        store.get_object(bucket, "k")


def test_conditional_remove_and_versions(store, bucket):
    info = store.put_object(bucket, "v", b"data")
    assert store.get_object(bucket, "v", version_id="null") == b"data"
    assert store.stat_object(bucket, "v", version_id="null").etag == info.etag
    with pytest.raises(pyrgw.NoSuchVersion) as e:
        store.get_object(bucket, "v", version_id="3sL4kqtJlcpXroDTDmJ")
    assert isinstance(e.value, LookupError)
    with pytest.raises(pyrgw.Conflict):
        store.delete_object(bucket, "v", if_match="f" * 32)
    assert store.get_object(bucket, "v") == b"data"
    store.delete_object(bucket, "v", if_match=info.etag)
    with pytest.raises(pyrgw.NoSuchKey):
        store.stat_object(bucket, "v")
    store.delete_object(bucket, "v", if_match=info.etag)  # gone already: nothing to refuse
    # A refused remove leaves nothing in flight behind: the bucket, now
    # empty, goes at once.
    store.remove_bucket(bucket)


def test_listing_end_marker(store, bucket):
    for k in ["a", "b/1", "b/2", "c", "d"]:
        store.put_object(bucket, k, b"x")
    page = store.list_objects(bucket, marker="a", end_marker="d", delimiter="/")
    assert [o.key for o in page.objects] == ["c"] and page.common_prefixes == ["b/"]
    page = store.list_objects(bucket, end_marker="b/2", max_keys=2)
    assert [o.key for o in page.objects] == ["a", "b/1"] and not page.truncated
    page = store.list_objects(bucket, end_marker="b/2", max_keys=1)
    assert [o.key for o in page.objects] == ["a"] and page.truncated
    with pytest.raises(pyrgw.InvalidArgument):
        store.list_objects(bucket, end_marker="x" * 1025)
    # Listing versions: a version marker names a version of the marker key.
    page = store.list_objects(bucket, marker="c", version_marker="null", versions=True)
    assert [(o.key, o.version_id, o.is_latest) for o in page.objects] == [("d", "null", True)]
    assert page.next_version_marker == "null"
    with pytest.raises(pyrgw.NoSuchVersion):
        store.list_objects(bucket, marker="c", version_marker="3sL4kqtJlcpXroDTDmJ",
                           versions=True)


def test_upload_carries_the_objects_policy_and_expiry(store, bucket, owner):
    up = store.create_upload(bucket, "mp", metadata={"k": "v"},
                             policy=pyrgw.Acl.canned("public-read", owner),
                             delete_at=int(time.time()) + 3600)
    assert up.policy.canned_name(owner) == "public-read"
    part = store.upload_part(bucket, up.upload_id, 1, b"x" * 10)
    info = store.complete_upload(bucket, up.upload_id, [part])
    assert info.policy.canned_name(owner) == "public-read" and info.delete_at > time.time()
    assert info.attrs == {"x-amz-meta-k": "v"}
