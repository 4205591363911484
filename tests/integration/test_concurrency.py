"""Several processes writing and reading the same keys at once."""
import hashlib
import os
import subprocess
import sys

from store_worker import check_body

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
