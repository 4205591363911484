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

This is a benchmark, not a test: it asserts nothing about speed.

    python3 bench/bench_versioning.py [--seconds 5] [--rounds 3] [--size 4k]
        [--conns 16] [--keys 200] [--no-rados]
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
        bench_store("local", "local:%s" % os.path.join(tmp, "local-store"), args, tmp, [],
                    results)
        if not args.no_rados:
            cluster = CephCluster(os.path.join(tmp, "ceph"))
            cluster.start()
            osd = [cluster.pids()["osd.0"], cluster.pids()["mon.a"]]
            bench_store("rados", "rados:vbench?conf=%s" % cluster.conf_path, args, tmp, osd,
                        results)
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
    for label, (med, p99, bad) in results.items():
        failed |= bad
        print("%-6s %12.0f %12.0f %7.2fx %8.1fms %8.1fms  (target >= 0.8x)" % (
            label, med["plain"], med["versioned"], med["versioned"] / med["plain"],
            p99["plain"], p99["versioned"]))
    if failed:
        print("\n!!! the run FAILED: see the messages above")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
