"""The store conformance suite: the same behaviour from both drivers."""
import hashlib
import io
import time

import pytest

import pyrgw


def body(size, seed=0):
    """Deterministic pseudo-random bytes."""
    out = bytearray()
    block = hashlib.sha256(str(seed).encode()).digest()
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block * 32
    return bytes(out[:size])


# users and keys ----------------------------------------------------------

def test_user_lifecycle(store, store_setup):
    uid = store_setup.name("u")
    user = store.create_user(uid, display_name="U One", email="u@example.com",
                             access_key="A" + store_setup.tag, secret_key="S1")
    assert user.uid == uid and user.display_name == "U One"
    assert [(k.access_key, k.secret_key) for k in user.keys] == [("A" + store_setup.tag, "S1")]
    assert uid in store.list_users()
    with pytest.raises(pyrgw.UserExists):
        store.create_user(uid)
    with pytest.raises(pyrgw.AccessKeyExists):
        store.create_user(store_setup.name("v"), access_key="A" + store_setup.tag, secret_key="x")
    # The failed create left no user behind.
    with pytest.raises(pyrgw.NoSuchUser):
        store.get_user(store_setup.name("v"))

    key2 = store.add_access_key(uid)
    assert len(key2.access_key) == 20 and len(key2.secret_key) == 40
    assert store.get_user_by_access_key(key2.access_key).uid == uid
    store.remove_access_key(uid, key2.access_key)
    with pytest.raises(pyrgw.NoSuchAccessKey):
        store.get_user_by_access_key(key2.access_key)
    with pytest.raises(pyrgw.NoSuchAccessKey):
        store.remove_access_key(uid, key2.access_key)

    store.set_swift_credentials(uid, f"acct{store_setup.tag}:u", "swiftsecret")
    assert store._s.get_user_by_swift_user(f"acct{store_setup.tag}:u").uid == uid

    store.remove_user(uid)
    with pytest.raises(pyrgw.NoSuchUser):
        store.get_user(uid)
    with pytest.raises(pyrgw.NoSuchAccessKey):
        store.get_user_by_access_key("A" + store_setup.tag)
    assert uid not in store.list_users()


def test_invalid_user_ids(store):
    for bad in ["", "a/b", "a b", "x" * 256, "ü"]:
        with pytest.raises(pyrgw.InvalidArgument):
            store.create_user(bad)


# buckets -------------------------------------------------------------------

def test_bucket_lifecycle(store, store_setup, owner):
    name = store_setup.name("life")
    info = store.create_bucket(name, owner=owner, acl="public-read")
    assert info.name == name and info.owner == owner and info.acl == "public-read"
    assert info.created_ns > 0 and info.id
    with pytest.raises(pyrgw.BucketExists):
        store.create_bucket(name, owner=owner)
    assert store.get_bucket(name).acl == "public-read"
    assert [b.name for b in store.list_buckets(owner)] == [name]
    assert name in [b.name for b in store.list_buckets()]
    with pytest.raises(pyrgw.UserHasBuckets):
        store.remove_user(owner)

    store.put_object(name, "k", b"v")
    with pytest.raises(pyrgw.BucketNotEmpty):
        store.remove_bucket(name)
    stats = store.bucket_stats(name)
    assert (stats.num_objects, stats.size_bytes) == (1, 1)
    store.delete_object(name, "k")
    store.remove_bucket(name)
    with pytest.raises(pyrgw.NoSuchBucket):
        store.get_bucket(name)
    with pytest.raises(pyrgw.NoSuchBucket):
        store.remove_bucket(name)
    with pytest.raises(pyrgw.NoSuchBucket):
        store.put_object(name, "k", b"v")

    # A re-created bucket starts empty, with a new identity.
    again = store.create_bucket(name, owner=owner)
    assert again.id != info.id
    assert store.list_objects(name).objects == []


def test_bucket_update(store, bucket):
    info = store.get_bucket(bucket)
    info.acl = "public-read"
    info.attrs = {"x-container-meta-temp-url-key": "k1"}
    store.update_bucket(info)
    again = store.get_bucket(bucket)
    assert again.acl == "public-read"
    assert again.attrs == {"x-container-meta-temp-url-key": "k1"}


