#!/usr/bin/env python3
"""S3 over HTTP: the nginx and Apache modules (RADOS and local) vs radosgw vs static nginx.

Starts a throwaway Ceph cluster (tests/integration/ceph_cluster.py) and up to
seven servers side by side on this machine:

  ngx-rados   Debian's nginx, 2 workers, ngx_http_rgw_module on
              ``rados:ngxbench?conf=<the cluster>``; nginx.conf rendered by
              pyrgw.nginx_conf (what `librgw-admin nginx-conf` writes)
  apache-rados  Debian's Apache, event MPM, 2 children of 16 threads,
              mod_rgw on ``rados:apbench?conf=<the cluster>``; apache2.conf
              rendered by pyrgw.apache_conf (what `librgw-admin apache-conf`
              writes)
  radosgw     Ceph's own gateway on the same cluster, at its best: beast,
              tcp_nodelay=1, debug_rgw 0/0, rgw_thread_pool_size 4
              (as bench/bench_s3_wsgi.py runs it)
  radosgw-1t  the same with rgw_thread_pool_size 1; the ratios are taken
              against the better of the two ("best rgw")
  rados-bench raw librados on ngx-rados' data pool, no HTTP at all: ``rados
              bench rand`` (GET) and ``write`` (PUT) of objects of the same
              size with as many ops in flight as wrk has connections; the
              ceiling of any gateway on this cluster
  ngx-local   the same nginx + module on ``local:<tmpdir>``
  ngx-local-base  the same with another build of the module (``--base-module``,
              e.g. the last release's, built in its own worktree) on its own
              ``local:<tmpdir>``: before and after measured in one run
  apache-local  the same Apache + module on another ``local:<tmpdir>``
  static      plain nginx (2 workers, sendfile) serving the same bytes as
              static files under the same paths: the ceiling for a GET

then drives each with ``wrk`` (the same client, the same Lua script, the same
threads and connections for every target) for each object size (4 KiB,
64 KiB, 1 MiB by default) and two kinds of request:

  GET   anonymous GET of objects in a public-read bucket (static: the files)
  PUT   PUT of an object-sized body through SigV4 presigned URLs
        (not for static)

Every target gets ``--keys`` distinct keys per size and kind; the script
cycles over them.  Before timing, every URL is fetched once and must answer
2xx with the object's bytes (wrk only counts statuses >= 400); during the
timed runs any wrk error (connect, read, write, timeout, status >= 400) or a
GET run that read fewer bytes than its requests' bodies fails the run.
Rounds interleave the targets (their order rotates every round); the medians
are reported, with the ratios of each module on RADOS to the best radosgw,
Apache to nginx on the same store, the local store to static, and the
issues' targets.  Everything (servers, OSD, monitor, wrk) shares the
machine's cores: the figures are for this machine as a whole.  CPU used by
processes that are not the benchmark's is measured too ("other"): figures
taken while something else ran are flagged.  For the targets on RADOS, the
OSD's op counter gives the ops it executed per request (a PUT's reads and
writes on the data and index pools, however they were grouped).

This is a benchmark, not a test: it asserts nothing.  Exit code 1 if a
server could not be set up or a measurement failed or saw a non-2xx answer.

    python3 bench/bench_nginx.py [--seconds 5] [--rounds 3] [--sizes 4k,64k,1m]
        [--conns 16] [--put-conns 16] [--targets ngx-rados,radosgw,...] [--quick]
"""

import argparse
import base64
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
from ceph_cluster import CephCluster, free_port  # noqa: E402

try:
    from bench_util import (  # noqa: E402
        AK,
        SK,
        UID,
        WRK_LUA,
        check_all,
        client,
        cpu_seconds,
        machine_cpu,
        proc_tree,
        put_public,
        rados_bench,
        request_target,
        run_rados_bench,
        run_wrk,
        stop_proc,
        tail,
        wait_http,
    )
except ImportError as e:  # pragma: no cover - boto3 comes with tests/requirements.txt
    sys.exit("boto3 is required (%s)" % e)

NGINX = "/usr/sbin/nginx"
BUCKET = "bench"
TARGETS = ("ngx-rados", "apache-rados", "radosgw", "radosgw-1t", "rados-bench", "ngx-local",
           "ngx-local-base", "apache-local", "static")
MODULE_TARGETS = ("ngx-rados", "ngx-local", "ngx-local-base")
RADOS_BENCH_POOL = "ngxbench.data"  # ngx-rados' data pool (rados:ngxbench)
APACHE_TARGETS = ("apache-rados", "apache-local")
RADOSGW_TARGETS = {"radosgw": ("client.rgw.x", None), "radosgw-1t": ("client.rgw.y", 1)}
RADOS_TARGETS = ("ngx-rados", "apache-rados", "radosgw", "radosgw-1t")
BEST_RGW = "best rgw"  # the better radosgw of the two, per size and kind
APACHE = "/usr/sbin/apache2"
OPS = ("GET", "PUT")
CLK_TCK = os.sysconf("SC_CLK_TCK")
# A wrk thread pre-formats one request per key: for big PUT bodies the key
# list is cut so that this stays below about this many bytes per thread.
PUT_BYTES_PER_THREAD = 64 << 20

