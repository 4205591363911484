"""Atomic overwrite under SIGKILL, and gc of what the killed writer left."""
import hashlib
import os
import signal
import subprocess
import sys
import time

import pytest
from store_worker import CHUNK, pattern, read_md5

WORKER = os.path.join(os.path.dirname(__file__), "store_worker.py")
SIZE_MB = 64


def md5_of_pattern(size_mb, seed):
    h = hashlib.md5()
    block = pattern(CHUNK, seed)
    for _ in range(size_mb):
        h.update(block)
    return h.hexdigest()


def start_writer(uri, bucket, key, seed, pause=0.0):
    return subprocess.Popen(
        [sys.executable, WORKER, "slow_overwrite", uri, bucket, key, str(SIZE_MB), str(seed),
         str(pause)],
        stdout=subprocess.PIPE, text=True)


def wait_for_line(proc, wanted, timeout=120):
    deadline = time.time() + timeout
    for line in proc.stdout:
        if line.strip() == wanted:
            return
        assert time.time() < deadline, f"writer did not reach {wanted!r}"
    raise AssertionError(f"writer exited before {wanted!r}: rc={proc.wait()}")


def put_pattern(store, bucket, key, seed):
    w = store._s.open_writer(bucket, key)
    block = pattern(CHUNK, seed)
    for _ in range(SIZE_MB):
        w.write(block)
    return w.commit({}, 0, "")


def test_sigkill_mid_write_keeps_old_object(store, store_setup, bucket):
    old = put_pattern(store, bucket, "big", seed=1)
    assert old.etag == md5_of_pattern(SIZE_MB, 1)
    proc = start_writer(store_setup.uri, bucket, "big", seed=2, pause=0.01)
    wait_for_line(proc, "wrote 40")
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    # Readers see exactly the old bytes, and the listing agrees.
    assert read_md5(store, bucket, "big") == old.etag
    assert store.stat_object(bucket, "big").etag == old.etag
    listing = store.list_objects(bucket).objects
    assert [(o.key, o.etag, o.size) for o in listing] == [("big", old.etag, SIZE_MB * CHUNK)]

    # gc within the grace period leaves the killed writer's data alone (it
    # might still be in flight); with no grace it reclaims it.
    assert store.gc(grace_seconds=3600).removed_bytes == 0
    report = store.gc(grace_seconds=0)
    assert report.removed_objects >= 1
    assert report.removed_bytes >= 32 * CHUNK
    assert read_md5(store, bucket, "big") == old.etag
    assert store.gc(grace_seconds=0).removed_bytes == 0


@pytest.mark.parametrize("delay", [0.05, 0.3, 0.6, 1.0])
def test_sigkill_at_any_moment_is_old_or_new(store, store_setup, bucket, delay):
    """Kills a fast writer at several moments, including around the commit."""
    old = put_pattern(store, bucket, "obj", seed=10)
    new_md5 = md5_of_pattern(SIZE_MB, 11)
    proc = start_writer(store_setup.uri, bucket, "obj", seed=11)
    wait_for_line(proc, "wrote 1")
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    got = read_md5(store, bucket, "obj")
    assert got in (old.etag, new_md5)
    assert store.stat_object(bucket, "obj").etag == got
    # The listing agrees with reads (no phantom, no stale ETag), before and
    # after gc reclaims the killed writer's leftovers.
    assert [(o.key, o.etag) for o in store.list_objects(bucket).objects] == [("obj", got)]
    store.gc(grace_seconds=0)
    assert [(o.key, o.etag) for o in store.list_objects(bucket).objects] == [("obj", got)]
    assert read_md5(store, bucket, "obj") == got


def test_reader_during_overwrite_sees_one_version(store, store_setup, bucket):
    old = put_pattern(store, bucket, "pinned", seed=20)
    reader = store.open_object(bucket, "pinned")
    first = reader.read(CHUNK)
    proc = start_writer(store_setup.uri, bucket, "pinned", seed=21)
    wait_for_line(proc, "committed")
    proc.wait()
    # The reader opened before the overwrite goes on reading the old version.
    h = hashlib.md5(first)
    while True:
        chunk = reader.read(CHUNK)
        if not chunk:
            break
        h.update(chunk)
    reader.close()
    assert h.hexdigest() == old.etag
    assert read_md5(store, bucket, "pinned") == md5_of_pattern(SIZE_MB, 21)
