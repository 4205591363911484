"""Throwaway single-node Ceph cluster for tests and benchmarks (stdlib only).

One monitor and one OSD using the in-memory object store (memstore), with
authentication disabled and every daemon bound to 127.0.0.1 on a random
free port.  The daemons run in the foreground as our own child processes,
so ``stop()`` (also registered with ``atexit``) can always clean them up.

Library use::

    cluster = CephCluster("/tmp/somedir")
    cluster.start()
    cluster.create_pool("data")
    ...                      # librados clients use cluster.conf_path
    cluster.stop()

Command line (keeps running until SIGINT/SIGTERM)::

    python3 tests/integration/ceph_cluster.py start DIR
    python3 tests/integration/ceph_cluster.py exec DIR -- prog rados:p?conf={conf}
"""

import atexit
import ctypes
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid

_PR_SET_PDEATHSIG = 1


def _die_with_parent():
    """preexec_fn: have the kernel SIGTERM the daemon if we die first.

    Linux ties this to the thread that forked, so call start() from a
    thread that outlives the cluster (normally the main thread).
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except Exception:  # pragma: no cover - best effort only
        pass


def free_port():
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path, lines=30):
    """Return the last ``lines`` lines of a file, or a note if unreadable."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 16384))
            text = f.read().decode("utf-8", "replace")
    except OSError as e:
        return "<cannot read %s: %s>" % (path, e)
    return "\n".join(text.splitlines()[-lines:])


