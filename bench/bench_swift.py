#!/usr/bin/env python3
"""Swift next to S3 on the same door and store: does Swift cost more per request?

Starts Debian's nginx with ngx_http_rgw_module on the local store and on a
throwaway Ceph cluster (tests/integration/ceph_cluster.py), one user with S3
keys, a Swift identity and a Temp-URL-Key, and drives each with ``wrk``
(bench_util's script, the same threads and connections everywhere) for one
object size (4 KiB by default) and five kinds of request:

  s3-GET        GET through SigV4 presigned URLs (signature checked per request)
  swift-GET     GET with X-Auth-Token (token checked per request)
  tempurl-GET   GET through Swift temporary URLs (signature checked per request)
  s3-PUT        PUT through SigV4 presigned URLs
  swift-PUT     PUT with X-Auth-Token

Every URL is fetched once before timing and must answer 2xx with the
object's bytes; any wrk error or short GET fails the run.  Rounds
interleave the kinds (their order rotates); medians are reported with the
ratios Swift / S3 (the issue's target: >= 0.95) and the CPU split.

This is a benchmark, not a test: it asserts nothing.  Exit code 1 if a
server could not be set up or a measurement failed.

    python3 bench/bench_swift.py [--seconds 4] [--rounds 3] [--size 4k] [--conns 16]
        [--stores local,rados] [--quick]
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
sys.path.insert(0, HERE)
from bench_nginx import log_problems, module_conf, parse_size, start_nginx  # noqa: E402
from bench_util import (  # noqa: E402
    AK,
    SK,
    UID,
    WRK_LUA,
    check_all,
    client,
    proc_tree,
    request_target,
    run_wrk,
    stop_proc,
)
from ceph_cluster import CephCluster, free_port  # noqa: E402

BUCKET = "swiftbench"
SWIFT_USER, SWIFT_KEY, TEMP_URL_KEY = "bench:swift", "benchswiftkey", "benchtempurlkey"
KINDS = ("s3-GET", "swift-GET", "tempurl-GET", "s3-PUT", "swift-PUT")
PAIRS = (("swift-GET", "s3-GET"), ("tempurl-GET", "s3-GET"), ("swift-PUT", "s3-PUT"))


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=int, default=4, help="wrk run, whole seconds (default 4)")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    ap.add_argument("--size", default="4k", help="object size (default 4k)")
    ap.add_argument("--conns", type=int, default=16, help="wrk connections (default 16)")
    ap.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    ap.add_argument("--keys", type=int, default=200, help="distinct objects per kind")
    ap.add_argument("--stores", default="local,rados", help="local, rados or both")
    ap.add_argument("--workers", default=2, help="nginx workers (default 2)")
    ap.add_argument("--quick", action="store_true", help="1 round of 2 s, 50 keys")
    args = ap.parse_args()
    if args.quick:
        args.rounds, args.seconds, args.keys = 1, 2, 50
    args.size = parse_size(args.size)
    args.module = os.environ.get("LIBRGW_NGINX_MODULE") or os.path.join(
        REPO, "build", "nginx", "objs", "ngx_http_rgw_module.so")
    args.ngx_threads, args.ngx_buffer_size = None, "128k"
    return args


def prepare(port, args, workdir, name):
    """The user's objects and request lists; returns {kind: (paths file, header)}."""
    import requests

    import pyrgw

    s3 = client(port)
    s3.create_bucket(Bucket=BUCKET)
    body = os.urandom(args.size)
    keys = ["obj-%05d" % i for i in range(args.keys)]
    for k in keys:
        s3.put_object(Bucket=BUCKET, Key=k, Body=body)
    r = requests.get("http://127.0.0.1:%d/auth/v1.0" % port, timeout=30,
                     headers={"X-Auth-User": SWIFT_USER, "X-Auth-Key": SWIFT_KEY})
    r.raise_for_status()
    token = ("X-Auth-Token", r.headers["X-Auth-Token"])
    account = "/swift/v1/AUTH_%s" % UID
    requests.post("http://127.0.0.1:%d%s" % (port, account), timeout=30,
                  headers={token[0]: token[1],
                           "X-Account-Meta-Temp-URL-Key": TEMP_URL_KEY}).raise_for_status()
    lists = {
        "s3-GET": ([request_target(s3.generate_presigned_url(
            "get_object", Params={"Bucket": BUCKET, "Key": k}, ExpiresIn=6 * 3600))
            for k in keys], None),
        "swift-GET": (["%s/%s/%s" % (account, BUCKET, k) for k in keys], token),
        "tempurl-GET": ([pyrgw.temp_url("%s/%s/%s" % (account, BUCKET, k), 6 * 3600,
                                        TEMP_URL_KEY, "GET") for k in keys], None),
        "s3-PUT": ([request_target(s3.generate_presigned_url(
            "put_object", Params={"Bucket": BUCKET, "Key": "s3put-" + k}, ExpiresIn=6 * 3600))
            for k in keys], None),
        "swift-PUT": (["%s/%s/swiftput-%s" % (account, BUCKET, k) for k in keys], token),
    }
    files = {}
    for kind, (paths, header) in lists.items():
        op = kind.split("-")[1]
        check_all(port, op, paths, args.size, body, header)
        path = os.path.join(workdir, "%s-%s.txt" % (name, kind))
        with open(path, "w") as f:
            f.write("\n".join(paths) + "\n")
        files[kind] = (path, header)
    return files


