"""The nginx module (ngx_http_rgw_module) as a server: memory while streaming,
clients that vanish mid-request, one worker serving many requests at once,
reloads under load, configuration errors caught by `nginx -t`, and a store
that does not open.

Every server here runs Debian's nginx on a full nginx.conf rendered by
pyrgw.nginx_conf (s3_servers.start_nginx); LIBRGW_NGINX_MODULE names the
module.  Servers are shared per module and driver where the tests allow it.
"""
import http.client
import os
import re
import socket
import subprocess
import threading
import time
import uuid

import pytest
import requests
import urllib3
from conftest import DRIVERS
from door_sites import (
    Site,
    assert_no_crash,
    assert_no_worker_died,
    close,
    make_site,
    raw_connect,
    raw_head,
    stalled_osd_round,
    status_kb,
)
from s3_servers import NGINX, nginx_settings, start_nginx
from s3_signing import sign_v4

import pyrgw

MiB = 1 << 20


@pytest.fixture(scope="module", params=DRIVERS)
def site(request, tmp_path_factory):
    """nginx with one worker process, shared by this module's tests of one driver."""
    s = make_site(request, tmp_path_factory, request.param).start(workers=1)
    yield s
    s.stop()


# ---------------------------------------------------------------- memory

SIZE = 200 * MiB
CHUNK = MiB
LIMIT_KB = 64 * 1024


@pytest.mark.parametrize("driver", DRIVERS)
def test_200mb_put_and_get_keep_worker_memory_bounded(request, tmp_path_factory, driver):
    """A fresh worker (so that its high-water mark is this test's own) moves
    200 MB each way; its peak RSS grows by less than 64 MiB and the data
    round-trips."""
    site = make_site(request, tmp_path_factory, driver).start(workers=1)
    try:
        [pid] = site.server.worker_pids()
        site.put("warm", b"w")
        assert site.get("warm").content == b"w"
        before = status_kb(pid, "VmHWM")

        samples = []
        done = threading.Event()

        def sample():
            while not done.wait(0.05):
                samples.append(status_kb(pid, "VmRSS"))

        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            site.round_trip("big", SIZE, CHUNK)
        finally:
            done.set()
            sampler.join()
        after = status_kb(pid, "VmHWM")
        print(f"{driver}: worker VmHWM {before} kB -> {after} kB; "
              f"VmRSS sampled {min(samples, default=0)}..{max(samples, default=0)} kB")
        assert after - before < LIMIT_KB, (before, after)
        assert max(samples) - before < LIMIT_KB, (before, max(samples))
        assert site.server.worker_pids() == [pid]
        assert site.request("DELETE", "big").status_code == 204
    finally:
        site.stop()


# ---------------------------------------------------------------- clients that vanish

@pytest.mark.parametrize("how", ["close", "reset"])
@pytest.mark.parametrize("existing", [False, True], ids=["new-key", "overwrite"])
def test_client_gone_mid_put(site, existing, how):
    """The client sends the headers and part of a 16 MiB body, then goes away:
    the worker lives on, nothing of the new body is visible, and the server
    still serves."""
    key = f"put-gone-{uuid.uuid4().hex[:8]}"
    if existing:
        site.put(key, b"old content")
    pids = site.server.worker_pids()
    bodies = site.bodies()
    offset = site.log_offset()

    size = 16 * MiB
    h = sign_v4(site.ep, "PUT", site.path(key), {"Content-Length": str(size)},
                payload_hash="UNSIGNED-PAYLOAD")
    sock = raw_connect(site)
    sock.sendall(raw_head(site, "PUT", key, h))
    part = os.urandom(MiB)
    for _ in range(3):
        sock.sendall(part)
    close(sock, how)

    # nginx logs the end of the body it was reading (info level)
    site.wait_for_log(offset, r"client prematurely closed connection|"
                              r"recv\(\) failed \(104: Connection reset by peer\)")
    if existing:
        r = site.get(key)
        assert (r.status_code, r.content) == (200, b"old content")
    else:
        assert site.head_status(key) == 404
    keys = site.request("GET", None, query=f"prefix={key}")
    assert keys.status_code == 200
    assert keys.content.count(b"<Key>") == (1 if existing else 0), keys.content
    # what the aborted upload wrote is gone from the medium too, without gc
    deadline = time.monotonic() + 30
    while site.bodies() != bodies and time.monotonic() < deadline:
        time.sleep(0.1)
    assert site.bodies() == bodies

    # still serving, same worker
    site.put(key, b"new content")
    assert site.get(key).content == b"new content"
    assert site.server.worker_pids() == pids
    assert_no_crash(site.log_since(offset))