# The issues' targets: (label, size, op, target, baseline, minimum ratio).
# Issue 15's first (hot paths), then issue 10's (Apache).
GOALS = (
    ("4 KiB GET: ngx-rados >= 2.5x best rgw", 4096, "GET", "ngx-rados", BEST_RGW, 2.5),
    ("4 KiB GET: ngx-rados >= 0.6x rados bench", 4096, "GET", "ngx-rados", "rados-bench", 0.6),
    ("1 MiB GET: ngx-rados >= 1.8x best rgw", 1 << 20, "GET", "ngx-rados", BEST_RGW, 1.8),
    ("4 KiB PUT: ngx-rados >= 3x best rgw", 4096, "PUT", "ngx-rados", BEST_RGW, 3.0),
    ("1 MiB PUT: ngx-rados >= 1.5x best rgw", 1 << 20, "PUT", "ngx-rados", BEST_RGW, 1.5),
    ("4 KiB GET: ngx-local >= 0.8x static", 4096, "GET", "ngx-local", "static", 0.8),
    ("1 MiB GET: ngx-local >= 0.9x static", 1 << 20, "GET", "ngx-local", "static", 0.9),
    ("4 KiB PUT: ngx-local >= 3x ngx-local-base", 4096, "PUT", "ngx-local", "ngx-local-base",
     3.0),
    ("4 KiB GET: apache-rados >= 2x best rgw", 4096, "GET", "apache-rados", BEST_RGW, 2.0),
    ("1 MiB GET: apache-rados >= 1.5x best rgw", 1 << 20, "GET", "apache-rados", BEST_RGW, 1.5),
) + tuple(
    ("%s %s: apache-%s >= 0.8x ngx-%s" % (label, op, store, store), size, op,
     "apache-" + store, "ngx-" + store, 0.8)
    for store in ("rados", "local")
    for label, size in (("4 KiB", 4096), ("64 KiB", 64 << 10), ("1 MiB", 1 << 20))
    for op in ("GET", "PUT"))



# ------------------------------------------------------------------ sizes
def parse_size(text):
    t = text.strip().lower().rstrip("b").rstrip("i")
    mult = {"k": 1 << 10, "m": 1 << 20}.get(t[-1:], 1)
    num = t[:-1] if t[-1:] in ("k", "m") else t
    if not num.isdigit() or int(num) == 0:
        raise argparse.ArgumentTypeError("not a size: %r (e.g. 4k, 64k, 1m)" % text)
    return int(num) * mult


def size_label(size):
    if size % (1 << 20) == 0:
        return "%d MiB" % (size >> 20)
    if size % (1 << 10) == 0:
        return "%d KiB" % (size >> 10)
    return "%d B" % size


def size_tag(size):
    return size_label(size).replace(" ", "").lower()


# ------------------------------------------------------------------ processes
def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def others_busy(seconds=1.0):
    """% of one core used by processes outside this benchmark's tree."""
    own0, (_, task0) = cpu_seconds(proc_tree(os.getpid())), machine_cpu()
    time.sleep(seconds)
    own1, (_, task1) = cpu_seconds(proc_tree(os.getpid())), machine_cpu()
    return max(0.0, 100.0 * ((task1 - task0) - (own1 - own0)) / seconds)


def busy_processes(seconds=1.0, limit=6):
    """The busiest processes outside this benchmark over `seconds`."""
    mine = set(proc_tree(os.getpid()))

    def snap():
        out = {}
        for name in os.listdir("/proc"):
            if not name.isdigit() or int(name) in mine:
                continue
            try:
                with open("/proc/%s/stat" % name) as f:
                    stat = f.read()
                with open("/proc/%s/cmdline" % name, "rb") as f:
                    cmd = f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            comm = stat[stat.index("(") + 1:stat.rindex(")")]
            out[int(name)] = (int(fields[11]) + int(fields[12]), cmd or "[%s]" % comm)
        return out

    a = snap()
    time.sleep(seconds)
    b = snap()
    use = sorted(((b[p][0] - a[p][0]) / CLK_TCK / seconds * 100.0, p, b[p][1])
                 for p in b if p in a)
    return [(pct, pid, cmd[:110]) for pct, pid, cmd in reversed(use) if pct >= 1.0][:limit]


# ------------------------------------------------------------------ nginx
STATIC_CONF = """\
# plain nginx serving files: the ceiling for a GET on this machine
{user}daemon off;
master_process on;
worker_processes {workers};
pid "{prefix}/nginx.pid";
error_log "{prefix}/error.log" warn;

events {{
    worker_connections 1024;
}}

http {{
    access_log off;
{temp_paths}
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_requests 10000;
    server_tokens off;
    types {{ }}
    default_type application/octet-stream;

    server {{
        listen 127.0.0.1:{port};
        root "{root}";
        location / {{
        }}
    }}
}}
"""


