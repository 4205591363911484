"""The local store's group commit (librgw/src/local/group_commit.h) and its
cross-process write lock (write_lock.h), with real processes.

Concurrent writers of one process publish in batches: one transaction, each
writer's publish in a savepoint of its own, one fsync per data/xx directory,
one COMMIT.  Which writers shared a batch cannot be seen from outside, so
every test checks what must hold whatever the batching was; the isolation
test and the batch test make one batch of their writers near certain by
holding write.lock, the store's cross-process write lock, while they queue
behind it.
"""
import fcntl
import hashlib
import os
import struct
import subprocess
import sys
import threading
import time

import pytest
from s3_servers import start_nginx
from store_worker import CRASHED, pattern

import pyrgw

WORKER = os.path.join(os.path.dirname(__file__), "store_worker.py")
SIZE = 3000  # an inline body (at most 16 KiB: in meta.db, no file)
FILE_SIZE = 20000  # a body in a file under data/

local_only = pytest.mark.parametrize("store_setup", ["local"], indirect=True)


def run_put_acked(uri, bucket, prefix, threads, count, env=None, size=SIZE):
    return subprocess.Popen([sys.executable, WORKER, "put_acked", uri, bucket, prefix,
                             str(threads), str(count), str(size)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finished_lines(out):
    """The lines a child printed whole (a crash may cut the last one)."""
    return out.split("\n")[:-1]


def acked_keys(out):
    return {line.split()[1] for line in finished_lines(out) if line.startswith("acked ")}


def objects(store, bucket):
    return {o.key: o for o in store.iter_objects(bucket)}


def check_objects(store, bucket, expected_keys=None, size=SIZE):
    """Every listed object reads back whole, as its writer sent it (each key
    is written once, with pattern(size, key)), and stats agree.  Returns the
    listed keys."""
    listed = objects(store, bucket)
    if expected_keys is not None:
        assert set(listed) == set(expected_keys)
    for key, o in listed.items():
        body = pattern(size, key)
        etag = hashlib.md5(body).hexdigest()
        assert (o.size, o.etag) == (size, etag), key
        assert store.get_object(bucket, key) == body, key
        st = store.stat_object(bucket, key)
        assert (st.size, st.etag) == (size, etag), key
    return set(listed)


# (crash point, times it is passed before the crash, body size).  The
# publish points come once per batch, the others once per writer; inline
# bodies are never renamed.
BATCH_STEPS = [
    ("local:put:before-publish", 40, SIZE),        # a writer, before its publish
    ("local:put:before-publish", 40, FILE_SIZE),   # a writer, before its body's fsync
    ("local:put:after-rename", 40, FILE_SIZE),     # the leader, amid its batch's renames
    ("local:publish:before-commit", 8, SIZE),      # inline bodies in, no COMMIT
    ("local:publish:before-commit", 8, FILE_SIZE),  # the batch's renames fsynced, no COMMIT
    ("local:publish:after-commit", 8, SIZE),       # committed, its writers not yet told
    ("local:publish:after-commit", 8, FILE_SIZE),
]


@local_only
@pytest.mark.parametrize("point,passes,size", BATCH_STEPS)
def test_crash_amid_batched_puts(store, store_setup, bucket, point, passes, size):
    """Eight writers of one process, dying at a step of a batch's commit:
    afterwards every acknowledged PUT is there with its bytes, no object
    shows half published, and gc leaves exactly the listed objects' bodies."""
    bucket_id = store.get_bucket(bucket).id
    env = dict(os.environ, LIBRGW_CRASH_AT=point, LIBRGW_CRASH_AFTER=str(passes))
    child = run_put_acked(store_setup.uri, bucket, "w", 8, 200, env=env, size=size)
    out, err = child.communicate(timeout=300)
    assert child.returncode == CRASHED, out[-2000:] + err[-2000:]
    acked = acked_keys(out)
    assert acked, "no PUT was acknowledged before the crash: nothing was checked"

    listed = check_objects(store, bucket, size=size)
    assert acked <= listed, sorted(acked - listed)
    # Not acknowledged and listed: only those whose batch committed
    # (after-commit), and at most a batch of them.
    assert len(listed - acked) <= 8

    store.gc(grace_seconds=0)
    assert check_objects(store, bucket, size=size) == listed
    bodies = store_setup.stored_bodies(bucket_id)
    where = "meta.db/" if size <= 16 * 1024 else "data/"
    assert len(bodies) == len(listed) and all(b.startswith(where) for b in bodies), bodies


def wait_until_queued(tids, timeout=10.0):
    """Waits (bounded; the tests hold whatever the outcome) until one of the
    committing threads blocks on write.lock and the others sleep on a futex:
    queued behind it, as followers of its group commit."""
    deadline = time.monotonic() + timeout
    stable = 0
    while time.monotonic() < deadline and stable < 3:
        chans = []
        for tid in tids:
            try:
                with open(f"/proc/self/task/{tid}/wchan") as f:
                    chans.append(f.read())
            except FileNotFoundError:
                chans.append("gone")
        on_lock = sum("lock" in c and "futex" not in c for c in chans)
        sleeping = sum("futex" in c for c in chans)
        stable = stable + 1 if (on_lock == 1 and sleeping == len(tids) - 1) else 0
        time.sleep(0.05)


def commit_behind_write_lock(store_setup, writers):
    """Commits the writers (bodies written) on threads of their own, started
    while this process holds write.lock, so their publishes queue into one
    batch; returns each one's result or exception."""
    results = [None] * len(writers)
    tids = [None] * len(writers)
    ready = threading.Barrier(len(writers) + 1)

    def commit(i, w):
        tids[i] = threading.get_native_id()
        ready.wait()
        try:
            results[i] = w.commit({}, 0, "")
        except pyrgw.RGWError as e:
            results[i] = e

    fd = os.open(os.path.join(store_setup.root, "write.lock"), os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        threads = [threading.Thread(target=commit, args=(i, w)) for i, w in enumerate(writers)]
        for t in threads:
            t.start()
        ready.wait()
        wait_until_queued(tids)
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    for t in threads:
        t.join()
    return results


def write_transactions_begun(store_setup):
    """The store's count of write transactions begun: the second word of
    bucket-epoch (local/change_counters.h)."""
    with open(os.path.join(store_setup.root, "bucket-epoch"), "rb") as f:
        return struct.unpack_from("=Q", f.read(16), 8)[0]


@local_only
def test_writers_queued_behind_the_write_lock_commit_in_one_transaction(store, store_setup,
                                                                        bucket):
    """A batch is taken once its leader holds the store's write lock, so the
    writers that queued while another process held it all commit in one
    write transaction (not the first writer alone, then the rest)."""
    bodies = {f"q-{i}": pattern(SIZE if i % 2 else FILE_SIZE, f"q-{i}") for i in range(8)}
    writers = []
    for key, body in bodies.items():
        w = store._s.open_writer(bucket, key)
        w.write(body)
        writers.append(w)
    before = write_transactions_begun(store_setup)

    results = commit_behind_write_lock(store_setup, writers)

    assert all(not isinstance(r, Exception) for r in results), results
    assert write_transactions_begun(store_setup) - before == 1
    for key, body in bodies.items():
        assert store.get_object(bucket, key) == body


@local_only
def test_a_failed_publish_fails_alone_in_its_batch(store, store_setup, bucket, owner):
    """In one batch, a PUT into a bucket removed meanwhile and a part of an
    upload aborted meanwhile fail, each with its own error; the others'
    objects and part commit."""
    doomed = store_setup.name("doomed")
    store.create_bucket(doomed, owner=owner)
    upload = store.create_upload(bucket, "mp")
    kept_upload = store.create_upload(bucket, "mp2")
    writers = []
    for i in range(6):
        w = store._s.open_writer(bucket, f"ok-{i}")
        w.write(pattern(SIZE, f"ok-{i}"))
        writers.append(w)
    lost = store._s.open_writer(doomed, "lost")
    lost.write(b"lost")
    orphan_part = store._s.open_part_writer(bucket, upload.upload_id, 1)
    orphan_part.write(b"part of an aborted upload")
    part = store._s.open_part_writer(bucket, kept_upload.upload_id, 1)
    part.write(b"kept part")
    store.remove_bucket(doomed)
    store.abort_upload(bucket, upload.upload_id)

    results = commit_behind_write_lock(store_setup, writers + [lost, orphan_part, part])

    assert all(not isinstance(r, Exception) for r in results[:6]), results
    assert isinstance(results[6], pyrgw.NoSuchBucket), results[6]
    assert isinstance(results[7], pyrgw.NoSuchUpload), results[7]
    assert not isinstance(results[8], Exception), results[8]
    check_objects(store, bucket, [f"ok-{i}" for i in range(6)])
    assert [(p.number, p.size) for p in store.list_parts(bucket, kept_upload.upload_id)] == \
        [(1, len(b"kept part"))]
    # The failed ones left no body behind: what is stored is the six
    # objects' and the part's, nothing in tmp/.
    store.gc(grace_seconds=0)
    assert len(store_setup.stored_bodies(store.get_bucket(bucket).id)) == 7


def race_puts(c, bucket, jobs):
    """Sends the PUTs of jobs [(name, put_object arguments)] at once, one
    thread each; returns {name: HTTP status, or the exception that was not
    an HTTP error}."""
    from botocore.exceptions import ClientError

    outcome = {}
    gate = threading.Barrier(len(jobs))

    def put(name, **kw):
        gate.wait()
        try:
            c.put_object(Bucket=bucket, **kw)
            outcome[name] = 200
        except ClientError as e:
            outcome[name] = e.response["ResponseMetadata"]["HTTPStatusCode"]
        except Exception as e:  # shown in the assertion rather than lost with the thread
            outcome[name] = repr(e)

    threads = [threading.Thread(target=put, args=(n,), kwargs=kw) for n, kw in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcome


def test_if_none_match_fails_alone_among_concurrent_puts(tmp_path):
    """Through nginx (one worker, eight I/O threads, so one process's
    writers batch): rounds of seven PUTs of new keys racing a PUT with
    If-None-Match: * on an existing key and one with a stale If-Match.  In
    every round the seven are stored, the two get 412 and the existing
    object is unchanged, whichever batches the round's writers shared."""
    import boto3
    from botocore.config import Config

    uri = f"local:{tmp_path}/store"
    with pyrgw.Store(uri) as store:
        store.create_user("u", display_name="u", access_key="AKGROUPCOMMIT", secret_key="SK" * 20)
    srv = start_nginx(uri, str(tmp_path), workers=1, threads=8)
    try:
        cfg = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1},
                     max_pool_connections=16)
        c = boto3.client("s3", endpoint_url=srv.url, region_name="us-east-1",
                         aws_access_key_id="AKGROUPCOMMIT", aws_secret_access_key="SK" * 20,
                         config=cfg)
        c.create_bucket(Bucket="bkt")
        old_etag = c.put_object(Bucket="bkt", Key="existing", Body=b"old")["ETag"]
        stale_etag = '"' + hashlib.md5(b"stale").hexdigest() + '"'
        for rnd in range(10):
            jobs = [("new-%d" % i, dict(Key=f"r{rnd}-{i}", Body=pattern(SIZE, f"r{rnd}-{i}")))
                    for i in range(7)]
            jobs.append(("if-none-match", dict(Key="existing", Body=b"new", IfNoneMatch="*")))
            jobs.append(("if-match", dict(Key="existing", Body=b"new", IfMatch=stale_etag)))
            outcome = race_puts(c, "bkt", jobs)
            assert outcome == {**{"new-%d" % i: 200 for i in range(7)},
                               "if-none-match": 412, "if-match": 412}, \
                (rnd, outcome, open(srv.log_path).read()[-3000:])
            for i in range(7):
                got = c.get_object(Bucket="bkt", Key=f"r{rnd}-{i}")["Body"].read()
                assert got == pattern(SIZE, f"r{rnd}-{i}")
            existing = c.get_object(Bucket="bkt", Key="existing")
            assert (existing["ETag"], existing["Body"].read()) == (old_etag, b"old")
    finally:
        srv.stop()


@local_only
def test_two_processes_writing_one_store(store, store_setup, bucket):
    """Two processes of eight writers each, on one store at once (their
    writers queue on write.lock): every PUT is acknowledged and there
    afterwards with its bytes."""
    children = [run_put_acked(store_setup.uri, bucket, f"p{n}", 8, 25) for n in range(2)]
    outs = []
    for child in children:
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, out[-2000:] + err[-2000:]
        assert finished_lines(out)[-1] == "done"
        assert not [line for line in finished_lines(out) if line.startswith("failed")], out
        outs.append(out)
    expected = {f"p{n}-{t}-{i}" for n in range(2) for t in range(8) for i in range(25)}
    assert set().union(*(acked_keys(o) for o in outs)) == expected
    check_objects(store, bucket, expected)