@pytest.mark.parametrize("how", ["close", "reset"])
def test_client_gone_mid_get(site, how):
    """The client reads a little of a large object, then goes away: the
    worker lives on and serves the object whole afterwards."""
    key = f"get-gone-{uuid.uuid4().hex[:8]}"
    data = os.urandom(32 * MiB)
    site.put(key, data)
    pids = site.server.worker_pids()
    offset = site.log_offset()

    sock = raw_connect(site)
    sock.sendall(raw_head(site, "GET", key, sign_v4(site.ep, "GET", site.path(key))))
    got = b""
    while len(got) < 256 * 1024:
        chunk = sock.recv(65536)
        assert chunk, got[:300]
        got += chunk
    assert got.startswith(b"HTTP/1.1 200 ")
    close(sock, how)

    # nginx finds out on its next write to the socket (info level); a local
    # store's body goes out with sendfile, whose failure nginx words its way
    site.wait_for_log(offset, r"(failed|client prematurely closed connection) "
                              r"\((32: Broken pipe|104: Connection reset by peer)\)")

    r = site.get(key)
    assert r.status_code == 200 and r.content == data
    assert site.server.worker_pids() == pids
    assert_no_crash(site.log_since(offset))
    assert site.request("DELETE", key).status_code == 204


# ---------------------------------------------------------------- one worker, many requests

def test_one_worker_serves_others_during_a_slow_put(site):
    """worker_processes 1: while a PUT streams in slowly, GET, HEAD and a
    listing on other connections are answered before the PUT ends."""
    assert len(site.server.worker_pids()) == 1
    site.put("other", b"other object")
    events = []
    received = threading.Event()  # the worker is inside the PUT, reading its body
    finish = threading.Event()
    result = {}

    def body():
        # 16 MiB at once: more than the loopback socket buffers hold, so the
        # worker has been reading this body when the last of it is sent
        block = b"s" * MiB
        for _ in range(16):
            yield block
        received.set()
        while not finish.is_set():
            events.append("put-chunk")
            yield b"t" * 65536
            time.sleep(0.1)

    def slow_put():
        try:
            path = site.path("slow")
            h = sign_v4(site.ep, "PUT", path, payload_hash="UNSIGNED-PAYLOAD")
            result["put"] = requests.put(site.ep.url + path, data=body(), headers=h, timeout=120)
        except Exception as e:  # reported by the assertion below
            result["put"] = e
        events.append("put-done")

    offset = site.log_offset()
    t = threading.Thread(target=slow_put)
    t.start()
    try:
        assert received.wait(60), result
        r = site.get("other")
        assert (r.status_code, r.content) == (200, b"other object")
        events.append("get")
        assert site.head_status("other") == 200
        events.append("head")
        r = site.request("GET", None, query="list-type=2")
        assert r.status_code == 200 and b"<Key>other</Key>" in r.content
        events.append("list")
        chunks_during = events.count("put-chunk")
    finally:
        finish.set()
        t.join(120)
    assert not t.is_alive()
    put = result["put"]
    assert not isinstance(put, Exception), put
    assert put.status_code == 200, put.content
    assert events.index("get") < events.index("head") < events.index("list") < \
        events.index("put-done"), events
    assert chunks_during >= 1, events  # the PUT was still sending while the others ran
    r = site.request("HEAD", "slow")
    assert r.status_code == 200
    assert int(r.headers["Content-Length"]) == 16 * MiB + events.count("put-chunk") * 65536
    assert_no_crash(site.log_since(offset))


