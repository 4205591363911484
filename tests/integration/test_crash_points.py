"""Deterministic crashes at each step of the write and delete protocols.

The core's crash points (LIBRGW_CRASH_AT) make a child process die at an exact
step, as if SIGKILLed there.  Afterwards readers and listings must agree on
the old or the new object, and gc must leave no orphan body behind.
"""
import hashlib
import os
import subprocess
import sys

import pytest
from store_worker import CRASHED, pattern, run_worker

import pyrgw

WORKER = os.path.join(os.path.dirname(__file__), "store_worker.py")

# (driver, crash point, which object a reader sees afterwards)
PUT_POINTS = [
    ("local", "local:put:before-publish", "old"),
    ("local", "local:put:after-rename", "old"),
    ("local", "local:publish:before-commit", "old"),
    ("local", "local:publish:after-commit", "new"),
    ("rados", "rados:put:before-head-swap", "old"),
    ("rados", "rados:put:after-head-swap", "new"),
    ("rados", "rados:put:before-index", "new"),
]
STRIPE = 4 * 1024 * 1024  # RADOS: inline limit and tail size
# Inline in the head on RADOS and in meta.db on the local store / striped
# into tails on RADOS, a file on the local store.
SIZES = [1000, 9 * 1024 * 1024 + 1]
LOCAL_INLINE_MAX = 16 * 1024
# Only a body in a file is renamed: an inline one never reaches that point.
FILE_ONLY_POINTS = {"local:put:after-rename"}


def put_cases(points, sizes):
    return [pytest.param(*p, size, id=f"{p[0]}-{p[1]}-{size}") for p in points for size in sizes
            if p[1] not in FILE_ONLY_POINTS or size > LOCAL_INLINE_MAX]


def check_consistent(store, bucket, key, size, etag):
    """Reads, stats and the listing all show exactly this object."""
    data = store.get_object(bucket, key)
    assert (len(data), hashlib.md5(data).hexdigest()) == (size, etag)
    st = store.stat_object(bucket, key)
    assert (st.size, st.etag) == (size, etag)
    assert [(o.key, o.size, o.etag) for o in store.list_objects(bucket).objects] == \
        [(key, size, etag)]


@pytest.mark.parametrize("store_setup,point,survivor,size", put_cases(PUT_POINTS, SIZES),
                         indirect=["store_setup"])
