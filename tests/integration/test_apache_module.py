"""The Apache module (mod_rgw) as a server: the three MPMs, the store opened
in the children only, memory while streaming, clients that vanish,
Expect: 100-continue, ranges past Apache's own filters, large headers, a
graceful restart mid-download, configuration errors caught by
`apache2 -t`, a store that does not open, and what the module declines.

Every server here runs Debian's Apache on a full apache2.conf rendered by
pyrgw.apache_conf (s3_servers.start_apache); LIBRGW_APACHE_MODULE names the
module.  Servers are shared per driver where the tests allow it.
"""
import hashlib
import os
import re
import signal
import socket
import subprocess
import threading
import time
import uuid

import boto3
import pytest
import requests
from botocore.config import Config
from conftest import DRIVERS
from door_sites import (
    assert_apache_no_crash,
    close,
    make_site,
    raw_connect,
    raw_head,
    stalled_osd_round,
    status_kb,
)
from s3_servers import APACHE, apache_settings, run_apache
from s3_signing import sign_v4

MiB = 1 << 20


def start(request, tmp_path_factory, driver, **options):
    return make_site(request, tmp_path_factory, driver, tag="apache").start("apache", **options)


@pytest.fixture(scope="module", params=DRIVERS)
def site(request, tmp_path_factory):
    """Apache (event MPM) with one child, shared by this module's tests of one driver."""
    s = start(request, tmp_path_factory, request.param, workers=1)
    yield s
    s.stop()


def read_response(sock):
    """Reads one response with a Content-Length from a raw socket:
    (status line, headers, body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, data
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode().split("\r\n")
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    length = int(headers.get("content-length", 0))
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk
        body += chunk
    return lines[0], headers, body


def open_fds(pid):
    """Where the process's file descriptors point."""
    out = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            out.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            pass
    return out


# ---------------------------------------------------------------- MPMs

@pytest.mark.parametrize("mpm", ["event", "worker", "prefork"])
def test_every_mpm_serves_with_the_store_opened_in_the_children(request, tmp_path_factory, mpm):
    """Debian's three MPMs serve boto3 (a multipart upload included); the
    local store is open in the children and never in the parent (it is
    opened in child_init, after fork)."""
    site = start(request, tmp_path_factory, "local", mpm=mpm, workers=2, threads_per_child=4)
    try:
        s3 = boto3.client("s3", endpoint_url=site.ep.url, aws_access_key_id=site.access_key,
                          aws_secret_access_key=site.secret_key, region_name="us-east-1",
                          config=Config(retries={"max_attempts": 1}))
        s3.put_object(Bucket=site.bucket, Key="small", Body=b"hello " + mpm.encode())
        assert s3.get_object(Bucket=site.bucket, Key="small")["Body"].read() == \
            b"hello " + mpm.encode()
        big = os.urandom(12 * MiB)
        up = s3.create_multipart_upload(Bucket=site.bucket, Key="parts")["UploadId"]
        parts = []
        for n, at in enumerate(range(0, len(big), 5 * MiB), 1):
            etag = s3.upload_part(Bucket=site.bucket, Key="parts", UploadId=up, PartNumber=n,
                                  Body=big[at:at + 5 * MiB])["ETag"]
            parts.append({"PartNumber": n, "ETag": etag})
        s3.complete_multipart_upload(Bucket=site.bucket, Key="parts", UploadId=up,
                                     MultipartUpload={"Parts": parts})
        assert s3.get_object(Bucket=site.bucket, Key="parts")["Body"].read() == big
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=site.bucket)["Contents"]]
        assert keys == ["parts", "small"]

        store_dir = site.uri[len("local:"):]
        assert not [p for p in open_fds(site.server.proc.pid) if p.startswith(store_dir)]
        children = site.server.child_pids()
        assert children
        assert any(p.startswith(store_dir) for pid in children for p in open_fds(pid))
        assert_apache_no_crash(site.log_since(0))
    finally:
        site.stop()


# ---------------------------------------------------------------- memory

SIZE = 200 * MiB
LIMIT_KB = 64 * 1024