def test_invalid_bucket_names(store, owner):
    for bad in ["", ".", "..", "a/b", "x" * 256, "tab\tname"]:
        with pytest.raises(pyrgw.InvalidBucketName):
            store.create_bucket(bad, owner=owner)
    with pytest.raises(pyrgw.NoSuchUser):
        store.create_bucket("valid-name-no-owner", owner="nobody-at-all")
    # One byte is a name (Swift's containers); S3's 3-63 rule is the S3 layer's.
    store.create_bucket("c", owner=owner)
    assert store.get_bucket("c").name == "c"
    store.remove_bucket("c")


# objects -------------------------------------------------------------------

@pytest.mark.parametrize("size", [0, 1, 4096, 4 * 1024 * 1024, 4 * 1024 * 1024 + 1,
                                  13 * 1024 * 1024 + 7])
def test_put_get_sizes(store, bucket, size):
    data = body(size, size)
    info = store.put_object(bucket, f"obj-{size}", data)
    assert info.size == size
    assert info.etag == hashlib.md5(data).hexdigest()
    assert store.get_object(bucket, f"obj-{size}") == data
    st = store.stat_object(bucket, f"obj-{size}")
    assert (st.size, st.etag, st.version_id) == (size, info.etag, "null")


def test_streaming_put_from_file(store, bucket):
    data = body(9 * 1024 * 1024 + 5, 3)
    info = store.put_object(bucket, "streamed", io.BytesIO(data))
    assert info.etag == hashlib.md5(data).hexdigest()
    with store.open_object(bucket, "streamed") as r:
        assert r.info.size == len(data)
        got = bytearray()
        while True:
            chunk = r.read(777_777)
            if not chunk:
                break
            got += chunk
    assert bytes(got) == data


def test_ranges(store, bucket):
    data = body(10 * 1024 * 1024, 5)
    store.put_object(bucket, "r", data)
    stripe = 4 * 1024 * 1024
    for first, last in [(0, 0), (0, 99), (stripe - 5, stripe + 5), (stripe, 2 * stripe + 3),
                        (len(data) - 1, len(data) - 1), (len(data) - 10, len(data) + 100)]:
        assert store.get_object(bucket, "r", range=(first, last)) == data[first:last + 1]
    assert store.get_object(bucket, "r", range=(len(data), len(data) + 5)) == b""
    with pytest.raises(pyrgw.InvalidRange):
        store.get_object(bucket, "r", range=(len(data) + 1, len(data) + 5))


def test_attributes_and_expiry(store, bucket):
    info = store.put_object(bucket, "doc", b"<p/>", content_type="text/html",
                            metadata={"Author": "me"},
                            attrs={"Cache-Control": "max-age=60",
                                   "Content-Disposition": "inline"})
    assert info.attrs == {"content-type": "text/html", "x-amz-meta-author": "me",
                          "cache-control": "max-age=60", "content-disposition": "inline"}
    assert store.stat_object(bucket, "doc").attrs == info.attrs

    future = int(time.time()) + 3600
    store.put_object(bucket, "later", b"x", delete_at=future)
    assert store.stat_object(bucket, "later").delete_at == future
    store.put_object(bucket, "gone", b"x", delete_at=int(time.time()) - 1)
    with pytest.raises(pyrgw.NoSuchKey):
        store.stat_object(bucket, "gone")
    with pytest.raises(pyrgw.NoSuchKey):
        store.get_object(bucket, "gone")


def test_overwrite_and_delete(store, bucket):
    big = body(9 * 1024 * 1024, 9)
    store.put_object(bucket, "k", b"small")
    store.put_object(bucket, "k", big)
    assert store.get_object(bucket, "k") == big
    store.put_object(bucket, "k", b"small again")
    assert store.get_object(bucket, "k") == b"small again"
    assert [o.key for o in store.list_objects(bucket).objects] == ["k"]
    assert store.list_objects(bucket).objects[0].size == len(b"small again")
    store.delete_object(bucket, "k")
    store.delete_object(bucket, "k")  # idempotent
    with pytest.raises(pyrgw.NoSuchKey):
        store.get_object(bucket, "k")
    assert store.list_objects(bucket).objects == []
    with pytest.raises(pyrgw.NoSuchBucket):
        store.delete_object("no-such-bucket-" + bucket, "k")
    # The overwritten and deleted bodies are garbage for an explicit gc pass.
    report = store.gc(grace_seconds=0)
    assert report.removed_objects >= 1
    assert report.removed_bytes >= len(big)
    assert store.gc(grace_seconds=0).removed_bytes == 0


