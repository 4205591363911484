#!/usr/bin/env python3
"""How fast the expirer clears expired objects (issue target: 100,000
objects at >= 5,000 objects/s on the local store; the RADOS figure reported).

For each store (a fresh local store; a bucket on a throwaway Ceph cluster
started here, tests/integration/ceph_cluster.py), writes N objects that
expire one second later (with W writer threads: filling is not what is
measured), waits for the time to pass, then runs one expirer pass
(``Store.expire``, the pass ``librgw-agent expirer`` runs) and prints the
objects it removed per second.  Checks that every object was removed and
that the objects without an expiry are all still there.  A benchmark, not a
test: it asserts nothing about speed.

    python3 bench/bench_expiry.py [--local 100000] [--rados 5000] [--writers 8]
"""

import argparse
import concurrent.futures
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
from ceph_cluster import CephCluster  # noqa: E402

import pyrgw  # noqa: E402


def fill(uri, n, writers, keep=100):
    with pyrgw.Store(uri) as s:
        s.create_user("bench", display_name="bench")
        s.create_bucket("exp", owner="bench")
    due = int(time.time()) + 2
    started = time.monotonic()

    def put_range(lo, hi):
        with pyrgw.Store(uri) as s:
            for i in range(lo, hi):
                s.put_object("exp", f"obj/{i:08d}", b"x", delete_at=due)

    step = (n + writers - 1) // writers
    with concurrent.futures.ThreadPoolExecutor(writers) as pool:
        list(pool.map(lambda lo: put_range(lo, min(n, lo + step)), range(0, n, step)))
    with pyrgw.Store(uri) as s:
        for i in range(keep):
            s.put_object("exp", f"keep/{i:04d}", b"k")
    fill_rate = n / (time.monotonic() - started)
    time.sleep(max(0.0, due + 1 - time.time()))
    return fill_rate


def expire(uri, n, keep=100):
    with pyrgw.Store(uri) as s:
        started = time.monotonic()
        r = s.expire(holder="bench", lease_seconds=60)
        took = time.monotonic() - started
        left = s.bucket_stats("exp").num_objects
    ok = r.removed_objects == n and left == keep
    return n / took, took, r, ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--local", type=int, default=100000, help="objects on the local store")
    ap.add_argument("--rados", type=int, default=5000, help="objects on RADOS (0: skip)")
    ap.add_argument("--writers", type=int, default=8, help="threads filling the store")
    a = ap.parse_args()
    print(f"machine: {os.cpu_count()} CPUs; pyrgw {pyrgw.__version__}")
    rows = []
    tmp = tempfile.mkdtemp(prefix="bench-expiry-")
    cluster = None
    try:
        uri = "local:" + os.path.join(tmp, "store")
        fill_rate = fill(uri, a.local, a.writers)
        rows.append(("local", a.local, fill_rate) + expire(uri, a.local))
        if a.rados:
            cluster = CephCluster(os.path.join(tmp, "ceph"))
            cluster.start()
            uri = f"rados:benchexp?conf={cluster.conf_path}"
            fill_rate = fill(uri, a.rados, a.writers)
            rows.append(("rados", a.rados, fill_rate) + expire(uri, a.rados))
    finally:
        if cluster:
            cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{'store':6} {'objects':>8} {'fill/s':>9} {'expired/s':>10} {'pass s':>7} "
          f"{'stale':>6} {'checks':>7}")
    failed = False
    for store, n, fill_rate, rate, took, r, ok in rows:
        print(f"{store:6} {n:8d} {fill_rate:9.0f} {rate:10.0f} {took:7.2f} "
              f"{r.stale_entries:6d} {'ok' if ok else 'FAILED':>7}")
        failed |= not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