# ---------------------------------------------------------------- refused before the body ends

def read_until_eof(sock):
    sock.settimeout(30)
    out = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return out
        out += chunk


def test_refused_mid_body_says_connection_close(request, tmp_path_factory):
    """rgw_max_object_size 1m: a chunked PUT (no length up front) is refused
    once 1 MiB has arrived.  The rest of the body is never read, so the
    connection cannot carry another request: the answer says
    "Connection: close", and a request pipelined after the body is not
    answered.  A Content-Length over the limit is refused from the headers;
    the body is read and dropped, and the connection goes on."""
    site = make_site(request, tmp_path_factory, "local").start(workers=1, max_object_size="1m")
    try:
        site.put("small", b"fits")
        get_small = raw_head(site, "GET", "small", sign_v4(site.ep, "GET", site.path("small")))

        h = sign_v4(site.ep, "PUT", site.path("big"), {"Transfer-Encoding": "chunked"},
                    payload_hash="UNSIGNED-PAYLOAD")
        chunk = os.urandom(MiB)
        body = b"".join(b"%x\r\n" % len(chunk) + chunk + b"\r\n" for _ in range(3)) + b"0\r\n\r\n"
        with raw_connect(site) as sock:
            sock.sendall(raw_head(site, "PUT", "big", h) + body + get_small)
            out = read_until_eof(sock)
        head, _, rest = out.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400 "), out[:500]
        assert b"\r\nConnection: close\r\n" in head + b"\r\n", head
        assert b"<Code>EntityTooLarge</Code>" in rest and b"HTTP/1.1" not in rest, out[:1000]
        assert site.head_status("big") == 404

        size = 3 * MiB
        h = sign_v4(site.ep, "PUT", site.path("big"), {"Content-Length": str(size)},
                    payload_hash="UNSIGNED-PAYLOAD")
        with raw_connect(site) as sock:
            sock.sendall(raw_head(site, "PUT", "big", h) + os.urandom(size) + get_small)
            sock.shutdown(socket.SHUT_WR)
            out = read_until_eof(sock)
        assert out.startswith(b"HTTP/1.1 400 "), out[:500]
        assert b"\r\nConnection: keep-alive\r\n" in out.split(b"\r\n\r\n", 1)[0], out[:500]
        assert b"<Code>EntityTooLarge</Code>" in out
        assert out.count(b"HTTP/1.1 ") == 2 and out.endswith(b"fits"), out[-500:]
        assert_no_crash(site.log_since(0).split("start worker processes", 1)[1])
    finally:
        site.stop()


def test_unwanted_body_is_dropped_and_the_connection_goes_on(request, tmp_path_factory):
    """The core answers a GET from its headers; its 3 MiB body (which nginx
    reads and drops) and a pipelined GET are still arriving while the
    300 KiB answer streams out.  After the answer nginx drops the rest of
    the body and answers the pipelined GET on the same connection."""
    site = make_site(request, tmp_path_factory, "local").start(workers=1)
    try:
        data = os.urandom(300 * 1024)  # more than one rgw_buffer_size: not all read ahead
        site.put("obj", data)
        site.put("small", b"fits")
        get_small = raw_head(site, "GET", "small", sign_v4(site.ep, "GET", site.path("small")))
        size = 3 * MiB
        h = sign_v4(site.ep, "GET", site.path("obj"), {"Content-Length": str(size)},
                    payload_hash="UNSIGNED-PAYLOAD")
        for _ in range(3):
            with raw_connect(site) as sock:
                sock.sendall(raw_head(site, "GET", "obj", h) + b"b" * size + get_small)
                sock.shutdown(socket.SHUT_WR)
                out = read_until_eof(sock)
            first, _, rest = out.partition(b"\r\n\r\n")
            assert first.startswith(b"HTTP/1.1 200 "), out[:500]
            assert rest[:len(data)] == data
            second = rest[len(data):]
            assert second.startswith(b"HTTP/1.1 200 ") and second.endswith(b"\r\n\r\nfits"), \
                second[:500]
        assert_no_crash(site.log_since(0).split("start worker processes", 1)[1])
    finally:
        site.stop()


