"""librgw-agent on both store drivers: the expirer removes what is due and
nothing else (an expiry changed, removed or overwritten after the write
keeps the object), several expirers share the queue through leases with one
of them killed (kill -9) mid-run, the gc agent, SIGTERM; and objects given
X-Delete-After through every door are removed by the expirer.

Each store here is the test's own (RADOS: its own pools), so that no other
test's queue entries or leases mix in."""
import hashlib
import os
import re
import signal
import subprocess
import sys
import time
import uuid

import pytest

import pyrgw

AGENT = [sys.executable, "-m", "pyrgw.agent"]


@pytest.fixture(params=["local", "rados"])
def uri(request, tmp_path):
    if request.param == "local":
        return "local:" + str(tmp_path / "store")
    cluster = request.getfixturevalue("ceph_cluster")
    return f"rados:ag{uuid.uuid4().hex[:8]}?conf={cluster.conf_path}"


@pytest.fixture
def store(uri):
    s = pyrgw.Store(uri)
    s.create_user("agent-owner", display_name="Owner")
    s.create_bucket("exp", owner="agent-owner")
    yield s
    s.close()


def run_agent(uri, *args, timeout=120):
    p = subprocess.run(AGENT + ["--store", uri, "-v", *args], capture_output=True, text=True,
                       timeout=timeout)
    return p.returncode, p.stderr


def removed_keys(log, bucket="exp"):
    return re.findall(r"removed %s/(\S+)$" % re.escape(bucket), log, re.M)


def wait_until(when):
    time.sleep(max(0.0, when - time.time()) + 0.2)


def test_expirer_removes_what_is_due_and_nothing_else(uri, store):
    due_at = int(time.time()) + 3
    later = due_at + 3600
    due = [f"due/{i}" for i in range(30)]
    for k in due:
        store.put_object("exp", k, b"x", delete_at=due_at)
    for i in range(5):
        store.put_object("exp", f"later/{i}", b"x", delete_at=later)
        store.put_object("exp", f"plain/{i}", b"x")
    # Changed after the write: a later expiry, no expiry, an overwrite
    # without one, or removed by hand.  None of these is the expirer's.
    for i in range(3):
        store.put_object("exp", f"changed/{i}", b"x", delete_at=due_at)
        store.update_object("exp", f"changed/{i}", delete_at=later)
        store.put_object("exp", f"cleared/{i}", b"x", delete_at=due_at)
        store.update_object("exp", f"cleared/{i}", delete_at=0)
        store.put_object("exp", f"overwritten/{i}", b"x", delete_at=due_at)
        store.put_object("exp", f"overwritten/{i}", b"y")
        store.put_object("exp", f"gone/{i}", b"x", delete_at=due_at)
        store.delete_object("exp", f"gone/{i}")
    assert store.bucket_stats("exp").num_objects == 30 + 10 + 9

    # Before the time: nothing is removed.
    rc, log = run_agent(uri, "expirer", "--once")
    assert rc == 0, log
    assert "0 objects removed" in log and not removed_keys(log)
    assert store.bucket_stats("exp").num_objects == 49

    wait_until(due_at)
    rc, log = run_agent(uri, "expirer", "--once")
    assert rc == 0, log
    assert sorted(removed_keys(log)) == sorted(due)
    assert "30 objects removed, 12 stale entries" in log
    assert store.bucket_stats("exp").num_objects == 19
    for prefix in ("later", "plain"):
        for i in range(5):
            assert store.stat_object("exp", f"{prefix}/{i}").size == 1
    for i in range(3):
        assert store.stat_object("exp", f"changed/{i}").delete_at == later
        assert store.stat_object("exp", f"cleared/{i}").delete_at == 0
        assert store.stat_object("exp", f"overwritten/{i}").etag == hashlib.md5(b"y").hexdigest()

    # The queue is drained: another pass finds nothing.
    rc, log = run_agent(uri, "expirer", "--once")
    assert rc == 0 and "0 objects removed, 0 stale entries" in log, log


def test_expirers_race_and_one_is_killed_mid_run(uri, store, tmp_path):
    n = 1000
    due_at = int(time.time()) + 2
    keys = [f"race/{i:04d}" for i in range(n)]
    for k in keys:
        store.put_object("exp", k, b"x", delete_at=due_at)
    for i in range(20):
        store.put_object("exp", f"keep/{i}", b"x", delete_at=due_at + 3600)
    wait_until(due_at)

    logs = []
    procs = []
    for i in range(3):
        log = open(tmp_path / f"agent-{i}.log", "w+")
        logs.append(log)
        procs.append(subprocess.Popen(
            AGENT + ["--store", uri, "-v", "expirer", "--interval", "0.5", "--lease", "3",
                     "--batch", "10", "--holder", f"agent-{i}"], stderr=log, text=True))
    try:
        # Kill the first expirer once it has removed something.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            logs[0].seek(0)
            if removed_keys(logs[0].read()):
                break
            time.sleep(0.02)
        procs[0].send_signal(signal.SIGKILL)
        procs[0].wait()
        # The others finish the work, the dead one's shards too once its
        # leases have run out.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and store.bucket_stats("exp").num_objects > 20:
            time.sleep(0.2)
        assert store.bucket_stats("exp").num_objects == 20
        for p in procs[1:]:
            p.send_signal(signal.SIGTERM)
        for p in procs[1:]:
            assert p.wait(timeout=30) == 0
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    texts = []
    for log in logs:
        log.seek(0)
        texts.append(log.read())
        log.close()
    removed = [k for t in texts for k in removed_keys(t)]
    # Each object was removed once: no key is reported twice, by one
    # expirer or by two; only the killed one's last batch may be unreported.
    assert len(removed) == len(set(removed)), "an object was removed twice"
    assert set(removed) <= set(keys)
    assert len(removed) >= n - 10
    # The survivors took over what the killed one had left.
    assert removed_keys(texts[1] + texts[2]), "the survivors removed nothing"
    # Nothing early: the objects due later are all there.
    for i in range(20):
        assert store.stat_object("exp", f"keep/{i}").size == 1
    for k in keys[:5]:
        with pytest.raises(pyrgw.NoSuchKey):
            store.stat_object("exp", k)