@pytest.mark.parametrize("driver", DRIVERS)
def test_200mb_put_and_get_keep_child_memory_bounded(request, tmp_path_factory, driver):
    """A fresh child (its high-water mark is this test's) takes a 200 MB
    chunked PUT and serves it back: its peak RSS grows by less than 64 MiB
    and the data round-trips."""
    site = start(request, tmp_path_factory, driver, workers=1)
    try:
        [pid] = site.server.child_pids()
        site.put("warm", b"w")
        assert site.get("warm").content == b"w"
        before = status_kb(pid, "VmHWM")
        site.round_trip("big", SIZE)
        after = status_kb(pid, "VmHWM")
        print(f"{driver}: child VmHWM {before} kB -> {after} kB")
        assert after - before < LIMIT_KB, (before, after)
        assert site.server.child_pids() == [pid]
    finally:
        site.stop()


# ---------------------------------------------------------------- clients that vanish

@pytest.mark.parametrize("how", ["close", "reset"])
def test_client_gone_mid_put_stores_nothing(site, how):
    """Headers and 3 MiB of a 16 MiB body, then the client goes: the key
    stays absent, what was written is gone from the medium, the child
    lives on and serves."""
    key = f"put-gone-{uuid.uuid4().hex[:8]}"
    pids = site.server.child_pids()
    bodies = site.bodies()
    offset = site.log_offset()
    h = sign_v4(site.ep, "PUT", site.path(key), {"Content-Length": str(16 * MiB)},
                payload_hash="UNSIGNED-PAYLOAD")
    sock = raw_connect(site)
    sock.sendall(raw_head(site, "PUT", key, h))
    for _ in range(3):
        sock.sendall(os.urandom(MiB))
    close(sock, how)

    site.wait_for_log(offset, r"AH10910: mod_rgw: reading the request body failed")
    assert site.head_status(key) == 404
    deadline = time.monotonic() + 30
    while site.bodies() != bodies and time.monotonic() < deadline:
        time.sleep(0.1)
    assert site.bodies() == bodies
    site.put(key, b"after")
    assert site.get(key).content == b"after"
    assert site.server.child_pids() == pids
    assert_apache_no_crash(site.log_since(offset))


def test_client_gone_mid_get(site):
    """The client reads 256 KiB of 32 MiB and leaves: the child serves the
    whole object afterwards."""
    key = f"get-gone-{uuid.uuid4().hex[:8]}"
    data = os.urandom(32 * MiB)
    site.put(key, data)
    pids = site.server.child_pids()
    offset = site.log_offset()
    sock = raw_connect(site)
    sock.sendall(raw_head(site, "GET", key, sign_v4(site.ep, "GET", site.path(key))))
    got = b""
    while len(got) < 256 * 1024:
        chunk = sock.recv(65536)
        assert chunk
        got += chunk
    assert got.startswith(b"HTTP/1.1 200 ")
    close(sock, "reset")
    r = site.get(key)
    assert r.status_code == 200 and r.content == data
    assert site.server.child_pids() == pids
    assert_apache_no_crash(site.log_since(offset))


# ---------------------------------------------------------------- Expect: 100-continue

def test_100_continue_only_after_the_signature_is_accepted(site):
    """A good signature gets "100 Continue" before any body byte is sent,
    then the object is stored; a bad one gets the 403 at once, no 100, and
    the connection closes (the body it announced is never read)."""
    key = f"expect-{uuid.uuid4().hex[:8]}"
    body = os.urandom(100_000)
    h = sign_v4(site.ep, "PUT", site.path(key),
                {"Content-Length": str(len(body)), "Expect": "100-continue"}, body=body)
    sock = raw_connect(site)
    sock.sendall(raw_head(site, "PUT", key, h))
    interim = b""
    while b"\r\n\r\n" not in interim:
        chunk = sock.recv(4096)
        assert chunk, interim
        interim += chunk
    assert interim.startswith(b"HTTP/1.1 100 Continue\r\n"), interim
    sock.sendall(body)
    status, _, _ = read_response(sock)
    assert status.startswith("HTTP/1.1 200 "), status
    sock.close()
    assert site.get(key).content == body

    bad = dict(h, Authorization=h["Authorization"][:-4] + "0000")
    sock = raw_connect(site)
    sock.sendall(raw_head(site, "PUT", key + "-bad", bad))
    status, headers, text = read_response(sock)
    assert status.startswith("HTTP/1.1 403 "), status
    assert b"<Code>SignatureDoesNotMatch</Code>" in text
    assert headers.get("connection") == "close"
    sock.settimeout(10)
    assert sock.recv(1) == b""  # closed by the server, without waiting for the body
    sock.close()
    assert site.head_status(key + "-bad") == 404


