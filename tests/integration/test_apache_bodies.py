"""How the Apache module sends GET bodies, on both store drivers.

mod_rgw asks the core for the first RGWBufferSize bytes of a body with the
response (rgw_request_set_readahead) and sends them from the core's memory;
on RADOS a body read with the object's head comes whole that way
(rgw_request_allow_memory); on the local store a body larger than the
read-ahead is a range of an immutable body file (rgw_request_allow_file),
passed to Apache as a file bucket that its core output filter sends with
sendfile, from mmap or with reads, as EnableSendfile and EnableMMAP say.
Anything else is pulled with rgw_response_read().

These tests run Debian's Apache (event MPM, one child) with the module on a
configuration rendered by pyrgw.apache_conf, with the module's trace2 lines
on (each says how a body went out), and on the local store under Apache's
defaults (EnableMMAP On, EnableSendfile Off), with EnableSendfile On, and
with both off.
"""
import hashlib
import http.client
import os
import re
import signal
import threading
import time

import pytest
import requests
from byte_ranges import RANGES, check_ranged_gets, expected, range_header
from door_sites import (
    Endpoint,
    Site,
    assert_apache_no_crash,
    gets_during_overwrites,
    make_site,
    start_slow_download,
)
from s3_servers import apache_settings, run_apache
from s3_signing import sign_v4

import pyrgw

MiB = 1 << 20
AHEAD = 128 * 1024  # RGWBufferSize in generated configs: the read-ahead

# What the tests add to the generated configuration, per variant.  Tests of
# body files run on the local variants only (indirect parametrization: the
# same servers).
VARIANTS = {
    "local-default": ("local", ""),
    "local-sendfile": ("local", "EnableSendfile On\n"),
    "local-reads": ("local", "EnableSendfile Off\nEnableMMAP Off\n"),
    "rados": ("rados", ""),
}
LOCAL = [v for v, (driver, _) in VARIANTS.items() if driver == "local"]

# 0 and 1 byte; just under, at and over the read-ahead; 3 MiB fits a RADOS
# head (4 MiB stripes), 5 MiB has tail objects.
SIZES = [0, 1, AHEAD - 1, AHEAD, AHEAD + 1, 3 * MiB, 5 * MiB + 3]


def start_site(request, tmp_path_factory, driver, extra, **options):
    """Apache, one child, serving a store with a user and a bucket; the
    module's trace2 lines on, and extra appended to the configuration."""
    from pyrgw.apache_conf import render

    site = make_site(request, tmp_path_factory, driver, tag="apache-bodies")
    settings = apache_settings(site.uri, site.workdir, workers=1, **options)
    text = render(settings)
    assert "\nLogLevel info\n" in text and f"RGWBufferSize {AHEAD // 1024}k" in text
    text = text.replace("\nLogLevel info\n", "\nLogLevel info rgw:trace2\n") + extra
    site.server = run_apache(settings, text)
    site.ep = Endpoint(site.server.url, site.access_key, site.secret_key)
    return site


@pytest.fixture(scope="module", params=list(VARIANTS))
def site(request, tmp_path_factory):
    driver, extra = VARIANTS[request.param]
    s = start_site(request, tmp_path_factory, driver, extra)
    s.variant = request.param
    yield s
    s.stop()


def etag(data):
    return '"' + hashlib.md5(data).hexdigest() + '"'


def bodies_logged(site, offset):
    """The module's trace2 lines since offset: how each body went out."""
    return re.findall(r"mod_rgw: body: ([^\n]*)", site.log_since(offset))


def child_io(site):
    """The one child's I/O counters (/proc/PID/io): bytes read by read(),
    pread() and sendfile() (rchar), and read system calls (syscr)."""
    [pid] = site.server.child_pids()
    with open(f"/proc/{pid}/io") as f:
        fields = dict(line.split(": ") for line in f.read().splitlines())
    return int(fields["rchar"]), int(fields["syscr"])


