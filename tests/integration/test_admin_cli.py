"""librgw-admin, the admin command line, on both drivers."""
import json
import os
import shutil
import subprocess
import sys

import pyrgw

CLI = shutil.which("librgw-admin", path=os.path.dirname(sys.executable)) or "librgw-admin"


def run(uri, *args, json_out=True):
    cmd = [CLI, "--store", uri] + (["--json"] if json_out else []) + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def ok(uri, *args):
    res = run(uri, *args)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def test_user_and_key_commands(store_setup):
    uri = store_setup.uri
    uid = store_setup.name("cli")
    created = ok(uri, "user", "create", "--uid", uid, "--display-name", "CLI User")
    assert created["uid"] == uid and created["display_name"] == "CLI User"
    (key,) = created["keys"]
    assert len(key["access_key"]) == 20 and len(key["secret_key"]) == 40
    assert uid in ok(uri, "user", "list")
    assert ok(uri, "user", "info", "--uid", uid)["keys"] == [key]

    added = ok(uri, "key", "add", "--uid", uid, "--access-key", "AK" + store_setup.tag,
               "--secret-key", "SK")
    assert added["access_key"] == "AK" + store_setup.tag
    info = ok(uri, "user", "info", "--uid", uid)
    assert {k["access_key"] for k in info["keys"]} == {key["access_key"], "AK" + store_setup.tag}
    ok(uri, "key", "rm", "--uid", uid, "--access-key", "AK" + store_setup.tag)
    assert ok(uri, "user", "info", "--uid", uid)["keys"] == [key]

    # Errors: non-zero exit, a clear message, JSON on stderr with --json.
    res = run(uri, "user", "create", "--uid", uid)
    assert res.returncode == 1
    assert json.loads(res.stderr) == {"error": "UserExists", "message": f"user '{uid}' exists"}
    res = run(uri, "user", "info", "--uid", uid + "-missing", json_out=False)
    assert res.returncode == 1
    assert res.stderr.startswith("librgw-admin: NoSuchUser: ")
    res = run(uri, "key", "rm", "--uid", uid, "--access-key", "NOPE")
    assert res.returncode == 1 and json.loads(res.stderr)["error"] == "NoSuchAccessKey"

    modified = ok(uri, "user", "modify", "--uid", uid, "--email", "cli@example.com", "--suspend",
                  "--attr", "Temp-URL-Key=k1", "--attr", "x-account-meta-a=b")
    assert modified["suspended"] and modified["email"] == "cli@example.com"
    assert modified["attrs"] == {"temp-url-key": "k1", "x-account-meta-a": "b"}
    assert modified["display_name"] == "CLI User" and modified["keys"] == [key]
    modified = ok(uri, "user", "modify", "--uid", uid, "--enable", "--clear-attrs",
                  "--attr", "temp-url-key=k2")
    assert not modified["suspended"] and modified["attrs"] == {"temp-url-key": "k2"}
    res = run(uri, "user", "modify", "--uid", uid, "--attr", "novalue")
    assert res.returncode == 1 and json.loads(res.stderr)["error"] == "InvalidArgument"

    ok(uri, "user", "rm", "--uid", uid)
    assert uid not in ok(uri, "user", "list")


def test_bucket_and_gc_commands(store_setup):
    uri = store_setup.uri
    uid = store_setup.name("cliowner")
    bucket = store_setup.name("clibucket")
    ok(uri, "user", "create", "--uid", uid)
    with pyrgw.Store(uri) as store:
        store.create_bucket(bucket, owner=uid)
        # A body over 4 MiB: on RADOS smaller ones live inside the head object
        # and leave no garbage when overwritten.
        store.put_object(bucket, "a", b"x" * (5 << 20))
        store.put_object(bucket, "b", b"123")
        store.put_object(bucket, "a", b"overwritten")

    listed = ok(uri, "bucket", "list", "--uid", uid)
    assert [b["name"] for b in listed] == [bucket]
    stats = ok(uri, "bucket", "stats", "--bucket", bucket)
    assert (stats["owner"], stats["num_objects"], stats["size_bytes"]) == (uid, 2, 14)

    res = run(uri, "bucket", "rm", "--bucket", bucket)
    assert res.returncode == 1 and json.loads(res.stderr)["error"] == "BucketNotEmpty"
    res = run(uri, "user", "rm", "--uid", uid)
    assert res.returncode == 1 and json.loads(res.stderr)["error"] == "UserHasBuckets"

    gc = ok(uri, "gc", "run", "--grace", "0")
    assert gc["removed_objects"] >= 1 and gc["removed_bytes"] >= 5 << 20

    removed = ok(uri, "bucket", "rm", "--bucket", bucket, "--purge-objects")
    assert removed == {"removed": bucket, "objects_removed": 2}
    res = run(uri, "bucket", "stats", "--bucket", bucket)
    assert res.returncode == 1 and json.loads(res.stderr)["error"] == "NoSuchBucket"
    ok(uri, "user", "rm", "--uid", uid)