def test_aborted_put_leaves_nothing(store, bucket):
    class Exploding(io.RawIOBase):
        def __init__(self):
            self.calls = 0

        def read(self, n=-1):
            self.calls += 1
            if self.calls > 3:
                raise RuntimeError("client went away")
            return b"x" * 100_000

    store.put_object(bucket, "keep", b"old")
    with pytest.raises(RuntimeError):
        store.put_object(bucket, "keep", Exploding())
    assert store.get_object(bucket, "keep") == b"old"
    with pytest.raises(RuntimeError):
        store.put_object(bucket, "never", Exploding())
    with pytest.raises(pyrgw.NoSuchKey):
        store.stat_object(bucket, "never")


def test_copy(store, store_setup, owner, bucket):
    other = store_setup.name("dst")
    store.create_bucket(other, owner=owner)
    data = body(5 * 1024 * 1024, 11)
    store.put_object(bucket, "src", data, content_type="a/b", metadata={"k": "v"})
    info = store.copy_object(bucket, "src", other, "dst")
    assert info.etag == hashlib.md5(data).hexdigest()
    assert info.attrs == {"content-type": "a/b", "x-amz-meta-k": "v"}
    assert store.get_object(other, "dst") == data
    info = store.copy_object(bucket, "src", bucket, "src", attrs={"content-type": "c/d"})
    assert store.stat_object(bucket, "src").attrs == {"content-type": "c/d"}
    assert store.get_object(bucket, "src") == data
    with pytest.raises(pyrgw.NoSuchKey):
        store.copy_object(bucket, "missing", other, "x")
    with pytest.raises(pyrgw.NoSuchBucket):
        store.copy_object(bucket, "src", "missing-" + other, "x")


def test_invalid_keys(store, bucket):
    for bad in ["", "x" * 1025, "nul\x00inside"]:
        with pytest.raises(pyrgw.InvalidKey):
            store.put_object(bucket, bad, b"v")
    store.put_object(bucket, "x" * 1024, b"longest")
    assert store.get_object(bucket, "x" * 1024) == b"longest"
    store.put_object(bucket, "ünïcødé/ключ/键", b"u")
    assert store.get_object(bucket, "ünïcødé/ключ/键") == b"u"


# listing -------------------------------------------------------------------

KEYS = ["a/1", "a/2", "a/b/3", "b", "c/x", "c/y/z", "d", "e/", "e/f"]


@pytest.fixture
def listed(store, bucket):
    for k in KEYS:
        store.put_object(bucket, k, k.encode())
    return bucket


def page_all(store, bucket, **kw):
    """Pages through a listing; returns (keys, prefixes, pages)."""
    keys, prefixes, marker, pages = [], [], "", 0
    while True:
        res = store.list_objects(bucket, marker=marker, **kw)
        pages += 1
        keys += [o.key for o in res.objects]
        prefixes += list(res.common_prefixes)
        if not res.truncated:
            return keys, prefixes, pages
        assert pages < 100
        marker = res.next_marker


def test_list_flat(store, listed):
    res = store.list_objects(listed)
    assert [o.key for o in res.objects] == KEYS
    assert not res.truncated
    assert all(o.size == len(o.key) for o in res.objects)
    assert all(o.etag == hashlib.md5(o.key.encode()).hexdigest() for o in res.objects)


def test_list_prefix_delimiter(store, listed):
    res = store.list_objects(listed, delimiter="/")
    assert [o.key for o in res.objects] == ["b", "d"]
    assert list(res.common_prefixes) == ["a/", "c/", "e/"]
    res = store.list_objects(listed, prefix="a/", delimiter="/")
    assert [o.key for o in res.objects] == ["a/1", "a/2"]
    assert list(res.common_prefixes) == ["a/b/"]
    res = store.list_objects(listed, prefix="e/", delimiter="/")
    assert [o.key for o in res.objects] == ["e/", "e/f"]
    res = store.list_objects(listed, prefix="c")
    assert [o.key for o in res.objects] == ["c/x", "c/y/z"]
    assert store.list_objects(listed, prefix="zzz").objects == []


