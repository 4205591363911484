"""Several processes writing and reading the same keys at once."""
import hashlib
import os
import subprocess
import sys
import threading
import time

import pytest
from store_worker import check_body, pattern

import pyrgw

WORKER = os.path.join(os.path.dirname(__file__), "store_worker.py")


def test_processes_share_keys(store, store_setup, bucket):
    nkeys, rounds, workers = 4, 8, 4
    procs = [subprocess.Popen([sys.executable, WORKER, "hammer", store_setup.uri, bucket,
                               str(w), str(rounds), str(nkeys)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for w in range(workers)]
    outputs = [p.communicate(timeout=600)[0] for p in procs]
    for p, out in zip(procs, outputs):
        assert p.returncode == 0, out
        assert out.strip().endswith("done"), out

    listing = store.list_objects(bucket).objects
    assert [o.key for o in listing] == [f"shared-{k}" for k in range(nkeys)]
    for o in listing:
        data = store.get_object(bucket, o.key)
        assert check_body(data)
        st = store.stat_object(bucket, o.key)
        assert (o.size, o.etag) == (st.size, st.etag) == (len(data), hashlib.md5(data).hexdigest())
    stats = store.bucket_stats(bucket)
    assert stats.num_objects == nkeys
    # Everything overwritten is reclaimable; what is current stays readable.
    store.gc(grace_seconds=0)
    for o in listing:
        assert check_body(store.get_object(bucket, o.key))


def _open_at_once(path, barrier, results):
    import pyrgw

    barrier.wait()
    try:
        with pyrgw.Store("local:" + path):
            results.put(None)
    except Exception as e:  # noqa: BLE001 - reported below
        results.put(repr(e))


def test_processes_opening_a_new_local_store_at_once(tmp_path):
    """Four processes open the same new local store at the same instant, 30
    times (a web server's workers starting on a fresh store): every open
    succeeds.  (Switching a new database to WAL mode used to fail one of
    them with "database is locked".)"""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    failures = []
    for i in range(30):
        barrier, results = ctx.Barrier(4), ctx.Queue()
        procs = [ctx.Process(target=_open_at_once, args=(str(tmp_path / f"s{i}"), barrier, results))
                 for _ in range(4)]
        for p in procs:
            p.start()
        outcomes = [results.get(timeout=120) for _ in procs]
        for p in procs:
            p.join(60)
        failures += [o for o in outcomes if o]
    assert failures == []


@pytest.mark.parametrize("store_setup", ["rados"], indirect=True)
def test_one_process_writers_group_their_index_changes(store, store_setup, bucket,
                                                       ceph_cluster):
    """Sixteen threads of one process PUT at once into one bucket, four of
    them to the same keys.  The index changes of concurrent writers travel
    grouped (rados/index_batch.h): the OSD executes fewer ops than one per
    change.  And every answer is as if each writer were alone: the listing
    holds each key once with its head's size and ETag, and no write is left
    in flight in the index."""
    threads, puts = 16, 40
    shared = [f"shared-{i}" for i in range(4)]
    errors = []

    def writer(t):
        try:
            for i in range(puts):
                key = shared[(t + i) % 4] if t < 4 else f"own-{t}-{i}"
                store.put_object(bucket, key, f"{t}:{i}:".encode() * (1 + i % 7))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))

    before = ceph_cluster.osd_ops()
    workers = [threading.Thread(target=writer, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    spent = ceph_cluster.osd_ops() - before
    assert not errors, errors
    # Alone, every PUT here costs at least 3 ops that the OSD counts: its
    # pending record, the head swap and its index entry (and the read of
    # the head it replaces; a read that finds none is not counted): 3.3 per
    # PUT were counted before grouping, 1.6 with it.  Grouped, the index
    # changes of writers in flight together share ops.
    assert spent < 2.5 * threads * puts, spent

    want = sorted(shared + [f"own-{t}-{i}" for t in range(4, threads) for i in range(puts)])
    listing = list(store.iter_objects(bucket))
    assert sorted(o.key for o in listing) == want
    for o in listing:
        data = store.get_object(bucket, o.key)
        st = store.stat_object(bucket, o.key)
        assert (o.size, o.etag) == (st.size, st.etag) == (len(data), hashlib.md5(data).hexdigest())
    # Each PUT was answered before its entry landed (detached, index_batch.h);
    # the last ones land on their own, moments later.
    deadline = time.monotonic() + 10
    while True:
        keys = store_setup.index_keys(store.get_bucket(bucket).id)
        in_flight = [k for k in keys if k.startswith(b"\xffp")]
        if not in_flight or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert in_flight == []  # nothing left in flight
    assert sorted(k.decode() for k in keys if not k.startswith(b"\xff")) == want


@pytest.mark.parametrize("store_setup", ["rados"], indirect=True)
def test_an_answered_put_entry_lands_with_nobody_waiting(store_setup, bucket):
    """A small PUT is answered once its head is swapped in; its index entry
    is sent detached.  Alone (no other writer to carry it along), it still
    lands, and a store closed right after a burst of PUTs first lets every
    entry land: the index then holds every key and no write in flight."""
    with pyrgw.Store(store_setup.uri) as s:
        bucket_id = s.get_bucket(bucket).id
        s.put_object(bucket, "alone", b"one body")
        deadline = time.monotonic() + 10
        while True:
            keys = store_setup.index_keys(bucket_id)
            if (b"alone" in keys and not [k for k in keys if k.startswith(b"\xffp")]) \
                    or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        assert b"alone" in keys
        assert [k for k in keys if k.startswith(b"\xffp")] == []

        def burst(t):
            for i in range(25):
                s.put_object(bucket, f"burst-{t}-{i}", f"{t}:{i}".encode())

        threads = [threading.Thread(target=burst, args=(t,)) for t in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    # Closed: no waiting here.
    keys = store_setup.index_keys(bucket_id)
    assert [k for k in keys if k.startswith(b"\xffp")] == []
    want = sorted(["alone"] + [f"burst-{t}-{i}" for t in range(8) for i in range(25)])
    assert sorted(k.decode() for k in keys if not k.startswith(b"\xff")) == want


# Steps of a RADOS PUT, each passed once per writer: killed there after 40
# passes, the other writers of the process have index changes queued or in
# flight in the same groups.
GROUPED_STEPS = ["rados:put:before-head-swap", "rados:put:after-head-swap",
                 "rados:put:before-index"]


@pytest.mark.parametrize("store_setup", ["rados"], indirect=True)
@pytest.mark.parametrize("point", GROUPED_STEPS)
def test_crash_amid_grouped_index_writes(store, store_setup, bucket, point):
    """Eight writers of one process, the process killed at a step of one
    PUT while the others' index changes travel grouped: every acknowledged
    PUT is there with its bytes, a listing shows only whole objects, and gc
    resolves every write left in flight, leaving the listed objects' heads
    and nothing else."""
    size = 3000
    env = dict(os.environ, LIBRGW_CRASH_AT=point, LIBRGW_CRASH_AFTER="40")
    child = subprocess.Popen([sys.executable, WORKER, "put_acked", store_setup.uri, bucket, "w",
                              "8", "200", str(size)],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = child.communicate(timeout=300)
    assert child.returncode == 77, out[-2000:] + err[-2000:]  # the crash point's status
    lines = out.split("\n")[:-1]  # a crash may cut the last line
    acked = {line.split()[1] for line in lines if line.startswith("acked ")}
    assert acked, "no PUT was acknowledged before the crash: nothing was checked"

    def check_listing():
        listed = {o.key: o for o in store.iter_objects(bucket)}
        for key, o in listed.items():
            body = pattern(size, key)
            etag = hashlib.md5(body).hexdigest()
            assert (o.size, o.etag) == (size, etag), key
            assert store.get_object(bucket, key) == body, key
        return set(listed)

    listed = check_listing()
    assert acked <= listed, sorted(acked - listed)
    # Listed but not acknowledged: writers whose head was swapped in when
    # the process died (at most one per writer).
    assert len(listed - acked) <= 8
    store.gc(grace_seconds=0)
    assert check_listing() == listed
    bucket_id = store.get_bucket(bucket).id
    assert store_setup.stored_bodies(bucket_id) == sorted(f"{bucket_id}_{k}" for k in listed)
    keys = store_setup.index_keys(bucket_id)
    assert [k for k in keys if k.startswith(b"\xffp")] == []  # nothing left in flight
