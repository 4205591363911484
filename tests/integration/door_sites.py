"""A store with a user and a bucket, served by one door (the nginx or the
Apache module), for the modules' server tests: signed requests, raw
sockets, the server's log and the processes' memory.
"""
import hashlib
import http.client
import os
import re
import signal
import socket
import threading
import time
import uuid

import requests
from conftest import StoreSetup
from s3_servers import STARTERS
from s3_signing import sign_v4

import pyrgw

MiB = 1 << 20


class Endpoint:
    """What sign_v4 needs: the URL and a user's keys."""

    def __init__(self, url, access_key, secret_key):
        self.url, self.access_key, self.secret_key = url, access_key, secret_key
        self.host = url.split("//", 1)[1]


class Site:
    """A store with a user and a bucket, and (once started) nginx serving it."""

    def __init__(self, driver, uri, workdir):
        self.driver, self.uri, self.workdir = driver, uri, workdir
        tag = uuid.uuid4().hex[:10]
        self.access_key, self.secret_key = "AKNG" + tag.upper(), "SKNG" + tag
        self.bucket = f"ngx-{tag}"
        with pyrgw.Store(uri) as store:
            store.create_user(f"ngx-{tag}", access_key=self.access_key, secret_key=self.secret_key)
            store.create_bucket(self.bucket, owner=f"ngx-{tag}")
            self.bucket_id = store.get_bucket(self.bucket).id
        self.server = None
        self.medium = StoreSetup(driver, uri, uri[len("local:"):] if driver == "local" else None)

    def bodies(self):
        """What holds the bucket's object bodies in the store's medium."""
        return self.medium.stored_bodies(self.bucket_id)

    def start(self, door="nginx", **options):
        """Starts the door (a key of s3_servers.STARTERS) on the store."""
        self.server = STARTERS[door](self.uri, self.workdir, **options)
        self.ep = Endpoint(self.server.url, self.access_key, self.secret_key)
        return self

    def stop(self):
        if self.server:
            self.server.stop()

    def path(self, key):
        return f"/{self.bucket}/{key}"

    def request(self, method, key, data=b"", headers=None, session=requests, query="", **kw):
        """A signed request for an object (key) or the bucket (key None)."""
        path = self.path(key) if key is not None else f"/{self.bucket}"
        path += "?" + query if query else ""
        h = sign_v4(self.ep, method, path, headers, body=data)
        return session.request(method, self.ep.url + path, data=data, headers=h,
                               timeout=kw.pop("timeout", 60), **kw)

    def put(self, key, data, **kw):
        r = self.request("PUT", key, data, **kw)
        assert r.status_code == 200, (r.status_code, r.content)
        return r

    def round_trip(self, key, size, chunk=MiB):
        """PUTs size bytes under key with a chunked body (UNSIGNED-PAYLOAD,
        size a multiple of chunk), GETs them back streamed, and asserts that
        the same bytes came back."""
        sent = hashlib.sha256()

        def body():
            block = os.urandom(chunk)
            for i in range(size // chunk):
                piece = i.to_bytes(4, "big") + block[4:]
                sent.update(piece)
                yield piece

        path = self.path(key)
        h = sign_v4(self.ep, "PUT", path, payload_hash="UNSIGNED-PAYLOAD")
        r = requests.put(self.ep.url + path, data=body(), headers=h, timeout=300)
        assert r.status_code == 200, r.content
        got, n = hashlib.sha256(), 0
        with self.get(key, stream=True, timeout=300) as r:
            assert r.status_code == 200
            assert int(r.headers["Content-Length"]) == size
            for piece in r.iter_content(chunk):
                got.update(piece)
                n += len(piece)
        assert n == size and got.hexdigest() == sent.hexdigest()

    def get(self, key, **kw):
        return self.request("GET", key, **kw)

    def head_status(self, key):
        return self.request("HEAD", key).status_code

    def log_offset(self):
        return os.path.getsize(self.server.log_path)

    def log_since(self, offset):
        with open(self.server.log_path, errors="replace") as f:
            f.seek(offset)
            return f.read()

    def wait_for_log(self, offset, pattern, timeout=60):
        """Waits until a line matching pattern is logged after offset."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log_since(offset)
            if re.search(pattern, text):
                return text
            time.sleep(0.05)
        raise AssertionError(f"{pattern!r} was not logged:\n{self.log_since(offset)[-3000:]}")


def make_site(request, tmp_path_factory, driver, tag="ngx"):
    workdir = str(tmp_path_factory.mktemp(f"{tag}-{driver}"))
    if driver == "local":
        uri = "local:" + os.path.join(workdir, "store")
    else:
        cluster = request.getfixturevalue("ceph_cluster")
        uri = f"rados:{request.getfixturevalue('rados_prefix')}?conf={cluster.conf_path}"
    return Site(driver, uri, workdir)


def assert_no_worker_died(log_text):
    """No worker died on a signal and nothing worse than an error was logged
    (for logs that also record signals sent to nginx: reload, quit, stop)."""
    assert "exited on signal" not in log_text, log_text[-3000:]
    for level in ("[alert]", "[crit]", "[emerg]"):
        assert level not in log_text, log_text[-3000:]


def assert_no_crash(log_text):
    """As assert_no_worker_died, for logs where no signal at all was sent."""
    assert "signal" not in log_text, log_text[-3000:]
    assert_no_worker_died(log_text)


def assert_apache_no_crash(log_text):
    """No child of Apache died or logged an alert, emergency or critical
    error in log_text."""
    for bad in ("exit signal", "Segmentation", "[core:alert]", ":emerg]", ":crit]"):
        assert bad not in log_text, log_text[-3000:]


def start_slow_download(site, key, body):
    """PUTs body under key, then starts a signed GET of it and reads its
    first 256 KiB: (connection, response, the store body files the PUT
    made, sha256 of what was read).  The caller reads the rest."""
    earlier = set(site.bodies())
    site.put(key, body)
    body_files = set(site.bodies()) - earlier
    assert body_files
    path = site.path(key)
    conn = http.client.HTTPConnection("127.0.0.1", site.server.port, timeout=60)
    conn.request("GET", path, headers=sign_v4(site.ep, "GET", path))
    resp = conn.getresponse()
    assert resp.status == 200 and int(resp.getheader("Content-Length")) == len(body)
    return conn, resp, body_files, hashlib.sha256(resp.read(256 * 1024))


def gets_during_overwrites(site, key, versions, gets_per_reader, readers=4):
    """One writer PUTs the versions of key over and over while `readers`
    clients GET it gets_per_reader times each; returns what went wrong:
    a failed PUT or GET, or a GET whose body is not, whole, the version its
    ETag names."""
    etags = {'"' + hashlib.md5(v).hexdigest() + '"': v for v in versions}
    stop = threading.Event()
    errors = []

    def writer():
        i = 0
        while not stop.is_set():
            i += 1
            r = site.request("PUT", key, versions[i % len(versions)])
            if r.status_code != 200:
                errors.append(("put", r.status_code, r.text[:200]))

    def reader():
        session = requests.Session()
        for _ in range(gets_per_reader):
            r = site.get(key, session=session)
            if r.status_code != 200:
                errors.append(("get", r.status_code, r.text[:200]))
                continue
            body = etags.get(r.headers.get("ETag"))
            if body is None or r.content != body:
                errors.append(("get", "mismatch", len(r.content), r.headers.get("ETag")))

    w = threading.Thread(target=writer)
    threads = [threading.Thread(target=reader) for _ in range(readers)]
    w.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    w.join()
    return errors


def raw_connect(site):
    return socket.create_connection(("127.0.0.1", site.server.port), timeout=30)


def raw_head(site, method, key, headers):
    lines = [f"{method} {site.path(key)} HTTP/1.1", f"Host: {site.ep.host}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def close(sock, how):
    if how == "reset":  # RST instead of FIN
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    sock.close()



def status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


def stalled_osd_round(site, osd_pid, children, assert_no_crash):
    """The OSD stops answering (SIGSTOP; the site's store URI sets a short
    op timeout): a GET of "k" (stored beforehand) waits while the same
    server answers a request that needs no store call (anonymous
    ListBuckets: an empty list, no store call); the GET then fails with a
    5xx, the server's processes (children()) are the same, nothing crashed,
    and once the OSD is back "k" is served again.  Returns the GET's
    duration in seconds."""
    pids = children()
    offset = site.log_offset()
    result = {}

    def stalled_get():
        started = time.monotonic()
        r = site.get("k", timeout=120)
        result["status"], result["done_at"] = r.status_code, time.monotonic()
        result["took"] = result["done_at"] - started

    os.kill(osd_pid, signal.SIGSTOP)
    try:
        t = threading.Thread(target=stalled_get)
        t.start()
        time.sleep(0.5)  # the GET is waiting on the OSD
        r = requests.get(site.ep.url + "/", timeout=30)
        answered_at = time.monotonic()
        assert r.status_code == 200 and b"<ID>anonymous</ID>" in r.content, r.content
        assert "status" not in result  # the GET is still waiting
        t.join(60)
    finally:
        os.kill(osd_pid, signal.SIGCONT)
    assert result["status"] >= 500, result
    assert result["done_at"] > answered_at
    assert children() == pids
    assert_no_crash(site.log_since(offset))
    deadline = time.monotonic() + 60
    while True:
        r = site.get("k")
        if r.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert r.status_code == 200 and r.content == b"before the stall"
    return result["took"]