def test_list_paging(store, listed):
    for max_keys in [1, 2, 3, 1000]:
        keys, prefixes, pages = page_all(store, listed, max_keys=max_keys)
        assert keys == KEYS and prefixes == []
        keys, prefixes, pages = page_all(store, listed, delimiter="/", max_keys=max_keys)
        assert keys == ["b", "d"] and prefixes == ["a/", "c/", "e/"]
    res = store.list_objects(listed, max_keys=3)
    assert res.truncated and res.next_marker == "a/b/3"
    res = store.list_objects(listed, marker="c/x")
    assert [o.key for o in res.objects] == ["c/y/z", "d", "e/", "e/f"]
    res = store.list_objects(listed, max_keys=0)
    assert res.objects == [] and not res.truncated


def test_list_many(store, bucket):
    names = [f"k{i:04d}" for i in range(1203)]
    for n in names:
        store.put_object(bucket, n, b"")
    res = store.list_objects(bucket, max_keys=5000)
    assert len(res.objects) == 1000 and res.truncated
    assert [o.key for o in store.iter_objects(bucket)] == names
    assert store.bucket_stats(bucket).num_objects == 1203


def test_list_missing_bucket(store):
    with pytest.raises(pyrgw.NoSuchBucket):
        store.list_objects("there-is-no-such-bucket")


# store URIs ----------------------------------------------------------------

def test_bad_store_uris(tmp_path):
    for bad in ["", "ftp://x", "local:relative", "rados:", "rados:bad/prefix",
                "rados:p?timeout=0", "rados:p?unknown=1"]:
        with pytest.raises(pyrgw.InvalidStoreURI):
            pyrgw.Store(bad)
    # Equivalent spellings of a local store open the same data.
    d = str(tmp_path / "s")
    with pyrgw.Store("local:" + d) as a:
        a.create_user("same")
    for uri in ["local://" + d, d]:
        with pyrgw.Store(uri) as b:
            assert b.list_users() == ["same"]


# several handles (processes) on one store ---------------------------------

def test_bucket_changes_seen_by_other_handles(store, store_setup, owner):
    """Another handle (on RADOS: another connection with its own bucket
    cache) sees ACL changes, removal and re-creation at once."""
    name = store_setup.name("shared")
    store.create_bucket(name, owner=owner)
    with pyrgw.Store(store_setup.uri) as other:
        store.put_object(name, "k", b"one")
        assert other.get_bucket(name).acl == "private"  # now cached there
        assert other.get_object(name, "k") == b"one"

        info = store.get_bucket(name)
        info.acl = "public-read"
        store.update_bucket(info)
        assert other.get_bucket(name).acl == "public-read"

        store.delete_object(name, "k")
        store.remove_bucket(name)
        with pytest.raises(pyrgw.NoSuchBucket):
            other.get_bucket(name)
        with pytest.raises(pyrgw.NoSuchBucket):
            other.put_object(name, "k", b"stale")

        store.create_bucket(name, owner=owner)
        assert other.get_bucket(name).acl == "private"
        assert other.list_objects(name).objects == []
        other.put_object(name, "k", b"two")
        assert store.get_object(name, "k") == b"two"


# attribute updates (no data rewritten) -----------------------------------

