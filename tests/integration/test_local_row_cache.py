"""The local driver keeps the object rows it reads, per process
(local/row_cache.h), and uses them while no write transaction has begun in
any process since.  These tests check what a client sees: another process's
overwrite, removal, metadata change or multipart completion is seen by the
very next read, in pyrgw and through each of nginx's workers; a writer killed
inside its transaction leaves nothing stale behind.  (That rows are kept at
all, and the cache's bounds, are checked by librgw/tests/test_row_cache.cpp.)
"""
import hashlib

import pytest
from door_sites import assert_no_crash, make_site
from store_worker import CRASHED, other_process, pattern, run_worker

import pyrgw
from pyrgw import errors


@pytest.fixture
def store(tmp_path):
    uri = "local:" + str(tmp_path / "store")
    with pyrgw.Store(uri) as s:
        s.create_user("alice", access_key="AK1", secret_key="SK1")
        s.create_bucket("rows", owner="alice")
        s.put_object("rows", "k", b"first")
        yield uri, s


def warm(s, key="k"):
    """Reads key a few times: from then on this process has its row."""
    for _ in range(3):
        data = s.get_object("rows", key)
        s.stat_object("rows", key)
    return data


CHANGES = {
    "overwrite": ("s.put_object('rows', 'k', b'second, longer')",
                  lambda s: s.get_object("rows", "k") == b"second, longer"
                  and s.stat_object("rows", "k").size == 14),
    "delete": ("s.delete_object('rows', 'k')", None),
    "metadata": ("s.update_object('rows', 'k', attrs={'x-amz-meta-colour': 'blue'})",
                 lambda s: s.stat_object("rows", "k").attrs.get("x-amz-meta-colour") == "blue"),
    "multipart": ("u = s.create_upload('rows', 'k'); u = getattr(u, 'upload_id', u)\n"
                  "    s.upload_part('rows', u, 1, b'p' * 1000); s.upload_part('rows', u, 2, b'q' * 10)\n"
                  "    s.complete_upload('rows', u, s.list_parts('rows', u))",
                  lambda s: s.get_object("rows", "k") == b"p" * 1000 + b"q" * 10),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_change_in_another_process_is_seen_by_the_next_read(store, change):
    uri, s = store
    assert warm(s) == b"first"
    code, seen = CHANGES[change]
    other_process(uri, code)
    if seen is None:
        with pytest.raises(errors.NoSuchKey):
            s.get_object("rows", "k")
        with pytest.raises(errors.NoSuchKey):
            s.stat_object("rows", "k")
        # The missing key is kept as well, and a new write still shows.
        other_process(uri, "s.put_object('rows', 'k', b'back')")
        assert s.get_object("rows", "k") == b"back"
    else:
        assert seen(s)


def test_missing_key_then_written_elsewhere(store):
    uri, s = store
    for _ in range(3):
        with pytest.raises(errors.NoSuchKey):
            s.stat_object("rows", "new")
    other_process(uri, "s.put_object('rows', 'new', b'now here')")
    assert s.get_object("rows", "new") == b"now here"


@pytest.mark.parametrize("point,survivor", [("local:publish:before-commit", "old"),
                                            ("local:publish:after-commit", "new")])
def test_writer_killed_in_its_transaction(store, point, survivor):
    """A PUT's process dies just before or just after its commit: this
    process, which had the old row, reads whichever the database holds, and
    goes on seeing later writes."""
    uri, s = store
    assert warm(s) == b"first"
    res = run_worker(point, "put_pattern", uri, "rows", "k", "3000", "new")
    assert res.returncode == CRASHED, res.stdout + res.stderr
    expected = b"first" if survivor == "old" else pattern(3000, "new")
    for _ in range(3):
        assert s.get_object("rows", "k") == expected
        assert s.stat_object("rows", "k").etag == hashlib.md5(expected).hexdigest()
    other_process(uri, "s.put_object('rows', 'k', b'third')")
    assert warm(s) == b"third"
    other_process(uri, "s.put_object('rows', 'k', b'fourth')")
    assert s.get_object("rows", "k") == b"fourth"


@pytest.fixture(scope="module")
def two_workers(request, tmp_path_factory):
    """nginx with two workers (two processes, two caches) on a local store."""
    s = make_site(request, tmp_path_factory, "local").start(workers=2)
    yield s
    s.stop()


def test_nginx_workers_see_another_process_write(two_workers):
    site = two_workers
    offset = site.log_offset()
    site.put("shared", b"v1")
    for _ in range(40):  # new connections: both workers answer some
        r = site.get("shared")
        assert r.status_code == 200 and r.content == b"v1"
    other_process(site.uri, f"s.put_object({site.bucket!r}, 'shared', b'v2, from elsewhere')")
    for _ in range(40):
        r = site.get("shared")
        assert r.status_code == 200 and r.content == b"v2, from elsewhere"
        assert r.headers["ETag"] == '"%s"' % hashlib.md5(b"v2, from elsewhere").hexdigest()
    other_process(site.uri, f"s.delete_object({site.bucket!r}, 'shared')")
    for _ in range(40):
        assert site.get("shared").status_code == 404
        assert site.head_status("shared") == 404
    site.put("shared", b"v3")
    for _ in range(40):
        assert site.get("shared").content == b"v3"
    assert_no_crash(site.log_since(offset))
