"""Multipart uploads on every driver: parts, completion, ranges, gc, crashes."""
import hashlib
import os
import sqlite3

import pytest
from store_worker import CRASHED, pattern, run_worker

import pyrgw

MP_DRIVERS = ["local", "rados"]
drivers = pytest.mark.parametrize("store_setup", MP_DRIVERS, indirect=True)

MiB = 1024 * 1024
STRIPE = 4 * MiB  # RADOS: part stripe size


def md5(data):
    return hashlib.md5(data).hexdigest()


def s3_etag(parts):
    return hashlib.md5(b"".join(bytes.fromhex(md5(p)) for p in parts)).hexdigest() + \
        f"-{len(parts)}"


def part_bodies(driver, sizes):
    """What the parts' data occupies in the medium: one file per part, or on
    RADOS one object per 4 MiB stripe."""
    if driver == "local":
        return len(sizes)
    return sum(-(-s // STRIPE) for s in sizes)


def object_bodies(driver, size, part_sizes=None):
    """What a completed (part_sizes given) or a plain object occupies."""
    if part_sizes is not None:
        return part_bodies(driver, part_sizes) + (1 if driver == "rados" else 0)
    if driver == "local":
        return 1
    return 1 if size <= STRIPE else 1 + -(-size // STRIPE)


def upload(store, bucket, key, parts, **kw):
    """Creates an upload and uploads {number: bytes}; returns (id, {n: PartInfo})."""
    up = store.create_upload(bucket, key, **kw)
    infos = {n: store.upload_part(bucket, up.upload_id, n, data) for n, data in parts.items()}
    return up.upload_id, infos


@drivers
def test_parts_out_of_order(store, bucket):
    parts = {n: pattern(1000 + n, f"p{n}") for n in (3, 1, 2)}
    uid, infos = upload(store, bucket, "obj", parts, content_type="text/plain",
                        metadata={"color": "blue"})
    assert store.get_upload(bucket, uid).key == "obj"
    listed = store.list_parts(bucket, uid)
    assert [(p.number, p.size, p.etag) for p in listed] == \
        [(n, len(parts[n]), md5(parts[n])) for n in (1, 2, 3)]
    assert [u.upload_id for u in store.list_uploads(bucket)] == [uid]
    # Nothing is visible before completion.
    assert store.list_objects(bucket).objects == []
    with pytest.raises(pyrgw.NoSuchKey):
        store.stat_object(bucket, "obj")

    whole = parts[1] + parts[2] + parts[3]
    info = store.complete_upload(bucket, uid, [(n, infos[n].etag) for n in (1, 2, 3)])
    assert (info.size, info.etag) == (len(whole), s3_etag([parts[1], parts[2], parts[3]]))
    assert store.get_object(bucket, "obj") == whole
    st = store.stat_object(bucket, "obj")
    assert (st.size, st.etag) == (len(whole), info.etag)
    assert st.attrs["content-type"] == "text/plain"
    assert st.attrs["x-amz-meta-color"] == "blue"
    assert [(o.key, o.size, o.etag) for o in store.list_objects(bucket).objects] == \
        [("obj", len(whole), info.etag)]
    stats = store.bucket_stats(bucket)
    assert (stats.num_objects, stats.size_bytes) == (1, len(whole))
    assert store.list_uploads(bucket) == []


@drivers
def test_reuploaded_part_replaces(store, store_setup, bucket):
    bucket_id = store.get_bucket(bucket).id
    uid, infos = upload(store, bucket, "obj", {1: b"first-1", 2: b"two"})
    again = store.upload_part(bucket, uid, 1, b"second-1")
    assert [(p.number, p.etag) for p in store.list_parts(bucket, uid)] == \
        [(1, md5(b"second-1")), (2, md5(b"two"))]
    with pytest.raises(pyrgw.InvalidPart):
        store.complete_upload(bucket, uid, [(1, md5(b"never uploaded")), (2, infos[2].etag)])
    store.complete_upload(bucket, uid, [again, infos[2]], etag="custom-2")
    assert store.get_object(bucket, "obj") == b"second-1two"
    assert store.stat_object(bucket, "obj").etag == "custom-2"
    store.gc(grace_seconds=0)
    assert store.get_object(bucket, "obj") == b"second-1two"
    assert len(store_setup.stored_bodies(bucket_id)) == \
        object_bodies(store_setup.driver, 0, [8, 3])


class BodyAfter:
    """A part body whose first read runs ``first`` (another upload of the
    same part): this upload starts first and finishes last."""

    def __init__(self, data, first):
        self.data, self.first = data, first

    def read(self, n=-1):
        if self.first:
            self.first, first = None, self.first
            first()
        chunk = self.data if n < 0 else self.data[:n]
        self.data = self.data[len(chunk):]
        return chunk


@drivers
@pytest.mark.parametrize("choose", ["first", "last", "none"])
def test_part_uploaded_twice_first_finishing_last(store, store_setup, bucket, choose):
    """Two uploads of one part number stay distinct: completion takes the one
    whose ETag it names, whichever finished last; the other is garbage."""
    bucket_id = store.get_bucket(bucket).id
    size = STRIPE + 10  # more than one RADOS stripe
    a, b = pattern(size, "A"), pattern(size, "B")
    up = store.create_upload(bucket, "obj")
    two = store.upload_part(bucket, up.upload_id, 2, b"two")
    got = {}
    got["a"] = store.upload_part(
        bucket, up.upload_id, 1,
        BodyAfter(a, lambda: got.setdefault("b", store.upload_part(bucket, up.upload_id, 1, b))))
    assert (got["a"].etag, got["b"].etag) == (md5(a), md5(b))
    # The upload that finished last is the part listed.
    assert [(p.number, p.etag) for p in store.list_parts(bucket, up.upload_id)] == \
        [(1, md5(a)), (2, md5(b"two"))]
    if choose == "none":
        with pytest.raises(pyrgw.InvalidPart):
            store.complete_upload(bucket, up.upload_id, [(1, md5(b"other")), (2, two.etag)])
        store.abort_upload(bucket, up.upload_id)
        store.gc(grace_seconds=0)
        assert store_setup.stored_bodies(bucket_id) == []
        return
    body = b if choose == "first" else a  # "first": B, the one that finished first
    info = store.complete_upload(bucket, up.upload_id, [(1, md5(body)), (2, two.etag)])
    assert info.etag == s3_etag([body, b"two"])
    assert store.get_object(bucket, "obj") == body + b"two"
    store.gc(grace_seconds=0)
    assert store.get_object(bucket, "obj") == body + b"two"
    assert len(store_setup.stored_bodies(bucket_id)) == \
        object_bodies(store_setup.driver, 0, [size, 3])
    store.delete_object(bucket, "obj")
    store.gc(grace_seconds=0)
    assert store_setup.stored_bodies(bucket_id) == []


@drivers
def test_part_uploaded_again_with_each_body(store, store_setup, bucket):
    """A part uploaded A, B, A, C keeps one upload per ETag (the first A is
    garbage at once); any of them completes; removing the bucket with such an
    upload still open leaves nothing behind."""
    bucket_id = store.get_bucket(bucket).id
    up = store.create_upload(bucket, "obj")
    for body in (b"A", b"B", b"A", b"C"):
        store.upload_part(bucket, up.upload_id, 1, body)
    store.gc(grace_seconds=0)
    assert len(store_setup.stored_bodies(bucket_id)) == part_bodies(store_setup.driver, [1] * 3)
    assert [p.etag for p in store.list_parts(bucket, up.upload_id)] == [md5(b"C")]
    store.complete_upload(bucket, up.upload_id, [(1, md5(b"B"))])
    assert store.get_object(bucket, "obj") == b"B"
    store.gc(grace_seconds=0)
    assert len(store_setup.stored_bodies(bucket_id)) == object_bodies(store_setup.driver, 0, [1])
    store.delete_object(bucket, "obj")
    up = store.create_upload(bucket, "open")
    for body in (b"A", b"B"):
        store.upload_part(bucket, up.upload_id, 1, body)
    store.remove_bucket(bucket)
    store.gc(grace_seconds=0)
    assert store_setup.stored_bodies(bucket_id) == []


@drivers
def test_complete_with_subset(store, store_setup, bucket):
    bucket_id = store.get_bucket(bucket).id
    parts = {n: pattern(100 * n, f"s{n}") for n in (1, 2, 3, 4)}
    uid, infos = upload(store, bucket, "sub", parts)
    info = store.complete_upload(bucket, uid, [(1, infos[1].etag), (3, infos[3].etag)])
    assert store.get_object(bucket, "sub") == parts[1] + parts[3]
    assert info.size == len(parts[1]) + len(parts[3])
    # Quoted ETags (as S3 clients send them) are accepted.
    uid2, infos2 = upload(store, bucket, "quoted", {7: b"seven"})
    store.complete_upload(bucket, uid2, [(7, f'"{infos2[7].etag}"')])
    assert store.get_object(bucket, "quoted") == b"seven"
    store.gc(grace_seconds=0)
    assert store.get_object(bucket, "sub") == parts[1] + parts[3]
    assert len(store_setup.stored_bodies(bucket_id)) == \
        object_bodies(store_setup.driver, 0, [100, 300]) + object_bodies(store_setup.driver, 0, [5])


@drivers
def test_ranged_reads_across_parts(store, bucket):
    sizes = [1, 4096, 0, 70_000, 3, 5000]
    parts = {n + 1: pattern(s, f"r{n}") for n, s in enumerate(sizes)}
    uid, infos = upload(store, bucket, "ranges", parts)
    store.complete_upload(bucket, uid, [(n, infos[n].etag) for n in sorted(parts)])
    whole = b"".join(parts[n] for n in sorted(parts))
    assert store.get_object(bucket, "ranges") == whole
    bounds = [0]
    for s in sizes:
        bounds.append(bounds[-1] + s)
    points = sorted({max(0, min(len(whole) - 1, b + d)) for b in bounds for d in (-2, -1, 0, 1)})
    for first in points:
        for last in points:
            if last >= first:
                assert store.get_object(bucket, "ranges", range=(first, last)) == \
                    whole[first:last + 1], (first, last)
    # Streaming in odd-sized reads crosses the boundaries mid-call.
    with store.open_object(bucket, "ranges", offset=3, length=len(whole) - 10) as r:
        got = bytearray()
        while True:
            chunk = r.read(777)
            if not chunk:
                break
            got += chunk
    assert bytes(got) == whole[3:len(whole) - 7]
    assert store.get_object(bucket, "ranges", range=(len(whole), len(whole) + 5)) == b""
    with pytest.raises(pyrgw.InvalidRange):
        store.get_object(bucket, "ranges", range=(len(whole) + 1, len(whole) + 5))


@drivers
@pytest.mark.parametrize("old_size", [10, 9 * MiB + 1])
def test_completion_replaces_atomically(store, store_setup, bucket, old_size):
    bucket_id = store.get_bucket(bucket).id
    old = pattern(old_size, "old")
    store.put_object(bucket, "obj", old)
    uid, infos = upload(store, bucket, "obj", {1: b"new-1", 2: b"new-2"})
    reader = store.open_object(bucket, "obj")  # opened before: keeps the old bytes
    head = reader.read(5)
    store.complete_upload(bucket, uid, [infos[1], infos[2]])
    assert store.get_object(bucket, "obj") == b"new-1new-2"
    assert head + reader.read() == old
    assert [o.key for o in store.list_objects(bucket).objects] == ["obj"]
    assert store.bucket_stats(bucket).num_objects == 1
    store.gc(grace_seconds=0)
    assert len(store_setup.stored_bodies(bucket_id)) == object_bodies(store_setup.driver, 0, [5, 5])
    # A plain overwrite, then a delete, hand every segment to gc.
    store.put_object(bucket, "obj", b"plain")
    assert store.get_object(bucket, "obj") == b"plain"
    store.gc(grace_seconds=0)
    assert len(store_setup.stored_bodies(bucket_id)) == object_bodies(store_setup.driver, 5)
    uid, infos = upload(store, bucket, "obj", {1: b"again"})
    store.complete_upload(bucket, uid, [infos[1]])
    store.delete_object(bucket, "obj")
    store.gc(grace_seconds=0)
    assert store_setup.stored_bodies(bucket_id) == []


@drivers
def test_invalid_part_changes_nothing(store, bucket):
    store.put_object(bucket, "obj", b"old")
    uid, infos = upload(store, bucket, "obj", {1: b"one", 2: b"two"})
    bad = [
        [(1, infos[1].etag), (2, md5(b"other"))],   # wrong ETag
        [(1, infos[1].etag), (3, md5(b"three"))],   # missing part
        [(2, infos[2].etag), (1, infos[1].etag)],   # out of order
        [(1, infos[1].etag), (1, infos[1].etag)],   # twice
        [],                                          # none
    ]
    for parts in bad:
        with pytest.raises(pyrgw.InvalidPart):
            store.complete_upload(bucket, uid, parts)
        assert store.get_object(bucket, "obj") == b"old"
        assert [p.number for p in store.list_parts(bucket, uid)] == [1, 2]
        assert [u.upload_id for u in store.list_uploads(bucket)] == [uid]
    store.complete_upload(bucket, uid, [infos[1], infos[2]])
    assert store.get_object(bucket, "obj") == b"onetwo"


@drivers
def test_no_such_upload(store, bucket):
    with pytest.raises(pyrgw.NoSuchUpload):
        store.get_upload(bucket, "0" * 32)
    with pytest.raises(pyrgw.NoSuchUpload):
        store.upload_part(bucket, "0" * 32, 1, b"x")
    with pytest.raises(pyrgw.NoSuchBucket):
        store.create_upload(bucket + "-missing", "k")
    uid, infos = upload(store, bucket, "k", {1: b"x"})
    for n in (0, 10001):
        with pytest.raises(pyrgw.InvalidArgument):
            store.upload_part(bucket, uid, n, b"x")
    store.complete_upload(bucket, uid, [infos[1]])
    uid2, _ = upload(store, bucket, "k2", {1: b"y"})
    store.abort_upload(bucket, uid2)
    for ended in (uid, uid2):
        with pytest.raises(pyrgw.NoSuchUpload):
            store.get_upload(bucket, ended)
        with pytest.raises(pyrgw.NoSuchUpload):
            store.list_parts(bucket, ended)
        with pytest.raises(pyrgw.NoSuchUpload):
            store.upload_part(bucket, ended, 2, b"late")
        with pytest.raises(pyrgw.NoSuchUpload):
            store.complete_upload(bucket, ended, [infos[1]])
        with pytest.raises(pyrgw.NoSuchUpload):
            store.abort_upload(bucket, ended)
    assert store.get_object(bucket, "k") == b"x"
    with pytest.raises(pyrgw.NoSuchKey):
        store.stat_object(bucket, "k2")
    # A part writer whose upload ends before it commits fails.
    uid3 = store.create_upload(bucket, "k3").upload_id
    w = store._s.open_part_writer(bucket, uid3, 1)
    w.write(b"late")
    store.abort_upload(bucket, uid3)
    with pytest.raises(pyrgw.NoSuchUpload):
        w.commit({}, 0, "")


@drivers
def test_list_uploads_order_and_prefix(store, bucket):
    ids = {}
    for key in ["b", "a/2", "a/1", "a/1", "c"]:
        ids.setdefault(key, []).append(store.create_upload(bucket, key).upload_id)
    listed = store.list_uploads(bucket)
    assert [u.key for u in listed] == ["a/1", "a/1", "a/2", "b", "c"]
    assert [u.upload_id for u in listed[:2]] == ids["a/1"]  # by initiation time
    assert listed[0].initiated_ns <= listed[1].initiated_ns
    assert [u.key for u in store.list_uploads(bucket, prefix="a/")] == ["a/1", "a/1", "a/2"]
    assert [u.key for u in store.list_uploads(bucket, prefix="b")] == ["b"]
    assert store.list_uploads(bucket, prefix="z") == []
    # Uploads are not objects.
    assert store.list_objects(bucket).objects == []
    assert store.bucket_stats(bucket).num_objects == 0
    store.abort_upload(bucket, ids["b"][0])
    assert [u.key for u in store.list_uploads(bucket)] == ["a/1", "a/1", "a/2", "c"]


@drivers
def test_bucket_rm_aborts_uploads(store, store_setup, bucket):
    bucket_id = store.get_bucket(bucket).id
    uid, _ = upload(store, bucket, "pending", {1: b"a" * 100, 2: pattern(5 * MiB, "big")})
    store.put_object(bucket, "obj", b"x")
    with pytest.raises(pyrgw.BucketNotEmpty):
        store.remove_bucket(bucket)
    assert [p.number for p in store.list_parts(bucket, uid)] == [1, 2]  # untouched
    store.delete_object(bucket, "obj")
    store.remove_bucket(bucket)
    with pytest.raises(pyrgw.NoSuchBucket):
        store.list_uploads(bucket)
    store.gc(grace_seconds=0)
    assert store_setup.stored_bodies(bucket_id) == []


@drivers
def test_gc_reclaims_exactly_unreferenced(store, store_setup, bucket):
    bucket_id = store.get_bucket(bucket).id
    drv = store_setup.driver
    sizes = {1: 5 * MiB, 2: 100, 3: 200}
    done, infos = upload(store, bucket, "done", {n: pattern(s, f"d{n}") for n, s in sizes.items()})
    infos[2] = store.upload_part(bucket, done, 2, b"replaced")  # the first part 2 is garbage
    aborted, _ = upload(store, bucket, "aborted", {1: b"gone", 2: pattern(STRIPE + 1, "g")})
    live, _ = upload(store, bucket, "live", {1: pattern(STRIPE + 1, "l"), 2: b"kept"})
    store.complete_upload(bucket, done, [infos[1], infos[2]])  # part 3 unchosen
    store.abort_upload(bucket, aborted)
    # A grace longer than their age keeps everything.
    store.gc(grace_seconds=3600)
    assert store.get_object(bucket, "done") == pattern(5 * MiB, "d1") + b"replaced"
    report = store.gc(grace_seconds=0)
    expected = object_bodies(drv, 0, [5 * MiB, 8]) + part_bodies(drv, [STRIPE + 1, 4])
    assert len(store_setup.stored_bodies(bucket_id)) == expected
    assert report.removed_objects == part_bodies(drv, [100, 200, 4, STRIPE + 1])
    assert store.get_object(bucket, "done") == pattern(5 * MiB, "d1") + b"replaced"
    # The live upload's parts survived and still complete.
    store.complete_upload(bucket, live, [(1, md5(pattern(STRIPE + 1, "l"))), (2, md5(b"kept"))])
    assert store.get_object(bucket, "live") == pattern(STRIPE + 1, "l") + b"kept"
    assert store.gc(grace_seconds=0).removed_objects == 0


@drivers
def test_three_5mib_parts(store, bucket):
    parts = [pattern(5 * MiB, f"big{n}") for n in range(3)]
    uid = store.create_upload(bucket, "big").upload_id
    infos = []
    for n, data in enumerate(parts, 1):
        infos.append(store.upload_part(bucket, uid, n, memoryview(data)))
    info = store.complete_upload(bucket, uid, infos)
    whole = b"".join(parts)
    assert info.etag == s3_etag(parts)
    got = store.get_object(bucket, "big")
    assert len(got) == 15 * MiB and got == whole
    for first, last in [(5 * MiB - 3, 5 * MiB + 2), (STRIPE - 1, STRIPE), (0, 15 * MiB - 1),
                        (9 * MiB - 5, 10 * MiB + 5), (15 * MiB - 1, 15 * MiB - 1)]:
        assert store.get_object(bucket, "big", range=(first, last)) == whole[first:last + 1]
    copy = store.copy_object(bucket, "big", bucket, "copy")
    assert copy.etag == md5(whole)
    assert store.get_object(bucket, "copy") == whole


# (driver, crash point, which object survives).  A local completion is one
# SQLite transaction: it either happened or not, and the upload stays when not.
COMPLETE_POINTS = [p for p in [
    ("local", "local:complete:before-commit", "old"),
    ("rados", "rados:complete:before-head-swap", "old"),
    ("rados", "rados:complete:after-head-swap", "new"),
    ("rados", "rados:complete:before-index", "new"),
] if p[0] in MP_DRIVERS]


# A completion into a bucket with versioning publishes a new version (on
# RADOS: a version object, then one index op).  Killed before it lands, the
# versions are those from before; gc ends a begun completion (RADOS) and
# reclaims its parts, or the upload stays intact (local).
VERSIONED_COMPLETE_POINTS = [p for p in [
    ("local", "local:complete:before-commit"),
    ("rados", "rados:complete:version-before-object"),
    ("rados", "rados:complete:version-before-index"),
] if p[0] in MP_DRIVERS]


@pytest.mark.parametrize("store_setup,point", VERSIONED_COMPLETE_POINTS,
                         indirect=["store_setup"])
def test_crash_during_versioned_complete(store, store_setup, bucket, point):
    bucket_id = store.get_bucket(bucket).id
    drv = store_setup.driver
    b = store.get_bucket(bucket)
    b.versioning = pyrgw.Versioning.enabled
    store.update_bucket(b)
    old = store.put_object(bucket, "obj", pattern(1000, "old"))
    parts = {1: pattern(STRIPE + 10, "n1"), 2: pattern(300, "n2")}
    uid, infos = upload(store, bucket, "obj", parts)
    res = run_worker(point, "complete", store_setup.uri, bucket, uid,
                     f"1:{infos[1].etag},2:{infos[2].etag}")
    assert res.returncode == CRASHED, res.stdout + res.stderr

    def versions():
        return [(o.version_id, o.is_latest)
                for o in store.list_objects(bucket, versions=True).objects]

    for _ in range(2):  # before and after gc
        assert versions() == [(old.version_id, True)]
        assert store.get_object(bucket, "obj") == pattern(1000, "old")
        store.gc(grace_seconds=0)
    bodies = object_bodies(drv, 1000)
    if drv == "local":  # the transaction never happened: the upload completes
        assert len(store_setup.stored_bodies(bucket_id)) == bodies + part_bodies(drv, [
            STRIPE + 10, 300])
        done = store.complete_upload(bucket, uid, [infos[1], infos[2]])
        assert [v for v, _ in versions()] == [done.version_id, old.version_id]
    else:  # the completion began and gc ended it: its parts are gone
        assert len(store_setup.stored_bodies(bucket_id)) == bodies
        with pytest.raises(pyrgw.NoSuchUpload):
            store.list_parts(bucket, uid)
    for vid, _ in versions():
        store.delete_object(bucket, "obj", version_id=vid)
    store.gc(grace_seconds=0)
    assert store_setup.stored_bodies(bucket_id) == []


@pytest.mark.parametrize("old_size", [1000, 9 * MiB + 1])
@pytest.mark.parametrize("store_setup,point,survivor", COMPLETE_POINTS, indirect=["store_setup"])
def test_crash_during_complete(store, store_setup, bucket, point, survivor, old_size):
    bucket_id = store.get_bucket(bucket).id
    drv = store_setup.driver
    old = pattern(old_size, "old")
    store.put_object(bucket, "obj", old)
    new_parts = {1: pattern(STRIPE + 10, "n1"), 2: pattern(300, "n2"), 3: b"unchosen"}
    uid, infos = upload(store, bucket, "obj", new_parts)
    new = new_parts[1] + new_parts[2]
    res = run_worker(point, "complete", store_setup.uri, bucket, uid,
                     f"1:{infos[1].etag},2:{infos[2].etag}")
    assert res.returncode == CRASHED, res.stdout + res.stderr
    expected = old if survivor == "old" else new

    def check():
        assert store.get_object(bucket, "obj") == expected
        st = store.stat_object(bucket, "obj")
        assert st.size == len(expected)
        assert [(o.key, o.size) for o in store.list_objects(bucket).objects] == \
            [("obj", len(expected))]
        assert store.bucket_stats(bucket).size_bytes == len(expected)

    check()
    store.gc(grace_seconds=0)
    check()
    # One gc pass leaves exactly the surviving data.
    if survivor == "new":
        bodies = object_bodies(drv, 0, [STRIPE + 10, 300])
        assert store.list_uploads(bucket) == []
    else:
        bodies = object_bodies(drv, old_size)
        if drv == "local":
            # The transaction never happened: the upload is intact and completes.
            bodies += part_bodies(drv, [STRIPE + 10, 300, 8])
            assert [u.upload_id for u in store.list_uploads(bucket)] == [uid]
        else:
            # The completion began (the upload is no longer open) and gc
            # ended it: the parts are gone, the old object stays.
            assert store.list_uploads(bucket) == []
            with pytest.raises(pyrgw.NoSuchUpload):
                store.list_parts(bucket, uid)
    assert len(store_setup.stored_bodies(bucket_id)) == bodies
    if drv == "local" and survivor == "old":
        store.complete_upload(bucket, uid, [infos[1], infos[2]])
        assert store.get_object(bucket, "obj") == new
        store.gc(grace_seconds=0)
        assert len(store_setup.stored_bodies(bucket_id)) == object_bodies(drv, 0, [STRIPE + 10, 300])
    store.delete_object(bucket, "obj")
    store.gc(grace_seconds=0)
    assert store_setup.stored_bodies(bucket_id) == []


PART_POINTS = [p for p in [
    ("local", "local:part:before-publish"),
    ("local", "local:part:after-rename"),
    ("rados", "rados:part:before-publish"),
] if p[0] in MP_DRIVERS]


@pytest.mark.parametrize("store_setup,point", PART_POINTS, indirect=["store_setup"])
def test_crash_during_part_upload(store, store_setup, bucket, point):
    """A part writer that dies leaves the part as it was; gc reclaims its data."""
    bucket_id = store.get_bucket(bucket).id
    drv = store_setup.driver
    uid, infos = upload(store, bucket, "obj", {1: b"kept-1", 2: b"kept-2"})
    res = run_worker(point, "upload_part", store_setup.uri, bucket, uid, "2",
                     str(STRIPE + 5), "lost")
    assert res.returncode == CRASHED, res.stdout + res.stderr
    assert [(p.number, p.etag) for p in store.list_parts(bucket, uid)] == \
        [(1, md5(b"kept-1")), (2, md5(b"kept-2"))]
    store.gc(grace_seconds=0)
    assert len(store_setup.stored_bodies(bucket_id)) == part_bodies(drv, [6, 6])
    store.complete_upload(bucket, uid, [infos[1], infos[2]])
    assert store.get_object(bucket, "obj") == b"kept-1kept-2"
    store.delete_object(bucket, "obj")
    store.gc(grace_seconds=0)
    assert store_setup.stored_bodies(bucket_id) == []


@pytest.mark.parametrize("store_setup", [d for d in ["rados"] if d in MP_DRIVERS], indirect=True)
def test_crash_during_abort(store, store_setup, bucket):
    """An aborter that dies after ending the upload: it is gone, gc drops its parts."""
    bucket_id = store.get_bucket(bucket).id
    uid, _ = upload(store, bucket, "obj", {1: pattern(STRIPE + 1, "a"), 2: b"b"})
    res = run_worker("rados:abort:after-end", "abort", store_setup.uri, bucket, uid)
    assert res.returncode == CRASHED, res.stdout + res.stderr
    assert store.list_uploads(bucket) == []
    with pytest.raises(pyrgw.NoSuchUpload):
        store.upload_part(bucket, uid, 3, b"late")
    store.gc(grace_seconds=0)
    assert store_setup.stored_bodies(bucket_id) == []


# A PUT or DELETE that dies over a multipart object: gc finds the parts'
# stripes from the new head's rgw.prev (the old manifest) or the gc queue.
OVER_POINTS = [
    ("put_pattern", "rados:put:after-head-swap"),
    ("put_pattern", "rados:put:before-index"),
    ("delete", "rados:delete:before-index"),
]


@pytest.mark.parametrize("mode,point", OVER_POINTS)
@pytest.mark.parametrize("store_setup", [d for d in ["rados"] if d in MP_DRIVERS], indirect=True)
def test_crash_replacing_multipart_object(store, store_setup, bucket, mode, point):
    bucket_id = store.get_bucket(bucket).id
    uid, infos = upload(store, bucket, "obj", {1: pattern(STRIPE + 1, "m1"), 2: b"m2"})
    store.complete_upload(bucket, uid, [infos[1], infos[2]])
    args = [store_setup.uri, bucket, "obj"] + (["100", "new"] if mode == "put_pattern" else [])
    res = run_worker(point, mode, *args)
    assert res.returncode == CRASHED, res.stdout + res.stderr
    store.gc(grace_seconds=0)
    if mode == "put_pattern":
        assert store.get_object(bucket, "obj") == pattern(100, "new")
        assert [o.size for o in store.list_objects(bucket).objects] == [100]
        assert len(store_setup.stored_bodies(bucket_id)) == 1
    else:
        with pytest.raises(pyrgw.NoSuchKey):
            store.get_object(bucket, "obj")
        assert store.list_objects(bucket).objects == []
        assert store_setup.stored_bodies(bucket_id) == []


@pytest.mark.parametrize("store_setup", ["local"], indirect=True)
def test_local_store_of_schema_1_is_upgraded(store_setup):
    """A store written before multipart (schema 1) opens, keeps its objects
    and takes uploads."""
    before = b"before" * 3000  # a body in a file, as every body was then
    with pyrgw.Store(store_setup.uri) as s:
        s.create_user("u1", access_key="AK1", secret_key="SK1")
        s.create_bucket("bkt1", owner="u1")
        s.put_object("bkt1", "old", before)
    db = sqlite3.connect(os.path.join(store_setup.root, "meta.db"))
    with db:
        assert db.execute("SELECT count(*) FROM inline_bodies").fetchall() == [(0,)]
        for table in ("uploads", "parts", "segments", "inline_bodies"):
            db.execute(f"DROP TABLE {table}")
        db.execute("UPDATE schema_info SET version=1")
    db.close()
    with pyrgw.Store(store_setup.uri) as s:
        assert s.get_object("bkt1", "old") == before
        uid, infos = upload(s, "bkt1", "new", {1: b"after"})
        s.complete_upload("bkt1", uid, [infos[1]])
        assert s.get_object("bkt1", "new") == b"after"
    db = sqlite3.connect(os.path.join(store_setup.root, "meta.db"))
    assert db.execute("SELECT version FROM schema_info").fetchall() == [(5,)]
    db.close()


@drivers
def test_list_uploads_pages(store, bucket):
    made = []
    for key in ["k/3", "k/1", "k/2", "k/1", "j", "k/1", "l"]:
        made.append((key, store.create_upload(bucket, key).upload_id))
    everything = store.list_uploads(bucket)
    assert [(u.key, u.upload_id) for u in everything] == sorted(made)
    # Ids of one key sort by initiation time.
    k1 = [u for u in everything if u.key == "k/1"]
    assert [u.initiated_ns for u in k1] == sorted(u.initiated_ns for u in k1)
    paged, after = [], ("", "")
    while True:
        page = store.list_uploads(bucket, "", after[0], after[1], limit=2)
        assert len(page) <= 2
        paged += page
        if len(page) < 2:
            break
        after = (page[-1].key, page[-1].upload_id)
    assert [(u.key, u.upload_id) for u in paged] == sorted(made)
    assert [u.key for u in store.list_uploads(bucket, "k/", "k/1", "\x7f")] == ["k/2", "k/3"]
    assert [(u.key, u.upload_id) for u in store.iter_uploads(bucket, "k/")] == \
        sorted(m for m in made if m[0].startswith("k/"))