def test_a_body_sent_with_its_headers_goes_with_the_start(site):
    """A small PUT whose body arrives with its headers goes to the core in
    one piece with the start.  Its bytes, which look like a request here,
    are the object's, never the next request: a GET pipelined right after
    them in the same packet is answered after the PUT, on the same
    connection, with the PUT's bytes; a PUT refused from its headers alone
    (anonymous) leaves its body skipped the same way; a body that comes
    later than its headers takes the usual path."""
    key = f"whole-{uuid.uuid4().hex[:8]}"
    body = b"GET /not-a-request HTTP/1.1\r\nHost: x\r\n\r\n" + os.urandom(3000)
    put = raw_head(site, "PUT", key, sign_v4(site.ep, "PUT", site.path(key),
                                             {"Content-Length": str(len(body))},
                                             payload_hash="UNSIGNED-PAYLOAD"))
    get = raw_head(site, "GET", key, sign_v4(site.ep, "GET", site.path(key)))
    with raw_connect(site) as sock:
        sock.sendall(put + body + get)
        sock.shutdown(socket.SHUT_WR)
        out = read_until_eof(sock)
    first, _, rest = out.partition(b"\r\n\r\n")
    assert first.startswith(b"HTTP/1.1 200 "), out[:500]
    assert rest.startswith(b"HTTP/1.1 200 ") and rest.endswith(b"\r\n\r\n" + body), rest[:500]
    assert rest.count(b"HTTP/1.1 ") == 1 + body.count(b"HTTP/1.1 ")

    anon = raw_head(site, "PUT", key, {"Content-Length": str(len(body))})
    with raw_connect(site) as sock:
        sock.sendall(anon + b"x" * len(body) + get)
        sock.shutdown(socket.SHUT_WR)
        out = read_until_eof(sock)
    first, _, rest = out.partition(b"\r\n\r\n")
    assert first.startswith(b"HTTP/1.1 403 "), out[:500]
    assert b"\r\nConnection: keep-alive" in first + b"\r\n", first
    second = rest[rest.index(b"HTTP/1.1 "):]
    assert second.startswith(b"HTTP/1.1 200 ") and second.endswith(b"\r\n\r\n" + body), \
        second[:500]

    later = os.urandom(5000)
    put = raw_head(site, "PUT", key, sign_v4(site.ep, "PUT", site.path(key),
                                             {"Content-Length": str(len(later))},
                                             payload_hash="UNSIGNED-PAYLOAD"))
    with raw_connect(site) as sock:
        sock.sendall(put + later[:1000])
        time.sleep(0.3)
        sock.sendall(later[1000:] + get)
        sock.shutdown(socket.SHUT_WR)
        out = read_until_eof(sock)
    first, _, rest = out.partition(b"\r\n\r\n")
    assert first.startswith(b"HTTP/1.1 200 "), out[:500]
    assert rest.startswith(b"HTTP/1.1 200 ") and rest.endswith(b"\r\n\r\n" + later), rest[:500]


# ---------------------------------------------------------------- reload

def reload(srv):
    res = subprocess.run([NGINX, "-p", srv.prefix + "/", "-c", srv.conf_path,
                          "-e", srv.log_path, "-s", "reload"],
                         capture_output=True, text=True, timeout=30)
    assert res.returncode == 0, res.stderr


def wait_for_workers(srv, n, gone=(), timeout=60):
    """Waits until the master has n workers, none of them in gone."""
    deadline = time.monotonic() + timeout
    while True:
        pids = srv.worker_pids()
        if len(pids) == n and not set(gone) & set(pids):
            return pids
        assert time.monotonic() < deadline, (n, gone, pids)
        time.sleep(0.05)


