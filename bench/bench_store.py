#!/usr/bin/env python3
"""Single-threaded PUT/GET throughput: raw librados vs pyrgw (RADOS and local).

Starts a throwaway Ceph cluster (tests/integration/ceph_cluster.py), then for
each object size measures, one operation at a time after a short warm-up:

  raw-rados    python-rados ``write_full`` / ``read`` on a pool
  pyrgw-rados  ``pyrgw.Store("rados:benchpfx?conf=...")`` put/get_object
  pyrgw-local  ``pyrgw.Store("local:<tmpdir>")`` put/get_object

in interleaved rounds, and prints the medians (ops/s, MiB/s) and the
pyrgw-rados / raw-rados ratios.  This is a
benchmark, not a test: it asserts nothing.  Exit code 1 if pyrgw could not be
imported or a pyrgw measurement failed (the raw figures are still printed).

    python3 bench/bench_store.py [--seconds 2] [--rounds 3] [--sizes 4K,4M] [--conf PATH]
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
from ceph_cluster import CephCluster  # noqa: E402

try:
    import rados
except ImportError:  # Debian's python3-rados, usable from any CPython 3.11
    sys.path.append("/usr/lib/python3/dist-packages")
    import rados

try:
    import pyrgw
except ImportError as e:
    pyrgw = None
    PYRGW_ERROR = e

NKEYS = 32          # distinct keys per size; PUTs overwrite them in turn
WARMUP_SECONDS = 0.3
MAX_OPS = 200000


def parse_size(text):
    """'4K' -> 4096, '4M' -> 4194304, '100' -> 100."""
    text = text.strip().upper().rstrip("B").rstrip("I")
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1:], 1)
    return int(text.rstrip("KMG")) * mult


def human(size):
    for unit, mult in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= mult and size % mult == 0:
            return "%d %s" % (size // mult, unit)
    return "%d B" % size


def timed(op, seconds):
    """Call op(i) for i = 0, 1, ... for ~seconds; return ops per second."""
    t0 = time.perf_counter()
    deadline = t0 + seconds
    n = 0
    while n < MAX_OPS:
        op(n)
        n += 1
        if time.perf_counter() >= deadline:
            break
    return n / (time.perf_counter() - t0)


def measure(put, get, size, seconds):
    """Return (put ops/s, get ops/s) for callables put(key, data), get(key)."""
    data = os.urandom(size)
    keys = ["obj-%d-%d" % (size, i) for i in range(NKEYS)]
    for k in keys:                       # warm-up, and every key exists
        put(k, data)
    bad = []

    def get_op(i):
        if len(get(keys[i % NKEYS])) != size:
            bad.append(i)

    timed(get_op, WARMUP_SECONDS)
    put_rate = timed(lambda i: put(keys[i % NKEYS], data), seconds)
    get_rate = timed(get_op, seconds)
    if bad:
        print("  warning: %d GETs returned the wrong length" % len(bad))
    return put_rate, get_rate


def raw_rados_backend(conf, cluster):
    """put/get callables on a fresh pool through python-rados."""
    pool = "benchraw"
    if cluster is not None:
        cluster.create_pool(pool)
    conn = rados.Rados(conffile=conf)
    conn.conf_set("rados_osd_op_timeout", "30")
    conn.connect(timeout=30)
    if cluster is None and not conn.pool_exists(pool):
        conn.create_pool(pool)
    ioctx = conn.open_ioctx(pool)

    def close():
        ioctx.close()
        conn.shutdown()
    sizes = {}

    def put(key, data):
        ioctx.write_full(key, data)
        sizes[key] = len(data)

    return put, lambda key: ioctx.read(key, length=sizes[key]), close


def pyrgw_backend(uri):
    """put/get callables through a pyrgw Store with a user and a bucket."""
    store = pyrgw.Store(uri)
    store.create_user("bench", display_name="Bench",
                      access_key="BENCHAK", secret_key="BENCHSK")
    store.create_bucket("bench", owner="bench")
    return (lambda key, data: store.put_object("bench", key, data),
            lambda key: store.get_object("bench", key),
            store.close)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=2.0,
                    help="wall time per measurement (default 2)")
    ap.add_argument("--rounds", type=int, default=3,
                    help="rounds over all backends; medians are reported (default 3)")
    ap.add_argument("--sizes", default="4K,4M",
                    help="comma-separated object sizes (default 4K,4M)")
    ap.add_argument("--conf", help="use this running cluster instead of "
                    "starting one (its pool 'benchraw' is created if missing)")
    args = ap.parse_args()
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]

    tmp = tempfile.mkdtemp(prefix="bench_store.")
    cluster = None
    failed = False
    results = {}  # (backend, size) -> (put ops/s, get ops/s)
    try:
        conf = args.conf
        if conf is None:
            cluster = CephCluster(os.path.join(tmp, "ceph"))
            t0 = time.monotonic()
            cluster.start()
            print("ceph cluster up in %.1f s (%s)" % (time.monotonic() - t0,
                                                      cluster.conf_path))
            conf = cluster.conf_path

        backends = [("raw-rados", lambda: raw_rados_backend(conf, cluster))]
        if pyrgw is None:
            print("pyrgw is missing (%s): measuring raw-rados only" % PYRGW_ERROR)
            failed = True
        else:
            backends.append(("pyrgw-rados", lambda: pyrgw_backend(
                "rados:benchpfx?conf=%s" % conf)))
            backends.append(("pyrgw-local", lambda: pyrgw_backend(
                "local:%s" % os.path.join(tmp, "local"))))

        opened = []
        for name, make in backends:
            try:
                opened.append((name,) + tuple(make()))
            except Exception as e:
                print("%s: setup failed: %r" % (name, e))
                failed = True
        # Rounds interleave the backends, so drift in the machine's load hits
        # them alike; the report takes the median of the rounds.
        samples = {}
        try:
            for rnd in range(args.rounds):
                for name, put, get, _ in opened:
                    for size in sizes:
                        print("round %d: %-12s %8s ..." % (rnd + 1, name, human(size)),
                              flush=True)
                        try:
                            samples.setdefault((name, size), []).append(
                                measure(put, get, size, args.seconds))
                        except Exception as e:
                            print("%s: failed: %r" % (name, e))
                            failed = True
        finally:
            for _, _, _, close in opened:
                close()
        for key, runs in samples.items():
            results[key] = (statistics.median(r[0] for r in runs),
                            statistics.median(r[1] for r in runs))
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    report(results, sizes, args.seconds)
    if pyrgw is None:
        print("\npyrgw is missing: only raw-rados was measured.")
    return 1 if failed else 0


def report(results, sizes, seconds):
    """Print the results table and the pyrgw-rados / raw-rados ratios."""
    print("\nsingle-threaded, ~%g s per measurement, median of the rounds" % seconds)
    print("%-12s %8s %11s %10s %11s %10s" % (
        "backend", "size", "PUT ops/s", "PUT MiB/s", "GET ops/s", "GET MiB/s"))
    for (name, size), (p, g) in results.items():
        mib = size / float(1 << 20)
        print("%-12s %8s %11.0f %10.1f %11.0f %10.1f" % (
            name, human(size), p, p * mib, g, g * mib))
    for size in sizes:
        raw, ours = results.get(("raw-rados", size)), results.get(("pyrgw-rados", size))
        if raw and ours:
            print("pyrgw-rados / raw-rados at %s: PUT %.2f  GET %.2f" % (
                human(size), ours[0] / raw[0], ours[1] / raw[1]))


if __name__ == "__main__":
    sys.exit(main())