def test_usage_errors(tmp_path):
    res = subprocess.run([CLI, "user", "list"], capture_output=True, text=True,
                         env={k: v for k, v in os.environ.items() if k != "RGW_STORE"})
    assert res.returncode == 2 and "no store" in res.stderr
    res = subprocess.run([CLI, "--store", "local:" + str(tmp_path), "frobnicate"],
                         capture_output=True, text=True)
    assert res.returncode == 2
    res = subprocess.run([CLI, "--store", "nonsense", "user", "list"], capture_output=True,
                         text=True)
    assert res.returncode == 1 and "InvalidStoreURI" in res.stderr
    # RGW_STORE stands in for --store.
    env = dict(os.environ, RGW_STORE="local:" + str(tmp_path / "env"))
    res = subprocess.run([CLI, "user", "create", "--uid", "envuser"], capture_output=True,
                         text=True, env=env)
    assert res.returncode == 0 and "envuser" in res.stdout


def _run_on_terminal(args):
    """Runs the CLI with stderr on a pseudo-terminal (stdout a pipe):
    (exit status, stdout, what the terminal got)."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen([CLI] + args, stdout=subprocess.PIPE, stderr=slave,
                            stdin=subprocess.DEVNULL)
    os.close(slave)
    terminal = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the last writer closed the terminal
            break
        if not chunk:
            break
        terminal += chunk
    os.close(master)
    out = proc.stdout.read()
    return proc.wait(60), out.decode(), terminal.decode(errors="replace")


def test_bucket_purge_shows_progress_on_a_terminal_only(store_setup):
    """bucket rm --purge-objects draws a progress line on a terminal, ending
    at the full count; under --json, or when stderr is not a terminal, it
    writes nothing there."""
    uri = store_setup.uri
    uid = store_setup.name("prog")
    with pyrgw.Store(uri) as store:
        store.create_user(uid)
        for bucket in ("tty", "json", "pipe"):
            name = store_setup.name(bucket)
            store.create_bucket(name, owner=uid)
            for i in range(120):
                store.put_object(name, f"k{i:04d}", b"x")

    rc, out, terminal = _run_on_terminal(["--store", uri, "bucket", "rm", "--bucket",
                                          store_setup.name("tty"), "--purge-objects"])
    assert rc == 0, terminal
    assert "\rremoving objects: " in terminal, terminal
    assert "removing objects: 120 of 120 (100%)" in terminal, terminal
    assert "120 objects" in out

    rc, out, terminal = _run_on_terminal(["--store", uri, "--json", "bucket", "rm", "--bucket",
                                          store_setup.name("json"), "--purge-objects"])
    assert rc == 0 and terminal == "", terminal
    assert json.loads(out)["objects_removed"] == 120

    res = run(uri, "bucket", "rm", "--bucket", store_setup.name("pipe"), "--purge-objects",
              json_out=False)
    assert res.returncode == 0 and res.stderr == "", res.stderr


def test_gc_reports_progress(store_setup):
    """Store.gc(progress=...) sees the counts grow to the pass's totals, an
    exception from the callback is raised after the pass, and `gc run` on a
    terminal draws a progress line (none under --json)."""
    uri = store_setup.uri
    uid = store_setup.name("gcp")
    bucket = store_setup.name("gcp")
    with pyrgw.Store(uri) as store:
        store.create_user(uid)
        store.create_bucket(bucket, owner=uid)
        # bodies of 5 MiB: on RADOS small ones live in the head, not in tail
        # objects for gc to take
        big = b"g" * (5 << 20)
        for _i in range(8):
            store.put_object(bucket, "again", big)
        seen = []
        report = store.gc(0, progress=lambda so_far: seen.append(so_far.removed_objects))
        assert report.removed_objects >= 7
        assert seen == sorted(seen) and seen[-1] == report.removed_objects and len(seen) >= 7

        for _i in range(3):
            store.put_object(bucket, "again", big)

        def fails(so_far):
            raise ValueError("stop")

        try:
            store.gc(0, progress=fails)
        except ValueError as e:
            assert str(e) == "stop"
        else:
            raise AssertionError("the callback's exception was not raised")

        for _i in range(4):
            store.put_object(bucket, "again", big)
    rc, out, terminal = _run_on_terminal(["--store", uri, "gc", "run", "--grace", "0"])
    assert rc == 0, terminal
    assert "\rgc: removed objects: " in terminal, terminal
    rc, out, terminal = _run_on_terminal(["--store", uri, "--json", "gc", "run", "--grace", "0"])
    assert rc == 0 and terminal == "", terminal