def module_conf(store_uri, port, prefix, args, module=None):
    """nginx.conf for the module, as `librgw-admin nginx-conf` renders it."""
    from pyrgw.nginx_conf import NginxSettings, render
    return render(NginxSettings(
        store=store_uri, listen="127.0.0.1:%d" % port, workers=args.workers,
        threads=args.ngx_threads, buffer_size=args.ngx_buffer_size,
        loop_reads=args.ngx_loop_reads, loop_writes=args.ngx_loop_writes,
        module=module or args.module,
        prefix=prefix,
        access_log=False, error_log_level="warn"))


def apache_conf(store_uri, port, prefix, args):
    """apache2.conf for the module, as `librgw-admin apache-conf` renders it."""
    from pyrgw.apache_conf import ApacheSettings, render
    return render(ApacheSettings(
        store=store_uri, listen="127.0.0.1:%d" % port, mpm=args.apache_mpm, processes=args.workers,
        threads_per_child=args.apache_threads, buffer_size=args.ngx_buffer_size,
        module=args.apache_module, prefix=prefix, access_log=False, log_level="warn"))


def start_apache(name, conf_text, port, workdir):
    """Apache in the foreground; as root it starts as nobody keeping
    CAP_DAC_OVERRIDE (as the tests do: the stores here are root's)."""
    from s3_servers import apache_command
    return start_server(name, conf_text, port, workdir, "apache2.conf",
                        lambda conf, log: [APACHE, "-t", "-f", conf],
                        lambda conf, log: apache_command(conf))