def test_small_refused_body_is_drained_and_the_connection_goes_on(site):
    """A refused PUT without Expect whose small body was sent anyway: the
    answer comes, and the same connection serves the next request."""
    key = f"drain-{uuid.uuid4().hex[:8]}"
    body = b"x" * 1000
    h = sign_v4(site.ep, "PUT", site.path(key), {"Content-Length": str(len(body))}, body=body)
    h["Authorization"] = h["Authorization"][:-4] + "0000"
    site.put(key, b"kept")
    good = sign_v4(site.ep, "GET", site.path(key))
    sock = raw_connect(site)
    sock.sendall(raw_head(site, "PUT", key, h) + body)
    status, headers, _ = read_response(sock)
    assert status.startswith("HTTP/1.1 403 ")
    assert headers.get("connection") != "close"
    # The next request on the same connection is read as a request, not as
    # left-over body.  It is sent once the answer came: pipelined behind the
    # drained body, it stalled until the keep-alive timeout in about half the
    # runs on Debian's Apache 2.4.71 (cause not found yet; see the notes).
    sock.sendall(raw_head(site, "GET", key, good))
    status, _, text = read_response(sock)
    assert status.startswith("HTTP/1.1 200 ") and text == b"kept"
    sock.close()


# ---------------------------------------------------------------- ranges and headers

def test_ranges_are_the_cores_not_apaches(site):
    """A single range is the core's 206 with exactly those bytes; several
    ranges are not turned into multipart/byteranges by Apache's byterange
    filter (the core answers 200 with the whole object, as S3 does)."""
    key = f"range-{uuid.uuid4().hex[:8]}"
    data = os.urandom(300_000)
    site.put(key, data)
    r = site.get(key, headers={"Range": "bytes=100000-100009"})
    assert r.status_code == 206
    assert r.headers["Content-Range"] == "bytes 100000-100009/300000"
    assert r.headers["Content-Length"] == "10" and r.content == data[100000:100010]
    r = site.get(key, headers={"Range": "bytes=-5"})
    assert r.status_code == 206 and r.content == data[-5:]
    r = site.get(key, headers={"Range": "bytes=0-1,5-6"})
    assert "multipart" not in r.headers.get("Content-Type", "")
    assert int(r.headers["Content-Length"]) == len(r.content)
    assert (r.status_code, r.content) == (200, data)


def test_large_signed_headers_and_many_headers_reach_the_core(site):
    """Headers past Apache's defaults (8190 bytes a field, 100 fields) reach
    the core: a signed 20 KiB header is served, 8 KiB of metadata gets the
    core's MetadataTooLarge, 150 headers its RequestHeaderSectionTooLarge:
    S3 errors, not Apache's HTML page."""
    key = f"meta-{uuid.uuid4().hex[:8]}"
    site.put(key, b"m")
    r = site.request("GET", key, headers={"x-client-context": "c" * 20480})
    assert (r.status_code, r.content) == (200, b"m")
    r = site.request("PUT", key, b"n", headers={"x-amz-meta-big": "v" * 8192})
    assert r.status_code == 400 and b"<Code>MetadataTooLarge</Code>" in r.content

    many = {f"x-extra-{i}": "1" for i in range(150)}
    r = site.request("GET", key, headers=many)
    assert r.status_code == 400
    assert b"<Code>RequestHeaderSectionTooLarge</Code>" in r.content
    assert r.headers["Content-Type"] == "application/xml"