def store_files_open(site, pid=None):
    """The child's descriptors open on files of the local store's data."""
    if pid is None:
        [pid] = site.server.child_pids()
    data = os.path.join(site.uri[len("local:"):], "data")
    out = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith(data):
            out.append(target)
    return sorted(out)


@pytest.mark.parametrize("size", SIZES)
def test_get_range_and_head(site, size):
    """Every range of every size comes back byte-exact with the object's
    ETag and Content-Length; HEAD has the length and no body."""
    key = f"obj-{size}"
    data = os.urandom(size)
    site.put(key, data)
    offset = site.log_offset()
    check_ranged_gets(site, key, data)
    h = site.request("HEAD", key)
    # Apache's HTTP header filter drops "Content-Length: 0" from any HEAD
    # response (ap_http_header_filter), whatever the module set.
    length = h.headers.get("Content-Length") if size else h.headers.get("Content-Length", "0")
    assert h.status_code == 200 and int(length) == size
    assert h.headers["ETag"] == etag(data)
    assert h.content == b""
    assert_apache_no_crash(site.log_since(offset))


def test_how_bodies_go_out(site):
    """The module's trace2 line of each GET says how its body went out:
    read ahead whole up to the read-ahead's size; past it, a file on the
    local store (at the range's offset), and on RADOS the whole body from
    the head's read (3 MiB) or the read-ahead and reads after it (5 MiB).
    HEAD and an empty body send none."""
    objects = {size: os.urandom(size) for size in (0, 1000, AHEAD, AHEAD + 1, 3 * MiB, 5 * MiB)}
    for size, data in objects.items():
        site.put(f"how-{size}", data)
    local = site.driver == "local"
    cases = [  # (size, Range header, the trace line expected)
        (0, {}, None),
        (1000, {}, "1000 bytes read ahead, 0 to read"),
        (AHEAD, {}, f"{AHEAD} bytes read ahead, 0 to read"),
        (AHEAD + 1, {}, f"{AHEAD + 1} bytes of a file at 0" if local
         else f"{AHEAD + 1} bytes read ahead, 0 to read"),
        (3 * MiB, {"Range": "bytes=1000-"}, f"{3 * MiB - 1000} bytes of a file at 1000" if local
         else f"{3 * MiB - 1000} bytes read ahead, 0 to read"),
        (3 * MiB, {"Range": "bytes=1000-1999"}, "1000 bytes read ahead, 0 to read"),
        (5 * MiB, {}, f"{5 * MiB} bytes of a file at 0" if local
         else f"{AHEAD} bytes read ahead, {5 * MiB - AHEAD} to read"),
    ]
    for size, headers, line in cases:
        offset = site.log_offset()
        r = site.get(f"how-{size}", headers=headers)
        assert r.status_code in (200, 206) and len(r.content) == int(r.headers["Content-Length"])
        assert bodies_logged(site, offset) == ([line] if line else []), (size, headers)
    offset = site.log_offset()
    assert site.request("HEAD", f"how-{5 * MiB}").status_code == 200
    assert bodies_logged(site, offset) == []


def test_missing_key(site):
    """A 404 carries its S3 error body (read ahead); HEAD's has none."""
    offset = site.log_offset()
    r = site.get("no-such-key")
    assert r.status_code == 404 and b"<Code>NoSuchKey</Code>" in r.content
    assert int(r.headers["Content-Length"]) == len(r.content)
    assert bodies_logged(site, offset) == [f"{len(r.content)} bytes read ahead, 0 to read"]
    h = site.request("HEAD", "no-such-key")
    assert h.status_code == 404 and h.content == b""
    assert_apache_no_crash(site.log_since(offset))


