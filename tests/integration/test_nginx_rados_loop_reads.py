"""GET and HEAD on RADOS from nginx's event loop, without an I/O thread.

With rgw_loop_reads on (the default) the nginx module starts a GET or HEAD
with rgw_aio_request_try_start: with the bucket and the user cached, the read
of the object's head (its xattrs and an inline body) is submitted to RADOS
from the event loop and the request resumes there when it completes; a body
that fits the head is sent from the core's memory, uncopied.  Everything
else (a segmented body, a listing, a cold cache) goes to the I/O threads.
These tests run Debian's nginx with the module, one worker, on a throwaway
Ceph cluster, with rgw_loop_reads on and off: the answers must not differ.
"""

import os
import threading
import xml.etree.ElementTree as ET

import pytest
import requests
from byte_ranges import check_ranged_gets
from door_sites import assert_no_crash, gets_during_overwrites, make_site

MiB = 1024 * 1024


@pytest.fixture(scope="module", params=["on", "off"])
def site(request, tmp_path_factory):
    """nginx, one worker, on RADOS, with rgw_loop_reads on or off."""
    s = make_site(request, tmp_path_factory, "rados", tag="ngx-rloop").start(
        workers=1, loop_reads=request.param)
    s.loop_reads = request.param
    yield s
    s.stop()


# 3 MiB fits a head (4 MiB stripes); 5 MiB has a tail: read by I/O threads.
@pytest.mark.parametrize("size", [1, 4096, 64 * 1024 + 7, 3 * MiB, 4 * MiB, 5 * MiB + 3])
def test_get_range_and_head(site, size):
    key = f"obj-{size}"
    data = os.urandom(size)
    assert site.put(key, data).status_code == 200
    offset = site.log_offset()
    for _ in range(2):  # the first GET may meet a cold cache, the second does not
        check_ranged_gets(site, key, data)
        h = site.request("HEAD", key)
        assert h.status_code == 200 and int(h.headers["Content-Length"]) == size
        assert h.content == b""
    assert_no_crash(site.log_since(offset))


def test_empty_missing_and_listing(site):
    assert site.put("empty", b"").status_code == 200
    r = site.get("empty")
    assert r.status_code == 200 and r.content == b"" and r.headers["Content-Length"] == "0"
    r = site.get("no-such-key")
    assert r.status_code == 404 and b"<Code>NoSuchKey</Code>" in r.content
    assert site.request("HEAD", "no-such-key").status_code == 404
    r = site.request("GET", None)  # ListObjects: an index read, on an I/O thread
    assert r.status_code == 200
    names = [e.text for e in ET.fromstring(r.content).iter() if e.tag.endswith("Key")]
    assert "empty" in names
    anon = requests.get(site.ep.url + site.path("empty"), timeout=30)
    assert anon.status_code == 403
    r = site.get("empty", headers={"If-None-Match": r.headers.get("ETag", '"x"')})
    assert r.status_code in (200, 304)


def test_gets_during_overwrites_see_one_whole_version(site):
    """GETs from the loop while another client overwrites the key: every
    answer is one of the versions, whole, with its own ETag (never a mix of a
    head read before an overwrite and a body after it)."""
    key = "flapping"
    versions = [os.urandom(size) for size in (3000, 70000, 900000)]
    assert site.put(key, versions[0]).status_code == 200
    offset = site.log_offset()
    errors = gets_during_overwrites(site, key, versions, 60)
    assert not errors, errors[:5]
    assert_no_crash(site.log_since(offset))


def test_many_concurrent_small_gets(site):
    """More GETs in flight than I/O threads, all from one event loop."""
    objects = {f"many-{i}": os.urandom(100 + i) for i in range(32)}
    for key, data in objects.items():
        assert site.put(key, data).status_code == 200
    offset = site.log_offset()
    errors = []

    def fetch(keys):
        session = requests.Session()
        for key in keys:
            r = site.get(key, session=session)
            if r.status_code != 200 or r.content != objects[key]:
                errors.append((key, r.status_code))

    keys = list(objects)
    threads = [threading.Thread(target=fetch, args=(keys[i::8] * 3,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:5]
    assert_no_crash(site.log_since(offset))
