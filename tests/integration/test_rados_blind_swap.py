"""The RADOS PUT over a head its own process wrote with the body in it: no
read of the old head, one swap guarded by rgw.inline and rgw.epoch
(rados/inline_heads.h, docs/rados-layout.md).  The guard is what keeps it
safe when another process replaced or removed that head meanwhile, and
the crash points of a PUT apply to it as to any."""
import hashlib
import os
import subprocess
import sys
import time

import pytest
from store_worker import CRASHED, other_process, pattern

WORKER = os.path.join(os.path.dirname(__file__), "store_worker.py")
TAILS = 9 * 1024 * 1024 + 1  # a body in three tail objects


def etag(data):
    return hashlib.md5(data).hexdigest()


def check(store, bucket, key, data):
    """Read, stat and listing all show exactly these bytes for key."""
    assert store.get_object(bucket, key) == data
    st = store.stat_object(bucket, key)
    assert (st.size, st.etag) == (len(data), etag(data))
    listed = {o.key: (o.size, o.etag) for o in store.list_objects(bucket).objects}
    assert listed[key] == (len(data), etag(data))


@pytest.mark.parametrize("store_setup", ["rados"], indirect=True)
def test_replacing_a_head_of_its_own_skips_the_read(store, store_setup, bucket, ceph_cluster):
    """Twenty overwrites of keys this process wrote cost the OSD one op
    each fewer than twenty of keys another process wrote (the read of the
    old head)."""
    n = 20
    for i in range(n):
        store.put_object(bucket, f"own-{i}", b"first")
    other_process(store_setup.uri, f"[s.put_object({bucket!r}, f'theirs-{{i}}', b'first') "
                                   f"for i in range({n})]")

    def ops_for(prefix):
        before = ceph_cluster.osd_ops()
        for i in range(n):
            store.put_object(bucket, f"{prefix}-{i}", b"second " + prefix.encode())
        return ceph_cluster.osd_ops() - before

    theirs = ops_for("theirs")  # read, then swap (then these heads are known)
    own = ops_for("own")        # swapped blind
    assert own <= theirs - 0.75 * n, (own, theirs)
    for prefix in ("own", "theirs"):
        for i in range(n):
            check(store, bucket, f"{prefix}-{i}", b"second " + prefix.encode())


@pytest.mark.parametrize("store_setup", ["rados"], indirect=True)
def test_a_head_replaced_with_tails_elsewhere_is_read_and_its_tails_reclaimed(
        store, store_setup, bucket):
    """Known here as a head with its body; another process replaces it with
    a body in tails; the next small PUT here fails its blind guard, reads
    the head and swaps as usual, queueing those tails: after gc only the
    head is left."""
    bucket_id = store.get_bucket(bucket).id
    store.put_object(bucket, "k", b"small, known here")
    other_process(store_setup.uri,
                  f"s.put_object({bucket!r}, 'k', b'x' * {TAILS})")
    assert len(store_setup.stored_bodies(bucket_id)) == 1 + 3
    store.put_object(bucket, "k", b"small again")
    check(store, bucket, "k", b"small again")
    store.gc(grace_seconds=0)
    check(store, bucket, "k", b"small again")
    assert store_setup.stored_bodies(bucket_id) == [f"{bucket_id}_k"]


def data_pool(store_setup):
    """An open ioctx on the RADOS store's data pool (Debian's python3-rados)."""
    import rados

    prefix, _, query = store_setup.uri[len("rados:"):].partition("?")
    conf = dict(p.split("=", 1) for p in query.split("&"))["conf"]
    cluster = rados.Rados(conffile=conf)
    cluster.connect()
    return cluster, cluster.open_ioctx(prefix + ".data")


def encode_epoch(ns):
    """An epoch as heads and the index store it: 9 big-endian 7-bit bytes."""
    return bytes((ns >> (7 * (8 - i))) & 0x7F for i in range(9))


@pytest.mark.parametrize("store_setup", ["rados"], indirect=True)
def test_a_head_of_a_clock_ahead_is_never_replaced_by_an_older_epoch(store, store_setup, bucket):
    """A key's epochs grow along its heads.  Its head rewritten by a writer
    whose clock runs an hour ahead (its epoch set here by hand), the next
    blind PUT from this process, whose clock gives an older epoch, fails its
    guard, reads the head and swaps with an epoch past it."""
    store.put_object(bucket, "k", b"one")  # known here as a head with its body
    head = store.get_bucket(bucket).id + "_k"
    ahead = encode_epoch(time.time_ns() + 3600 * 10**9)
    cluster, io = data_pool(store_setup)
    try:
        io.set_xattr(head, "rgw.epoch", ahead)
        store.put_object(bucket, "k", b"two")
        assert io.get_xattr(head, "rgw.epoch") > ahead
    finally:
        io.close()
        cluster.shutdown()
    check(store, bucket, "k", b"two")


@pytest.mark.parametrize("store_setup", ["rados"], indirect=True)
def test_a_head_removed_or_rewritten_elsewhere_is_not_overwritten_blind(
        store, store_setup, bucket):
    """Removed by another process: the blind swap finds no head and the PUT
    creates one.  Rewritten by another process: the last write wins, and
    reads, listings and gc agree on it."""
    store.put_object(bucket, "gone", b"one")
    other_process(store_setup.uri, f"s.delete_object({bucket!r}, 'gone')")
    store.put_object(bucket, "gone", b"two")
    check(store, bucket, "gone", b"two")

    store.put_object(bucket, "k", b"one")
    other_process(store_setup.uri, f"s.put_object({bucket!r}, 'k', b'two')")
    store.put_object(bucket, "k", b"three")
    check(store, bucket, "k", b"three")
    store.gc(grace_seconds=0)
    check(store, bucket, "k", b"three")


# (crash point, which write a reader sees afterwards)
BLIND_POINTS = [
    ("rados:put:before-head-swap", "first"),
    ("rados:put:after-head-swap", "second"),
    ("rados:put:before-index", "second"),
]


@pytest.mark.parametrize("store_setup", ["rados"], indirect=True)
@pytest.mark.parametrize("point,survivor", BLIND_POINTS)
def test_crash_during_a_blind_swap(store, store_setup, bucket, point, survivor):
    """A process writes a key, then dies at a step of its second PUT of it
    (a blind swap): readers and listings show one whole write, and gc
    leaves the head alone and no record in flight."""
    bucket_id = store.get_bucket(bucket).id
    store.put_object(bucket, "obj", pattern(1000, "old"))
    env = dict(os.environ, LIBRGW_CRASH_AT=point, LIBRGW_CRASH_AFTER="1")
    res = subprocess.run([sys.executable, WORKER, "put_again", store_setup.uri, bucket, "obj",
                          "1000", "blind"], env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == CRASHED, res.stdout + res.stderr
    assert "first committed" in res.stdout
    want = pattern(1000, "blind-first" if survivor == "first" else "blind")
    check(store, bucket, "obj", want)
    store.gc(grace_seconds=0)
    check(store, bucket, "obj", want)
    assert store_setup.stored_bodies(bucket_id) == [f"{bucket_id}_obj"]
    assert [k for k in store_setup.index_keys(bucket_id) if k.startswith(b"\xff")] == []
