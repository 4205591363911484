"""Small PUTs on RADOS from nginx's event loop, without an I/O thread.

With rgw_loop_writes on (the default) the nginx module starts a PUT whose
whole body came with its headers with rgw_aio_request_try_start_body: with
the bucket and the user cached, a plain PUT's handler runs in a fiber on the
loop, and its writer's waits for the cluster (the pending record, the head
swap) suspend it instead of blocking an I/O thread.  A versioned bucket, a
part, a copy or a cold cache goes to the I/O threads with nothing done.
These tests run Debian's nginx with the module, one worker, on a throwaway
Ceph cluster, with rgw_loop_writes on and off: the answers must not differ.
"""

import hashlib
import http.client
import os
import socket
import threading
import xml.etree.ElementTree as ET

import pytest
import requests
from door_sites import assert_no_crash, make_site
from s3_signing import sign_v4

import pyrgw


@pytest.fixture(scope="module", params=["on", "off"])
def site(request, tmp_path_factory):
    """nginx, one worker, on RADOS, with rgw_loop_writes on or off."""
    s = make_site(request, tmp_path_factory, "rados", tag="ngx-wloop").start(
        workers=1, loop_writes=request.param)
    s.loop_writes = request.param
    yield s
    s.stop()


def listing(site, query=""):
    r = site.request("GET", None, query=query)
    assert r.status_code == 200, r.content
    return ET.fromstring(r.content)


def listed_sizes(site, prefix):
    root = listing(site, "prefix=" + prefix)
    out = {}
    for c in root.iter():
        if c.tag.endswith("Contents"):
            key = size = None
            for f in c:
                if f.tag.endswith("Key"):
                    key = f.text
                elif f.tag.endswith("Size"):
                    size = int(f.text)
            out[key] = size
    return out


def io_thread_switches(site):
    """Voluntary context switches of the worker's I/O threads (named rgw-io)
    so far: each time one went to sleep, waiting for work or the cluster."""
    (pid,) = site.server.worker_pids()
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                if f.read().strip() != "rgw-io":
                    continue
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                for line in f:
                    if line.startswith("voluntary_ctxt_switches:"):
                        total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return total


class OneWritePuts:
    """Signed PUTs on one connection, each request's head and body sent in
    one write, as wrk and many clients do: nginx then holds the whole body
    with the headers.  (Python's http.client sends the body apart, which
    nginx may or may not find with the headers.)"""

    def __init__(self, site):
        self.site = site
        self.sock = socket.create_connection(site.ep.host.split(":"), timeout=60)

    def put(self, key, data):
        path = self.site.path(key)
        h = sign_v4(self.site.ep, "PUT", path, body=data)
        h["Content-Length"] = str(len(data))
        h.setdefault("Host", self.site.ep.host)
        head = "".join(f"{k}: {v}\r\n" for k, v in h.items())
        self.sock.sendall(f"PUT {path} HTTP/1.1\r\n{head}\r\n".encode() + data)
        resp = http.client.HTTPResponse(self.sock, method="PUT")
        resp.begin()
        resp.read()
        return resp.status, resp.getheader("ETag")

    def close(self):
        self.sock.close()


@pytest.mark.parametrize("size", [0, 1, 4096, 12000])
def test_small_put_reads_back(site, size):
    key = f"small-{size}"
    for _ in range(2):  # a new key, then an overwrite of a head this process wrote
        data = os.urandom(size)
        r = site.put(key, data)
        assert r.headers["ETag"] == '"%s"' % hashlib.md5(data).hexdigest()
        g = site.get(key)
        assert g.status_code == 200 and g.content == data
        assert g.headers["ETag"] == r.headers["ETag"]
    assert listed_sizes(site, key) == {key: size}


def test_small_puts_do_not_wake_the_io_threads(site):
    """200 small PUTs one after another: with rgw_loop_writes on, the
    worker's I/O threads sleep through them (the first PUT of the test
    warms the caches); off, each PUT wakes one."""
    site.put("warm", b"warm")
    offset = site.log_offset()
    before = io_thread_switches(site)
    client = OneWritePuts(site)
    bodies = {f"idle-{i}": os.urandom(100 + i) for i in range(200)}
    for key, data in bodies.items():
        status, etag = client.put(key, data)
        assert status == 200 and etag == '"%s"' % hashlib.md5(data).hexdigest()
    client.close()
    woken = io_thread_switches(site) - before
    if site.loop_writes == "on":
        assert woken < 20, woken
    else:
        assert woken >= 200, woken
    assert listed_sizes(site, "idle-") == {k: len(v) for k, v in bodies.items()}
    for key in ("idle-0", "idle-199"):
        assert site.get(key).content == bodies[key]
    assert_no_crash(site.log_since(offset))


def test_small_bodies_sent_apart_are_read_first(site):
    """Python's http.client (requests, boto3) writes a PUT's headers and its
    body apart: nginx may see the headers alone.  A small body is then read
    into memory before the PUT starts, and the PUT still runs on the loop:
    the I/O threads sleep through 100 of them as through one-write PUTs.
    Larger bodies (past rgw_buffer_size) stream through the I/O threads as
    before."""
    site.put("warm-apart", b"warm")
    offset = site.log_offset()
    before = io_thread_switches(site)
    session = requests.Session()
    bodies = {f"apart-{i}": os.urandom(1000 + 997 * i) for i in range(100)}  # up to ~100 KiB
    for key, data in bodies.items():
        r = site.request("PUT", key, data, session=session)
        assert r.status_code == 200 and r.headers["ETag"] == '"%s"' % hashlib.md5(
            data).hexdigest()
    woken = io_thread_switches(site) - before
    if site.loop_writes == "on":
        assert woken < 10, woken
    else:
        assert woken >= 100, woken
    big = os.urandom(300 * 1024)
    assert site.put("apart-big", big).status_code == 200
    assert site.get("apart-big").content == big
    assert listed_sizes(site, "apart-") == dict(
        {k: len(v) for k, v in bodies.items()}, **{"apart-big": len(big)})
    for key in ("apart-0", "apart-99"):
        assert site.get(key).content == bodies[key]
    assert_no_crash(site.log_since(offset))


