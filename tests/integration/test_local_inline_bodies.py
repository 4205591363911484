"""The local driver keeps a body of at most 16 KiB in meta.db (table
inline_bodies) instead of a file under data/: its PUT creates, fsyncs and
renames no file, and commits the body with its row.  These tests check
where each body lands (at the limit and one byte past it, for a body sent
whole or in pieces), that every one reads back whole and in ranges, and that
an inline body goes with the row that named it: overwritten, deleted, a
version removed, through gc, and through nginx's workers.
"""
import hashlib
import os

import pytest
from door_sites import assert_no_crash, make_site
from store_worker import local_inline_bodies, pattern

import pyrgw

LIMIT = 16 * 1024


@pytest.fixture
def local(tmp_path):
    root = str(tmp_path / "store")
    with pyrgw.Store("local:" + root) as s:
        s.create_user("alice", access_key="AK1", secret_key="SK1")
        s.create_bucket("small", owner="alice")
        yield root, s


def files(root):
    """The body files of the store: data/ and tmp/."""
    return sorted(os.path.relpath(os.path.join(d, f), root)
                  for sub in ("data", "tmp") for d, _, names in os.walk(os.path.join(root, sub))
                  for f in names)


def check_reads(s, key, body):
    assert s.get_object("small", key) == body
    st = s.stat_object("small", key)
    assert (st.size, st.etag) == (len(body), hashlib.md5(body).hexdigest())
    if body:
        n = len(body)
        for first, last in ((0, 0), (n - 1, n - 1), (n // 3, n - 1), (1, min(n - 1, 5000))):
            assert s.get_object("small", key, range=(first, last)) == body[first:last + 1]


@pytest.mark.parametrize("size,inline", [(0, True), (1, True), (3000, True), (LIMIT, True),
                                         (LIMIT + 1, False), (100000, False)])
def test_a_body_is_inline_up_to_16_kib(local, size, inline):
    root, s = local
    body = pattern(size, f"b{size}")
    s.put_object("small", "k", body)
    assert (len(local_inline_bodies(root)), len(files(root))) == ((1, 0) if inline else (0, 1))
    check_reads(s, "k", body)
    # Read back by another handle too (no row kept in this one).
    with pyrgw.Store("local:" + root) as other:
        assert other.get_object("small", "k") == body


@pytest.mark.parametrize("pieces,inline", [([8000, 8384], True), ([LIMIT, 1], False),
                                           ([10, LIMIT - 10, 5000, 7], False),
                                           ([1] * 100, True)])
def test_a_body_sent_in_pieces_moves_to_a_file_once_past_the_limit(local, pieces, inline):
    root, s = local
    body = pattern(sum(pieces), "pieces")
    w = s._s.open_writer("small", "p")
    at = 0
    for n in pieces:
        w.write(body[at:at + n])
        at += n
        # Nothing reaches tmp/ while the body is still small enough.
        assert bool(files(root)) == (at > LIMIT)
    info = w.commit({}, 0, "")
    assert (info.size, info.etag) == (len(body), hashlib.md5(body).hexdigest())
    assert (len(local_inline_bodies(root)), len(files(root))) == ((1, 0) if inline else (0, 1))
    check_reads(s, "p", body)


def test_an_aborted_small_writer_leaves_nothing(local):
    root, s = local
    w = s._s.open_writer("small", "gone")
    w.write(b"never published")
    w.abort()
    assert (local_inline_bodies(root), files(root)) == ([], [])
    with pytest.raises(pyrgw.NoSuchKey):
        s.get_object("small", "gone")


def test_an_inline_body_goes_with_its_row(local):
    root, s = local
    s.put_object("small", "k", b"one")
    first = local_inline_bodies(root)
    s.put_object("small", "k", b"two")  # the old inline body goes in the same commit
    second = local_inline_bodies(root)
    assert len(first) == len(second) == 1 and first != second
    assert s.get_object("small", "k") == b"two"
    big = pattern(LIMIT + 1, "big")
    s.put_object("small", "k", big)  # inline -> file
    assert (local_inline_bodies(root), len(files(root))) == ([], 1)
    s.put_object("small", "k", b"small again")  # file -> inline: the file is garbage
    assert len(local_inline_bodies(root)) == 1
    s.gc(grace_seconds=0)
    assert files(root) == []
    assert s.get_object("small", "k") == b"small again"
    s.delete_object("small", "k")
    assert (local_inline_bodies(root), files(root)) == ([], [])
    s.gc(grace_seconds=0)
    assert s.list_objects("small").objects == []


def test_versions_keep_their_inline_bodies(local):
    root, s = local
    b = s.get_bucket("small")
    b.versioning = pyrgw.Versioning.enabled
    s.update_bucket(b)
    v1 = s.put_object("small", "k", b"version one")
    v2 = s.put_object("small", "k", b"version two")
    s.delete_object("small", "k")  # a delete marker: no body
    assert len(local_inline_bodies(root)) == 2
    assert s.get_object("small", "k", version_id=v1.version_id) == b"version one"
    assert s.get_object("small", "k", version_id=v2.version_id) == b"version two"
    s.delete_object("small", "k", version_id=v1.version_id)
    assert len(local_inline_bodies(root)) == 1
    assert s.get_object("small", "k", version_id=v2.version_id) == b"version two"
    s.delete_object("small", "k", version_id=v2.version_id)
    assert local_inline_bodies(root) == []


def test_a_reader_opened_before_an_overwrite_reads_the_old_inline_body(local):
    root, s = local
    s.put_object("small", "k", b"A" * 10000)
    r = s.open_object("small", "k")
    assert r.read(100) == b"A" * 100
    s.put_object("small", "k", b"B" * 10000)
    s.delete_object("small", "k")
    assert local_inline_bodies(root) == []
    assert r.read(20000) == b"A" * 9900


@pytest.fixture(scope="module")
def site(request, tmp_path_factory):
    """nginx with two workers on a local store."""
    s = make_site(request, tmp_path_factory, "local").start(workers=2)
    yield s
    s.stop()


def test_nginx_serves_inline_bodies_whole_and_in_ranges(site):
    offset = site.log_offset()
    bodies = {f"k{n}": pattern(n, f"web{n}") for n in (0, 1, 4096, LIMIT, LIMIT + 1)}
    for key, body in bodies.items():
        site.put(key, body)
    # Four inline bodies and one file: nothing else.
    stored = site.bodies()
    assert len([b for b in stored if b.startswith("meta.db/")]) == 4, stored
    assert len([b for b in stored if b.startswith("data/")]) == 1, stored
    for _ in range(20):  # new connections: both workers, rows kept or not
        for key, body in bodies.items():
            r = site.get(key)
            assert r.status_code == 200 and r.content == body, key
            assert r.headers["ETag"] == '"%s"' % hashlib.md5(body).hexdigest()
            if len(body) > 1:
                r = site.get(key, headers={"Range": "bytes=1-"})
                assert r.status_code == 206 and r.content == body[1:], key
                r = site.get(key, headers={"Range": "bytes=-3"})
                assert r.status_code == 206 and r.content == body[-3:], key
            r = site.request("HEAD", key)
            assert r.status_code == 200 and int(r.headers["Content-Length"]) == len(body)
    assert_no_crash(site.log_since(offset))
