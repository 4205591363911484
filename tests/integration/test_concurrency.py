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
