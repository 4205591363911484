"""Misuse of the API gets a clear error and loses nothing."""
import os
import subprocess
import sys
import textwrap

import pytest

import pyrgw


def test_lookups_validate_keys(store, bucket):
    """A key the store would refuse to write is refused on reads and deletes
    too: "victim\\0x" must not reach the object "victim"."""
    store.put_object(bucket, "victim", b"precious")
    for bad in ["victim\x00x", "x" * 1025, ""]:
        with pytest.raises(pyrgw.InvalidKey):
            store.stat_object(bucket, bad)
        with pytest.raises(pyrgw.InvalidKey):
            store.get_object(bucket, bad)
        with pytest.raises(pyrgw.InvalidKey):
            store.delete_object(bucket, bad)
    with pytest.raises(pyrgw.InvalidBucketName):
        store.get_bucket(bucket + "\x00x")
    with pytest.raises(pyrgw.InvalidBucketName):
        store.list_objects(bucket + "\x00x")
    for params in [{"prefix": "vic\x00"}, {"marker": "a\x00"}, {"delimiter": "/\x00"},
                   {"prefix": "p" * 1025}, {"prefix": "\udcff"}]:
        with pytest.raises(pyrgw.InvalidArgument):
            store.list_objects(bucket, **params)
    assert store.get_object(bucket, "victim") == b"precious"
    assert [o.key for o in store.list_objects(bucket).objects] == ["victim"]


def test_strided_buffers_are_refused(store, bucket):
    data = bytes(range(16))
    w = store._s.open_writer(bucket, "strided")
    with pytest.raises(BufferError):
        w.write(memoryview(data)[::2])
    with pytest.raises(BufferError):
        w.write(memoryview(data)[::-1])
    w.write(memoryview(data)[2:6])  # a contiguous slice is fine
    assert w.commit({}, 0, "").size == 4
    assert store.get_object(bucket, "strided") == data[2:6]

    r = store._s.open_reader(bucket, "strided", 0, -1)
    target = bytearray(8)
    with pytest.raises(BufferError):
        r.readinto(memoryview(target)[::2])
    assert r.readinto(memoryview(target)[1:]) == 4
    assert bytes(target) == b"\0" + data[2:6] + b"\0\0\0"


def test_writers_and_readers_outlive_close(store_setup, owner, bucket):
    s = pyrgw.Store(store_setup.uri)
    s.put_object(bucket, "old", b"x" * 100)
    reader = s._s.open_reader(bucket, "old", 0, -1)
    writer = s._s.open_writer(bucket, "late")
    s.close()
    with pytest.raises(pyrgw.InvalidArgument):
        s.stat_object(bucket, "old")
    writer.write(b"written after close")
    assert writer.commit({}, 0, "").size == 19
    assert reader.read(-1) == b"x" * 100
    del s, writer, reader
    with pyrgw.Store(store_setup.uri) as again:
        assert again.get_object(bucket, "late") == b"written after close"


def test_gc_with_a_huge_grace_reclaims_nothing_in_flight(store, bucket):
    store.put_object(bucket, "k", b"a" * (5 << 20))
    store.put_object(bucket, "k", b"b")  # the first body is now garbage
    w = store._s.open_writer(bucket, "inflight")
    w.write(b"y" * (5 << 20))
    for grace in [10**12, 2**62]:
        assert store.gc(grace_seconds=grace).removed_bytes == 0
    assert w.commit({}, 0, "").size == 5 << 20
    assert store.get_object(bucket, "inflight") == b"y" * (5 << 20)
    assert store.gc(grace_seconds=0).removed_bytes >= 5 << 20


@pytest.mark.parametrize("store_setup", ["local"], indirect=True)
def test_failed_write_poisons_the_writer(store_setup, bucket):
    """After a write fails halfway (the file-size limit), the writer refuses
    to commit: the body no longer is what the caller sent.  (The body is
    larger than 16 KiB, so it goes to a file, not inline.)"""
    script = textwrap.dedent(f"""
        import resource, signal
        import pyrgw
        s = pyrgw.Store({store_setup.uri!r})
        w = s._s.open_writer({bucket!r}, "poisoned")
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))
        w.write(b"A" * 17000)
        try:
            w.write(b"B" * 5000)
        except OSError as e:
            print("write failed", e.errno)
        for step in (lambda: w.write(b"C" * 10), lambda: w.commit({{}}, 0, "")):
            try:
                step()
            except pyrgw.InvalidArgument as e:
                print("refused:", e)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "write failed 27"  # EFBIG
    assert len(lines) == 3 and all(ln.startswith("refused: writer failed earlier") for ln in lines[1:])
    with pyrgw.Store(store_setup.uri) as s:
        with pytest.raises(pyrgw.NoSuchKey):
            s.stat_object(bucket, "poisoned")
        assert os.listdir(os.path.join(store_setup.root, "tmp")) == []