def closed_while_idle(exc):
    """A connection nginx closed before any byte of the response.

    A worker that shuts down gracefully (reload, quit) closes its idle
    keep-alive connections at once; a request a client sends on one at that
    moment meets a closed or reset connection.  Plain nginx does the same
    (static files, the dav module): HTTP lets a client retry such a request
    on a new connection (RFC 9112, section 9.3.1), as browsers and the AWS
    SDKs do.  Anything else is a failure."""
    if not isinstance(exc, requests.ConnectionError) or not exc.args:
        return False
    cause = getattr(exc.args[0], "args", (None, None))
    return len(cause) == 2 and isinstance(
        cause[1], (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError))


@pytest.mark.parametrize("driver", DRIVERS)
def test_reload_under_load(request, tmp_path_factory, driver):
    """`nginx -s reload` three times while threads PUT and GET over keep-alive
    connections: every request succeeds (retried at most once on a new
    connection when nginx closed an idle keep-alive one, see
    closed_while_idle) and the workers are replaced each time."""
    site = make_site(request, tmp_path_factory, driver).start(workers=2)
    srv = site.server
    nthreads, reloads = 4, 3
    try:
        stop = threading.Event()
        ok = [0]
        failures, retried = [], []
        lock = threading.Lock()

        def call(session, what, method, key, data, check):
            for attempt in (1, 2):
                try:
                    r = site.request(method, key, data, session=session, timeout=60)
                except requests.ConnectionError as e:
                    if attempt == 1 and closed_while_idle(e):
                        with lock:
                            retried.append(f"{what}: {e!r}")
                        continue
                    raise
                if not check(r):
                    raise AssertionError(f"{what}: {r.status_code}, {len(r.content)} bytes: "
                                         f"{r.content[:300]!r}")
                with lock:
                    ok[0] += 1
                return

        def load(n):
            session = requests.Session()
            key = f"load-{n}"
            i = 0
            while not stop.is_set():
                i += 1
                data = (f"{n}:{i}:".encode() * 40000)[:256 * 1024 + i]
                try:
                    call(session, f"thread {n} PUT {i}", "PUT", key, data,
                         lambda r: r.status_code == 200)
                    call(session, f"thread {n} GET {i}", "GET", key, b"",
                         lambda r, data=data: r.status_code == 200 and r.content == data)
                except Exception as e:
                    with lock:
                        failures.append(f"thread {n} request {i}: {e!r}")

        def wait_ok(more):
            with lock:
                target = ok[0] + more
            deadline = time.monotonic() + 60
            while ok[0] < target and not failures:
                assert time.monotonic() < deadline, "the load stalled"
                time.sleep(0.02)

        offset = site.log_offset()
        threads = [threading.Thread(target=load, args=(n,)) for n in range(nthreads)]
        for t in threads:
            t.start()
        generations = [srv.worker_pids()]
        try:
            wait_ok(20)
            for _ in range(reloads):
                reload(srv)
                generations.append(wait_for_workers(srv, 2, gone=generations[-1]))
                wait_ok(20)  # the new workers serve the load
        finally:
            stop.set()
            for t in threads:
                t.join(120)
        print(f"{driver}: {ok[0]} requests, {len(retried)} retried after an idle close: "
              f"{retried}")
        assert failures == [], failures[:10]
        assert ok[0] >= 20 * (reloads + 1)
        assert len(retried) <= nthreads * reloads, retried
        assert srv.proc.poll() is None
        log = site.log_since(offset)
        assert log.count("signal 1 (SIGHUP) received") == reloads, log[-3000:]
        for pid in (p for g in generations[:-1] for p in g):
            assert f"worker process {pid} exited with code 0" in log, (pid, log[-3000:])
        assert_no_worker_died(log)
    finally:
        site.stop()