def main():
    args = parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    import pyrgw

    stores = [s for s in args.stores.split(",") if s]
    workdir = tempfile.mkdtemp(prefix="librgw-bench-swift-")
    script = os.path.join(workdir, "bench.lua")
    with open(script, "w") as f:
        f.write(WRK_LUA)
    cluster, servers = None, {}
    try:
        if "rados" in stores:
            cluster = CephCluster(os.path.join(workdir, "ceph"))
            cluster.start()
        setup = {}
        for store in stores:
            uri = ("local:" + os.path.join(workdir, "store") if store == "local" else
                   "rados:swbench?conf=" + cluster.conf_path)
            with pyrgw.Store(uri) as st:
                st.create_user(UID, display_name=UID, access_key=AK, secret_key=SK,
                               swift_user=SWIFT_USER, swift_key=SWIFT_KEY)
            port = free_port()
            prefix = os.path.join(workdir, "ngx-" + store)
            proc, log = start_nginx("ngx-" + store, module_conf(uri, port, prefix, args), port,
                                    workdir)
            servers[store] = (proc, log)
            osd = list(cluster.pids().values()) if cluster and store == "rados" else []
            setup[store] = (port, prepare(port, args, workdir, store), proc, osd)
        samples = {}
        for rnd in range(args.rounds):
            order = KINDS[rnd % len(KINDS):] + KINDS[:rnd % len(KINDS)]
            for store in stores:
                port, files, proc, osd = setup[store]
                for kind in order:
                    path, header = files[kind]
                    samples.setdefault((store, kind), []).append(run_wrk(
                        port, kind.split("-")[1], args.size, path, script, args.threads,
                        args.conns, args.seconds, proc_tree(proc.pid), osd, header))
        for store, (_, log) in servers.items():
            problems = log_problems(log)
            if problems:
                raise RuntimeError("ngx-%s logged problems:\n%s" % (store, "\n".join(problems[:5])))
        report(samples, args, stores)
    except Exception as e:  # a benchmark reports, it does not hide
        print("bench_swift: %s" % e, file=sys.stderr)
        return 1
    finally:
        for proc, _ in servers.values():
            stop_proc(proc)
        if cluster:
            cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def report(samples, args, stores):
    med = {k: {f: statistics.median(s[f] for s in v) for f in v[0]
               if isinstance(v[0][f], (int, float))} for k, v in samples.items()}
    print("\nwrk -t%d -c%d, %d-byte objects, %d s x %d interleaved rounds, medians; nginx %s "
          "workers + module; server, OSD and wrk share %d cores" % (
              args.threads, args.conns, args.size, args.seconds, args.rounds, args.workers,
              os.cpu_count()))
    print("%-6s %-12s %9s %8s %8s %6s %6s %6s %6s" % (
        "store", "kind", "req/s", "p50 ms", "p99 ms", "gw%", "osd%", "wrk%", "box%"))
    for store in stores:
        for kind in KINDS:
            m = med[(store, kind)]
            print("%-6s %-12s %9.0f %8.2f %8.2f %6.0f %6.0f %6.0f %6.0f" % (
                store, kind, m["rps"], m["p50_ms"], m["p99_ms"], m["srv_cpu"], m["osd_cpu"],
                m["wrk_cpu"], m["box_cpu"]))
    print("\nratios (target: Swift costs no more than S3 per request, >= 0.95x):")
    for store in stores:
        for a, b in PAIRS:
            ratio = med[(store, a)]["rps"] / med[(store, b)]["rps"]
            print("  %-6s %-12s / %-7s %5.2fx  %s" % (store, a, b, ratio,
                                                     "met" if ratio >= 0.95 else "NOT met"))


if __name__ == "__main__":
    sys.exit(main())