@pytest.mark.parametrize("site", LOCAL, indirect=True)
def test_file_bodies_follow_enable_sendfile_and_mmap(site):
    """A body file goes out as Apache's settings say, seen in the child's
    I/O counters: under EnableMMAP (Apache's default) from a mapping, not
    read; with EnableSendfile On by sendfile (counted as read: not
    mapped); with both off by reads of Apache's ReadBufferSize (8 KiB),
    many more than the module's own 128 KiB reads would be."""
    data = os.urandom(8 * MiB)
    site.put("io", data)
    assert site.get("io").content == data  # opens what the first GET opens
    rchar, syscr = child_io(site)
    assert site.get("io").content == data
    rchar2, syscr2 = child_io(site)
    read, calls = rchar2 - rchar, syscr2 - syscr
    if site.variant == "local-default":
        assert read < MiB, (read, calls)
    elif site.variant == "local-sendfile":
        assert read >= len(data), (read, calls)
    else:
        assert read >= len(data) and calls >= len(data) // (16 * 1024), (read, calls)


@pytest.mark.parametrize("site", LOCAL, indirect=True)
@pytest.mark.parametrize("how", ["overwrite", "delete"])
def test_slow_download_keeps_its_version_when_the_body_file_goes(site, how):
    """A slow client reads a large object while it is overwritten (or
    deleted) and gc unlinks the old body file: the download still gets the
    old bytes whole (the core's descriptor, which Apache sends from, keeps
    the file), the next GET answers the new state, and once the download is
    over the child holds no descriptor on a store file."""
    key = f"replaced-{how}"
    old, new = os.urandom(32 * MiB), os.urandom(32 * MiB)
    offset = site.log_offset()
    conn, resp, old_files, got = start_slow_download(site, key, old)
    assert resp.getheader("ETag") == etag(old)
    root = site.uri[len("local:"):]
    old_paths = {os.path.join(root, f) for f in old_files}
    assert old_paths <= set(store_files_open(site))  # the request's descriptor

    if how == "overwrite":
        site.put(key, new)
    else:
        assert site.request("DELETE", key).status_code == 204
    with pyrgw.Store(site.uri) as store:
        store.gc(grace_seconds=0)
    assert not old_files & set(site.bodies()), "the old body file was not reclaimed"
    # the child still has the unlinked file open
    assert {p + " (deleted)" for p in old_paths} <= set(store_files_open(site))

    while True:
        piece = resp.read(MiB)
        if not piece:
            break
        got.update(piece)
        time.sleep(0.01)  # a slow client
    conn.close()
    assert got.hexdigest() == hashlib.sha256(old).hexdigest()
    r = site.get(key)
    if how == "overwrite":
        assert r.status_code == 200 and r.content == new and r.headers["ETag"] == etag(new)
    else:
        assert r.status_code == 404
    # the request was freed with its descriptors: nothing of the old file is open
    deadline = time.monotonic() + 10
    while [f for f in store_files_open(site) if f.endswith(" (deleted)")]:
        assert time.monotonic() < deadline, store_files_open(site)
        time.sleep(0.1)
    assert_apache_no_crash(site.log_since(offset))


def test_gets_during_overwrites_see_one_whole_version(site):
    """GETs while another client overwrites the key, with bodies below,
    at and past the read-ahead: every answer is one version, whole, with
    its own ETag."""
    key = "flapping"
    versions = [os.urandom(size) for size in (3000, AHEAD, 900000)]
    site.put(key, versions[0])
    offset = site.log_offset()
    errors = gets_during_overwrites(site, key, versions, 40)
    assert not errors, errors[:5]
    assert_apache_no_crash(site.log_since(offset))