@pytest.mark.parametrize("driver", DRIVERS)
def test_reload_lets_requests_in_flight_finish(request, tmp_path_factory, driver):
    """A PUT still sending its body and a GET still being read when nginx
    reloads both complete on the old worker, which then exits."""
    site = make_site(request, tmp_path_factory, driver).start(workers=1)
    srv = site.server
    try:
        data = os.urandom(24 * MiB)
        site.put("big", data)
        [old] = srv.worker_pids()
        offset = site.log_offset()

        # the GET: headers and a first part read, the rest waits for us
        get = site.get("big", stream=True)
        assert get.status_code == 200
        first = get.raw.read(MiB)

        # the PUT: 16 MiB sent (more than the socket buffers hold, so the
        # worker is reading it), the rest held back until after the reload
        sent, more = threading.Event(), threading.Event()
        result = {}
        block = os.urandom(MiB)

        def body():
            for _ in range(16):
                yield block
            sent.set()
            more.wait(60)
            for _ in range(8):
                yield block

        def put():
            path = site.path("inflight")
            h = sign_v4(site.ep, "PUT", path, payload_hash="UNSIGNED-PAYLOAD")
            try:
                result["put"] = requests.put(site.ep.url + path, data=body(), headers=h,
                                             timeout=120)
            except Exception as e:  # reported below
                result["put"] = e

        t = threading.Thread(target=put)
        t.start()
        try:
            assert sent.wait(60)
            reload(srv)
            # the new worker starts while the old one still serves both requests
            pids = wait_for_workers(srv, 2)
            assert old in pids
            more.set()
            t.join(120)
            rest = get.raw.read()
        finally:
            more.set()
            t.join(120)
        put = result["put"]
        assert not isinstance(put, Exception), put
        assert put.status_code == 200, put.content
        assert first + rest == data
        wait_for_workers(srv, 1, gone=[old])
        r = site.get("inflight")
        assert r.status_code == 200 and r.content == block * 24
        log = site.log_since(offset)
        assert f"worker process {old} exited with code 0" in log, log[-3000:]
        assert_no_worker_died(log)
    finally:
        site.stop()


@pytest.mark.parametrize("driver", DRIVERS)
def test_fast_stop_with_requests_in_flight(request, tmp_path_factory, driver):
    """`nginx -s stop` (SIGTERM) while a PUT is sending its body and a GET is
    half read: the worker drops both and exits normally, and the aborted
    upload leaves no object behind."""
    site = make_site(request, tmp_path_factory, driver).start(workers=1)
    srv = site.server
    try:
        data = os.urandom(24 * MiB)
        site.put("big", data)
        [worker] = srv.worker_pids()
        get = site.get("big", stream=True)
        assert get.status_code == 200
        get.raw.read(MiB)

        sent, release = threading.Event(), threading.Event()
        result = {}

        def body():
            for _ in range(16):
                yield b"x" * MiB
            sent.set()
            release.wait(60)
            yield b"y" * MiB

        def put():
            path = site.path("cut-short")
            h = sign_v4(site.ep, "PUT", path, payload_hash="UNSIGNED-PAYLOAD")
            try:
                result["put"] = requests.put(site.ep.url + path, data=body(), headers=h,
                                             timeout=60)
            except Exception as e:
                result["put"] = e

        t = threading.Thread(target=put)
        t.start()
        try:
            assert sent.wait(60)
            res = subprocess.run([NGINX, "-p", srv.prefix + "/", "-c", srv.conf_path,
                                  "-e", srv.log_path, "-s", "stop"],
                                 capture_output=True, text=True, timeout=30)
            assert res.returncode == 0, res.stderr
            assert srv.proc.wait(60) == 0
        finally:
            release.set()
            t.join(60)
        assert isinstance(result["put"], requests.ConnectionError), result["put"]
        with pytest.raises(urllib3.exceptions.ProtocolError, match="IncompleteRead"):
            get.raw.read()  # cut short
        log = site.log_since(0)
        assert f"worker process {worker} exited with code 0" in log, log[-3000:]
        assert_no_worker_died(log)
        with pyrgw.Store(site.uri) as store:
            assert [o.key for o in store.list_objects(site.bucket).objects] == ["big"]
            assert store.get_object(site.bucket, "big") == data
    finally:
        site.stop()


