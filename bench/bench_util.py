"""Helpers the benchmarks share: the processes of a server and their CPU
time, starting and stopping servers, and an S3 client for the bench user."""
import http.client
import json
import os
import resource
import signal
import subprocess
import time
import urllib.parse

import boto3
from botocore.config import Config

UID, AK, SK = "bench", "BENCHACCESSKEY000001", "benchsecretkey0000000000000000000000001"
CLK_TCK = os.sysconf("SC_CLK_TCK")

# wrk script: args are the method, a file listing the request targets (one
# per line) and the body size.  Every request is formatted once in init()
# (the PUT body is the same for all); each wrk thread starts at its own
# offset and cycles.  done() prints one JSON line.
WRK_LUA = r"""
local reqs = {}
local i = 0
local threads = 0

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

function init(args)
  local method, body, headers = args[1], nil, {}
  if method == "PUT" then
    local size = tonumber(args[3])
    body = string.rep("0123456789abcdef", math.floor(size / 16)) ..
           string.rep("x", size % 16)
    headers["Content-Type"] = "application/octet-stream"
  end
  -- args[4], if any: one more header ("X-Auth-Token: ...") on every request
  if args[4] then
    local name, value = string.match(args[4], "^([^:]+):%s*(.*)$")
    headers[name] = value
  end
  for line in io.lines(args[2]) do
    reqs[#reqs + 1] = wrk.format(method, line, headers, body)
  end
  i = ((tid or 0) * 7919) % #reqs
end

function request()
  i = i % #reqs + 1
  return reqs[i]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nWRKJSON {"requests": %d, "bytes": %d, "duration_us": %d, "connect": %d, ' ..
    '"read": %d, "write": %d, "status": %d, "timeout": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.bytes, summary.duration, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(99)))
end
"""


def proc_tree(root):
    """pids of root and all its descendants (scans /proc)."""
    children = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(name))
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children.get(pid, ()))
    return pids


def cpu_seconds(pids):
    """User + system CPU seconds used so far by these processes."""
    total = 0
    for pid in pids:
        try:
            with open("/proc/%d/stat" % pid) as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLK_TCK


def machine_cpu():
    """(busy, task) CPU seconds of the whole machine so far: busy = all but
    idle and iowait; task = user + nice + system, what processes are charged
    (irq and softirq time, e.g. loopback networking, are not)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    busy = sum(fields[:8]) - fields[3] - fields[4]
    return busy / CLK_TCK, sum(fields[:3]) / CLK_TCK


def tail(path, n=4000):
    try:
        with open(path, errors="replace") as f:
            return f.read()[-n:]
    except OSError:
        return ""


def wait_http(port, proc, log_path, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited with %s:\n%s" % (proc.returncode, tail(log_path)))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", "/")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
        finally:
            conn.close()
    raise RuntimeError("server did not start:\n" + tail(log_path))


def stop_proc(proc):
    """Stops a server started in its own session, with everything it started."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    try:  # nginx workers left behind by a master that had to be killed
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def client(port):
    return boto3.client(
        "s3", endpoint_url="http://127.0.0.1:%d" % port, region_name="us-east-1",
        aws_access_key_id=AK, aws_secret_access_key=SK,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"},
                      retries={"max_attempts": 1}))


def request_target(url):
    u = urllib.parse.urlsplit(url)
    return u.path + ("?" + u.query if u.query else "")


def check_all(port, op, paths, size, body, header=None):
    """Every request target answers 2xx once (wrk only counts statuses >= 400),
    a GET with the object's bytes.  header: ("Name", "value") sent too."""
    extra = dict([header]) if header else {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        for p in paths:
            if op == "PUT":
                conn.request("PUT", p, body=body,
                             headers=dict(extra, **{"Content-Type": "application/octet-stream"}))
            else:
                conn.request("GET", p, headers=extra)
            r = conn.getresponse()
            data = r.read()
            if not 200 <= r.status < 300:
                raise RuntimeError("%s %s -> %d %s\n%s" % (op, p, r.status, r.reason,
                                                           data[:500].decode("latin-1")))
            if op == "GET" and data != body:
                raise RuntimeError("GET %s -> %d bytes, not the %d stored" % (
                    p, len(data), size))
    finally:
        conn.close()


def run_wrk(port, op, size, paths_file, script, threads, conns, seconds, srv_pids, osd_pids,
            header=None):
    """One wrk run of op ("GET" or "PUT") on size-byte objects over the
    request targets in paths_file, with WRK_LUA in script; returns a dict of
    figures (raises on wrk failure).  srv_pids, osd_pids: whose CPU to count.
    header: ("Name", "value") sent with every request."""
    cmd = ["wrk", "-t%d" % threads, "-c%d" % conns, "-d%gs" % seconds,
           "--timeout", "10s", "-s", script, "http://127.0.0.1:%d" % port,
           "--", op, paths_file, str(size)] + (["%s: %s" % header] if header else [])
    res, cpu = cpu_during(
        lambda: subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60),
        srv_pids, osd_pids)
    lines = [ln for ln in res.stdout.splitlines() if ln.startswith("WRKJSON ")]
    if res.returncode != 0 or not lines:
        raise RuntimeError("wrk failed (rc=%d): %s\n%s" % (res.returncode, " ".join(cmd),
                                                         res.stdout + res.stderr))
    out = json.loads(lines[-1][len("WRKJSON "):])
    errors = {k: out[k] for k in ("connect", "read", "write", "status", "timeout") if out[k]}
    if out["requests"] == 0:
        errors["no requests"] = 1
    elif op == "GET" and out["bytes"] < out["requests"] * size:
        # every answer carries the whole object, plus headers
        errors["short GET bodies"] = out["requests"]
    rps = out["requests"] / (out["duration_us"] / 1e6)
    return dict(cpu, rps=rps, mbps=rps * size / 1e6, p50_ms=out["p50_us"] / 1000.0,
                p99_ms=out["p99_us"] / 1000.0, errors=errors, requests=out["requests"])


