"""Swift object versioning through python-swiftclient and the wire, on every
door and driver: X-Versions-Location (stack mode: DELETE brings the previous
version back), X-History-Location (history mode: DELETE archives the object
and writes a delete marker), their headers on container HEAD, removal, the
archive names, copies and FormPOST-free writes, and what a missing or
foreign archive container answers."""
import uuid

import pytest
import requests
from swiftclient.exceptions import ClientException

import pyrgw

MARKER = "application/x-deleted;swift_versions_deleted=1"


@pytest.fixture
def conn(swift):
    return swift.connection()


def archived(conn, archive, name=None):
    """The archive's objects (for one object name when given), oldest first."""
    prefix = "%03x%s/" % (len(name), name) if name is not None else None
    _, objects = conn.get_container(archive, prefix=prefix, full_listing=True)
    return objects


def containers(swift, conn, mode="X-Versions-Location"):
    current, archive = swift.name("cur"), swift.name("arch")
    conn.put_container(archive)
    conn.put_container(current, headers={mode: archive})
    return current, archive


def read(conn, container, name):
    return conn.get_object(container, name)[1]


def test_container_headers(swift, conn):
    current, archive = containers(swift, conn)
    assert conn.head_container(current)["x-versions-location"] == archive
    # History mode replaces stack mode; both at once is 400.
    conn.post_container(current, headers={"X-History-Location": archive})
    head = conn.head_container(current)
    assert head["x-history-location"] == archive and "x-versions-location" not in head
    with pytest.raises(ClientException) as e:
        conn.post_container(current, headers={"X-History-Location": archive,
                                              "X-Versions-Location": archive})
    assert e.value.http_status == 400
    conn.post_container(current, headers={"X-Remove-History-Location": "x"})
    head = conn.head_container(current)
    assert "x-history-location" not in head and "x-versions-location" not in head
    # An empty value removes it too.
    conn.post_container(current, headers={"X-Versions-Location": archive})
    conn.post_container(current, headers={"X-Versions-Location": ""})
    assert "x-versions-location" not in conn.head_container(current)


def test_stack_mode(swift, conn):
    current, archive = containers(swift, conn)
    conn.put_object(current, "obj", b"v1", content_type="text/plain",
                    headers={"X-Object-Meta-N": "1"})
    assert archived(conn, archive) == []
    conn.put_object(current, "obj", b"v2")
    conn.put_object(current, "obj", b"v3")
    names = [o["name"] for o in archived(conn, archive)]
    assert len(names) == 2 and all(n.startswith("003obj/") for n in names)
    assert names == sorted(names)
    first = conn.get_object(archive, names[0])
    assert first[1] == b"v1" and first[0]["x-object-meta-n"] == "1"
    assert first[0]["content-type"] == "text/plain"
    assert read(conn, current, "obj") == b"v3"
    # Each DELETE pops the newest archived version back.
    conn.delete_object(current, "obj")
    assert read(conn, current, "obj") == b"v2"
    assert len(archived(conn, archive)) == 1
    conn.delete_object(current, "obj")
    assert read(conn, current, "obj") == b"v1"
    assert archived(conn, archive) == []
    conn.delete_object(current, "obj")
    with pytest.raises(ClientException) as e:
        conn.get_object(current, "obj")
    assert e.value.http_status == 404
    with pytest.raises(ClientException) as e:
        conn.delete_object(current, "obj")
    assert e.value.http_status == 404


def test_stack_mode_keeps_names_apart(swift, conn):
    current, archive = containers(swift, conn)
    for name in ("a", "a/b", "ab"):
        conn.put_object(current, name, b"1-" + name.encode())
        conn.put_object(current, name, b"2-" + name.encode())
    assert [o["name"][:5] for o in archived(conn, archive)] == ["001a/", "002ab", "003a/"]
    conn.delete_object(current, "a")
    assert read(conn, current, "a") == b"1-a"
    assert read(conn, current, "a/b") == b"2-a/b"


def test_copy_archives_the_destination(swift, conn):
    current, archive = containers(swift, conn)
    conn.put_object(current, "dst", b"old")
    conn.put_object(current, "src", b"new")
    conn.copy_object(current, "src", destination=f"/{current}/dst")
    assert read(conn, current, "dst") == b"new"
    assert [read(conn, archive, o["name"]) for o in archived(conn, archive, "dst")] == [b"old"]
    # PUT with X-Copy-From too.
    conn.put_object(current, "dst", b"", headers={"X-Copy-From": f"/{current}/src"})
    assert len(archived(conn, archive, "dst")) == 2


def test_history_mode(swift, conn):
    current, archive = containers(swift, conn, "X-History-Location")
    conn.put_object(current, "obj", b"v1")
    conn.put_object(current, "obj", b"v2")
    conn.delete_object(current, "obj")
    with pytest.raises(ClientException) as e:
        conn.get_object(current, "obj")
    assert e.value.http_status == 404
    history = archived(conn, archive, "obj")
    assert [o["content_type"] for o in history][-1] == MARKER
    assert [read(conn, archive, o["name"]) for o in history[:-1]] == [b"v1", b"v2"]
    assert history[-1]["bytes"] == 0
    # Switched to stack mode, a DELETE undoes the history-mode DELETE.
    conn.post_container(current, headers={"X-Versions-Location": archive})
    conn.delete_object(current, "obj")
    assert read(conn, current, "obj") == b"v2"
    assert [read(conn, archive, o["name"]) for o in archived(conn, archive, "obj")] == [b"v1"]


def test_missing_or_foreign_archive(swift, conn):
    current = swift.name("cur")
    conn.put_container(current, headers={"X-Versions-Location": swift.name("missing")})
    conn.put_object(current, "obj", b"first")  # nothing to archive yet
    with pytest.raises(ClientException) as e:
        conn.put_object(current, "obj", b"second")
    assert e.value.http_status == 412
    assert read(conn, current, "obj") == b"first"
    with pytest.raises(ClientException) as e:
        conn.delete_object(current, "obj")
    assert e.value.http_status == 412
    # A container of another account: never written into.
    foreign = swift.name("foreign")
    with pyrgw.Store(swift.store_uri) as store:
        uid = "other-" + uuid.uuid4().hex[:8]
        store.create_user(uid)
        store.create_bucket(foreign, uid)
    conn.post_container(current, headers={"X-Versions-Location": foreign})
    with pytest.raises(ClientException) as e:
        conn.put_object(current, "obj", b"third")
    assert e.value.http_status == 412
    assert read(conn, current, "obj") == b"first"
    with pyrgw.Store(swift.store_uri) as store:
        assert store.list_objects(foreign).objects == []


def test_s3_sees_the_archive(swift, conn):
    current, archive = containers(swift, conn)
    conn.put_object(current, "k", b"1")
    conn.put_object(current, "k", b"2")
    c = swift.s3_client()
    keys = [o["Key"] for o in c.list_objects_v2(Bucket=archive)["Contents"]]
    assert len(keys) == 1 and keys[0].startswith("001k/")
    r = requests.get(f"{swift.url}/{archive}", timeout=30)
    assert r.status_code in (401, 403)