# ---------------------------------------------------------------- nginx -t

def good_conf(tmp_path):
    from pyrgw.nginx_conf import check, render

    settings = nginx_settings("local:" + str(tmp_path / "store"), str(tmp_path), threads=8)
    text = render(settings)
    ok, output = check(text)
    assert ok, output
    return settings, text


def edit(text, old, new):
    assert text.count(old) == 1, (old, text)
    return text.replace(old, new)


def store_line(settings):
    return f'rgw_store "{settings.store}";'


BAD_CONFS = {
    # name: (edit(settings, text) -> text, what the output must say)
    "rgw-on-without-store": (
        lambda s, t: edit(t, store_line(s) + "\n", ""),
        r'"rgw on" \(\S+\.conf:\d+\) needs "rgw_store"'),
    "store-bad-scheme": (
        lambda s, t: edit(t, store_line(s), "rgw_store foo:bar;"),
        r"invalid value \"foo:bar\" in \"rgw_store\" directive: store URI .*'foo:bar'"),
    "store-bad-prefix": (
        lambda s, t: edit(t, store_line(s), 'rgw_store "rados:bad prefix!";'),
        r'"rgw_store" directive: pool prefix .*rados:bad prefix!'),
    "store-relative": (
        lambda s, t: edit(t, store_line(s), 'rgw_store "local:relative/dir";'),
        r'"rgw_store" directive: local store URI .*local:relative/dir'),
    # rgw_threads 0 is the core's default (the store driver's thread count)
    "threads-negative": (
        lambda s, t: edit(t, "rgw_threads 8;", "rgw_threads -1;"),
        r'invalid value "-1" in "rgw_threads" directive: threads: not a whole number'),
    "threads-257": (
        lambda s, t: edit(t, "rgw_threads 8;", "rgw_threads 257;"),
        r'invalid value "257" in "rgw_threads" directive: threads: must be between 0 and 256'),
    "buffer-size-0": (
        lambda s, t: edit(t, "rgw_buffer_size 128k;", "rgw_buffer_size 0;"),
        r'invalid value "0" in "rgw_buffer_size" directive: buffer_size: '
        r'must be greater than zero'),
    "max-object-size-0": (
        lambda s, t: edit(t, "rgw_max_object_size 5g;", "rgw_max_object_size 0;"),
        r'invalid value "0" in "rgw_max_object_size" directive: max_object_size: '
        r'must be greater than zero'),
    "domain": (
        lambda s, t: edit(t, 'rgw_domains "s3.test";', 'rgw_domains s3.test "bad_dom!ain";'),
        r'invalid value "bad_dom!ain" in "rgw_domains" directive: domains: not a domain name'),
    "domain-with-comma": (
        lambda s, t: edit(t, 'rgw_domains "s3.test";', 'rgw_domains "a.test,b.test";'),
        r'invalid value "a.test,b.test" in "rgw_domains" directive: one value per argument'),
    "region": (
        lambda s, t: edit(t, 'rgw_region "us-east-1";', 'rgw_region "US East";'),
        r'invalid value "US East" in "rgw_region" directive: region: .*US East'),
    "region-empty": (
        lambda s, t: edit(t, 'rgw_region "us-east-1";', 'rgw_region "";'),
        r'"rgw_region" directive must not be empty'),
    "rgw-maybe": (
        lambda s, t: edit(t, "rgw on;", "rgw maybe;"),
        r'invalid value "maybe" in "rgw" directive'),
    "threads-in-location": (
        lambda s, t: edit(t, "rgw on;", "rgw on;\n            rgw_threads 4;"),
        r'"rgw_threads" directive is not allowed here'),
    "duplicate-store": (
        lambda s, t: edit(t, store_line(s), store_line(s) + "\n            " + store_line(s)),
        r'"rgw_store" directive is duplicate'),
    "duplicate-domains": (
        lambda s, t: edit(t, 'rgw_domains "s3.test";',
                          'rgw_domains "s3.test";\n            rgw_domains "s4.test";'),
        r'"rgw_domains" directive is duplicate'),
}


