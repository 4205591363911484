"""GET and HEAD on nginx's event loop, and body files sent as files.

With rgw_loop_reads on (the default) the nginx module starts a GET or HEAD on
a local store right on its event loop (rgw_request_try_start): the lookup
runs on a read connection of the store, never behind its write lock, and
whatever would wait goes to the I/O threads instead.  A plain object's body
is handed to nginx as the open body file (rgw_response_file) and goes out
with sendfile.  These tests run Debian's nginx with the module on a local
store, with one worker, so that every request meets the same event loop.
"""

import hashlib
import os
import sqlite3
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET

import pytest
import requests
from byte_ranges import check_ranged_gets
from door_sites import assert_no_crash, make_site, start_slow_download

import pyrgw

MiB = 1024 * 1024


@pytest.fixture(scope="module", params=["on", "off"])
def site(request, tmp_path_factory):
    """nginx, one worker, on a local store, with rgw_loop_reads on or off."""
    s = make_site(request, tmp_path_factory, "local").start(workers=1, loop_reads=request.param)
    s.loop_reads = request.param
    yield s
    s.stop()


@pytest.fixture(scope="module")
def loop_site(request, tmp_path_factory):
    """nginx, one worker, on a local store, rgw_loop_reads on."""
    s = make_site(request, tmp_path_factory, "local").start(workers=1)
    yield s
    s.stop()


def multipart_put(site, key, parts):
    """An object of several parts: its body is several files, not one."""
    with pyrgw.Store(site.uri) as store:
        upload = store.create_upload(site.bucket, key)
        upload_id = getattr(upload, "upload_id", upload)
        for n, data in enumerate(parts, 1):
            store.upload_part(site.bucket, upload_id, n, data)
        store.complete_upload(site.bucket, upload_id, store.list_parts(site.bucket, upload_id))


@pytest.mark.parametrize("size", [1, 4096, 64 * 1024 + 7, 3 * MiB])
def test_get_range_and_head_of_a_plain_object(site, size):
    key = f"plain-{size}"
    data = os.urandom(size)
    site.put(key, data)
    check_ranged_gets(site, key, data)
    h = site.request("HEAD", key)
    assert h.status_code == 200 and int(h.headers["Content-Length"]) == size
    assert h.content == b""


def test_empty_object(site):
    site.put("empty", b"")
    r = site.get("empty")
    assert r.status_code == 200 and r.content == b"" and r.headers["Content-Length"] == "0"


def test_multipart_object_is_read_not_sent_as_one_file(site):
    parts = [os.urandom(5 * MiB), os.urandom(5 * MiB), os.urandom(1000)]
    multipart_put(site, "mp", parts)
    data = b"".join(parts)
    assert site.get("mp").content == data
    r = site.get("mp", headers={"Range": f"bytes={5 * MiB - 10}-{5 * MiB + 9}"})
    assert r.status_code == 206 and r.content == data[5 * MiB - 10:5 * MiB + 10]


def test_errors_and_listings_answered_whatever_path(site):
    assert site.get("no-such-key").status_code == 404
    r = site.request("GET", None)  # ListObjects: not a loop read (it takes the write lock)
    assert r.status_code == 200
    names = [e.text for e in ET.fromstring(r.content).iter() if e.tag.endswith("Key")]
    assert "empty" in names
    anon = requests.get(site.ep.url + site.path("empty"), timeout=30)
    assert anon.status_code == 403


def test_download_keeps_its_version_when_the_body_file_goes(site):
    """A slow client reads a large object while it is overwritten and gc
    unlinks the old body file: the download still gets the old bytes whole
    (the open file outlives the unlink), and the next GET the new ones."""
    key = "replaced"
    old, new = os.urandom(32 * MiB), os.urandom(32 * MiB)
    offset = site.log_offset()
    conn, resp, old_files, got = start_slow_download(site, key, old)

    site.put(key, new)
    with pyrgw.Store(site.uri) as store:
        store.gc(grace_seconds=0)
    assert not old_files & set(site.bodies()), "the old body file was not reclaimed"

    while True:
        piece = resp.read(MiB)
        if not piece:
            break
        got.update(piece)
    conn.close()
    assert got.hexdigest() == hashlib.sha256(old).hexdigest()
    assert site.get(key).content == new
    assert_no_crash(site.log_since(offset))


HOLD_WRITE_LOCK = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)
db.execute("BEGIN IMMEDIATE")
print("held", flush=True)
sys.stdin.readline()
db.execute("ROLLBACK")
"""


def test_reads_do_not_wait_for_a_held_write_lock(loop_site):
    """Another process holds the store's SQLite write lock.  A PUT through
    nginx waits for it (on an I/O thread, holding the worker's store lock),
    and so does a listing, which needs that lock: tried on the loop, it is
    handed to the I/O threads.  Meanwhile the same worker answers GETs and
    HEADs of stored objects, and anonymous requests, at once.  Once the lock
    goes, the PUT and the listing are answered as usual.  (With
    rgw_loop_reads off the GETs would queue for the I/O threads, two of
    which the PUT and the listing hold.)"""
    site = loop_site
    site.put("before", b"stored before the lock")
    offset = site.log_offset()
    db_path = os.path.join(site.uri[len("local:"):], "meta.db")
    holder = subprocess.Popen([sys.executable, "-c", HOLD_WRITE_LOCK, db_path],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    results = {}
    try:
        assert holder.stdout.readline().strip() == "held"

        def put():
            results["put"] = site.request("PUT", "during", b"written during the lock")

        def listing():
            results["list"] = site.request("GET", None)

        writer = threading.Thread(target=put)
        writer.start()
        lister = threading.Thread(target=listing)
        lister.start()

        for _ in range(20):
            r = site.get("before")
            assert r.status_code == 200 and r.content == b"stored before the lock"
            assert site.request("HEAD", "before").status_code == 200
            assert site.get("not-there").status_code == 404
        assert requests.get(site.ep.url + "/", timeout=30).status_code == 200
        # The lock is still held: the PUT cannot have been answered.
        assert writer.is_alive() and "put" not in results
    finally:
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=60)
    writer.join(timeout=120)
    lister.join(timeout=120)
    assert results["put"].status_code == 200, results["put"].content
    assert results["list"].status_code == 200
    assert site.get("during").content == b"written during the lock"
    assert_no_crash(site.log_since(offset))


def test_the_write_lock_holder_is_a_real_sqlite_lock(loop_site):
    """The helper above holds what it says: a writer of the same database
    gets 'database is locked' while it runs."""
    site = loop_site
    db_path = os.path.join(site.uri[len("local:"):], "meta.db")
    holder = subprocess.Popen([sys.executable, "-c", HOLD_WRITE_LOCK, db_path],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        other = sqlite3.connect(db_path, isolation_level=None, timeout=0)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
    finally:
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=60)