def test_gc_agent_and_sigterm(uri, store):
    # Bodies past RADOS's 4 MiB head, so that both drivers leave data to gc.
    for i in range(3):
        store.put_object("exp", "over", bytes([i]) * (5 << 20))
    store.delete_object("exp", "over")
    rc, log = run_agent(uri, "gc", "--once", "--grace", "0")
    assert rc == 0, log
    reclaimed = int(re.search(r"gc pass: (\d+) objects", log).group(1))
    assert reclaimed >= 3
    rc, log = run_agent(uri, "gc", "--once", "--grace", "0")
    assert rc == 0 and "gc pass: 0 objects" in log, log

    # A long-running agent exits cleanly on SIGTERM, between passes.
    p = subprocess.Popen(AGENT + ["--store", uri, "expirer", "--interval", "600"],
                         stderr=subprocess.PIPE, text=True)
    try:
        line = ""
        while "expirer pass:" not in line:
            line = p.stderr.readline()
            assert line, "the agent exited"
        p.send_signal(signal.SIGTERM)
        assert p.wait(timeout=30) == 0
        assert "SIGTERM: finishing and exiting" in p.stderr.read()
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def test_agent_refuses_bad_usage(uri):
    assert run_agent(uri, "expirer", "--lease", "0")[0] == 2
    p = subprocess.run(AGENT + ["expirer", "--once"], capture_output=True, text=True,
                       env={k: v for k, v in os.environ.items() if k != "RGW_STORE"})
    assert p.returncode == 2 and "no store" in p.stderr


def test_expiry_set_through_every_door_is_carried_out_by_the_expirer(swift):
    conn = swift.connection()
    c = swift.name("expiring")
    conn.put_container(c)
    conn.put_object(c, "put", b"x", headers={"X-Delete-After": "2"})
    conn.put_object(c, "posted", b"x")
    conn.post_object(c, "posted", headers={"X-Delete-After": "2"})
    conn.put_object(c, "copied", b"x", headers={"X-Copy-From": f"/{c}/posted"})
    conn.put_object(c, "kept", b"x", headers={"X-Delete-After": "2"})
    conn.post_object(c, "kept", headers={"X-Remove-Delete-At": "1"})
    due_at = int(conn.head_object(c, "put")["x-delete-at"])
    with pyrgw.Store(swift.store_uri) as store:
        assert store.bucket_stats(c).num_objects == 4
        wait_until(due_at + 1)
        rc, log = run_agent(swift.store_uri, "expirer", "--once")
        assert rc == 0, log
        assert sorted(removed_keys(log, c)) == ["copied", "posted", "put"]
        assert store.bucket_stats(c).num_objects == 1
    assert conn.get_object(c, "kept")[1] == b"x"


def test_local_store_upgrade_queues_existing_expiries(tmp_path):
    import sqlite3

    uri = "local:" + str(tmp_path / "store")
    due_at = int(time.time()) + 2
    with pyrgw.Store(uri) as s:
        s.create_user("u", display_name="U")
        s.create_bucket("old", owner="u")
        # Bodies in files, as every body was then.
        s.put_object("old", "expiring", b"x" * 20000, delete_at=due_at)
        s.put_object("old", "plain", b"x" * 20000)
    # The store as a version 2 librgw left it: no queue, no leases.
    db = sqlite3.connect(str(tmp_path / "store" / "meta.db"))
    with db:
        db.execute("DROP TABLE expiry")
        db.execute("DROP TABLE leases")
        db.execute("DROP TABLE inline_bodies")
        db.execute("UPDATE schema_info SET version=2")
    db.close()
    with pyrgw.Store(uri) as s:  # upgraded: the object with an expiry is queued
        wait_until(due_at)
        rc, log = run_agent(uri, "expirer", "--once")
        assert rc == 0 and removed_keys(log, "old") == ["expiring"], log
        assert s.bucket_stats("old").num_objects == 1
    db = sqlite3.connect(str(tmp_path / "store" / "meta.db"))
    assert db.execute("SELECT version FROM schema_info").fetchall() == [(5,)]
    db.close()
