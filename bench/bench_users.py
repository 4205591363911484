#!/usr/bin/env python3
"""RADOS ops and latency of the per-request metadata lookups.

Starts a throwaway Ceph cluster (tests/integration/ceph_cluster.py), then
through pyrgw on the RADOS driver measures, after a warm-up:

  get_user_by_access_key   what every signed S3 request does
  get_bucket               what every request on a bucket does
  S3 GET (--s3)            a signed 4 KiB GET through the WSGI door
  list_buckets(owner)      ListBuckets (owner with --buckets buckets), first
                           with one record in the bucket cache, then all

and prints lookups per second and the RADOS ops per lookup, counted on the
OSD itself (``perf dump`` on its admin socket: op_r, op_w, op).  This is a
benchmark, not a test: it asserts nothing.

    python3 bench/bench_users.py [--lookups 10000] [--buckets 50] [--conf PATH --asok PATH]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
from ceph_cluster import CephCluster  # noqa: E402

import pyrgw  # noqa: E402


def osd_ops(asok):
    out = subprocess.run(["ceph", "--admin-daemon", asok, "perf", "dump"],
                         check=True, capture_output=True, text=True).stdout
    osd = json.loads(out)["osd"]
    return {k: osd[k] for k in ("op", "op_r", "op_w")}


def measure(name, asok, fn, n):
    fn(0)  # warm-up: fills any cache
    before = osd_ops(asok)
    t0 = time.perf_counter()
    for i in range(n):
        fn(i)
    dt = time.perf_counter() - t0
    after = osd_ops(asok)
    d = {k: (after[k] - before[k]) / n for k in before}
    print("%-24s %7d calls %9.0f /s  ops/call: all %.3f  read %.3f  write %.3f"
          % (name, n, n / dt, d["op"], d["op_r"], d["op_w"]), flush=True)


def s3_get(store, uri, tmp, asok, uid, ak, sk, bucket, n):
    """Signed 4 KiB GETs through the WSGI door (gunicorn, 2 workers)."""
    import boto3
    from botocore.config import Config
    from s3_servers import start_wsgi

    store.put_object(bucket, "obj", os.urandom(4096))
    server = start_wsgi(uri, tmp)
    try:
        c = boto3.client("s3", endpoint_url=server.url, region_name="us-east-1",
                         aws_access_key_id=ak, aws_secret_access_key=sk,
                         config=Config(s3={"addressing_style": "path"}))
        for _ in range(20):  # every worker process warm
            c.get_object(Bucket=bucket, Key="obj")["Body"].read()
        measure("S3 GET 4 KiB (signed)", asok,
                lambda i: c.get_object(Bucket=bucket, Key="obj")["Body"].read(), n)
    finally:
        server.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lookups", type=int, default=10000)
    ap.add_argument("--buckets", type=int, default=50)
    ap.add_argument("--s3", action="store_true",
                    help="also signed GETs through the WSGI door (needs gunicorn, boto3)")
    ap.add_argument("--conf", help="a running cluster's ceph.conf (with --asok)")
    ap.add_argument("--asok", help="its OSD's admin socket")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench_users.")
    cluster = None
    try:
        conf, asok = args.conf, args.asok
        if conf is None:
            cluster = CephCluster(os.path.join(tmp, "ceph"))
            cluster.start()
            conf = cluster.conf_path
            asok = os.path.join(cluster.base_dir, "run", "osd.0.asok")
        tag = uuid.uuid4().hex[:8]
        with pyrgw.Store("rados:bu%s?conf=%s" % (tag, conf)) as store:
            uid = "bench-" + tag
            store.create_user(uid, access_key="AK" + tag, secret_key="SK" + tag)
            for i in range(args.buckets):
                store.create_bucket("b%d-%s" % (i, tag), owner=uid)
            store.create_user("other-" + tag)
            store.create_bucket("o-" + tag, owner="other-" + tag)
            n = args.lookups
            measure("get_user_by_access_key", asok,
                    lambda i: store.get_user_by_access_key("AK" + tag), n)
            measure("get_user", asok, lambda i: store.get_user(uid), n)
            measure("get_bucket", asok, lambda i: store.get_bucket("b0-" + tag), n)
            measure("list_buckets(owner) %d" % args.buckets, asok,
                    lambda i: store.list_buckets(uid), max(1, n // 100))
            if args.s3:
                s3_get(store, "rados:bu%s?conf=%s" % (tag, conf), tmp, asok, uid,
                       "AK" + tag, "SK" + tag, "b1-" + tag, max(1, n // 10))
            for i in range(args.buckets):  # every record in the bucket cache
                store.get_bucket("b%d-%s" % (i, tag))
            measure("  same, records cached", asok,
                    lambda i: store.list_buckets(uid), max(1, n // 100))
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