def test_crash_during_put(store, store_setup, bucket, point, survivor, size):
    bucket_id = store.get_bucket(bucket).id
    old = store.put_object(bucket, "obj", pattern(size, "old"))
    res = run_worker(point, "put_pattern", store_setup.uri, bucket, "obj", str(size), "new")
    assert res.returncode == CRASHED, res.stdout + res.stderr
    expected = old.etag if survivor == "old" else hashlib.md5(pattern(size, "new")).hexdigest()
    check_consistent(store, bucket, "obj", size, expected)

    # One gc pass leaves exactly the surviving object's bodies: one file or
    # inline body, or on RADOS the head plus a tail per 4 MiB when the body
    # is not inline.
    store.gc(grace_seconds=0)
    check_consistent(store, bucket, "obj", size, expected)
    if store_setup.driver == "local":
        expected_bodies = 1
    else:
        expected_bodies = 1 if size <= STRIPE else 1 + -(-size // STRIPE)
    assert len(store_setup.stored_bodies(bucket_id)) == expected_bodies
    # After it goes, nothing is left.
    store.delete_object(bucket, "obj")
    store.gc(grace_seconds=0)
    assert store_setup.stored_bodies(bucket_id) == []
    assert store.list_objects(bucket).objects == []


@pytest.mark.parametrize("store_setup", ["rados"], indirect=True)
def test_put_answered_before_its_index_entry_landed(store, store_setup, bucket):
    """A small RADOS PUT is answered once its head is swapped in; its index
    entry follows, detached.  A process that dies after the answer and
    before that entry lands (LIBRGW_DROP_AT: the entry is never sent) leaves
    its pending record: reads, stats and listings already show the new
    object, and gc settles the index."""
    bucket_id = store.get_bucket(bucket).id
    store.put_object(bucket, "obj", pattern(1000, "old"))
    env = dict(os.environ, LIBRGW_DROP_AT="rados:put:detached-index")
    res = subprocess.run([sys.executable, WORKER, "put_pattern", store_setup.uri, bucket, "obj",
                          "1000", "new"], env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0 and "committed" in res.stdout, res.stdout + res.stderr
    pending = [k for k in store_setup.index_keys(bucket_id) if k.startswith(b"\xffp")]
    assert [k[2:].split(b"\0")[0] for k in pending] == [b"obj"]  # the entry never landed
    new = hashlib.md5(pattern(1000, "new")).hexdigest()
    check_consistent(store, bucket, "obj", 1000, new)
    store.gc(grace_seconds=0)
    check_consistent(store, bucket, "obj", 1000, new)
    assert [k for k in store_setup.index_keys(bucket_id) if k.startswith(b"\xff")] == []
    assert store_setup.stored_bodies(bucket_id) == [f"{bucket_id}_obj"]


# A local delete is one SQLite transaction: there is no step to crash between.
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("store_setup", ["rados"], indirect=True)
def test_crash_during_delete(store, store_setup, bucket, size):
    bucket_id = store.get_bucket(bucket).id
    store.put_object(bucket, "doomed", pattern(size, "x"))
    store.put_object(bucket, "kept", b"k")
    res = run_worker("rados:delete:before-index", "delete", store_setup.uri, bucket, "doomed")
    assert res.returncode == CRASHED, res.stdout + res.stderr
    with pytest.raises(pyrgw.NoSuchKey):
        store.stat_object(bucket, "doomed")
    # The index entry left behind is not served as a phantom, by stats either.
    assert store.bucket_stats(bucket).num_objects == 1
    assert [o.key for o in store.list_objects(bucket).objects] == ["kept"]
    store.gc(grace_seconds=0)
    assert store.bucket_stats(bucket).num_objects == 1
    assert [o.key for o in store.list_objects(bucket).objects] == ["kept"]
    store.delete_object(bucket, "kept")
    store.gc(grace_seconds=0)
    assert store_setup.stored_bodies(bucket_id) == []


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("store_setup", ["rados"], indirect=True)
def test_delete_answered_before_its_index_op_landed(store, store_setup, bucket, size):
    """A RADOS DELETE is answered once the head is removed; its index op
    follows, detached.  Never sent (LIBRGW_DROP_AT), it leaves the entry
    and the pending record: nothing serves the removed object, and gc
    settles the index and reclaims the body."""
    bucket_id = store.get_bucket(bucket).id
    store.put_object(bucket, "doomed", pattern(size, "x"))
    store.put_object(bucket, "kept", b"k")
    env = dict(os.environ, LIBRGW_DROP_AT="rados:delete:detached-index")
    res = subprocess.run([sys.executable, WORKER, "delete", store_setup.uri, bucket, "doomed"],
                         env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0 and "deleted" in res.stdout, res.stdout + res.stderr
    keys = store_setup.index_keys(bucket_id)
    assert b"doomed" in keys  # the index op never landed
    assert [k[2:].split(b"\0")[0] for k in keys if k.startswith(b"\xffp")] == [b"doomed"]
    with pytest.raises(pyrgw.NoSuchKey):
        store.stat_object(bucket, "doomed")
    assert [o.key for o in store.list_objects(bucket).objects] == ["kept"]
    assert store.bucket_stats(bucket).num_objects == 1
    store.gc(grace_seconds=0)
    assert [k for k in store_setup.index_keys(bucket_id) if k.startswith(b"\xff")] == []
    assert [o.key for o in store.list_objects(bucket).objects] == ["kept"]
    assert store_setup.stored_bodies(bucket_id) == [f"{bucket_id}_kept"]


@pytest.mark.parametrize("store_setup", ["rados"], indirect=True)
def test_bucket_removed_before_its_last_delete_index_op_landed(store, store_setup, bucket, owner):
    """Clients remove a bucket right after their last DELETE's answer, before
    that DELETE's detached index op has landed (here: never).  The remover's
    in-flight record does not keep the emptied bucket; a writer's does."""
    bucket_id = store.get_bucket(bucket).id
    store.put_object(bucket, "doomed", pattern(1000, "x"))
    env = dict(os.environ, LIBRGW_DROP_AT="rados:delete:detached-index")
    res = subprocess.run([sys.executable, WORKER, "delete", store_setup.uri, bucket, "doomed"],
                         env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0 and "deleted" in res.stdout, res.stdout + res.stderr
    assert [k[2:].split(b"\0")[0] for k in store_setup.index_keys(bucket_id)
            if k.startswith(b"\xffp")] == [b"doomed"]
    store.remove_bucket(bucket)
    with pytest.raises(pyrgw.NoSuchBucket):
        store.get_bucket(bucket)
    assert store_setup.stored_bodies(bucket_id) == []

    # A PUT answered but not in the index yet (never, here) keeps its bucket
    # until gc has settled its record, even once the object is deleted.
    other = store_setup.name("bkt")
    store.create_bucket(other, owner=owner)
    env = dict(os.environ, LIBRGW_DROP_AT="rados:put:detached-index")
    res = subprocess.run([sys.executable, WORKER, "put_pattern", store_setup.uri, other, "kept",
                          "1000", "new"], env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0 and "committed" in res.stdout, res.stdout + res.stderr
    store.delete_object(other, "kept")
    with pytest.raises(pyrgw.BucketNotEmpty):
        store.remove_bucket(other)
    store.gc(grace_seconds=0)
    store.remove_bucket(other)
    with pytest.raises(pyrgw.NoSuchBucket):
        store.get_bucket(other)


# A local attrs update is one SQLite transaction.  On RADOS the head holds
# the new attrs before the index op: readers, stats and listings show them,
# and gc leaves the body alone.
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("store_setup", ["rados"], indirect=True)
def test_crash_during_attrs_update(store, store_setup, bucket, size):
    bucket_id = store.get_bucket(bucket).id
    old = store.put_object(bucket, "obj", pattern(size, "x"), metadata={"v": "old"})
    res = run_worker("rados:attrs:before-index", "update_attrs", store_setup.uri, bucket, "obj",
                     "x-amz-meta-v", "new")
    assert res.returncode == CRASHED, res.stdout + res.stderr
    new = {"x-amz-meta-v": "new"}
    for _ in range(2):  # before and after gc
        check_consistent(store, bucket, "obj", size, old.etag)
        assert store.stat_object(bucket, "obj").attrs == new
        assert store.list_objects(bucket).objects[0].attrs == new
        assert store.bucket_stats(bucket).num_objects == 1
        store.gc(grace_seconds=0)
    expected_bodies = 1 if size <= STRIPE else 1 + -(-size // STRIPE)
    assert len(store_setup.stored_bodies(bucket_id)) == expected_bodies
    # A later overwrite supersedes it as usual.
    store.put_object(bucket, "obj", b"after", metadata={"v": "after"})
    assert store.list_objects(bucket).objects[0].attrs == {"x-amz-meta-v": "after"}
    store.delete_object(bucket, "obj")
    store.gc(grace_seconds=0)
    assert store_setup.stored_bodies(bucket_id) == []


def test_crash_points_are_inert_without_the_variable(store, bucket):
    # Nothing in the environment: every step runs through.
    assert "LIBRGW_CRASH_AT" not in os.environ
    store.put_object(bucket, "fine", b"ok")
    store.delete_object(bucket, "fine")


# Versioned writes and deletes: each step of them is a crash point; the
# versions a reader and a listing see are those from before or after, never
# a half-made one, and gc leaves exactly the bodies of the versions left.
VERSIONED_POINTS = [
    ("local", "local:put:before-publish", "put_pattern"),
    ("local", "local:put:after-rename", "put_pattern"),
    ("local", "local:publish:before-commit", "put_pattern"),
    ("local", "local:delete:before-commit", "delete"),
]
VERSION_SIZES = [1000, LOCAL_INLINE_MAX + 1]  # an inline body, a file


def version_list(store, bucket):
    page = store.list_objects(bucket, versions=True)
    return [(o.key, o.version_id, o.is_latest, o.delete_marker) for o in page.objects]


@pytest.mark.parametrize("store_setup,point,op,size", put_cases(VERSIONED_POINTS, VERSION_SIZES),
                         indirect=["store_setup"])
def test_crash_during_versioned_write(store, store_setup, bucket, point, op, size):
    b = store.get_bucket(bucket)
    b.versioning = pyrgw.Versioning.enabled
    store.update_bucket(b)
    bucket_id = b.id
    first = store.put_object(bucket, "obj", pattern(size, "one"))
    second = store.put_object(bucket, "obj", pattern(size, "two"))
    before = version_list(store, bucket)
    assert [v[1] for v in before] == [second.version_id, first.version_id]
    args = ["put_pattern", store_setup.uri, bucket, "obj", str(size), "three"] \
        if op == "put_pattern" else ["delete", store_setup.uri, bucket, "obj"]
    res = run_worker(point, *args)
    assert res.returncode == CRASHED, res.stdout + res.stderr
    # Nothing of the crashed write or delete shows: the versions are as before.
    assert version_list(store, bucket) == before
    check_consistent(store, bucket, "obj", size, second.etag)
    store.gc(grace_seconds=0)
    assert version_list(store, bucket) == before
    assert len(store_setup.stored_bodies(bucket_id)) == 2
    # The same step, done: a third version, a marker over it, then each
    # version removed by id; gc reclaims every body.
    if op == "put_pattern":
        store.put_object(bucket, "obj", pattern(size, "three"))
    else:
        store.delete_object(bucket, "obj")
    after = version_list(store, bucket)
    assert len(after) == 3 and after[1:] == [(k, v, False, m) for k, v, _, m in before]
    for _, vid, _, _ in after:
        store.delete_object(bucket, "obj", version_id=vid)
    store.gc(grace_seconds=0)
    assert store_setup.stored_bodies(bucket_id) == []
    assert version_list(store, bucket) == []


# ------------------------------------------------------------ versioned buckets
# A versioned write on RADOS creates a version object of its own, then
# publishes it in ONE index op; a removal is ONE index op.  Killed at any
# step before that op, nothing changed for readers and listings, and gc
# reclaims what the dead writer left (its object and tails).

def set_versioning(store, bucket, state):
    info = store.get_bucket(bucket)
    info.versioning = getattr(pyrgw.Versioning, state)
    store.update_bucket(info)


def bodies_of(size):
    """RADOS objects one version of `size` bytes takes: its object, plus a
    tail per 4 MiB unless inline."""
    return 1 if size <= STRIPE else 1 + -(-size // STRIPE)


VERSIONED_PUT_POINTS = ["rados:put:version-before-object", "rados:put:version-before-index"]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("state", ["enabled", "suspended"])
@pytest.mark.parametrize("point", VERSIONED_PUT_POINTS)
@pytest.mark.parametrize("store_setup", ["rados"], indirect=True)
def test_crash_during_versioned_put(store, store_setup, bucket, point, state, size):
    bucket_id = store.get_bucket(bucket).id
    set_versioning(store, bucket, state)
    old = store.put_object(bucket, "obj", pattern(size, "old"))
    res = run_worker(point, "put_pattern", store_setup.uri, bucket, "obj", str(size), "new")
    assert res.returncode == CRASHED, res.stdout + res.stderr
    for _ in range(2):  # before and after gc
        check_consistent(store, bucket, "obj", size, old.etag)
        assert store.stat_object(bucket, "obj").version_id == old.version_id
        data = store.get_object(bucket, "obj", version_id=old.version_id)
        assert hashlib.md5(data).hexdigest() == old.etag
        store.gc(grace_seconds=0)
    # Only the surviving version's bodies are left.
    assert len(store_setup.stored_bodies(bucket_id)) == bodies_of(size)
    # A later write works as usual, and removing every version leaves nothing.
    new = store.put_object(bucket, "obj", b"after")
    assert store.get_object(bucket, "obj") == b"after"
    for v in {old.version_id, new.version_id}:
        store.delete_object(bucket, "obj", version_id=v)
    store.gc(grace_seconds=0)
    assert store_setup.stored_bodies(bucket_id) == []
    assert store.list_objects(bucket).objects == []
    store.remove_bucket(bucket)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("target", ["marker", "current", "older"])
@pytest.mark.parametrize("store_setup", ["rados"], indirect=True)
def test_crash_during_versioned_delete(store, store_setup, bucket, target, size):
    bucket_id = store.get_bucket(bucket).id
    set_versioning(store, bucket, "enabled")
    first = store.put_object(bucket, "obj", pattern(size, "first"))
    second = store.put_object(bucket, "obj", pattern(size, "second"))
    version = {"marker": "current", "current": second.version_id,
               "older": first.version_id}[target]
    res = run_worker("rados:delete:version-before-index", "delete_version", store_setup.uri,
                     bucket, "obj", version)
    assert res.returncode == CRASHED, res.stdout + res.stderr
    for _ in range(2):  # nothing changed, before and after gc
        check_consistent(store, bucket, "obj", size, second.etag)
        for v in (first, second):
            assert hashlib.md5(store.get_object(bucket, "obj", version_id=v.version_id)) \
                .hexdigest() == v.etag
        store.gc(grace_seconds=0)
    assert len(store_setup.stored_bodies(bucket_id)) == 2 * bodies_of(size)
    # The removal done for real: its body is reclaimed by gc.
    store.delete_object(bucket, "obj", version_id=version if version != "current" else "")
    store.gc(grace_seconds=0)
    if target == "marker":
        with pytest.raises(pyrgw.NoSuchKey):
            store.stat_object(bucket, "obj")
        assert store.list_objects(bucket).objects == []
        assert len(store_setup.stored_bodies(bucket_id)) == 2 * bodies_of(size)
    else:
        kept = first if target == "current" else second
        check_consistent(store, bucket, "obj", size, kept.etag)
        assert len(store_setup.stored_bodies(bucket_id)) == bodies_of(size)
    with pytest.raises(pyrgw.BucketNotEmpty):  # versions are left
        store.remove_bucket(bucket)
