#!/usr/bin/env python3
"""PUT on a bucket with versioning vs without (issue target: a versioned
PUT rate >= 0.8x the unversioned one), through the nginx module.

For each store (a fresh local store; a bucket on a throwaway Ceph cluster
started here, tests/integration/ceph_cluster.py, unless --no-rados), starts
Debian's nginx with ngx_http_rgw_module (2 workers, nginx.conf rendered by
pyrgw.nginx_conf), makes two buckets, ``plain`` and ``versioned``
(versioning Enabled), and drives SigV4-presigned PUTs of --size bytes into
each with ``wrk`` (the same script, threads and connections), rounds
interleaving the two buckets; the medians and their ratio are printed.
Every URL is checked to answer 2xx before timing; any wrk error or non-2xx
answer fails the run.  Afterwards the versioned bucket must hold one version
per acknowledged PUT of its keys (at least the requests wrk counted), the
plain bucket one object per key.

Then, with --deep N (default 100,000 on the local store, 20,000 on RADOS;
0: skip), it writes N versions of one key through pyrgw (8 writer threads)
and times reads of that key's current version against a key with a single
version (the median of 1,000 GETs each, through pyrgw, no HTTP): the
current version is found in one index read however many versions a key
has, so the two should match.  The deep key's newest version must be the
one read.

This is a benchmark, not a test: it asserts nothing about speed.

    python3 bench/bench_versioning.py [--seconds 5] [--rounds 3] [--size 4k]
        [--conns 16] [--keys 200] [--deep N] [--no-rados]
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import types

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
from bench_nginx import module_conf, parse_size, start_nginx, write_list  # noqa: E402
from bench_util import (  # noqa: E402
    AK,
    SK,
    UID,
    WRK_LUA,
    check_all,
    client,
    machine_cpu,
    proc_tree,
    request_target,
    run_wrk,
    stop_proc,
)
from ceph_cluster import CephCluster, free_port  # noqa: E402

BUCKETS = ("plain", "versioned")


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=5, help="wrk duration per run (default 5)")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    ap.add_argument("--size", default="4k", help="object size (default 4k)")
    ap.add_argument("--conns", type=int, default=16, help="wrk connections (default 16)")
    ap.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    ap.add_argument("--keys", type=int, default=200, help="distinct keys per bucket (default 200)")
    ap.add_argument("--no-rados", action="store_true", help="the local store only")
    ap.add_argument("--deep", type=int, default=None,
                    help="versions of one key for the read test (default 100000 local, "
                    "20000 RADOS; 0: skip)")
    args = ap.parse_args()
    args.size = parse_size(args.size)
    args.module = os.path.abspath(
        os.environ.get("LIBRGW_NGINX_MODULE") or
        os.path.join(REPO, "build", "nginx", "objs", "ngx_http_rgw_module.so"))
    return args


def prepare(port, args, tmp, name):
    """The two buckets and their presigned PUT URLs, each checked once."""
    c = client(port)
    files = {}
    body = os.urandom(args.size)
    for bucket in BUCKETS:
        c.create_bucket(Bucket=bucket)
        if bucket == "versioned":
            c.put_bucket_versioning(Bucket=bucket,
                                    VersioningConfiguration={"Status": "Enabled"})
        urls = [request_target(c.generate_presigned_url(
            "put_object", Params={"Bucket": bucket, "Key": "k%05d" % i}, ExpiresIn=6 * 3600))
            for i in range(args.keys)]
        check_all(port, "PUT", urls, args.size, body)
        files[bucket] = write_list(tmp, name, bucket, args.size, urls)
    return files


def count_versions(port):
    """(objects in plain, versions in versioned), listed through S3."""
    c = client(port)
    plain = sum(len(p.get("Contents", []))
                for p in c.get_paginator("list_objects_v2").paginate(Bucket="plain"))
    versions = sum(len(p.get("Versions", []))
                   for p in c.get_paginator("list_object_versions").paginate(Bucket="versioned"))
    return plain, versions


def deep_read(label, uri, n, results):
    """Writes n versions of one key, then times GETs of its current version
    against a key with one version; records (median us deep, median us one)."""
    import concurrent.futures

    import pyrgw

    with pyrgw.Store(uri) as s:
        s.create_bucket("deep", UID)
        b = s.get_bucket("deep")
        b.versioning = pyrgw.Versioning.enabled
        s.update_bucket(b)
        s.put_object("deep", "single", b"s" * 4096)
    t0 = time.monotonic()

    def put_many(count):
        with pyrgw.Store(uri) as s:
            for _ in range(count):
                s.put_object("deep", "key", b"d" * 4096)

    per = [n // 8 + (1 if i < n % 8 else 0) for i in range(8)]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(put_many, per))
    last = None
    with pyrgw.Store(uri) as s:
        last = s.put_object("deep", "key", b"last" + b"d" * 4092)  # the newest, known
        write_s = time.monotonic() - t0

        def timed(key):
            times = []
            for _ in range(1000):
                t = time.perf_counter()
                data = s.get_object("deep", key)
                times.append(time.perf_counter() - t)
            return statistics.median(times) * 1e6, data

        timed("key"), timed("single")  # warm both
        deep_us, data = timed("key")
        one_us, _ = timed("single")
        ok = data[:4] == b"last" and s.stat_object("deep", "key").version_id == last.version_id
    print("%s: %d versions of one key written in %.0f s (%.0f/s); GET of its current "
          "version %.0f us, of a one-version key %.0f us (medians of 1000)%s" % (
              label, n + 1, write_s, (n + 1) / write_s, deep_us, one_us,
              "" if ok else "  !!! the newest version was not the one read"))
    results[label + "-deep"] = (n + 1, deep_us, one_us, not ok)


def bench_store(label, uri, args, tmp, osd_pids, results):
    import pyrgw

    with pyrgw.Store(uri) as store:
        store.create_user(UID, display_name=UID, access_key=AK, secret_key=SK)
    port = free_port()
    conf_args = types.SimpleNamespace(workers=2, ngx_threads=None, ngx_buffer_size="128k",
                                      module=args.module)
    proc, log = start_nginx(label, module_conf(uri, port, os.path.join(tmp, label), conf_args),
                            port, tmp)
    try:
        files = prepare(port, args, tmp, label)
        script = os.path.join(tmp, "bench.lua")
        with open(script, "w") as f:
            f.write(WRK_LUA)
        samples = {b: [] for b in BUCKETS}
        acknowledged = {b: args.keys for b in BUCKETS}  # the checking PUTs
        failed = False
        for rnd in range(args.rounds):
            order = BUCKETS if rnd % 2 == 0 else tuple(reversed(BUCKETS))
            for bucket in order:
                r = run_wrk(port, "PUT", args.size, files[bucket], script, args.threads,
                            args.conns, args.seconds, proc_tree(proc.pid), osd_pids)
                samples[bucket].append(r)
                acknowledged[bucket] += r["requests"]
                note = ""
                if r["errors"]:
                    failed = True
                    note = "  !!! ERRORS: %s" % r["errors"]
                print("round %d: %-6s %-9s PUT %8.0f req/s  p99 %7.2f ms  server %4.0f%%%s" % (
                    rnd + 1, label, bucket, r["rps"], r["p99_ms"], r["srv_cpu"], note),
                    flush=True)
        plain, versions = count_versions(port)
        # wrk counts requests it got an answer to; all of them were 2xx (no
        # errors), so each made a version.
        if plain != args.keys or versions < acknowledged["versioned"]:
            failed = True
            print("!!! %s: %d objects in plain (want %d), %d versions (want >= %d)" % (
                label, plain, args.keys, versions, acknowledged["versioned"]))
        else:
            print("%s: checked: %d objects in plain, %d versions in versioned" % (
                label, plain, versions))
        med = {b: statistics.median(s["rps"] for s in samples[b]) for b in BUCKETS}
        p99 = {b: statistics.median(s["p99_ms"] for s in samples[b]) for b in BUCKETS}
        results[label] = (med, p99, failed)
    finally:
        stop_proc(proc)


def main():
    args = parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    tmp = tempfile.mkdtemp(prefix="bench_versioning.")
    cluster = None
    results = {}
    failed = False
    busy0, _ = machine_cpu()
    t0 = time.monotonic()
    try:
        local_uri = "local:%s" % os.path.join(tmp, "local-store")
        bench_store("local", local_uri, args, tmp, [], results)
        deep = 100000 if args.deep is None else args.deep
        if deep > 0:
            deep_read("local", local_uri, deep, results)
        if not args.no_rados:
            cluster = CephCluster(os.path.join(tmp, "ceph"))
            cluster.start()
            osd = [cluster.pids()["osd.0"], cluster.pids()["mon.a"]]
            rados_uri = "rados:vbench?conf=%s" % cluster.conf_path
            bench_store("rados", rados_uri, args, tmp, osd, results)
            deep = 20000 if args.deep is None else args.deep
            if deep > 0:
                deep_read("rados", rados_uri, deep, results)
    except Exception as e:
        print("FAILED: %s" % e)
        failed = True
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    busy1, _ = machine_cpu()
    print("\nPUT of %d bytes, %d connections, %d rounds of %d s (medians); machine CPU %.0f%% "
          "of one core on average over the run" % (
              args.size, args.conns, args.rounds, args.seconds,
              100.0 * (busy1 - busy0) / (time.monotonic() - t0)))
    print("%-6s %12s %12s %8s %10s %10s" % ("store", "plain req/s", "versioned", "ratio",
                                             "p99 plain", "p99 vers."))
    for label, figures in results.items():
        if label.endswith("-deep"):
            n, deep_us, one_us, bad = figures
            failed |= bad
            print("%-6s GET of the current version with %d versions: %.0f us; with 1: %.0f us "
                  "(%.2fx)" % (label[:-5], n, deep_us, one_us, deep_us / one_us))
            continue
        med, p99, bad = figures
        failed |= bad
        print("%-6s %12.0f %12.0f %7.2fx %8.1fms %8.1fms  (target >= 0.8x)" % (
            label, med["plain"], med["versioned"], med["versioned"] / med["plain"],
            p99["plain"], p99["versioned"]))
    if failed:
        print("\n!!! the run FAILED: see the messages above")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