class CephCluster:
    """A one-mon, one-OSD memstore cluster living under ``base_dir``."""

    def __init__(self, base_dir, memstore_bytes=4 << 30):
        """memstore_bytes: the OSD's capacity, in RAM as it fills; a write
        past its full ratio waits (benchmarks that write many GiB, such as
        bench_nginx.py's radosgw targets, whose replaced objects wait for
        radosgw's gc, need more than the tests' 4 GiB)."""
        self.base_dir = os.path.abspath(base_dir)
        self.memstore_bytes = memstore_bytes
        self.conf_path = os.path.join(self.base_dir, "ceph.conf")
        self.log_dir = os.path.join(self.base_dir, "log")
        self.port = None
        self.fsid = None
        self._procs = {}  # daemon name -> (Popen, log file path)
        atexit.register(self.stop)

    # ----------------------------------------------------------------- setup
    def _write_conf(self):
        d = self.base_dir
        conf = f"""[global]
fsid = {self.fsid}
mon host = 127.0.0.1:{self.port}
public addr = 127.0.0.1
cluster addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon warn on insecure global id reclaim allowed = false
osd crush chooseleaf type = 0
osd objectstore = memstore
memstore device bytes = {self.memstore_bytes}
osd op num shards = 2
osd op num threads per shard = 1
run dir = {d}/run
admin socket = {d}/run/$name.asok
log file = {d}/log/$name.log
pid file = {d}/run/$name.pid

[mon.a]
mon data = {d}/mon

[osd.0]
osd data = {d}/osd0
"""
        with open(self.conf_path, "w") as f:
            f.write(conf)

    def _run(self, args, timeout=60, log=None):
        """Run a one-shot command; raise RuntimeError (with log tail) on failure."""
        try:
            res = subprocess.run(args, capture_output=True, text=True,
                                 timeout=timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            self._fail("timed out after %ss: %s" % (timeout, " ".join(args)), log)
        if res.returncode != 0:
            self._fail("failed (rc=%d): %s\n%s%s" % (
                res.returncode, " ".join(args), res.stdout, res.stderr), log)
        return res.stdout

    def _fail(self, msg, log=None):
        if log:
            msg += "\n--- tail of %s ---\n%s" % (log, _tail(log))
        raise RuntimeError(msg)

    def ceph(self, *args, timeout=30):
        """Run the ``ceph`` CLI against this cluster and return its stdout."""
        return self._run(["ceph", "-c", self.conf_path, "--connect-timeout",
                          str(min(timeout, 15)), *args], timeout=timeout,
                         log=self._log("mon.a"))

    def _log(self, name):
        return os.path.join(self.log_dir, name + ".log")

    def _spawn(self, name, args):
        """Start a daemon in the foreground as our child process."""
        out = open(os.path.join(self.log_dir, name + ".out"), "ab")
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT,
                                preexec_fn=_die_with_parent)
        out.close()
        self._procs[name] = (proc, self._log(name))
        return proc

    def _check_alive(self):
        for name, (proc, log) in self._procs.items():
            if proc.poll() is not None:
                out = os.path.join(self.log_dir, name + ".out")
                self._fail("%s exited with rc=%s\n--- %s ---\n%s" % (
                    name, proc.returncode, out, _tail(out, 10)), log)

    def start(self, timeout=60):
        """Create and start the cluster; return once 1 OSD is up and in."""
        deadline = time.monotonic() + timeout
        for sub in ("run", "log", "mon", "osd0"):
            os.makedirs(os.path.join(self.base_dir, sub), exist_ok=True)
        self.fsid = str(uuid.uuid4())
        self.port = free_port()
        self._write_conf()
        try:
            monmap = os.path.join(self.base_dir, "monmap")
            self._run(["monmaptool", "--create", "--clobber", "--fsid", self.fsid,
                       "--add", "a", "127.0.0.1:%d" % self.port, monmap], 30)
            self._run(["ceph-mon", "--mkfs", "-i", "a", "--monmap", monmap,
                       "-c", self.conf_path], 30, self._log("mon.a"))
            self._spawn("mon.a", ["ceph-mon", "-f", "-i", "a", "-c", self.conf_path])

            osd_uuid = str(uuid.uuid4())
            self.ceph("osd", "new", osd_uuid, "0",
                      timeout=max(5, deadline - time.monotonic()))
            self._run(["ceph-osd", "--mkfs", "-i", "0", "--osd-uuid", osd_uuid,
                       "-c", self.conf_path], 60, self._log("osd.0"))
            self._spawn("osd.0", ["ceph-osd", "-f", "-i", "0", "-c", self.conf_path])
            self._wait_osd_up(deadline)
        except BaseException:
            self.stop()
            raise

    def _wait_osd_up(self, deadline):
        while True:
            self._check_alive()
            stat = json.loads(self.ceph("osd", "stat", "-f", "json", timeout=15))
            if stat.get("num_up_osds") == 1 and stat.get("num_in_osds") == 1:
                return
            if time.monotonic() > deadline:
                self._fail("OSD not up+in before timeout: %s" % stat,
                           self._log("osd.0"))
            time.sleep(0.2)

    def create_pool(self, name, pg_num=8):
        """Create a replicated pool with size 1 and tag it for rados use."""
        self.ceph("osd", "pool", "create", name, str(pg_num), str(pg_num))
        self.ceph("osd", "pool", "application", "enable", name, "rados")

    # --------------------------------------------------------------- radosgw
    def start_radosgw(self, port, uid, access_key, secret_key, threads=1,
                      timeout=60, name="client.rgw.x"):
        """Start a tuned radosgw (beast) on 127.0.0.1:port and create a user
        (unless uid is None: a second radosgw on the same cluster shares
        the first one's users)."""
        deadline = time.monotonic() + timeout
        os.makedirs(os.path.join(self.base_dir, "rgw", name), exist_ok=True)
        with open(self.conf_path, "a") as f:
            f.write(f"""
[{name}]
rgw frontends = beast endpoint=127.0.0.1:{port} tcp_nodelay=1
# radosgw defaults to a "secure" mon session, impossible with auth none
ms mon client mode = crc
rgw data = {self.base_dir}/rgw/{name}
rgw thread pool size = {threads}
debug rgw = 0/0
""")
        self._spawn(name, ["radosgw", "-f", "-n", name, "-c", self.conf_path])
        while not self._http_ok(port):
            self._check_alive()
            if time.monotonic() > deadline:
                self._fail("radosgw not answering on port %d" % port,
                           self._log(name))
            time.sleep(0.2)
        if uid is None:
            return
        self._run(["radosgw-admin", "-c", self.conf_path, "user", "create",
                   "--uid", uid, "--display-name", uid,
                   "--access-key", access_key, "--secret-key", secret_key],
                  max(5, deadline - time.monotonic()), self._log(name))

    @staticmethod
    def _http_ok(port):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", "/")
            conn.getresponse().read()
            return True
        except OSError:
            return False
        finally:
            conn.close()

    # ------------------------------------------------------------------ stop
    def stop(self, grace=5.0):
        """Terminate all daemons (SIGTERM, then SIGKILL); safe to call twice.

        Daemons stop one at a time, newest first, so the OSD can still tell
        the monitor it is going down (otherwise it waits for it).
        """
        procs = [p for p, _ in reversed(list(self._procs.values()))]
        self._procs.clear()
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
            try:
                p.wait(grace)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def pids(self):
        """Map daemon name -> pid for the running daemons."""
        return {n: p.pid for n, (p, _) in self._procs.items()}

    def osd_ops(self):
        """Ops the OSD executed so far (its perf counters)."""
        asok = os.path.join(self.base_dir, "run", "osd.0.asok")
        out = subprocess.run(["ceph", "--admin-daemon", asok, "perf", "dump"], check=True,
                             capture_output=True, text=True).stdout
        return json.loads(out)["osd"]["op"]


def run_with_cluster(base_dir, command):
    """Runs command (a list; "{conf}" in it becomes the ceph.conf path) against
    a fresh cluster, then stops the cluster.  Returns the command's status."""
    cluster = CephCluster(base_dir)
    try:
        cluster.start()
        args = [a.replace("{conf}", cluster.conf_path) for a in command]
        return subprocess.call(args)
    finally:
        cluster.stop()


def main(argv):
    if len(argv) >= 4 and argv[1] == "exec" and "--" in argv:
        sep = argv.index("--")
        if sep == 3 and len(argv) > 4:
            return run_with_cluster(argv[2], argv[4:])
    if len(argv) != 3 or argv[1] != "start":
        sys.stderr.write("usage: %s start DIR\n"
                         "       %s exec DIR -- COMMAND... ({conf} = ceph.conf path)\n"
                         % (argv[0], argv[0]))
        return 2
    cluster = CephCluster(argv[2])

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        cluster.start()
        print("CEPH_CONF=%s" % cluster.conf_path, flush=True)
        while True:
            signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