def test_update_object_attrs(store, store_setup, bucket):
    small, big = b"tiny body", body(9 * 1024 * 1024 + 5, 21)  # big: tails on RADOS
    for key, data in [("small", small), ("big", big)]:
        old = store.put_object(bucket, key, data, content_type="text/plain",
                               metadata={"a": "1"})
        time.sleep(0.01)
        new_attrs = {"content-type": "text/plain", "x-amz-acl": "public-read",
                     "x-amz-meta-b": "2"}
        info = store.update_object_attrs(bucket, key, new_attrs, expected_etag=old.etag)
        assert info.attrs == new_attrs
        assert (info.size, info.etag, info.mtime_ns) == (old.size, old.etag, old.mtime_ns)
        st = store.stat_object(bucket, key)
        assert st.attrs == new_attrs
        assert (st.size, st.etag, st.mtime_ns) == (old.size, old.etag, old.mtime_ns)
        with store.open_object(bucket, key) as r:
            assert r.info.attrs == new_attrs
            assert r.read() == data
        listed = {o.key: o for o in store.list_objects(bucket).objects}
        assert listed[key].attrs == new_attrs
        assert (listed[key].etag, listed[key].size) == (old.etag, old.size)
        # No expected etag: whatever is current.  An empty set is a set too.
        assert store.update_object_attrs(bucket, key, {}).attrs == {}
        assert store.stat_object(bucket, key).attrs == {}
        assert store.update_object_attrs(bucket, key, new_attrs).attrs == new_attrs
    # The bodies are still the objects' own: gc takes nothing, a second
    # handle (another process's caches) sees the same.
    b_id = store.get_bucket(bucket).id
    before = store_setup.stored_bodies(b_id)
    store.gc(grace_seconds=0)
    assert store_setup.stored_bodies(b_id) == before
    with pyrgw.Store(store_setup.uri) as other:
        assert other.get_object(bucket, "big") == big
        assert other.get_object(bucket, "small") == small
        assert other.stat_object(bucket, "big").attrs["x-amz-acl"] == "public-read"
    # Overwrites and deletes after an update behave as usual.
    store.put_object(bucket, "small", b"replaced")
    assert store.stat_object(bucket, "small").attrs == {}
    store.delete_object(bucket, "big")
    assert [o.key for o in store.list_objects(bucket).objects] == ["small"]
    store.gc(grace_seconds=0)
    assert store.get_object(bucket, "small") == b"replaced"


def test_update_object_attrs_multipart(store, bucket):
    parts = {1: body(5 * 1024 * 1024, 31), 2: body(1000, 32)}
    up = store.create_upload(bucket, "mp", content_type="a/b")
    infos = [store.upload_part(bucket, up.upload_id, n, d) for n, d in parts.items()]
    done = store.complete_upload(bucket, up.upload_id, infos)
    assert done.etag.endswith("-2")
    info = store.update_object_attrs(bucket, "mp", {"content-type": "c/d", "x-amz-acl": "private"},
                                     expected_etag=done.etag)
    assert (info.etag, info.size, info.mtime_ns) == (done.etag, done.size, done.mtime_ns)
    assert store.stat_object(bucket, "mp").attrs == {"content-type": "c/d", "x-amz-acl": "private"}
    assert store.list_objects(bucket).objects[0].attrs["content-type"] == "c/d"
    store.gc(grace_seconds=0)
    data = parts[1] + parts[2]
    assert store.get_object(bucket, "mp") == data
    assert store.get_object(bucket, "mp", range=(5 * 1024 * 1024 - 3, 5 * 1024 * 1024 + 3)) \
        == data[5 * 1024 * 1024 - 3:5 * 1024 * 1024 + 4]


def test_update_object_attrs_conflict_and_missing(store, bucket):
    first = store.put_object(bucket, "k", b"first", metadata={"v": "1"})
    second = store.put_object(bucket, "k", b"second", metadata={"v": "2"})
    with pytest.raises(pyrgw.Conflict):
        store.update_object_attrs(bucket, "k", {"x": "stale"}, expected_etag=first.etag)
    st = store.stat_object(bucket, "k")
    assert st.attrs == {"x-amz-meta-v": "2"} and st.etag == second.etag
    assert store.get_object(bucket, "k") == b"second"
    assert store.list_objects(bucket).objects[0].attrs == {"x-amz-meta-v": "2"}
    store.delete_object(bucket, "k")
    with pytest.raises(pyrgw.NoSuchKey):
        store.update_object_attrs(bucket, "k", {"x": "y"}, expected_etag=second.etag)
    with pytest.raises(pyrgw.NoSuchKey):
        store.update_object_attrs(bucket, "k", {"x": "y"})
    with pytest.raises(pyrgw.NoSuchKey):
        store.stat_object(bucket, "k")  # not resurrected
    assert store.list_objects(bucket).objects == []
    store.put_object(bucket, "gone", b"x", delete_at=int(time.time()) - 1)
    with pytest.raises(pyrgw.NoSuchKey):
        store.update_object_attrs(bucket, "gone", {})
    with pytest.raises(pyrgw.NoSuchBucket):
        store.update_object_attrs("no-such-bucket-" + bucket, "k", {})
    with pytest.raises(pyrgw.InvalidKey):
        store.update_object_attrs(bucket, "", {})


