#!/usr/bin/env python3
"""S3 over HTTP: the WSGI door under gunicorn (RADOS and local) vs radosgw.

Starts a throwaway Ceph cluster (tests/integration/ceph_cluster.py) and three
S3 servers side by side on it:

  radosgw      Ceph's own gateway (beast, tcp_nodelay, debug 0, 4 threads)
  wsgi-rados   gunicorn -k gthread --workers 2 --threads 4 pyrgw.wsgi:application
               on ``rados:wsgibench?conf=<the cluster>``
  wsgi-local   the same on ``local:<tmpdir>``

then drives each with ``wrk`` (the same client, the same Lua script, the same
connection count for every target) for three kinds of 4 KiB requests:

  anon GET     anonymous GET of objects in a public-read bucket
  signed GET   GET through SigV4 presigned URLs (auth + user lookup)
  signed PUT   PUT of a 4 KiB body through SigV4 presigned URLs

Every target gets ``--keys`` distinct keys per kind; the script cycles over
them.  Before timing, every URL is fetched once and must answer 2xx (wrk only
counts statuses >= 400); during the timed runs any wrk error (connect, read,
write, timeout, status >= 400) fails the run.  Rounds interleave the targets
(their order rotates every round); the medians are reported with the ratios
wsgi-*/radosgw.  Everything (servers, OSD, monitor, wrk) shares the machine's
cores: the figures are for this machine as a whole, not for a server alone.

This is a benchmark, not a test: it asserts nothing.  Exit code 1 if a
server could not be set up or a measurement failed or saw a non-2xx answer.

    python3 bench/bench_s3_wsgi.py [--seconds 5] [--rounds 3] [--conns 16]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
from ceph_cluster import CephCluster, free_port  # noqa: E402

try:
    from bench_util import (  # noqa: E402
        AK,
        SK,
        UID,
        WRK_LUA,
        check_all,
        client,
        machine_cpu,
        proc_tree,
        put_public,
        request_target,
        run_wrk,
        stop_proc,
        wait_http,
    )
except ImportError as e:  # pragma: no cover - boto3 comes with tests/requirements.txt
    sys.exit("boto3 is required (%s)" % e)

try:
    import pyrgw
except ImportError as e:
    pyrgw = None
    PYRGW_ERROR = e

SIZE = 4096
BUCKET = "bench"
KINDS = ("anon GET", "signed GET", "signed PUT")
TARGETS = ("radosgw", "wsgi-rados", "wsgi-local")
CLK_TCK = os.sysconf("SC_CLK_TCK")



# ------------------------------------------------------------------ processes
def start_gunicorn(store_uri, workdir, name):
    """gunicorn serving pyrgw.wsgi:application as in tests/integration/s3_servers.py."""
    port = free_port()
    log_path = os.path.join(workdir, "%s.log" % name)
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable))
    if gunicorn is None:
        raise RuntimeError("gunicorn is not installed next to %s" % sys.executable)
    env = dict(os.environ, RGW_STORE=store_uri)
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [gunicorn, "--bind", "127.0.0.1:%d" % port, "--workers", "2",
             "--worker-class", "gthread", "--threads", "4", "--timeout", "120",
             "pyrgw.wsgi:application"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=env, cwd=workdir)
    try:
        wait_http(port, proc, log_path)
    except BaseException:
        stop_proc(proc)
        raise
    return port, proc


# ------------------------------------------------------------------ S3 setup
def prepare(port, nkeys, workdir, name):
    """Bucket, objects and presigned URLs on one target.

    Returns {kind: path of a file listing the request targets}.
    """
    c = client(port)
    c.create_bucket(Bucket=BUCKET, ACL="public-read")
    body = os.urandom(SIZE)
    get_keys = ["g-%05d" % i for i in range(nkeys)]
    put_keys = ["p-%05d" % i for i in range(nkeys)]
    put_public(c, BUCKET, get_keys, body)
    targets = {
        "anon GET": ["/%s/%s" % (BUCKET, k) for k in get_keys],
        "signed GET": [request_target(c.generate_presigned_url(
            "get_object", Params={"Bucket": BUCKET, "Key": k}, ExpiresIn=3600))
            for k in get_keys],
        "signed PUT": [request_target(c.generate_presigned_url(
            "put_object", Params={"Bucket": BUCKET, "Key": k}, ExpiresIn=3600))
            for k in put_keys],
    }
    files = {}
    for kind, paths in targets.items():
        check_all(port, "PUT" if kind == "signed PUT" else "GET", paths, SIZE, body)
        path = os.path.join(workdir, "%s-%s.txt" % (name, kind.replace(" ", "-")))
        with open(path, "w") as f:
            f.write("\n".join(paths) + "\n")
        files[kind] = path
    return files


# ---------------------------------------------------------------------- wrk
# --------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0,
                    help="wrk duration per measurement (default 5)")
    ap.add_argument("--rounds", type=int, default=3,
                    help="interleaved rounds; medians are reported (default 3)")
    ap.add_argument("--conns", type=int, default=16,
                    help="wrk connections (default 16)")
    ap.add_argument("--threads", type=int, default=2,
                    help="wrk threads (default 2)")
    ap.add_argument("--keys", type=int, default=500,
                    help="distinct keys per kind and target (default 500)")
    ap.add_argument("--rgw-threads", type=int, default=4,
                    help="radosgw rgw_thread_pool_size (default 4: with 1 its "
                    "4 KiB PUTs were slower here, GETs alike)")
    ap.add_argument("--warmup", type=float, default=1.0,
                    help="untimed wrk run per target and kind first (default 1 s)")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    if pyrgw is None:
        sys.exit("pyrgw is missing (%s)" % PYRGW_ERROR)

    tmp = tempfile.mkdtemp(prefix="bench_s3_wsgi.")
    cluster = None
    servers = []
    failed = False
    samples = {}  # (target, kind) -> [figures per round]
    try:
        b0 = machine_cpu()[0]
        time.sleep(1.0)
        idle_busy = 100.0 * (machine_cpu()[0] - b0)
        if idle_busy > 20:
            print("warning: before starting anything the machine was %.0f%% busy "
                  "(%% of one core): something else is running, the figures will "
                  "be noisy" % idle_busy)
        cluster = CephCluster(os.path.join(tmp, "ceph"))
        t0 = time.monotonic()
        cluster.start()
        print("ceph cluster up in %.1f s (%s)" % (time.monotonic() - t0, cluster.conf_path),
              flush=True)
        conf = cluster.conf_path
        osd_pids = [cluster.pids()["osd.0"]]

        rgw_port = free_port()
        cluster.start_radosgw(rgw_port, UID, AK, SK, threads=args.rgw_threads)
        rgw_pid = cluster.pids()["client.rgw.x"]

        stores = {"wsgi-rados": "rados:wsgibench?conf=%s" % conf,
                  "wsgi-local": "local:%s" % os.path.join(tmp, "local")}
        ports, cpu_pids = {"radosgw": rgw_port}, {"radosgw": ([rgw_pid], osd_pids)}
        for name, uri in stores.items():
            with pyrgw.Store(uri) as store:
                store.create_user(UID, display_name=UID, access_key=AK, secret_key=SK)
            port, proc = start_gunicorn(uri, tmp, name)
            servers.append(proc)
            ports[name] = port
            cpu_pids[name] = (proc.pid, osd_pids)

        files = {}
        for name in TARGETS:
            t0 = time.monotonic()
            files[name] = prepare(ports[name], args.keys, tmp, name)
            print("%-10s on port %d: %d objects + presigned URLs checked in %.1f s" % (
                name, ports[name], args.keys, time.monotonic() - t0), flush=True)

        script = os.path.join(tmp, "bench.lua")
        with open(script, "w") as f:
            f.write(WRK_LUA)

        def measure(name, kind, seconds):
            pids = cpu_pids[name]
            srv = pids[0] if isinstance(pids[0], list) else proc_tree(pids[0])
            return run_wrk(ports[name], "PUT" if kind == "signed PUT" else "GET", SIZE,
                           files[name][kind], script, args.threads, args.conns, seconds,
                           srv, pids[1])

        if args.warmup > 0:
            for kind in KINDS:
                for name in TARGETS:
                    measure(name, kind, args.warmup)
        # Rounds interleave the targets, their order rotating each round, so
        # drift in the machine's load hits them alike; report the medians.
        for rnd in range(args.rounds):
            order = TARGETS[rnd % 3:] + TARGETS[:rnd % 3]
            for kind in KINDS:
                for name in order:
                    try:
                        r = measure(name, kind, args.seconds)
                    except Exception as e:
                        print("round %d: %-10s %-10s FAILED: %s" % (rnd + 1, name, kind, e))
                        failed = True
                        continue
                    samples.setdefault((name, kind), []).append(r)
                    note = ""
                    if r["errors"]:
                        failed = True
                        note = "  !!! ERRORS (non-2xx or socket): %s" % r["errors"]
                    print("round %d: %-10s %-10s %8.0f req/s  p99 %6.2f ms%s" % (
                        rnd + 1, name, kind, r["rps"], r["p99_ms"], note), flush=True)
    except Exception as e:
        print("FAILED: %s" % e)
        failed = True
    finally:
        for proc in servers:
            stop_proc(proc)
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    report(samples, args)
    if failed:
        print("\n!!! the run FAILED: see the messages above (errors, non-2xx answers)")
    return 1 if failed else 0


def report(samples, args):
    med = {}
    for key, runs in samples.items():
        med[key] = {f: statistics.median(r[f] for r in runs)
                    for f in ("rps", "p50_ms", "p99_ms", "srv_cpu", "osd_cpu", "wrk_cpu", "box_cpu")}
        med[key]["errors"] = sum(sum(r["errors"].values()) for r in runs)
    if not med:
        return
    print("\n4 KiB objects, wrk -t%d -c%d, %g s x %d interleaved rounds, medians; "
          "server, OSD, monitor and wrk share %d cores" % (
              args.threads, args.conns, args.seconds, args.rounds, os.cpu_count()))
    print("(CPU in % of one core: gw = the gateway's processes, osd = the OSD, "
          "wrk = the client, box = the whole machine)")
    print("%-10s %-10s %9s %8s %8s %6s %6s %6s %6s %7s" % (
        "kind", "target", "req/s", "p50 ms", "p99 ms", "gw%", "osd%", "wrk%", "box%",
        "errors"))
    for kind in KINDS:
        for name in TARGETS:
            m = med.get((name, kind))
            if m is None:
                print("%-10s %-10s %9s" % (kind, name, "failed"))
                continue
            print("%-10s %-10s %9.0f %8.2f %8.2f %6.0f %6.0f %6.0f %6.0f %7d" % (
                kind, name, m["rps"], m["p50_ms"], m["p99_ms"], m["srv_cpu"],
                m["osd_cpu"], m["wrk_cpu"], m["box_cpu"], m["errors"]))
    print("\nratios ours / radosgw (req/s; higher is better):")
    print("%-10s %12s %12s" % ("kind", "wsgi-rados", "wsgi-local"))
    for kind in KINDS:
        base = med.get(("radosgw", kind))
        cells = []
        for name in ("wsgi-rados", "wsgi-local"):
            m = med.get((name, kind))
            cells.append("%.2f" % (m["rps"] / base["rps"]) if m and base else "-")
        print("%-10s %12s %12s" % (kind, cells[0], cells[1]))


if __name__ == "__main__":
    sys.exit(main())