def test_keys_with_encoded_slashes_and_double_slashes(site):
    """A key sent as a%2Fb (Apache answers such paths 404 itself unless
    AllowEncodedSlashes) is the key a/b; "dir//file" keeps its two slashes
    (MergeSlashes Off)."""
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    body = b"encoded slash"
    path = site.path("enc%2Fslash")
    req = AWSRequest(method="PUT", url=site.ep.url + path, data=body,
                     headers={"X-Amz-Content-SHA256": hashlib.sha256(body).hexdigest()})
    S3SigV4Auth(Credentials(site.access_key, site.secret_key), "s3", "us-east-1").add_auth(req)
    r = requests.put(site.ep.url + path, data=body, headers=dict(req.headers.items()), timeout=30)
    assert r.status_code == 200, r.content
    assert site.get("enc/slash").content == body

    s3 = boto3.client("s3", endpoint_url=site.ep.url, aws_access_key_id=site.access_key,
                      aws_secret_access_key=site.secret_key, region_name="us-east-1")
    s3.put_object(Bucket=site.bucket, Key="dir//file", Body=b"two")
    s3.put_object(Bucket=site.bucket, Key="dir/file", Body=b"one")
    assert s3.get_object(Bucket=site.bucket, Key="dir//file")["Body"].read() == b"two"
    assert s3.get_object(Bucket=site.bucket, Key="dir/file")["Body"].read() == b"one"


# ---------------------------------------------------------------- restarts

@pytest.mark.parametrize("driver", DRIVERS)
def test_graceful_restart_lets_a_download_finish(request, tmp_path_factory, driver):
    """SIGUSR1 (apachectl graceful) while a 64 MiB GET is half read: the old
    child finishes it whole, new children serve new requests."""
    site = start(request, tmp_path_factory, driver, workers=1)
    try:
        data = os.urandom(64 * MiB)
        site.put("big", data)
        old = site.server.child_pids()
        r = site.get("big", stream=True, timeout=120)
        it = r.iter_content(MiB)
        got = b"".join(next(it) for _ in range(4))
        site.server.proc.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + 30
        while not set(site.server.child_pids()) - set(old) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert set(site.server.child_pids()) - set(old), "no new child"
        site.put("after", b"new generation")
        assert site.get("after", session=requests.Session()).content == b"new generation"
        got += b"".join(it)
        assert got == data
        assert_apache_no_crash(site.log_since(0))
    finally:
        site.stop()


# ---------------------------------------------------------------- apache2 -t