def test_many_concurrent_gets(site):
    """16 clients at once on one child's threads, small bodies and bodies
    past the read-ahead, with ranges: every answer is byte-exact, and
    afterwards the child holds no more store files open than before."""
    objects = {f"many-{i}": os.urandom(size)
               for i, size in enumerate([100, 5000, AHEAD - 1, AHEAD + 1, 700000, 2 * MiB] * 4)}
    for key, data in objects.items():
        site.put(key, data)
    before = store_files_open(site) if site.driver == "local" else None
    offset = site.log_offset()
    errors = []

    def fetch(keys):
        session = requests.Session()
        for n, key in enumerate(keys):
            data = objects[key]
            first, last = RANGES[n % len(RANGES)]
            if first is not None and (first >= len(data) or -first > len(data)):
                first = last = None
            r = site.get(key, session=session, headers=range_header(first, last))
            if r.content != expected(data, first, last) or r.headers.get("ETag") != etag(data):
                errors.append((key, first, last, r.status_code, len(r.content)))

    keys = list(objects)
    threads = [threading.Thread(target=fetch, args=(keys[i::16] * 4,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:5]
    if before is not None:
        deadline = time.monotonic() + 10
        while len(store_files_open(site)) > len(before):
            assert time.monotonic() < deadline, (before, store_files_open(site))
            time.sleep(0.1)
    assert_apache_no_crash(site.log_since(offset))


@pytest.mark.parametrize("mpm", ["worker", "prefork"])
def test_body_files_under_the_other_mpms(request, tmp_path_factory, mpm):
    """Under the worker and prefork MPMs (no write completion) body files go
    out whole too, also several at once and with ranges, and the child
    holds none open afterwards."""
    site = start_site(request, tmp_path_factory, "local", "", mpm=mpm, threads_per_child=4)
    try:
        data = os.urandom(8 * MiB)
        site.put("big", data)
        offset = site.log_offset()
        errors = []

        def fetch(n):
            first, last = RANGES[n % len(RANGES)]
            for _ in range(3):
                r = site.get("big", headers=range_header(first, last))
                if r.content != expected(data, first, last) or r.headers.get("ETag") != etag(data):
                    errors.append((mpm, first, last, r.status_code, len(r.content)))

        threads = [threading.Thread(target=fetch, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors[:5]
        assert f"{len(data)} bytes of a file at 0" in bodies_logged(site, offset)
        deadline = time.monotonic() + 10
        while any(store_files_open(site, pid) for pid in site.server.child_pids()):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert_apache_no_crash(site.log_since(offset))
    finally:
        site.stop()


def test_store_failing_after_the_read_ahead_cuts_the_download(request, tmp_path_factory):
    """A 64 MiB RADOS object (tail objects): its first buffer is read ahead,
    the rest read as the client takes it.  The OSD stops answering (the
    store's op timeout at 3 s) while the client is mid-body: the module
    logs AH10911 and closes the connection, so the client sees a download
    cut short, never a short object passed off as whole; once the OSD is
    back the object is served whole."""
    cluster = request.getfixturevalue("ceph_cluster")
    prefix = request.getfixturevalue("rados_prefix")
    workdir = str(tmp_path_factory.mktemp("apache-bodies-cut"))
    site = Site("rados", f"rados:{prefix}?conf={cluster.conf_path}&timeout=3", workdir)
    site.start("apache", workers=1)
    osd = cluster._procs["osd.0"][0]
    try:
        data = os.urandom(64 * MiB)
        site.put("big", data)
        offset = site.log_offset()
        path = site.path("big")
        conn = http.client.HTTPConnection("127.0.0.1", site.server.port, timeout=60)
        conn.request("GET", path, headers=sign_v4(site.ep, "GET", path))
        resp = conn.getresponse()
        assert resp.status == 200 and int(resp.getheader("Content-Length")) == len(data)
        got = resp.read(256 * 1024)
        time.sleep(1)  # the child blocks writing, the socket buffers full
        os.kill(osd.pid, signal.SIGSTOP)
        try:
            with pytest.raises(http.client.IncompleteRead) as cut:
                resp.read()
            site.wait_for_log(offset, r"AH10911: mod_rgw: reading the object failed")
        finally:
            os.kill(osd.pid, signal.SIGCONT)
        conn.close()
        got += cut.value.partial
        assert 256 * 1024 < len(got) < len(data)
        assert got == data[:len(got)]
        deadline = time.monotonic() + 60
        while True:
            r = site.get("big", timeout=120)
            if r.status_code == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert r.status_code == 200 and r.content == data
        assert_apache_no_crash(site.log_since(offset))
    finally:
        site.stop()