def cpu_during(run, srv_pids, osd_pids):
    """Runs run() (which runs the client as a child process); returns its
    result and the CPU used meanwhile, in % of one core: srv_cpu (srv_pids),
    osd_cpu (osd_pids), wrk_cpu (this process's children: the client),
    box_cpu (the whole machine, irq included), kthr_cpu (kernel threads:
    writeback after the local store's fsync, ...) and other_cpu (user
    processes that are not the benchmark's)."""
    own_pids, kthreads = proc_tree(os.getpid()), proc_tree(2)
    srv0, osd0, own0 = cpu_seconds(srv_pids), cpu_seconds(osd_pids), cpu_seconds(own_pids)
    kthr0 = cpu_seconds(kthreads)
    busy0, task0 = machine_cpu()
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    result = run()
    wall = time.monotonic() - t0
    srv, osd = cpu_seconds(srv_pids) - srv0, cpu_seconds(osd_pids) - osd0
    own, kthr = cpu_seconds(own_pids) - own0, cpu_seconds(kthreads) - kthr0
    busy1, task1 = machine_cpu()
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    client = ru.ru_utime + ru.ru_stime - ru0.ru_utime - ru0.ru_stime
    return result, {
        "srv_cpu": 100.0 * srv / wall,
        "osd_cpu": 100.0 * osd / wall,
        "wrk_cpu": 100.0 * client / wall,
        "box_cpu": 100.0 * (busy1 - busy0) / wall,
        "kthr_cpu": 100.0 * kthr / wall,
        "other_cpu": max(0.0, 100.0 * ((task1 - task0) - own - client - kthr) / wall),
    }


def rados_bench(conf, pool, args, timeout):
    """Runs ``rados bench`` with these arguments; returns its output."""
    cmd = ["rados", "-c", conf, "-p", pool, "bench"] + [str(a) for a in args]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if res.returncode != 0:
        raise RuntimeError("rados bench failed (rc=%d): %s\n%s" % (
            res.returncode, " ".join(cmd), (res.stdout + res.stderr)[-4000:]))
    return res.stdout


def run_rados_bench(conf, pool, op, size, seconds, threads, run_name, osd_pids):
    """Raw librados, the ceiling of a gateway on RADOS: ``rados bench`` with
    `threads` ops in flight for `seconds` on pool.  GET is ``rand`` over
    the size-byte objects an earlier ``write --no-cleanup --run-name
    run_name`` left (rados bench checks every object's bytes); PUT is a
    ``write`` of new size-byte objects.  Returns run_wrk's figures; the
    client's CPU is in srv_cpu (rados bench is gateway and client at once),
    p50_ms is the average latency and p99_ms the maximum (rados bench gives
    no percentiles)."""
    if op == "GET":
        args = [seconds, "rand", "-t", threads, "--run-name", run_name]
    else:
        args = [seconds, "write", "-t", threads, "-b", size, "-O", size, "--no-cleanup",
                "--run-name", "%s-put-%d" % (run_name, time.monotonic_ns())]
    out, cpu = cpu_during(lambda: rados_bench(conf, pool, args, seconds + 120), [], osd_pids)
    figures = {}
    for line in out.splitlines():
        name, sep, value = line.partition(":")
        if sep:
            figures[name.strip()] = value.strip()
    try:
        ops = int(figures["Total reads made" if op == "GET" else "Total writes made"])
        iops = float(figures["Average IOPS"])
        avg_s, max_s = float(figures["Average Latency(s)"]), float(figures["Max latency(s)"])
    except (KeyError, ValueError) as e:
        raise RuntimeError("rados bench: no figures in its output:\n%s" % out[-4000:]) from e
    # the client is the gateway here: its CPU goes to srv_cpu
    cpu["srv_cpu"], cpu["wrk_cpu"] = cpu["wrk_cpu"], 0.0
    return dict(cpu, rps=iops, mbps=iops * size / 1e6, p50_ms=avg_s * 1000.0,
                p99_ms=max_s * 1000.0, errors={} if ops else {"no requests": 1}, requests=ops)


def put_public(c, bucket, keys, body):
    """PUTs body under each key, public-read: an anonymous GET needs the
    object's own ACL to allow it (the bucket's READ only lists)."""
    for key in keys:
        c.put_object(Bucket=bucket, Key=key, Body=body, ACL="public-read")