def apache_t(text, tmp_path):
    conf = tmp_path / "apache2.conf"
    conf.write_text(text)
    p = subprocess.run([APACHE, "-t", "-f", str(conf)], capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def good_text(tmp_path, store=None):
    from pyrgw.apache_conf import render

    settings = apache_settings(store or f"local:{tmp_path}/store", str(tmp_path))
    return render(settings), settings


BAD_DIRECTIVES = [
    ("RGWStore", "RGWStore bogus:/x", "RGWStore"),
    ("RGWStore-empty-rados", "RGWStore rados:", "RGWStore"),
    ("RGWMaxObjectSize-zero", "RGWMaxObjectSize 0", "RGWMaxObjectSize"),
    ("RGWMaxObjectSize-word", "RGWMaxObjectSize lots", "RGWMaxObjectSize"),
    ("RGWBufferSize-zero", "RGWBufferSize 0", "RGWBufferSize"),
    ("RGWRegion", "RGWRegion Bad_Region", "RGWRegion"),
    ("RGWDomains", "RGWDomains -bad-.example", "RGWDomains"),
    ("RGW-maybe", "RGW Maybe", "RGW"),
    ("RGWStore-two-args", "RGWStore local:/a local:/b", "RGWStore"),
    ("RGWDomains-comma", "RGWDomains a.test,b.test", "RGWDomains"),
]


@pytest.mark.parametrize("name,line,directive", BAD_DIRECTIVES, ids=[c[0] for c in BAD_DIRECTIVES])
def test_apache_t_refuses_bad_directives(name, line, directive, tmp_path):
    text, _ = good_text(tmp_path)
    text = text.replace("    RGWBufferSize", f"    {line}\n    RGWBufferSize", 1)
    rc, out = apache_t(text, tmp_path)
    assert rc != 0, out
    assert directive in out, out


def directive(option_name):
    """RGW<Option>: the Apache spelling of a core option ("max_object_size")."""
    return "RGW" + "".join(part.capitalize() for part in option_name.split("_"))


def test_apache_directives_are_the_cores_option_table(tmp_path):
    """One directive per option of the core's table that a door without an
    aio queue reads (threads is nginx's), plus RGW On|Off, and no other;
    each accepts the core's default."""
    from pyrgw import options

    text, _ = good_text(tmp_path)
    conf = tmp_path / "apache2.conf"
    conf.write_text(text)
    out = subprocess.run([APACHE, "-f", str(conf), "-L"], capture_output=True, text=True).stdout
    names = set(re.findall(r"^(RGW\w*) \(mod_rgw\.c\)", out, re.M))
    table = [o for o in options.options() if not o.flags & options.AIO]
    assert names == {"RGW"} | {directive(o.name) for o in table}
    defaults = "".join(f"    {directive(o.name)} {o.default}\n" for o in table if o.default)
    rc, out = apache_t(text.replace("    RGWBufferSize", defaults + "    RGWBufferSize", 1),
                       tmp_path)
    assert rc == 0, out


def test_apache_t_refuses_rgw_on_without_a_store(tmp_path):
    text, _ = good_text(tmp_path)
    lines = [ln for ln in text.splitlines() if not ln.strip().startswith("RGWStore")]
    rc, out = apache_t("\n".join(lines) + "\n", tmp_path)
    assert rc != 0, out
    assert "RGW On" in out and "needs RGWStore" in out and "apache2.conf:" in out, out


def test_apache_t_takes_a_store_from_an_enclosing_section_and_opens_nothing(tmp_path):
    """RGWStore at server level, RGW On in the <Location>: accepted; the
    store (a path that cannot exist) is not opened by apache2 -t."""
    text, _ = good_text(tmp_path, store="local:/proc/no-such-store")
    lines = text.splitlines()
    store = next(ln for ln in lines if ln.strip().startswith("RGWStore"))
    lines.remove(store)
    lines.insert(lines.index('<Location "/">'), store.strip())
    rc, out = apache_t("\n".join(lines) + "\n", tmp_path)
    assert rc == 0, out
    assert "Syntax OK" in out


def test_store_that_does_not_open_answers_503(tmp_path):
    """The children log why the store does not open and answer 503; the
    server stays up."""
    settings = apache_settings("local:/proc/no-such-store", str(tmp_path))
    server = run_apache(settings)
    try:
        r = requests.get(server.url + "/bucket/key", timeout=10)
        assert r.status_code == 503
        with open(server.log_path) as f:
            log = f.read()
        assert "AH10904" in log and "/proc/no-such-store" in log, log[-2000:]
        assert server.proc.poll() is None
    finally:
        server.stop()


# ---------------------------------------------------------------- what is not its own

def test_rgw_off_section_is_declined_to_apache(tmp_path):
    """Under RGW Off Apache itself answers (no x-amz-request-id); next to it
    the gateway does."""
    text, settings = good_text(tmp_path)
    text += '\n<Location "/plain">\n    RGW Off\n</Location>\n'
    server = run_apache(settings, text)
    try:
        r = requests.get(server.url + "/plain/file", timeout=10)
        assert "x-amz-request-id" not in r.headers
        assert r.status_code == 404
        r = requests.get(server.url + "/somebucket/key", timeout=10)
        assert "x-amz-request-id" in r.headers
        assert r.status_code == 404 and b"<Code>NoSuchBucket</Code>" in r.content
    finally:
        server.stop()


def test_sections_with_their_own_settings(tmp_path):
    """A <Location> with its own RGWMaxObjectSize inherits the store from
    the server and enforces its size; the rest keeps the default."""
    site_store = tmp_path / "store"
    text, settings = good_text(tmp_path)
    text += ('\n<Location "/small">\n    RGW On\n    RGWStore "local:%s"\n'
             '    RGWMaxObjectSize 1k\n</Location>\n' % site_store)
    server = run_apache(settings, text)
    try:
        import pyrgw

        with pyrgw.Store(f"local:{site_store}") as store:
            store.create_user("sect", access_key="AKSECT", secret_key="SKSECT")
            store.create_bucket("small", owner="sect")
            store.create_bucket("large", owner="sect")

        class Ep:
            url, access_key, secret_key = server.url, "AKSECT", "SKSECT"
            host = server.url.split("//", 1)[1]

        for bucket, status in (("small", 400), ("large", 200)):
            path = f"/{bucket}/obj"
            body = b"z" * 2048
            h = sign_v4(Ep, "PUT", path, body=body)
            r = requests.put(server.url + path, data=body, headers=h, timeout=10)
            assert r.status_code == status, (bucket, r.content)
            if status == 400:
                assert b"<Code>EntityTooLarge</Code>" in r.content
    finally:
        server.stop()


def test_one_child_serves_others_during_a_slow_put(site):
    """While one connection trickles a PUT body, other requests on the same
    (single) child are answered: Apache's threads, no shared event loop."""
    key = f"slow-{uuid.uuid4().hex[:8]}"
    site.put("other", b"other object")
    size = 64 * 1024
    h = sign_v4(site.ep, "PUT", site.path(key), {"Content-Length": str(size)},
                payload_hash="UNSIGNED-PAYLOAD")
    sock = raw_connect(site)
    sock.sendall(raw_head(site, "PUT", key, h) + b"a" * 1000)
    answers = []

    def others():
        answers.append(site.get("other").content)
        answers.append(site.head_status("other"))

    t = threading.Thread(target=others)
    t.start()
    t.join(30)
    assert answers == [b"other object", 200]
    sock.sendall(b"a" * (size - 1000))
    status, _, _ = read_response(sock)
    assert status.startswith("HTTP/1.1 200 ")
    sock.close()
    assert site.get(key).content == b"a" * size


# ---------------------------------------------------------------- a stalled OSD

def test_stalled_osd_fails_with_5xx_and_the_child_survives(request, tmp_path_factory):
    """The OSD stops answering (SIGSTOP) with the store's op timeout at 3 s:
    a GET waits on its thread while the same single child answers a request
    that needs no store call; the GET then fails with a 5xx within the
    timeout's reach, the child survives, and once the OSD is back the object
    is served again."""
    from door_sites import Site

    cluster = request.getfixturevalue("ceph_cluster")
    prefix = request.getfixturevalue("rados_prefix")
    workdir = str(tmp_path_factory.mktemp("apache-stall"))
    site = Site("rados", f"rados:{prefix}?conf={cluster.conf_path}&timeout=3", workdir)
    site.start("apache", workers=1)
    osd = cluster._procs["osd.0"][0]
    try:
        site.put("k", b"before the stall")
        took = stalled_osd_round(site, osd.pid, site.server.child_pids, assert_apache_no_crash)
        assert took < 30, took
    finally:
        site.stop()


def test_overlapping_sections_get_a_gateway_of_their_own(tmp_path):
    """<Location "/lazy"> sets only RGWRegion under the generated
    <Location "/">: a combination no single section has, so its gateway
    (the same store, another region) is made on the first request and
    answers for that region; the target may also come in absolute form."""
    import pyrgw

    text, settings = good_text(tmp_path)
    text += '\n<Location "/lazy">\n    RGWRegion eu-west-9\n</Location>\n'
    server = run_apache(settings, text)
    try:
        with pyrgw.Store(settings.store) as store:
            store.create_user("lazy", access_key="AKLAZY", secret_key="SKLAZY")
            store.create_bucket("lazy", owner="lazy")
            store.create_bucket("eager", owner="lazy")

        class Ep:
            url, access_key, secret_key = server.url, "AKLAZY", "SKLAZY"
            host = server.url.split("//", 1)[1]

        def region_of(bucket):
            h = sign_v4(Ep, "HEAD", f"/{bucket}")
            r = requests.head(f"{server.url}/{bucket}", headers=h, timeout=10)
            assert r.status_code == 200, r.status_code
            return r.headers["x-amz-bucket-region"]

        assert region_of("lazy") == "eu-west-9"
        assert region_of("eager") == "us-east-1"
        h = sign_v4(Ep, "PUT", "/eager/o", body=b"x")
        assert requests.put(f"{server.url}/eager/o", data=b"x", headers=h,
                            timeout=10).status_code == 200

        # absolute form: the path is the target, as signed
        h = sign_v4(Ep, "GET", "/eager/o")
        sock = socket.create_connection(("127.0.0.1", int(server.port)), timeout=10)
        head = [f"GET {server.url}/eager/o HTTP/1.1", f"Host: {Ep.host}"]
        head += [f"{k}: {v}" for k, v in h.items()]
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        status, _, body = read_response(sock)
        sock.close()
        assert status.startswith("HTTP/1.1 200 ") and body == b"x", (status, body)
        with open(server.log_path) as f:
            assert ":error]" not in f.read()
    finally:
        server.stop()