def test_concurrent_puts_of_shared_and_own_keys(site):
    """8 clients PUT their own keys and one shared key: every PUT is answered
    200 with its body's ETag, every own key reads back, and the shared key
    holds one client's last body whole."""
    offset = site.log_offset()
    errors, last = [], {}

    def client(n):
        puts = OneWritePuts(site)
        for i in range(25):
            data = os.urandom(500 + n * 37 + i)
            key = f"con-{n}-{i % 5}" if i % 2 else "con-shared"
            status, etag = puts.put(key, data)
            if status != 200 or etag != '"%s"' % hashlib.md5(data).hexdigest():
                errors.append((key, status))
            last[(n, key)] = data
        puts.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:5]
    for (_, key), data in last.items():
        if key != "con-shared":
            assert site.get(key).content == data, key
    shared = site.get("con-shared").content
    assert any(shared == d for (_, k), d in last.items() if k == "con-shared")
    sizes = listed_sizes(site, "con-")
    assert len(sizes) == 8 * 5 + 1
    assert sizes["con-shared"] == len(shared)
    assert_no_crash(site.log_since(offset))


def test_conditional_puts(site):
    """If-None-Match and If-Match are checked against the head the guarded
    swap replaces, on the loop as on an I/O thread."""
    key = "cond"
    r = site.request("PUT", key, b"first", headers={"If-None-Match": "*"})
    assert r.status_code == 200
    etag = r.headers["ETag"]
    r = site.request("PUT", key, b"second", headers={"If-None-Match": "*"})
    assert r.status_code == 412, r.content
    r = site.request("PUT", key, b"third", headers={"If-Match": '"0123456789abcdef"'})
    assert r.status_code == 412, r.content
    r = site.request("PUT", key, b"fourth", headers={"If-Match": etag})
    assert r.status_code == 200
    assert site.get(key).content == b"fourth"


def test_bad_payload_hash_stores_nothing(site):
    """A body that does not match its signed SHA-256 is refused (400
    XAmzContentSHA256Mismatch) after the writer began: nothing is stored."""
    path = site.path("bad-hash")
    h = sign_v4(site.ep, "PUT", path, body=b"what was signed")
    r = requests.put(site.ep.url + path, data=b"what was sent!!", headers=h, timeout=60)
    assert r.status_code == 400 and b"XAmzContentSHA256Mismatch" in r.content
    assert site.get("bad-hash").status_code == 404
    assert "bad-hash" not in listed_sizes(site, "bad-")


def test_small_puts_over_striped_objects(site):
    """A small PUT over an object whose body is in tails queues the old
    tails for gc after its head swap (on the loop: the fiber suspends for
    that op too); gc then leaves the small heads alone and nothing else."""
    big = {f"striped-{i}": os.urandom(4 * 1024 * 1024 + 1000 + i) for i in range(3)}
    for key, data in big.items():
        site.put(key, data)
    assert len(site.bodies()) >= 3 * 2  # a head and a tail each, at least
    client = OneWritePuts(site)
    small = {key: os.urandom(500) for key in big}
    for key, data in small.items():
        status, etag = client.put(key, data)
        assert status == 200 and etag == '"%s"' % hashlib.md5(data).hexdigest()
    client.close()
    for key, data in small.items():
        assert site.get(key).content == data
    with pyrgw.Store(site.uri) as store:
        store.gc(grace_seconds=0)
        for key, data in small.items():
            assert store.get_object(site.bucket, key) == data
            store.delete_object(site.bucket, key)
        store.gc(grace_seconds=0)
    assert not [b for b in site.bodies() if b.startswith(f"{site.bucket_id}_striped-")]


def test_versioned_copy_and_part_go_to_the_io_threads(site, tmp_path):
    """What the loop does not take -- a PUT into a versioned bucket, a copy,
    a part -- is answered as before."""
    site.put("plain-src", b"source bytes")
    r = site.request("PUT", "copied", headers={
        "x-amz-copy-source": f"/{site.bucket}/plain-src"})
    assert r.status_code == 200, r.content
    assert site.get("copied").content == b"source bytes"

    r = site.request("POST", "mp", query="uploads")
    assert r.status_code == 200, r.content
    upload = next(e.text for e in ET.fromstring(r.content).iter() if e.tag.endswith("UploadId"))
    r = site.request("PUT", "mp", b"part one", query=f"partNumber=1&uploadId={upload}")
    assert r.status_code == 200, r.content
    done = ("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>%s</ETag></Part>"
            "</CompleteMultipartUpload>" % r.headers["ETag"]).encode()
    r = site.request("POST", "mp", done, query=f"uploadId={upload}")
    assert r.status_code == 200, r.content
    assert site.get("mp").content == b"part one"

    conf = (b'<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            b'<Status>Enabled</Status></VersioningConfiguration>')
    assert site.request("PUT", None, conf, query="versioning").status_code == 200
    try:
        ids = [site.put("ver", body).headers.get("x-amz-version-id") for body in (b"v1", b"v2")]
        assert all(ids) and ids[0] != ids[1]
        assert site.get("ver").content == b"v2"
        r = site.request("GET", "ver", query="versionId=" + ids[0])
        assert r.status_code == 200 and r.content == b"v1"
    finally:
        conf = conf.replace(b"Enabled", b"Suspended")
        assert site.request("PUT", None, conf, query="versioning").status_code == 200
