"""Hostile object keys on the local driver: data, never paths."""
import os

import pytest

import pyrgw

HOSTILE = [
    "../../etc/passwd",
    "../../../../../../tmp/escaped",
    "/abs/path",
    "/",
    "..",
    ".",
    "a/../../b",
    "./x",
    "~root/.ssh/authorized_keys",
    "back\\slash\\..\\..\\x",
    "meta.db",
    "data/00/00000000000000000000000000000000",
    "tmp/x",
    "%2e%2e%2fescaped",
    "x" * 1024,
    "/".join(["deep"] * 200),
    "\u202etxt.exe",
    "spaces and\ttabs\nnewline",
]


def tree(root):
    out = set()
    for d, dirs, files in os.walk(root):
        for name in dirs + files:
            out.add(os.path.relpath(os.path.join(d, name), root))
    return out


def test_hostile_keys_stay_inside_the_store(tmp_path):
    parent = tmp_path / "parent"
    root = parent / "store"
    parent.mkdir()
    with pyrgw.Store("local:" + str(root)) as store:
        store.create_user("u")
        store.create_bucket("hostile", owner="u")
        for i, key in enumerate(HOSTILE):
            store.put_object("hostile", key, f"body {i}".encode())
        for i, key in enumerate(HOSTILE):
            assert store.get_object("hostile", key) == f"body {i}".encode()
        assert sorted(o.key for o in store.iter_objects("hostile")) == sorted(HOSTILE)

        for bad in ["x" * 1025, "nul\x00byte", ""]:
            with pytest.raises(pyrgw.InvalidKey):
                store.put_object("hostile", bad, b"no")
        with pytest.raises(pyrgw.InvalidKey):
            store.put_object("hostile", "lone surrogate \udcff", b"no")
        for bad in ["../x", "..", "a/b", "/abs"]:
            with pytest.raises(pyrgw.InvalidBucketName):
                store.create_bucket(bad, owner="u")

        for key in HOSTILE:
            store.delete_object("hostile", key)
        store.gc(grace_seconds=0)

    # Nothing was written next to the store, and inside it only the store's
    # own layout exists: SQLite files, the shared bucket epoch, the write
    # lock, and bodies named by random ids.
    assert os.listdir(parent) == ["store"]
    for rel in tree(root):
        parts = rel.split(os.sep)
        if parts[0] in ("data", "tmp") and len(parts) == 1:
            continue
        if parts[0].startswith("meta.db") or rel in ("bucket-epoch", "write.lock"):
            continue
        assert parts[0] == "data" and len(parts) in (2, 3), rel
        assert len(parts[1]) == 2 and all(c in "0123456789abcdef" for c in parts[1]), rel
        if len(parts) == 3:
            assert len(parts[2]) == 32 and parts[2].startswith(parts[1]), rel
    assert not os.path.exists("/tmp/escaped")