def static_conf(root, port, prefix, args):
    temp_paths = "\n".join('    %s_temp_path "%s/%s_temp";' % (p, prefix, p)
                           for p in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return STATIC_CONF.format(user="user root;\n" if os.geteuid() == 0 else "",
                              workers=args.workers, prefix=prefix, port=port, root=root,
                              temp_paths=temp_paths)


def start_nginx(name, conf_text, port, workdir):
    def run(conf, log):
        return [NGINX, "-p", os.path.dirname(conf) + "/", "-c", conf, "-e", log]
    return start_server(name, conf_text, port, workdir, "nginx.conf",
                        lambda conf, log: run(conf, log)[:1] + ["-t", "-q"] + run(conf, log)[1:],
                        run)


def start_server(name, conf_text, port, workdir, conf_name, test_cmd, run_cmd):
    """Writes conf_text to workdir/name/conf_name, tests it with
    test_cmd(conf, log), starts run_cmd(conf, log) in its own session and
    waits for its port.  Returns (Popen, error log path)."""
    prefix = os.path.join(workdir, name)
    os.makedirs(prefix, exist_ok=True)
    conf = os.path.join(prefix, conf_name)
    with open(conf, "w") as f:
        f.write(conf_text)
    log_path = os.path.join(prefix, "error.log")
    test = subprocess.run(test_cmd(conf, log_path), capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    if test.returncode != 0:
        raise RuntimeError("%s: the configuration test failed:\n%s%s" % (
            name, test.stdout, test.stderr))
    with open(os.path.join(prefix, "server.out"), "w") as out:
        proc = subprocess.Popen(run_cmd(conf, log_path), stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_http(port, proc, log_path)
    except BaseException:
        stop_proc(proc)
        raise
    return proc, log_path


def log_problems(path):
    """Lines of an nginx or Apache error log that mean the figures cannot be trusted."""
    bad = ("[alert]", "[crit]", "[emerg]", "exited on signal", ":alert]", ":crit]", ":emerg]",
           "exit signal")
    return [ln for ln in tail(path, 200000).splitlines() if any(b in ln for b in bad)]


# ------------------------------------------------------------------ S3 setup
def keys_for(op, size, nkeys):
    n = nkeys
    if op == "PUT":
        n = min(nkeys, max(8, PUT_BYTES_PER_THREAD // size))
    return ["%s-%s-%05d" % (op.lower(), size_tag(size), i) for i in range(n)]


def write_list(workdir, name, op, size, paths):
    path = os.path.join(workdir, "%s-%s-%s.txt" % (name, op, size_tag(size)))
    with open(path, "w") as f:
        f.write("\n".join(paths) + "\n")
    return path


def prepare_s3(port, sizes, nkeys, workdir, name):
    """Bucket, objects and presigned URLs on one S3 target.

    Returns {(op, size): path of a file listing the request targets}.
    """
    c = client(port)
    c.create_bucket(Bucket=BUCKET, ACL="public-read")
    files = {}
    for size in sizes:
        body = os.urandom(size)
        put_public(c, BUCKET, keys_for("GET", size, nkeys), body)
        gets = ["/%s/%s" % (BUCKET, k) for k in keys_for("GET", size, nkeys)]
        puts = [request_target(c.generate_presigned_url(
            "put_object", Params={"Bucket": BUCKET, "Key": k}, ExpiresIn=6 * 3600))
            for k in keys_for("PUT", size, nkeys)]
        check_all(port, "GET", gets, size, body)
        check_all(port, "PUT", puts, size, body)
        files[("GET", size)] = write_list(workdir, name, "GET", size, gets)
        files[("PUT", size)] = write_list(workdir, name, "PUT", size, puts)
    return files


def put_body_md5(size):
    """Content-MD5 of the PUT body WRK_LUA sends for this size."""
    body = b"0123456789abcdef" * (size // 16) + b"x" * (size % 16)
    return base64.b64encode(hashlib.md5(body).digest()).decode()


def prepare_rados_bench(conf, sizes, threads):
    """Objects for rados bench's rand reads, one run name per size: written
    for 2 s by ``rados bench write --no-cleanup``.  Returns the run names,
    keyed as the other targets' request files."""
    names = {}
    for size in sizes:
        name = "rados-bench-%s" % size_tag(size)
        rados_bench(conf, RADOS_BENCH_POOL, [2, "write", "-t", threads, "-b", size, "-O", size,
                                             "--no-cleanup", "--run-name", name], 180)
        names[("GET", size)] = names[("PUT", size)] = name
    return names


def prepare_static(port, root, sizes, nkeys, workdir):
    """The GET objects as files under the same paths."""
    os.makedirs(os.path.join(root, BUCKET), exist_ok=True)
    files = {}
    for size in sizes:
        body = os.urandom(size)
        keys = keys_for("GET", size, nkeys)
        for key in keys:
            with open(os.path.join(root, BUCKET, key), "wb") as f:
                f.write(body)
        gets = ["/%s/%s" % (BUCKET, k) for k in keys]
        check_all(port, "GET", gets, size, body)
        files[("GET", size)] = write_list(workdir, "static", "GET", size, gets)
    return files


# ---------------------------------------------------------------------- wrk
# --------------------------------------------------------------------- main
def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=None,
                    help="wrk duration per measurement, whole seconds (default 5; --quick 2)")
    ap.add_argument("--rounds", type=int, default=None,
                    help="interleaved rounds; medians are reported (default 3; --quick 1)")
    ap.add_argument("--sizes", default="4k,64k,1m",
                    help="object sizes, comma-separated (default 4k,64k,1m)")
    ap.add_argument("--conns", type=int, default=16,
                    help="wrk connections for GET (default 16)")
    ap.add_argument("--put-conns", type=int, default=16,
                    help="wrk connections for PUT (default 16)")
    ap.add_argument("--threads", type=int, default=2,
                    help="wrk threads (default 2)")
    ap.add_argument("--targets", default=",".join(TARGETS),
                    help="targets to run, comma-separated (default all: %s)" % ",".join(TARGETS))
    ap.add_argument("--keys", type=int, default=None,
                    help="distinct keys per size, kind and target (default 100; --quick 20); "
                    "PUT keys are capped so a wrk thread holds at most 64 MiB of requests")
    ap.add_argument("--warmup", type=int, default=None,
                    help="untimed wrk run per target, size and kind first, whole seconds "
                    "(default 1; 0: none)")
    ap.add_argument("--quick", action="store_true",
                    help="a short run: 2 s, 1 round, 20 keys "
                    "(options given explicitly still win)")
    ap.add_argument("--workers", type=int, default=2,
                    help="nginx worker processes, module and static (default 2)")
    ap.add_argument("--ngx-threads", type=int, default=None,
                    help="the module's rgw_threads: store I/O threads per worker "
                         "(default: the module's, 8 for both stores)")
    ap.add_argument("--put-content-md5", action="store_true",
                    help="PUTs send Content-MD5 (as s3cmd, rclone and the Java SDK do): the "
                         "server checks the body's MD5")
    ap.add_argument("--ngx-loop-reads", choices=["on", "off"], default="on",
                    help="the module's rgw_loop_reads: GET/HEAD on the event loop "
                         "(default on; off: every request on the I/O threads)")
    ap.add_argument("--ngx-loop-writes", choices=["on", "off"], default="on",
                    help="the module's rgw_loop_writes: small PUTs on the event loop "
                         "(default on; off: every PUT on the I/O threads)")
    ap.add_argument("--ngx-buffer-size", default="128k",
                    help="the module's rgw_buffer_size: one store read or write (default 128k)")
    ap.add_argument("--rgw-threads", type=int, default=4,
                    help="radosgw's rgw_thread_pool_size (default 4, as bench_s3_wsgi.py); "
                    "radosgw-1t has 1")
    ap.add_argument("--apache-mpm", default="event", choices=("event", "worker", "prefork"),
                    help="Apache's MPM (default event, Debian's)")
    ap.add_argument("--apache-threads", type=int, default=16,
                    help="Apache's ThreadsPerChild (default 16, as librgw-admin apache-conf)")
    ap.add_argument("--apache-module", default=None,
                    help="mod_rgw.so (default $LIBRGW_APACHE_MODULE, else build/apache/mod_rgw.so)")
    ap.add_argument("--module", default=None,
                    help="the module's .so (default $LIBRGW_NGINX_MODULE, else "
                    "build/nginx/objs/ngx_http_rgw_module.so)")
    ap.add_argument("--base-module", default=None,
                    help="another build of the module for the ngx-local-base target (its own "
                    "core found through its run-time path); without it that target is "
                    "not run")
    args = ap.parse_args()
    quick = args.quick
    for name, normal, short in (("seconds", 5, 2), ("rounds", 3, 1), ("keys", 100, 20),
                                ("warmup", 1, 1)):
        if getattr(args, name) is None:
            setattr(args, name, short if quick else normal)
    try:
        args.sizes = sorted({parse_size(s) for s in args.sizes.split(",") if s.strip()})
    except argparse.ArgumentTypeError as e:
        ap.error(str(e))
    if not args.sizes:
        ap.error("--sizes: no size given")
    chosen = [t.strip() for t in args.targets.split(",") if t.strip()]
    unknown = [t for t in chosen if t not in TARGETS]
    if unknown or not chosen:
        ap.error("--targets: unknown %s (choose from %s)" % (
            ",".join(unknown) or "(none)", ",".join(TARGETS)))
    if args.base_module is None:
        if "ngx-local-base" in chosen and args.targets != ",".join(TARGETS):
            ap.error("--targets ngx-local-base needs --base-module")
        chosen = [t for t in chosen if t != "ngx-local-base"]
    else:
        args.base_module = os.path.abspath(args.base_module)
        if not os.path.exists(args.base_module):
            ap.error("--base-module: no such file: %s" % args.base_module)
    args.targets = tuple(t for t in TARGETS if t in chosen)
    if args.rounds < 1 or args.seconds < 1 or args.keys < 1 or args.warmup < 0:
        ap.error("--rounds, --seconds and --keys must be positive (wrk takes whole seconds)")
    if args.module is None:
        args.module = (os.environ.get("LIBRGW_NGINX_MODULE") or
                       os.path.join(REPO, "build", "nginx", "objs", "ngx_http_rgw_module.so"))
    args.module = os.path.abspath(args.module)
    if args.apache_module is None:
        args.apache_module = (os.environ.get("LIBRGW_APACHE_MODULE") or
                              os.path.join(REPO, "build", "apache", "mod_rgw.so"))
    args.apache_module = os.path.abspath(args.apache_module)
    return args


def module_core(module):
    """The librgwcore.so.0 that a build of the module loads (its run-time path)."""
    out = subprocess.run(["ldd", module], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.strip().startswith("librgwcore.so") and "=>" in line:
            path = line.split("=>")[1].split("(")[0].strip()
            if os.path.exists(path):
                return path
    sys.exit("%s: its librgwcore.so.0 is not found (ldd: %s)" % (module, out))


def create_user_with_core(core, uri):
    """Opens the store at uri with the core library `core` (through its C ABI)
    and creates the benchmark's user in it."""
    import ctypes

    lib = ctypes.CDLL(core)
    lib.rgw_last_error.restype = ctypes.c_char_p
    store = ctypes.c_void_p()
    r = lib.rgw_store_open(uri.encode(), ctypes.byref(store))
    if r == 0:
        r = lib.rgw_user_create(store, UID.encode(), UID.encode(), AK.encode(), SK.encode())
        lib.rgw_store_close(store)
    if r != 0:
        sys.exit("%s: creating the user in %s failed: %d %s" % (
            core, uri, r, (lib.rgw_last_error() or b"").decode()))


def main():
    args = parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    needs_nginx = bool(set(args.targets) & (set(MODULE_TARGETS) | {"static"}))
    if needs_nginx and not os.access(NGINX, os.X_OK):
        sys.exit("%s is missing: apt-get install -y nginx" % NGINX)
    if set(args.targets) & set(MODULE_TARGETS):
        if not os.path.exists(args.module):
            sys.exit("the nginx module is not built: %s (make nginx-module)" % args.module)
    if set(args.targets) & set(APACHE_TARGETS):
        if not os.access(APACHE, os.X_OK):
            sys.exit("%s is missing: apt-get install -y apache2" % APACHE)
        if not os.path.exists(args.apache_module):
            sys.exit("the Apache module is not built: %s (make apache-module)" %
                     args.apache_module)
    if set(args.targets) & (set(MODULE_TARGETS) | set(APACHE_TARGETS)):
        try:
            import pyrgw
            import pyrgw.apache_conf  # noqa: F401
            import pyrgw.nginx_conf  # noqa: F401
        except ImportError as e:
            sys.exit("pyrgw with its config generators is required (%s): make python" % e)

    tmp = tempfile.mkdtemp(prefix="bench_nginx.")
    cluster = None
    servers = {}      # name -> Popen (nginx masters)
    logs = {}         # name -> nginx error log
    failed = False
    samples = {}      # (name, op, size) -> [figures per round]
    conditions = {"load_start": loadavg()}
    try:
        others = others_busy(1.0)
        conditions["others_start"] = others
        if others > 20:
            print("warning: before starting anything, other processes used %.0f%% of one "
                  "core: the figures will be noisy.  Busiest:" % others)
            for pct, pid, cmd in busy_processes(1.0):
                print("  %5.0f%%  %6d  %s" % (pct, pid, cmd))

        ports, srv_pids, osd_pids = {}, {}, []
        rados = {"ngx-rados", "apache-rados", "rados-bench"} | set(RADOSGW_TARGETS)
        rados &= set(args.targets)
        if rados:
            # 12 GiB: a run of every target writes more than the tests'
            # 4 GiB in 1 MiB PUTs, and radosgw's replaced objects stay until
            # its gc; a full OSD makes the PUTs after it wait (0 req/s).
            cluster = CephCluster(os.path.join(tmp, "ceph"), memstore_bytes=12 << 30)
            t0 = time.monotonic()
            cluster.start()
            print("ceph cluster up in %.1f s (%s)" % (time.monotonic() - t0, cluster.conf_path),
                  flush=True)
            osd_pids = [cluster.pids()["osd.0"], cluster.pids()["mon.a"]]
        user_made = False
        for name, (client_name, threads) in RADOSGW_TARGETS.items():
            if name not in args.targets:
                continue
            ports[name] = free_port()
            cluster.start_radosgw(ports[name], None if user_made else UID, AK, SK,
                                  threads=threads or args.rgw_threads, name=client_name)
            user_made = True
            srv_pids[name] = (lambda n: lambda: [cluster.pids()[n]])(client_name)

        stores = {"ngx-rados": lambda: "rados:ngxbench?conf=%s" % cluster.conf_path,
                  "ngx-local": lambda: "local:%s" % os.path.join(tmp, "local-store"),
                  "ngx-local-base": lambda: "local:%s" % os.path.join(tmp, "local-base-store"),
                  "apache-rados": lambda: "rados:apbench?conf=%s" % cluster.conf_path,
                  "apache-local": lambda: "local:%s" % os.path.join(tmp, "apache-store")}
        for name in MODULE_TARGETS + APACHE_TARGETS:
            if name not in args.targets:
                continue
            uri = stores[name]()
            if name == "ngx-local-base":
                # The base build's own core makes its store: an older core may
                # refuse a store made by this one (a newer schema).
                create_user_with_core(module_core(args.base_module), uri)
            else:
                with pyrgw.Store(uri) as store:
                    store.create_user(UID, display_name=UID, access_key=AK, secret_key=SK)
            port = free_port()
            if name in APACHE_TARGETS:
                proc, logs[name] = start_apache(
                    name, apache_conf(uri, port, os.path.join(tmp, name), args), port, tmp)
            else:
                module = args.base_module if name == "ngx-local-base" else args.module
                proc, logs[name] = start_nginx(
                    name, module_conf(uri, port, os.path.join(tmp, name), args, module),
                    port, tmp)
            servers[name], ports[name] = proc, port
        if "rados-bench" in args.targets:
            with pyrgw.Store(stores["ngx-rados"]()):
                pass  # the store makes its pools: rados bench uses ngx-rados' data pool
        static_root = os.path.join(tmp, "static-root")
        if "static" in args.targets:
            os.makedirs(static_root)
            port = free_port()
            proc, logs["static"] = start_nginx(
                "static", static_conf(static_root, port, os.path.join(tmp, "static"), args),
                port, tmp)
            servers["static"], ports["static"] = proc, port
        for name, proc in servers.items():
            srv_pids[name] = (lambda p: lambda: proc_tree(p.pid))(proc)

        files = {}
        for name in args.targets:
            t0 = time.monotonic()
            if name == "static":
                files[name] = prepare_static(ports[name], static_root, args.sizes,
                                             args.keys, tmp)
            elif name == "rados-bench":
                files[name] = prepare_rados_bench(cluster.conf_path, args.sizes, args.conns)
            else:
                files[name] = prepare_s3(ports[name], args.sizes, args.keys, tmp, name)
            where = "on port %5d" % ports[name] if name in ports else "(librados)"
            print("%-9s %s: objects + presigned URLs checked in %.1f s" % (
                name, where, time.monotonic() - t0), flush=True)

        script = os.path.join(tmp, "bench.lua")
        with open(script, "w") as f:
            f.write(WRK_LUA)

        def measure(name, op, size, seconds):
            if name == "rados-bench":
                return run_rados_bench(cluster.conf_path, RADOS_BENCH_POOL, op, size, seconds,
                                       args.conns, files[name][(op, size)], osd_pids)
            header = None
            if op == "PUT" and args.put_content_md5:
                header = ("Content-MD5", put_body_md5(size))
            on_rados = cluster is not None and name in RADOS_TARGETS
            ops0 = cluster.osd_ops() if on_rados else 0
            r = run_wrk(ports[name], op, size, files[name][(op, size)], script, args.threads,
                        args.put_conns if op == "PUT" else args.conns,
                        seconds, srv_pids[name](), osd_pids, header=header)
            if on_rados and r["requests"]:
                # The OSD's op counter counts every op it executed (reads
                # that find nothing excepted), the run's stragglers included.
                r["osd_ops"] = (cluster.osd_ops() - ops0) / r["requests"]
            return r

        def runs(order):
            for size in args.sizes:
                for op in OPS:
                    for name in order:
                        if (op, size) in files[name]:
                            yield size, op, name

        if args.warmup > 0:
            for size, op, name in runs(args.targets):
                measure(name, op, size, args.warmup)
        # Rounds interleave the targets, their order rotating each round, so
        # drift in the machine's load hits them alike; report the medians.
        n = len(args.targets)
        for rnd in range(args.rounds):
            order = args.targets[rnd % n:] + args.targets[:rnd % n]
            for size, op, name in runs(order):
                try:
                    r = measure(name, op, size, args.seconds)
                except Exception as e:
                    print("round %d: %-9s %-7s %s FAILED: %s" % (
                        rnd + 1, name, size_label(size), op, e))
                    failed = True
                    continue
                samples.setdefault((name, op, size), []).append(r)
                note = ""
                if r["errors"]:
                    failed = True
                    note = "  !!! ERRORS (non-2xx, socket or short body): %s" % r["errors"]
                if r["other_cpu"] > 15:
                    note += "  (other processes: %.0f%% of a core)" % r["other_cpu"]
                if "osd_ops" in r:
                    note = "  %.2f OSD ops/req%s" % (r["osd_ops"], note)
                print("round %d: %-9s %-7s %s %9.0f req/s %8.1f MB/s  p99 %7.2f ms%s" % (
                    rnd + 1, name, size_label(size), op, r["rps"], r["mbps"], r["p99_ms"],
                    note), flush=True)
        conditions["busy_end"] = busy_processes(1.0)
        for name, path in logs.items():
            problems = log_problems(path)
            if problems:
                failed = True
                print("!!! %s: error log %s has %d alert/crit/crash lines, e.g.:\n  %s" % (
                    name, path, len(problems), "\n  ".join(problems[:5])))
    except Exception as e:
        print("FAILED: %s" % e)
        failed = True
    except KeyboardInterrupt:
        print("interrupted")
        failed = True
    finally:
        for proc in servers.values():
            stop_proc(proc)
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    conditions["load_end"] = loadavg()
    report(samples, args, conditions)
    if failed:
        print("\n!!! the run FAILED: see the messages above (errors, non-2xx answers)")
    return 1 if failed else 0


# ------------------------------------------------------------------- report
def medians(samples):
    med = {}
    for key, runs in samples.items():
        med[key] = {f: statistics.median(r[f] for r in runs)
                    for f in ("rps", "mbps", "p50_ms", "p99_ms", "srv_cpu", "osd_cpu",
                              "wrk_cpu", "box_cpu", "kthr_cpu", "other_cpu")}
        med[key]["max_other"] = max(r["other_cpu"] for r in runs)
        ops = [r["osd_ops"] for r in runs if "osd_ops" in r]
        med[key]["osd_ops"] = statistics.median(ops) if ops else None
        med[key]["errors"] = sum(sum(r["errors"].values()) for r in runs)
    for (name, op, size) in list(med):
        if name in RADOSGW_TARGETS:
            best = med.get((BEST_RGW, op, size))
            if best is None or med[(name, op, size)]["rps"] > best["rps"]:
                med[(BEST_RGW, op, size)] = dict(med[(name, op, size)], who=name)
    return med


def ratio(med, a, b, op, size):
    ma, mb = med.get((a, op, size)), med.get((b, op, size))
    if not ma or not mb or not mb["rps"]:
        return None
    return ma["rps"] / mb["rps"]


def fmt_ratio(x):
    return "-" if x is None else "%.2fx" % x


# The ratio columns: (heading, target, baseline).
RATIOS = (
    ("ngx-rados/best rgw", "ngx-rados", BEST_RGW),
    ("ngx-rados/rados bench", "ngx-rados", "rados-bench"),
    ("apache-rados/best rgw", "apache-rados", BEST_RGW),
    ("apache/ngx rados", "apache-rados", "ngx-rados"),
    ("apache/ngx local", "apache-local", "ngx-local"),
    ("ngx-local/static", "ngx-local", "static"),
    ("ngx-local/base", "ngx-local", "ngx-local-base"),
)


def report(samples, args, cond):
    med = medians(samples)
    all_runs = [r for runs in samples.values() for r in runs]
    if not med:
        return
    targets = args.targets
    print("\nwrk -t%d, GET -c%d, PUT -c%d, %g s x %d interleaved rounds, medians; "
          "servers, OSD, monitor and wrk share %d cores; nginx %d workers, rgw_threads %s, "
          "rgw_buffer_size %s, rgw_loop_reads %s, rgw_loop_writes %s; Apache %s MPM, "
          "%d children x %d threads, the same buffer "
          "size; radosgw beast tcp_nodelay=1 debug_rgw 0/0 rgw_thread_pool_size %d "
          "(radosgw-1t: 1)" % (
              args.threads, args.conns, args.put_conns, args.seconds, args.rounds,
              os.cpu_count(), args.workers,
              args.ngx_threads or "default (8)", args.ngx_buffer_size,
              args.ngx_loop_reads, args.ngx_loop_writes, args.apache_mpm, args.workers,
              args.apache_threads, args.rgw_threads))
    print("MB/s = object bytes moved per second (10^6 B); p99 in ms; "
          "ratios are of req/s (GET for */static)")

    # the main table
    w = 27
    head1 = "%-7s %-3s |" % ("", "") + "".join(" %-*s|" % (w - 2, t) for t in targets)
    head2 = "%-7s %-3s |" % ("size", "op") + "".join(
        " %9s %7s %7s |" % ("req/s", "MB/s", "p99") for _ in targets)
    print()
    print(head1 + " ratios of req/s: " + ", ".join(h for h, _, _ in RATIOS))
    print(head2)
    print("-" * (len(head2) + 24))
    for size in args.sizes:
        for op in OPS:
            cells = []
            for t in targets:
                m = med.get((t, op, size))
                if m is None:
                    cells.append(" %9s %7s %7s |" % ("-" if (t == "static" and op == "PUT")
                                                     else "failed", "", ""))
                else:
                    cells.append(" %9.0f %7.1f %7.2f |" % (m["rps"], m["mbps"], m["p99_ms"]))
            print("%-7s %-3s |" % (size_label(size), op) + "".join(cells) + " " + " ".join(
                "%-6s" % fmt_ratio(ratio(med, a, b, op, size)) for _, a, b in RATIOS))

    # CPU detail
    print("\nCPU in % of one core (medians): gw = the server's processes, osd = OSD + "
          "monitor, wrk = the client, box = the whole machine (irq included), kthr = kernel "
          "threads, other = user processes not the benchmark's; OSD ops/req = ops the OSD "
          "executed per request (its perf counter; RADOS targets)")
    print("%-7s %-3s %-9s %9s %8s %8s %6s %6s %6s %6s %6s %6s %6s %7s" % (
        "size", "op", "target", "req/s", "p50 ms", "p99 ms", "gw%", "osd%", "wrk%", "box%",
        "kthr%", "other%", "errors", "OSD ops/req"))
    for size in args.sizes:
        for op in OPS:
            for t in targets:
                m = med.get((t, op, size))
                if m is None:
                    continue
                print("%-7s %-3s %-9s %9.0f %8.2f %8.2f %6.0f %6.0f %6.0f %6.0f %6.0f %6.0f "
                      "%6d %7s" % (size_label(size), op, t, m["rps"], m["p50_ms"], m["p99_ms"],
                                   m["srv_cpu"], m["osd_cpu"], m["wrk_cpu"], m["box_cpu"],
                                   m["kthr_cpu"], m["other_cpu"], m["errors"],
                                   "-" if m["osd_ops"] is None else "%.2f" % m["osd_ops"]))

    # the targets
    best = ", ".join("%s %s: %s" % (size_label(size), op, med[(BEST_RGW, op, size)]["who"])
                     for size in args.sizes for op in OPS if (BEST_RGW, op, size) in med)
    if best:
        print("\nbest rgw, the better radosgw of each row: " + best)
    print("\nthe issues' targets (medians of req/s):")
    for label, size, op, a, b, want in GOALS:
        measured = set(targets) | ({BEST_RGW} if set(RADOSGW_TARGETS) & set(targets) else set())
        if size not in args.sizes or a not in measured or b not in measured:
            print("  %-38s not measured in this run" % label)
            continue
        r = ratio(med, a, b, op, size)
        if r is None:
            print("  %-38s no figures (a measurement failed)" % label)
            continue
        print("  %-38s %6.2fx  %s" % (label, r, "met" if r >= want else "NOT met"))

    # foreign load
    worst = max(m["other_cpu"] for m in med.values())
    loaded = [r["other_cpu"] for r in all_runs if r["other_cpu"] > 15]
    print("\nload average at start %s, at end %s (the benchmark's own processes count); "
          "other processes before starting: %.0f%% of one core; during the runs: at most "
          "%.0f%% in a row's median, above 15%% in %d of %d runs%s" % (
              cond["load_start"], cond["load_end"], cond["others_start"], worst, len(loaded),
              len(all_runs), " (max %.0f%%)" % max(loaded) if loaded else ""))
    if worst > 10 or cond["others_start"] > 20 or len(loaded) > len(all_runs) / 10:
        print("!!! FOREIGN LOAD: processes outside this benchmark used CPU while it measured;"
              " the figures are not those of a quiet machine")
        if cond.get("busy_end"):
            print("busiest other processes right after the last measurement:")
            for pct, pid, cmd in cond["busy_end"]:
                print("  %5.0f%%  %6d  %s" % (pct, pid, cmd))

    # markdown, for docs/benchmarks.md
    print("\nMarkdown:\n")
    cols = list(targets) + [h for h, _, _ in RATIOS]
    print("| object | op | " + " | ".join(cols) + " |")
    print("|---|---|" + "---:|" * len(cols))
    for size in args.sizes:
        for op in OPS:
            cells = []
            for t in targets:
                m = med.get((t, op, size))
                if m is None:
                    cells.append("—" if (t == "static" and op == "PUT") else "failed")
                else:
                    cells.append("%s req/s · %s MB/s · p99 %.1f ms" % (
                        "{:,}".format(round(m["rps"])), "{:,}".format(round(m["mbps"])),
                        m["p99_ms"]))
            cells += [fmt_ratio(ratio(med, a, b, op, size)) for _, a, b in RATIOS]
            print("| %s | %s | %s |" % (size_label(size), op, " | ".join(cells)))


if __name__ == "__main__":
    sys.exit(main())