@pytest.mark.parametrize("case", list(BAD_CONFS))
def test_nginx_t_rejects_bad_directives(case, tmp_path):
    settings, text = good_conf(tmp_path)
    change, message = BAD_CONFS[case]
    bad = change(settings, text)
    conf = tmp_path / "bad.conf"
    conf.write_text(bad)
    res = subprocess.run([NGINX, "-t", "-p", settings.prefix + "/", "-c", str(conf),
                          "-e", str(tmp_path / "t-error.log")],
                         capture_output=True, text=True, timeout=60)
    output = res.stdout + res.stderr
    assert res.returncode != 0, output
    assert "[emerg]" in output and "test failed" in output, output
    assert re.search(message, output), output
    assert re.search(rf"in {re.escape(str(conf))}:\d+", output), output


def test_nginx_t_accepts_the_generated_conf_and_a_store_it_does_not_open(tmp_path):
    """nginx -t checks a store URI's form, it does not open the store."""
    from pyrgw.nginx_conf import check

    settings, text = good_conf(tmp_path)
    ok, output = check(edit(text, store_line(settings),
                            f'rgw_store "rados:x?conf={tmp_path}/no-such-ceph.conf";'))
    assert ok, output
    assert not (tmp_path / "store").exists()


# ---------------------------------------------------------------- a store that does not open

def unopenable_store(driver, tmp_path):
    if driver == "local":
        path = tmp_path / "not-a-directory"
        path.write_text("a regular file where the store should be")
        return f"local:{path}"
    return f"rados:t{uuid.uuid4().hex[:6]}?conf={tmp_path}/no-such-ceph.conf"


@pytest.mark.parametrize("driver", DRIVERS)
def test_store_that_does_not_open_answers_503(driver, tmp_path):
    uri = unopenable_store(driver, tmp_path)
    srv = start_nginx(uri, str(tmp_path), workers=1)
    try:
        for path in ("/", "/bucket", "/bucket/key"):
            r = requests.get(srv.url + path, timeout=30)
            assert r.status_code == 503, (path, r.status_code, r.content)
        r = requests.put(srv.url + "/bucket/key", data=b"x" * 1000, timeout=30)
        assert r.status_code == 503
        assert srv.proc.poll() is None and len(srv.worker_pids()) == 1
        with open(srv.log_path) as f:
            log = f.read()
        why = {"local": "Not a directory", "rados": "no-such-ceph.conf"}[driver]
        assert re.search(rf'\[emerg\] .*rgw: store "{re.escape(uri)}" did not open: '
                         rf".*{why}.*; its locations answer 503", log), log[-3000:]
        assert f'rgw: store "{uri}" is not open in this worker' in log, log[-3000:]
        assert "exited on signal" not in log
    finally:
        srv.stop()


# ---------------------------------------------------------------- a stalled OSD

def test_stalled_osd_neither_blocks_nor_crashes_the_worker(request, tmp_path_factory):
    """The OSD stops answering (SIGSTOP) with the store's op timeout at 3 s:
    a GET waits on an I/O thread while the same single worker keeps
    answering a request that needs no store call; the GET then fails
    cleanly with a 5xx, the worker survives, and once the OSD is back the
    object is served again."""
    cluster = request.getfixturevalue("ceph_cluster")
    prefix = request.getfixturevalue("rados_prefix")
    workdir = str(tmp_path_factory.mktemp("ngx-stall"))
    site = Site("rados", f"rados:{prefix}?conf={cluster.conf_path}&timeout=3", workdir)
    site.start(workers=1)
    osd = cluster._procs["osd.0"][0]
    try:
        site.put("k", b"before the stall")
        stalled_osd_round(site, osd.pid, site.server.worker_pids, assert_no_crash)
    finally:
        site.stop()
