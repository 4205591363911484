"""Child processes for the crash and concurrency tests.

Run as: python store_worker.py MODE URI BUCKET ... (see the functions).
Each child opens its own store (RADOS connections do not survive fork).
"""
import hashlib
import os
import subprocess
import sys
import time

import pyrgw

CHUNK = 1 << 20


def pattern(size, seed):
    block = hashlib.sha256(f"{seed}".encode()).digest() * (CHUNK // 32)
    out = bytearray()
    while len(out) < size:
        out += block
    return bytes(out[:size])


CRASHED = 77  # the exit status of a crash point (LIBRGW_CRASH_AT)


def local_inline_bodies(root):
    """The inline bodies (at most 16 KiB, kept in meta.db) of the local store
    in directory root, as ["meta.db/<data id>", ...]: read with Python's
    sqlite3 through a read-only connection, as another process would."""
    import sqlite3

    db = sqlite3.connect(f"file:{os.path.join(root, 'meta.db')}?mode=ro", uri=True)
    try:
        return sorted("meta.db/" + r[0] for r in db.execute("SELECT data_id FROM inline_bodies"))
    finally:
        db.close()


def run_worker(point, *args):
    """Runs this file with args (MODE URI ...) in a child process that dies at
    the core's crash point `point`; returns the completed process."""
    env = dict(os.environ, LIBRGW_CRASH_AT=point)
    return subprocess.run([sys.executable, os.path.abspath(__file__), *args], env=env,
                          capture_output=True, text=True, timeout=300)


def other_process(uri, code):
    """Runs code (one line or several, indented by four spaces after the
    first) with `s` = pyrgw.Store(uri) in a separate process: a change the
    caller's process did not make."""
    subprocess.run([sys.executable, "-c", f"import pyrgw\nwith pyrgw.Store({uri!r}) as s:\n    " + code],
                   check=True)


def slow_overwrite(uri, bucket, key, size_mb, seed, pause):
    """Writes size_mb MiB, printing progress after each MiB, then commits."""
    store = pyrgw.Store(uri)
    data = pattern(CHUNK, seed)
    w = store._s.open_writer(bucket, key)
    for i in range(int(size_mb)):
        w.write(data)
        print(f"wrote {i + 1}", flush=True)
        time.sleep(float(pause))
    print("committing", flush=True)
    w.commit({}, 0, "")
    print("committed", flush=True)


def read_md5(store, bucket, key):
    """Hex MD5 of an object, streamed in chunks."""
    h = hashlib.md5()
    with store.open_object(bucket, key) as r:
        while True:
            chunk = r.read(CHUNK)
            if not chunk:
                break
            h.update(chunk)
    return h.hexdigest()


def self_checking_body(seed, size):
    """A body whose first 32 bytes are the hex MD5 of the rest."""
    rest = pattern(size, seed)
    return hashlib.md5(rest).hexdigest().encode() + rest


def check_body(data):
    return hashlib.md5(data[32:]).hexdigest().encode() == data[:32]


def hammer(uri, bucket, worker, rounds, nkeys):
    """Overwrites and reads the shared keys; exits non-zero on any anomaly."""
    store = pyrgw.Store(uri)
    sizes = [10, 70_000, 5 * CHUNK + 3]
    for r in range(int(rounds)):
        for k in range(int(nkeys)):
            key = f"shared-{k}"
            size = sizes[(r + k + int(worker)) % len(sizes)]
            store.put_object(bucket, key, self_checking_body(f"{worker}-{r}-{k}", size))
            data = store.get_object(bucket, key)
            if not check_body(data):
                print(f"torn read of {key}: {len(data)} bytes", flush=True)
                sys.exit(3)
    print("done", flush=True)


def big_roundtrip(uri, bucket, key, size_mb):
    """Streams size_mb MiB in and out; prints peak RSS (KiB) before and after."""
    import resource

    store = pyrgw.Store(uri)
    store.put_object(bucket, "warm-up", b"x" * CHUNK)
    store.get_object(bucket, "warm-up")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    block = pattern(CHUNK, 99)

    class Source:
        left = int(size_mb)

        def read(self, n):
            if self.left == 0:
                return b""
            self.left -= 1
            return block

    info = store.put_object(bucket, key, Source())
    md5 = read_md5(store, bucket, key)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(info.size, info.etag, md5, before, after, flush=True)


def put_pattern(uri, bucket, key, size, seed):
    """Stores pattern(size, seed); run with LIBRGW_CRASH_AT to die midway."""
    pyrgw.Store(uri).put_object(bucket, key, pattern(int(size), seed))
    print("committed", flush=True)


def put_again(uri, bucket, key, size, seed):
    """Stores pattern(size, seed + "-first"), then pattern(size, seed), with
    one store handle: the second PUT replaces a head this process wrote (a
    blind swap on RADOS).  Run with LIBRGW_CRASH_AT and LIBRGW_CRASH_AFTER=1
    to die in the second."""
    store = pyrgw.Store(uri)
    store.put_object(bucket, key, pattern(int(size), seed + "-first"))
    print("first committed", flush=True)
    store.put_object(bucket, key, pattern(int(size), seed))
    print("committed", flush=True)


def put_acked(uri, bucket, prefix, threads, count, size):
    """`threads` threads, one store handle, each storing `count` objects
    prefix-THREAD-N (pattern(size, key)) one after the other and printing
    "acked KEY" once each put returned: run with LIBRGW_CRASH_AT (and
    LIBRGW_CRASH_AFTER) to die amid concurrent publishes.  Prints "done"
    when every put returned; a put that failed prints "failed KEY ERROR"."""
    import threading

    store = pyrgw.Store(uri)
    lock = threading.Lock()

    def say(line):
        with lock:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    def run(t):
        for n in range(int(count)):
            key = f"{prefix}-{t}-{n}"
            try:
                store.put_object(bucket, key, pattern(int(size), key))
            except pyrgw.RGWError as e:
                say(f"failed {key} {type(e).__name__}")
                continue
            say(f"acked {key}")

    workers = [threading.Thread(target=run, args=(t,)) for t in range(int(threads))]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    say("done")


def complete(uri, bucket, upload_id, parts):
    """Completes an upload with parts "1:etag,2:etag"; run with LIBRGW_CRASH_AT."""
    pairs = [(int(n), e) for n, e in (p.split(":") for p in parts.split(","))]
    pyrgw.Store(uri).complete_upload(bucket, upload_id, pairs)
    print("completed", flush=True)


def upload_part(uri, bucket, upload_id, number, size, seed):
    """Uploads pattern(size, seed) as a part; run with LIBRGW_CRASH_AT."""
    pyrgw.Store(uri).upload_part(bucket, upload_id, int(number), pattern(int(size), seed))
    print("uploaded", flush=True)


def abort(uri, bucket, upload_id):
    pyrgw.Store(uri).abort_upload(bucket, upload_id)
    print("aborted", flush=True)


def delete(uri, bucket, key):
    pyrgw.Store(uri).delete_object(bucket, key)
    print("deleted", flush=True)


def delete_version(uri, bucket, key, version_id):
    """Removes one version (a delete marker when version_id is "current")."""
    pyrgw.Store(uri).delete_object(bucket, key, "" if version_id == "current" else version_id)
    print("deleted", flush=True)


def update_attrs(uri, bucket, key, name, value):
    pyrgw.Store(uri).update_object_attrs(bucket, key, {name: value})
    print("updated", flush=True)


def lookups(uri):
    """Serves user lookups read from stdin, one a line, until EOF:
    "ak KEY", "swift NAME" or "uid UID" prints "ok UID KEYS SWIFT_USER" or
    "err ERRORNAME"; "repeat N ak KEY" looks up N times, prints "ok N" or the
    first error.  Every answer is one line."""
    with pyrgw.Store(uri) as store:
        find = {"ak": store.get_user_by_access_key, "uid": store.get_user,
                "swift": store._s.get_user_by_swift_user}
        print("ready", flush=True)
        for line in sys.stdin:
            words = line.split()
            try:
                if words[0] == "repeat":
                    for _ in range(int(words[1])):
                        find[words[2]](words[3])
                    print("ok", words[1], flush=True)
                    continue
                u = find[words[0]](words[1])
                keys = ",".join(sorted(k.access_key for k in u.keys)) or "-"
                print("ok", u.uid, keys, u.swift_user or "-", flush=True)
            except pyrgw.RGWError as e:
                print("err", type(e).__name__, flush=True)


if __name__ == "__main__":
    mode, *args = sys.argv[1:]
    {"slow_overwrite": slow_overwrite, "hammer": hammer, "big_roundtrip": big_roundtrip,
     "put_pattern": put_pattern, "put_again": put_again, "put_acked": put_acked, "delete": delete, "complete": complete,
     "upload_part": upload_part, "abort": abort, "lookups": lookups,
     "update_attrs": update_attrs, "delete_version": delete_version}[mode](*args)