def test_update_object_attrs_races_overwrites(store, store_setup, bucket):
    """A writer overwrites a key (data and attrs tagged with a generation)
    while two updaters rewrite its attrs as fast as they can (with and without
    the etag they read) and a reader checks: every object seen carries its own
    data with its own generation, and the last object written stays, with
    its own or updated attrs, never older data."""
    import threading

    def data_of(gen):
        return b"gen %06d " % gen + body(100 if gen % 3 else 5 * 1024 * 1024 + 7, gen)

    stop = threading.Event()
    errors = []
    counts = {"updated": 0, "conflict": 0, "missing": 0}
    handles = [pyrgw.Store(store_setup.uri) for _ in range(3)]

    def updater(s, use_etag):
        try:
            while not stop.is_set():
                try:
                    st = s.stat_object(bucket, "race")
                    gen = st.attrs["x-amz-meta-gen"]
                    # What it read plus an ACL (a blind update's marker stays).
                    attrs = dict(st.attrs, **{"x-amz-meta-gen": gen, "x-amz-acl": "public-read"})
                    if not use_etag:
                        attrs["x-amz-meta-blind"] = "1"
                    s.update_object_attrs(bucket, "race", attrs,
                                          expected_etag=st.etag if use_etag else "")
                    counts["updated"] += 1
                except pyrgw.Conflict:
                    counts["conflict"] += 1
                except pyrgw.NoSuchKey:
                    counts["missing"] += 1
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    def reader(s):
        try:
            while not stop.is_set():
                try:
                    with s.open_object(bucket, "race") as r:
                        info, data = r.info, r.read()
                except pyrgw.NoSuchKey:
                    continue
                gen = int(data[4:10])
                assert data == data_of(gen)
                # Without an etag, an updater may carry a gen read from an
                # older object over to a newer one (attrs are the caller's);
                # with it, attrs only ever land on the object they were read from.
                if "x-amz-meta-blind" not in info.attrs:
                    assert info.attrs["x-amz-meta-gen"] == str(gen), (info.attrs, gen)
                assert info.etag == hashlib.md5(data).hexdigest()
                assert info.size == len(data)
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    store.put_object(bucket, "race", data_of(0), metadata={"gen": "0"})
    threads = [threading.Thread(target=updater, args=(handles[0], True)),
               threading.Thread(target=updater, args=(handles[1], False)),
               threading.Thread(target=reader, args=(handles[2],))]
    for t in threads:
        t.start()
    try:
        last = 0
        for gen in range(1, 41):
            store.put_object(bucket, "race", data_of(gen), metadata={"gen": str(gen)})
            last = gen
            if gen % 10 == 0:
                store.delete_object(bucket, "race")
                store.put_object(bucket, "race", data_of(gen), metadata={"gen": str(gen)})
    finally:
        stop.set()
        for t in threads:
            t.join()
        for h in handles:
            h.close()
    assert not errors, errors
    assert counts["updated"] > 0
    final = store.stat_object(bucket, "race")
    assert store.get_object(bucket, "race") == data_of(last)
    assert final.etag == hashlib.md5(data_of(last)).hexdigest()
    # Its own attrs, or an update of them (read from it, or blind).
    if "x-amz-meta-blind" not in final.attrs:
        assert final.attrs["x-amz-meta-gen"] == str(last)
    listed = store.list_objects(bucket).objects
    assert [(o.key, o.etag, o.attrs) for o in listed] == [("race", final.etag, final.attrs)]
    # With the etag, an update never lands on another object's data: only
    # the etag-guarded updater runs now, against the final object.
    info = store.update_object_attrs(bucket, "race", {"x-amz-meta-gen": str(last)},
                                     expected_etag=final.etag)
    assert info.etag == final.etag
    store.gc(grace_seconds=0)
    assert store.get_object(bucket, "race") == data_of(last)
