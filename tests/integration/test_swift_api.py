"""OpenStack Swift v1, served by the core beside S3, on every door and both
drivers: auth v1 tokens, /info, accounts, containers, objects, listings,
copies, and the one namespace S3 and Swift share.  Clients: requests (the
wire), python-swiftclient's Connection and its `swift` command line."""
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pytest
import requests
from swiftclient.exceptions import ClientException

import pyrgw


def auth(sw, user=None, key=None, spelling="auth"):
    headers = ({"X-Auth-User": user or sw.user, "X-Auth-Key": key or sw.key}
               if spelling == "auth" else
               {"X-Storage-User": user or sw.user, "X-Storage-Pass": key or sw.key})
    return requests.get(sw.auth_url, headers=headers, timeout=30)


def session(sw):
    r = auth(sw)
    assert r.status_code == 200, r.text
    return r.headers["X-Storage-Url"], {"X-Auth-Token": r.headers["X-Auth-Token"]}


# ---------------------------------------------------------------- auth and info

def test_auth_v1_gives_a_token_and_the_storage_url(swift):
    for spelling in ("auth", "storage"):
        r = auth(swift, spelling=spelling)
        assert r.status_code == 200, r.text
        assert r.headers["X-Auth-Token"] == r.headers["X-Storage-Token"]
        assert r.headers["X-Auth-Token"].startswith("AUTH_tk")
        assert r.headers["X-Storage-Url"] == f"{swift.url}/swift/v1/AUTH_{swift.uid}"
        assert 86000 < int(r.headers["X-Auth-Token-Expires"]) <= 86400
        assert r.headers["X-Trans-Id"] == r.headers["X-Openstack-Request-Id"]
    for path in ("/auth/1.0", "/auth/v1.0/"):
        r = requests.get(swift.url + path, headers={"X-Auth-User": swift.user,
                                                    "X-Auth-Key": swift.key}, timeout=30)
        assert r.status_code == 200 and r.headers["X-Auth-Token"]


def test_auth_refuses_bad_credentials(swift):
    assert auth(swift, key="wrong").status_code == 401
    assert auth(swift, user="nobody:none").status_code == 401
    r = requests.get(swift.auth_url, timeout=30)
    assert r.status_code == 401 and "Unauthorized" in r.text
    assert r.headers["Content-Type"] == "text/html; charset=UTF-8"
    r = requests.put(swift.auth_url, headers={"X-Auth-User": swift.user,
                                              "X-Auth-Key": swift.key}, timeout=30)
    assert r.status_code == 405 and "GET" in r.headers["Allow"]


def test_tokens_verify_themselves_and_die_with_the_key(swift):
    url, headers = session(swift)
    for _ in range(6):  # any worker accepts it (nginx and Apache run several)
        assert requests.head(url, headers=headers, timeout=30).status_code == 204
    token = headers["X-Auth-Token"]
    tampered = token[:-1] + ("0" if token[-1] != "0" else "1")
    assert requests.head(url, headers={"X-Auth-Token": tampered}, timeout=30).status_code == 401
    assert requests.head(url, headers={"X-Auth-Token": "AUTH_tkjunk"}, timeout=30).status_code == 401
    assert requests.head(url, timeout=30).status_code == 401
    # Another account's URL with this token: 403.
    other = url.rsplit("AUTH_", 1)[0] + "AUTH_someone-else"
    assert requests.head(other, headers=headers, timeout=30).status_code == 403
    # A new Swift key revokes every token made with the old one.
    with pyrgw.Store(swift.store_uri) as store:
        store.set_swift_credentials(swift.uid, swift.user, swift.key + "-new")
    try:
        deadline = time.monotonic() + 30  # the doors' user caches may hold the old key briefly
        while requests.head(url, headers=headers, timeout=30).status_code != 401:
            assert time.monotonic() < deadline, "the old token still works"
            time.sleep(0.5)
        assert auth(swift).status_code == 401
        assert auth(swift, key=swift.key + "-new").status_code == 200
    finally:
        with pyrgw.Store(swift.store_uri) as store:
            store.set_swift_credentials(swift.uid, swift.user, swift.key)
    deadline = time.monotonic() + 30
    while auth(swift).status_code != 200:
        assert time.monotonic() < deadline
        time.sleep(0.5)


def test_info(swift):
    r = requests.get(swift.url + "/info", timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    info = r.json()["swift"]
    assert info["max_file_size"] == 5 << 30
    assert info["container_listing_limit"] == 10000
    assert info["max_object_name_length"] == 1024
    assert requests.get(swift.url + "/swift/info", timeout=30).json() == r.json()
    assert set(r.json()) == {"swift", "tempurl", "slo", "dlo", "formpost", "bulk_delete"}
    conn = swift.connection()
    assert conn.get_capabilities()["swift"]["version"]  # found from the storage URL


# ---------------------------------------------------------------- containers

def test_container_lifecycle_and_metadata(swift):
    url, headers = session(swift)
    name = swift.name()
    c = f"{url}/{name}"
    r = requests.put(c, headers=dict(headers, **{"X-Container-Meta-Color": "red"}), timeout=30)
    assert r.status_code == 201, r.text
    assert requests.put(c, headers=headers, timeout=30).status_code == 202
    r = requests.head(c, headers=headers, timeout=30)
    assert r.status_code == 204
    assert r.headers["X-Container-Object-Count"] == "0"
    assert r.headers["X-Container-Bytes-Used"] == "0"
    assert r.headers["X-Container-Meta-Color"] == "red"
    assert float(r.headers["X-Timestamp"]) > 0
    r = requests.post(c, headers=dict(headers, **{"X-Container-Meta-Size": "big",
                                                  "X-Remove-Container-Meta-Color": "x"}), timeout=30)
    assert r.status_code == 204
    r = requests.head(c, headers=headers, timeout=30)
    assert r.headers["X-Container-Meta-Size"] == "big" and "X-Container-Meta-Color" not in r.headers
    assert requests.put(f"{c}/o", data=b"12345", headers=headers, timeout=30).status_code == 201
    r = requests.head(c, headers=headers, timeout=30)
    assert (r.headers["X-Container-Object-Count"], r.headers["X-Container-Bytes-Used"]) == ("1", "5")
    r = requests.delete(c, headers=headers, timeout=30)
    assert r.status_code == 409 and "Conflict" in r.text
    assert requests.delete(f"{c}/o", headers=headers, timeout=30).status_code == 204
    assert requests.delete(c, headers=headers, timeout=30).status_code == 204
    r = requests.get(c, headers=headers, timeout=30)
    assert r.status_code == 404 and r.text == \
        "<html><h1>Not Found</h1><p>The resource could not be found.</p></html>"
    assert requests.delete(c, headers=headers, timeout=30).status_code == 404


def test_account_head_get_and_metadata(swift):
    conn = swift.connection()
    names = sorted(swift.name("acct") for _ in range(3))
    for i, n in enumerate(names):
        conn.put_container(n)
        conn.put_object(n, "obj", b"x" * (i + 1))
    head = conn.head_account()
    assert int(head["x-account-container-count"]) >= 3
    assert int(head["x-account-object-count"]) >= 3
    conn.post_account({"X-Account-Meta-Owner": "ops"})
    assert conn.head_account()["x-account-meta-owner"] == "ops"
    _, listing = conn.get_account(prefix="acct-")
    mine = [c for c in listing if c["name"] in names]
    assert [(c["name"], c["count"], c["bytes"]) for c in mine] == \
        [(n, 1, i + 1) for i, n in enumerate(names)]
    _, page = conn.get_account(prefix="acct-", marker=names[0], limit=1)
    assert [c["name"] for c in page] == [names[1]]
    url, headers = session(swift)
    r = requests.get(url, params={"prefix": "acct-"}, headers=headers, timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert [n for n in r.text.splitlines() if n in names] == names
    r = requests.get(url, params={"prefix": "acct-", "format": "xml"}, headers=headers, timeout=30)
    root = ET.fromstring(r.content)
    assert root.tag == "account" and root.get("name") == f"AUTH_{swift.uid}"
    assert [e.findtext("name") for e in root if e.findtext("name") in names] == names
    r = requests.get(url, params={"prefix": "no-such-prefix-"}, headers=headers, timeout=30)
    assert r.status_code == 204 and r.text == ""
    r = requests.get(url, params={"limit": "10001"}, headers=headers, timeout=30)
    assert r.status_code == 412
    for n in names:
        conn.delete_object(n, "obj")
        conn.delete_container(n)


def test_container_listing_formats_and_parameters(swift):
    conn = swift.connection()
    c = swift.name()
    conn.put_container(c)
    keys = ["a.txt", "b/1", "b/2", "c/x/y", "d"]
    for k in keys:
        conn.put_object(c, k, k.encode(), content_type="text/plain")
    _, listing = conn.get_container(c)
    assert [o["name"] for o in listing] == keys
    first = listing[0]
    assert first["hash"] == hashlib.md5(b"a.txt").hexdigest()
    assert first["bytes"] == 5 and first["content_type"] == "text/plain"
    assert len(first["last_modified"]) == 26 and first["last_modified"][10] == "T"
    _, listing = conn.get_container(c, delimiter="/")
    assert [o.get("name") or o.get("subdir") for o in listing] == ["a.txt", "b/", "c/", "d"]
    _, listing = conn.get_container(c, prefix="b/")
    assert [o["name"] for o in listing] == ["b/1", "b/2"]
    _, listing = conn.get_container(c, marker="b/1", end_marker="d")
    assert [o["name"] for o in listing] == ["b/2", "c/x/y"]
    _, listing = conn.get_container(c, limit=2)
    assert [o["name"] for o in listing] == ["a.txt", "b/1"]
    url, headers = session(swift)
    r = requests.get(f"{url}/{c}", params={"delimiter": "/"}, headers=headers, timeout=30)
    assert r.text == "a.txt\nb/\nc/\nd\n"
    r = requests.get(f"{url}/{c}", headers=dict(headers, Accept="application/xml"), timeout=30)
    root = ET.fromstring(r.content)
    assert root.tag == "container" and root.get("name") == c
    assert [o.findtext("name") for o in root.iter("object")] == keys
    r = requests.get(f"{url}/{c}", params={"format": "json"}, headers=headers, timeout=30)
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"
    assert [o["name"] for o in json.loads(r.text)] == keys
    r = requests.get(f"{url}/{c}", params={"delimiter": "//"}, headers=headers, timeout=30)
    assert r.status_code == 412
    r = requests.get(f"{url}/{c}", params={"prefix": "zzz"}, headers=headers, timeout=30)
    assert r.status_code == 204


# ---------------------------------------------------------------- objects

def test_object_put_get_head_with_metadata_and_ranges(swift):
    conn = swift.connection()
    c = swift.name()
    conn.put_container(c)
    body = os.urandom(300 * 1024 + 7)
    etag = conn.put_object(c, "dir/obj.bin", body, content_type="application/x-test",
                           headers={"X-Object-Meta-Color": "blue",
                                    "Content-Disposition": "attachment"})
    assert etag == hashlib.md5(body).hexdigest()
    headers, got = conn.get_object(c, "dir/obj.bin")
    assert got == body
    assert headers["etag"] == etag and headers["content-type"] == "application/x-test"
    assert headers["x-object-meta-color"] == "blue"
    assert headers["content-disposition"] == "attachment"
    assert float(headers["x-timestamp"]) > 0 and headers["accept-ranges"] == "bytes"
    headers, part = conn.get_object(c, "dir/obj.bin", headers={"Range": "bytes=10-19"})
    assert part == body[10:20] and headers["content-range"] == f"bytes 10-19/{len(body)}"
    _, tail = conn.get_object(c, "dir/obj.bin", headers={"Range": "bytes=-5"})
    assert tail == body[-5:]
    head = conn.head_object(c, "dir/obj.bin")
    assert int(head["content-length"]) == len(body)
    url, auth_headers = session(swift)
    r = requests.get(f"{url}/{c}/dir/obj.bin", headers=dict(auth_headers, Range="bytes=999999999-"),
                     timeout=30)
    assert r.status_code == 416
    r = requests.get(f"{url}/{c}/dir/obj.bin", headers=dict(auth_headers, **{"If-None-Match": etag}),
                     timeout=30)
    assert r.status_code == 304
    r = requests.get(f"{url}/{c}/dir/obj.bin", headers=dict(auth_headers, **{"If-Match": "nope"}),
                     timeout=30)
    assert r.status_code == 412
    # No Content-Type given, no guessing asked: application/octet-stream.
    conn.put_object(c, "plain.txt", b"x")
    assert conn.head_object(c, "plain.txt")["content-type"] == "application/octet-stream"
    conn.put_object(c, "guess.txt", b"x", headers={"X-Detect-Content-Type": "true"})
    assert conn.head_object(c, "guess.txt")["content-type"] == "text/plain"


def test_put_checks_etag_and_if_none_match(swift):
    conn = swift.connection()
    c = swift.name()
    conn.put_container(c)
    with pytest.raises(ClientException) as e:
        conn.put_object(c, "bad", b"data", etag="0" * 32)
    assert e.value.http_status == 422
    with pytest.raises(ClientException) as e:
        conn.head_object(c, "bad")
    assert e.value.http_status == 404  # nothing stored
    conn.put_object(c, "good", b"data", etag=hashlib.md5(b"data").hexdigest().upper())
    with pytest.raises(ClientException) as e:
        conn.put_object(c, "good", b"other", headers={"If-None-Match": "*"})
    assert e.value.http_status == 412
    assert conn.get_object(c, "good")[1] == b"data"
    conn.put_object(c, "new", b"n", headers={"If-None-Match": "*"})
    url, headers = session(swift)
    r = requests.put(f"{url}/{c}/nolength", headers=headers, data=iter([b"a", b"b"]), timeout=30)
    assert r.status_code == 201  # chunked transfer: no Content-Length needed
    assert conn.get_object(c, "nolength")[1] == b"ab"


def test_post_replaces_metadata_and_delete(swift):
    conn = swift.connection()
    c = swift.name()
    conn.put_container(c)
    conn.put_object(c, "o", b"body", content_type="text/x-a",
                    headers={"X-Object-Meta-A": "1", "X-Object-Meta-B": "2"})
    conn.post_object(c, "o", headers={"X-Object-Meta-C": "3"})
    head = conn.head_object(c, "o")
    assert head["x-object-meta-c"] == "3"
    assert "x-object-meta-a" not in head and "x-object-meta-b" not in head
    assert head["content-type"] == "text/x-a"  # kept unless given
    assert head["etag"] == hashlib.md5(b"body").hexdigest()
    conn.delete_object(c, "o")
    with pytest.raises(ClientException) as e:
        conn.delete_object(c, "o")
    assert e.value.http_status == 404
    with pytest.raises(ClientException) as e:
        conn.post_object(c, "o", headers={})
    assert e.value.http_status == 404


def test_copy_and_x_copy_from(swift):
    conn = swift.connection()
    src, dst = swift.name(), swift.name()
    conn.put_container(src)
    conn.put_container(dst)
    conn.put_object(src, "a b", b"payload", content_type="text/x-src",
                    headers={"X-Object-Meta-Origin": "src"})
    conn.copy_object(src, "a b", f"/{dst}/copy1", headers={"X-Object-Meta-Extra": "e"})
    head = conn.head_object(dst, "copy1")
    assert head["x-object-meta-origin"] == "src" and head["x-object-meta-extra"] == "e"
    assert head["content-type"] == "text/x-src"
    assert conn.get_object(dst, "copy1")[1] == b"payload"
    conn.copy_object(src, "a b", f"/{dst}/copy2", fresh_metadata=True)
    assert "x-object-meta-origin" not in conn.head_object(dst, "copy2")
    url, headers = session(swift)
    r = requests.put(f"{url}/{dst}/copy3", headers=dict(headers, **{
        "X-Copy-From": f"/{src}/a%20b", "Content-Length": "0"}), timeout=30)
    assert r.status_code == 201 and r.headers["X-Copied-From"] == f"{src}/a%20b"
    assert conn.get_object(dst, "copy3")[1] == b"payload"
    r = requests.put(f"{url}/{dst}/copy4", headers=dict(headers, **{
        "X-Copy-From": "nocontainer", "Content-Length": "0"}), timeout=30)
    assert r.status_code == 412


def test_expiry_headers(swift):
    conn = swift.connection()
    c = swift.name()
    conn.put_container(c)
    at = int(time.time()) + 3600
    conn.put_object(c, "later", b"x", headers={"X-Delete-At": str(at)})
    assert conn.head_object(c, "later")["x-delete-at"] == str(at)
    url, headers = session(swift)
    for bad in ({"X-Delete-At": "yesterday"}, {"X-Delete-At": "1000"}, {"X-Delete-After": "-5"}):
        r = requests.put(f"{url}/{c}/bad", data=b"x", headers=dict(headers, **bad), timeout=30)
        assert r.status_code == 400, bad
    conn.put_object(c, "soon", b"x", headers={"X-Delete-After": "1"})
    deadline = time.monotonic() + 10
    while True:  # 404 as soon as it is due, before any agent ran
        try:
            conn.head_object(c, "soon")
        except ClientException as e:
            assert e.http_status == 404
            break
        assert time.monotonic() < deadline
        time.sleep(0.5)


# ---------------------------------------------------------------- one namespace, real clients

def test_s3_and_swift_share_containers_objects_and_metadata(swift):
    conn = swift.connection()
    c = swift.name()
    conn.put_container(c)
    conn.put_object(c, "from-swift", b"hello", headers={"X-Object-Meta-Color": "green"})
    s3 = swift.s3_client()
    got = s3.get_object(Bucket=c, Key="from-swift")
    assert got["Body"].read() == b"hello" and got["Metadata"] == {"color": "green"}
    s3.put_object(Bucket=c, Key="from-s3", Body=b"world", Metadata={"shape": "round"})
    head = conn.head_object(c, "from-s3")
    assert head["x-object-meta-shape"] == "round"
    assert [o["name"] for o in conn.get_container(c)[1]] == ["from-s3", "from-swift"]


def test_swift_command_line_upload_download_list(swift, tmp_path):
    swift_cli = os.path.join(os.path.dirname(sys.executable), "swift")
    base = [swift_cli, "-A", swift.auth_url, "-U", swift.user, "-K", swift.key]
    c = swift.name()
    src = tmp_path / "file.bin"
    src.write_bytes(os.urandom(2 * 1024 * 1024 + 3))

    def run(*args):
        res = subprocess.run(base + list(args), capture_output=True, text=True, timeout=120,
                             cwd=tmp_path)
        assert res.returncode == 0, res.stderr
        return res.stdout

    run("upload", c, "file.bin")
    assert run("list", c).split() == ["file.bin"]
    stat = run("stat", c, "file.bin")
    assert "Content Length: 2097155" in stat
    run("download", c, "file.bin", "-o", str(tmp_path / "back.bin"))
    assert (tmp_path / "back.bin").read_bytes() == src.read_bytes()
    run("post", "-m", "color:blue", c, "file.bin")
    assert "Meta Color: blue" in run("stat", c, "file.bin")
    run("post", "-r", ".r:*", c)
    assert requests.get(f"{swift.url}/swift/v1/AUTH_{swift.uid}/{c}/file.bin",
                        timeout=30).content == src.read_bytes()
    run("copy", "-d", f"/{c}/copy.bin", c, "file.bin")
    assert sorted(run("list", c).split()) == ["copy.bin", "file.bin"]
    run("delete", c)
    assert c not in run("list").split()


def test_swift_prefix_option_in_generated_configs():
    from pyrgw.apache_conf import ApacheSettings
    from pyrgw.apache_conf import render as render_apache
    from pyrgw.nginx_conf import NginxSettings
    from pyrgw.nginx_conf import render as render_nginx

    assert 'rgw_swift_prefix "";' in render_nginx(NginxSettings(store="local:/s", swift_prefix=""),
                                                 kind="server")
    assert 'RGWSwiftPrefix "object/v1"' in render_apache(
        ApacheSettings(store="local:/s", swift_prefix="object/v1"), kind="vhost")
    for bad in ("/swift", "swift/", "a//b", "auth", "sw ift", "x/../y"):
        with pytest.raises(ValueError, match="swift_prefix"):
            NginxSettings(store="local:/s", swift_prefix=bad)


@pytest.mark.parametrize("door", ["nginx", "apache"])
def test_no_prefix_and_s3_keeps_other_paths(tmp_path, door):
    """swift_prefix "" (rgw_swift_prefix "", RGWSwiftPrefix ""): /AUTH_<account>/...
    is Swift, and a bucket named "swift" is S3's again."""
    from s3_servers import STARTERS

    uri = f"local:{tmp_path}/store"
    with pyrgw.Store(uri) as store:
        store.create_user("np", access_key="AKNOPREFIX0000000000", secret_key="s" * 40,
                          swift_user="np:np", swift_key="k")
    server = STARTERS[door](uri, str(tmp_path), swift_prefix="")
    try:
        r = requests.get(server.url + "/auth/v1.0",
                         headers={"X-Auth-User": "np:np", "X-Auth-Key": "k"}, timeout=30)
        assert r.headers["X-Storage-Url"] == f"{server.url}/AUTH_np"
        token = {"X-Auth-Token": r.headers["X-Auth-Token"]}
        assert requests.put(f"{server.url}/AUTH_np/swift", headers=token,
                            timeout=30).status_code == 201
        assert requests.put(f"{server.url}/AUTH_np/swift/o", data=b"x", headers=token,
                            timeout=30).status_code == 201
        # /swift/... is S3 path style now: the bucket "swift" holds "o".
        import boto3
        from botocore.config import Config

        s3 = boto3.client("s3", endpoint_url=server.url, region_name="us-east-1",
                          aws_access_key_id="AKNOPREFIX0000000000", aws_secret_access_key="s" * 40,
                          config=Config(s3={"addressing_style": "path"}))
        assert s3.get_object(Bucket="swift", Key="o")["Body"].read() == b"x"
    finally:
        server.stop()


def test_dynamic_large_objects(swift, tmp_path):
    """swift upload -S stores segments and an X-Object-Manifest object; GET
    reads their concatenation, ranges cross segments, HEAD gives the total."""
    swift_cli = os.path.join(os.path.dirname(sys.executable), "swift")
    c = swift.name()
    data = os.urandom(2 * 1000 * 1000 + 123)
    (tmp_path / "big.bin").write_bytes(data)
    res = subprocess.run([swift_cli, "-A", swift.auth_url, "-U", swift.user, "-K", swift.key,
                          "upload", "--use-dlo", "-S", "500000", c, "big.bin"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    conn = swift.connection()
    head = conn.head_object(c, "big.bin")
    assert int(head["content-length"]) == len(data)
    assert head["x-object-manifest"].startswith(f"{c}_segments/big.bin/")
    segments = conn.get_container(f"{c}_segments")[1]
    assert len(segments) == 5
    md5s = "".join(s["hash"] for s in segments)
    assert head["etag"] == '"' + hashlib.md5(md5s.encode()).hexdigest() + '"'
    assert conn.get_object(c, "big.bin")[1] == data
    _, part = conn.get_object(c, "big.bin", headers={"Range": "bytes=499990-1000009"})
    assert part == data[499990:1000010]
    _, tail = conn.get_object(c, "big.bin", headers={"Range": "bytes=-7"})
    assert tail == data[-7:]
    # The manifest itself.
    headers, body = conn.get_object(c, "big.bin", query_string="multipart-manifest=get")
    assert body == b"" and headers["x-object-manifest"] == head["x-object-manifest"]
    # A manifest made by hand, over segments that come later.
    conn.put_container(c + "-parts")
    conn.put_object(c, "hand", b"", headers={"X-Object-Manifest": f"{c}-parts/p/"})
    assert conn.get_object(c, "hand")[1] == b""
    for i, piece in enumerate([b"abc", b"def", b"g"]):
        conn.put_object(c + "-parts", f"p/{i:03d}", piece)
    assert conn.get_object(c, "hand")[1] == b"abcdefg"
    url, headers = session(swift)
    r = requests.put(f"{url}/{c}/bad", data=b"", timeout=30,
                     headers=dict(headers, **{"X-Object-Manifest": "no-slash"}))
    assert r.status_code == 400


# ---------------------------------------------------------------- temporary URLs

def test_temp_urls_signed_by_the_core_verified_by_the_core(swift):
    conn = swift.connection()
    c = swift.name()
    conn.put_container(c)
    conn.put_object(c, "dir/photo.jpg", b"pixels", content_type="image/jpeg")
    conn.post_account({"X-Account-Meta-Temp-URL-Key": "acct-key"})
    url = f"{swift.url}/swift/v1/AUTH_{swift.uid}/{c}/dir/photo.jpg"
    for digest in ("sha1", "sha256", "sha512"):
        signed = pyrgw.swift_temp_url(url, "acct-key", digest=digest, expires=300)
        r = requests.get(signed, timeout=30)
        assert r.status_code == 200 and r.content == b"pixels", (digest, r.text)
        assert r.headers["Content-Disposition"].startswith('attachment; filename="photo.jpg"')
    get_url = pyrgw.swift_temp_url(url, "acct-key")
    assert requests.head(get_url, timeout=30).status_code == 200  # HEAD with a GET URL
    assert requests.put(get_url, data=b"x", timeout=30).status_code == 401  # other method
    assert requests.get(pyrgw.swift_temp_url(url, "wrong-key"), timeout=30).status_code == 401
    other = url.replace("photo.jpg", "other.jpg")
    assert requests.get(get_url.replace(url, other), timeout=30).status_code == 401
    expired = pyrgw.swift_temp_url(url, "acct-key", expires=10, now=time.time() - 60)
    r = requests.get(expired, timeout=30)
    assert r.status_code == 401 and r.text == "Temp URL invalid"
    tampered = get_url.replace("temp_url_sig=", "temp_url_sig=0", 1)
    assert requests.get(tampered, timeout=30).status_code == 401
    r = requests.get(pyrgw.swift_temp_url(url, "acct-key", filename="cat picture.jpg"), timeout=30)
    assert r.headers["Content-Disposition"].startswith('attachment; filename="cat picture.jpg"')
    r = requests.get(pyrgw.swift_temp_url(url, "acct-key", inline=True), timeout=30)
    assert r.headers["Content-Disposition"] == "inline"
    # A PUT URL uploads; a container key (Key-2) works too.
    conn.post_container(c, {"X-Container-Meta-Temp-URL-Key-2": "cont-key"})
    put_url = pyrgw.swift_temp_url(url.replace("photo.jpg", "up.bin"), "cont-key", method="PUT")
    assert requests.put(put_url, data=b"uploaded", timeout=30).status_code == 201
    assert conn.get_object(c, "dir/up.bin")[1] == b"uploaded"
    # A prefix URL serves what is under the prefix, nothing else.
    conn.put_object(c, "public/a", b"A")
    conn.put_object(c, "private/b", b"B")
    base = f"{swift.url}/swift/v1/AUTH_{swift.uid}/{c}"
    prefixed = pyrgw.swift_temp_url(base, "acct-key", prefix="public/")
    query = prefixed.split("?", 1)[1]
    assert requests.get(f"{base}/public/a?{query}", timeout=30).content == b"A"
    assert requests.get(f"{base}/private/b?{query}", timeout=30).status_code == 401
    # Changing the key revokes its URLs.
    conn.post_account({"X-Account-Meta-Temp-URL-Key": "new-key"})
    assert requests.get(get_url, timeout=30).status_code == 401
    with pytest.raises(ValueError):
        pyrgw.swift_temp_url(url, "k", digest="md5")


def test_temp_url_from_the_swift_command_line(swift):
    """`swift tempurl` signs with its own code: the core accepts its URLs."""
    conn = swift.connection()
    c = swift.name()
    conn.put_container(c)
    conn.put_object(c, "o", b"interop")
    conn.post_account({"X-Account-Meta-Temp-URL-Key": "cli-key"})
    swift_cli = os.path.join(os.path.dirname(sys.executable), "swift")
    path = f"/swift/v1/AUTH_{swift.uid}/{c}/o"
    for digest in ("sha1", "sha256"):
        res = subprocess.run([swift_cli, "tempurl", "--digest", digest, "GET", "300", path,
                              "cli-key"], capture_output=True, text=True, timeout=60)
        assert res.returncode == 0, res.stderr
        r = requests.get(swift.url + res.stdout.strip(), timeout=30)
        assert r.status_code == 200 and r.content == b"interop", (digest, r.text)


def test_temp_url_signature_is_swifts_hmac():
    """The core's signer (rgw_swift_temp_url_sign) against HMAC computed here."""

    from pyrgw import _librgw

    body = b"PUT\n1700000000\n/swift/v1/AUTH_a/c/\xc3\xa9t\xc3\xa9 o"
    for digest in ("sha1", "sha256", "sha512"):
        want = hmac.new(b"key", body, getattr(hashlib, digest)).hexdigest()
        got = _librgw.swift_temp_url_sign(digest, "PUT", body.decode().split("\n")[2],
                                          1700000000, "", "key")
        if digest == "sha512":  # as python-swiftclient writes it
            import base64
            want = "sha512:" + base64.urlsafe_b64encode(bytes.fromhex(want)).decode().rstrip("=")
        assert got == want, digest
    with_ip = hmac.new(b"key", b"ip=10.0.0.0/8\n" + body, hashlib.sha256).hexdigest()
    assert _librgw.swift_temp_url_sign("sha256", "PUT", body.decode().split("\n")[2], 1700000000,
                                       "10.0.0.0/8", "key") == with_ip
    with pytest.raises(Exception, match="unknown digest"):
        _librgw.swift_temp_url_sign("md5", "GET", "/p", 1, "", "k")


# ---------------------------------------------------------------- container ACLs

def test_container_acls(swift):
    import uuid

    conn = swift.connection()
    c = swift.name()
    conn.put_container(c)
    conn.put_object(c, "o", b"shared")
    url = f"{swift.url}/swift/v1/AUTH_{swift.uid}/{c}"
    # Anonymous: nothing until the read ACL says .r:*; listing needs .rlistings.
    assert requests.get(f"{url}/o", timeout=30).status_code == 401
    conn.post_container(c, {"X-Container-Read": ".r:*"})
    assert requests.get(f"{url}/o", timeout=30).content == b"shared"
    assert requests.get(url, timeout=30).status_code == 401
    conn.post_container(c, {"X-Container-Read": ".r:*,.rlistings"})
    assert requests.get(url, timeout=30).text == "o\n"
    assert requests.put(f"{url}/new", data=b"x", timeout=30).status_code == 401
    assert requests.delete(f"{url}/o", timeout=30).status_code == 401
    head = conn.head_container(c)
    assert head["x-container-read"] == ".r:*,.rlistings"
    # Referrers.
    conn.post_container(c, {"X-Container-Read": ".r:.example.com"})
    assert requests.get(f"{url}/o", headers={"Referer": "http://www.example.com/page"},
                        timeout=30).status_code == 200
    assert requests.get(f"{url}/o", headers={"Referer": "http://evil.test/"},
                        timeout=30).status_code == 401
    # Another account's user: named by the ACLs, or refused.
    tag = uuid.uuid4().hex[:8]
    with pyrgw.Store(swift.store_uri) as store:
        store.create_user(f"other-{tag}", swift_user=f"team{tag}:bob", swift_key="bobkey")
    r = requests.get(swift.auth_url, headers={"X-Auth-User": f"team{tag}:bob",
                                              "X-Auth-Key": "bobkey"}, timeout=30)
    bob = {"X-Auth-Token": r.headers["X-Auth-Token"]}
    conn.post_container(c, {"X-Remove-Container-Read": "x"})
    assert requests.get(f"{url}/o", headers=bob, timeout=30).status_code == 403
    conn.post_container(c, {"X-Container-Read": f"team{tag}:bob"})
    assert requests.get(f"{url}/o", headers=bob, timeout=30).content == b"shared"
    r = requests.head(url, headers=bob, timeout=30)
    assert r.status_code == 204 and "X-Container-Read" not in r.headers
    assert requests.put(f"{url}/by-bob", data=b"b", headers=bob, timeout=30).status_code == 403
    conn.post_container(c, {"X-Container-Write": f"team{tag}"})
    assert requests.put(f"{url}/by-bob", data=b"b", headers=bob, timeout=30).status_code == 201
    assert conn.get_object(c, "by-bob")[1] == b"b"
    assert requests.delete(f"{url}/by-bob", headers=bob, timeout=30).status_code == 204
    # Only the owner changes the container or its ACLs; nobody else's account.
    assert requests.post(url, headers=dict(bob, **{"X-Container-Read": ".r:*"}),
                         timeout=30).status_code == 403
    assert requests.put(url, headers=bob, timeout=30).status_code == 403
    assert requests.get(f"{swift.url}/swift/v1/AUTH_{swift.uid}", headers=bob,
                        timeout=30).status_code == 403
    r = requests.post(url, headers={"X-Auth-Token": session(swift)[1]["X-Auth-Token"],
                                    "X-Container-Read": ".referrer:x"}, timeout=30)
    assert r.status_code == 400


def test_static_large_objects(swift, tmp_path):
    """swift upload -S makes a SLO now that /info offers it; manifests are
    checked, read back, and deleted with their segments."""
    assert "slo" in requests.get(swift.url + "/info", timeout=30).json()
    swift_cli = os.path.join(os.path.dirname(sys.executable), "swift")
    base = [swift_cli, "-A", swift.auth_url, "-U", swift.user, "-K", swift.key]
    c = swift.name()
    data = os.urandom(1500 * 1000 + 11)
    (tmp_path / "big.bin").write_bytes(data)
    res = subprocess.run(base + ["upload", "-S", "400000", c, "big.bin"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    conn = swift.connection()
    head = conn.head_object(c, "big.bin")
    assert head["x-static-large-object"] == "True"
    assert int(head["content-length"]) == len(data)
    assert conn.get_object(c, "big.bin")[1] == data
    _, part = conn.get_object(c, "big.bin", headers={"Range": "bytes=399995-800004"})
    assert part == data[399995:800005]
    _, manifest = conn.get_object(c, "big.bin", query_string="multipart-manifest=get")
    segments = json.loads(manifest)
    assert len(segments) == 4 and sum(s["bytes"] for s in segments) == len(data)
    assert head["etag"] == '"' + hashlib.md5("".join(s["hash"] for s in segments).encode()
                                             ).hexdigest() + '"'
    _, raw = conn.get_object(c, "big.bin", query_string="multipart-manifest=get&format=raw")
    assert [s["path"] for s in json.loads(raw)] == [s["name"] for s in segments]
    res = subprocess.run(base + ["download", c, "big.bin", "-o", str(tmp_path / "back")],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "back").read_bytes() == data
    # Metadata changes keep it a SLO.
    conn.post_object(c, "big.bin", headers={"X-Object-Meta-K": "v"})
    assert conn.head_object(c, "big.bin")["x-static-large-object"] == "True"
    # swift delete removes the segments too (?multipart-manifest=delete).
    res = subprocess.run(base + ["delete", c, "big.bin"], capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0, res.stderr
    assert conn.get_container(f"{c}_segments")[1] == []


def test_slo_manifest_checks(swift):
    conn = swift.connection()
    c = swift.name()
    conn.put_container(c)
    conn.put_object(c, "s1", b"a" * 10)
    conn.put_object(c, "s2", b"b" * 5)
    good = [{"path": f"/{c}/s1", "etag": hashlib.md5(b"a" * 10).hexdigest(), "size_bytes": 10},
            {"path": f"/{c}/s2", "etag": None, "size_bytes": None}]
    conn.put_object(c, "m", json.dumps(good), query_string="multipart-manifest=put",
                    content_type="text/x-whole")
    headers, body = conn.get_object(c, "m")
    assert body == b"a" * 10 + b"b" * 5 and headers["content-type"] == "text/x-whole"
    url, auth_headers = session(swift)

    def put(manifest):
        return requests.put(f"{url}/{c}/bad?multipart-manifest=put", timeout=30,
                            data=manifest if isinstance(manifest, bytes) else json.dumps(manifest),
                            headers=auth_headers)

    r = put([{"path": f"/{c}/s1", "etag": "0" * 32}])
    assert r.status_code == 400 and "Etag Mismatch" in r.text
    r = put([{"path": f"/{c}/s1", "size_bytes": 11}])
    assert r.status_code == 400 and "Size Mismatch" in r.text
    r = put([{"path": f"/{c}/missing"}])
    assert r.status_code == 400 and "404" in r.text
    r = put([{"path": f"/{c}/m"}])
    assert r.status_code == 400 and "Nested" in r.text
    for bad in (b"not json", b"{}", b"[]", b'[{"path": "nocontainer"}]', b'[{"path": 1}]'):
        assert put(bad).status_code == 400, bad
    with pytest.raises(ClientException) as e:
        conn.head_object(c, "bad")
    assert e.value.http_status == 404  # nothing written
    # Listed with its content's size and ETag, as Swift lists it.
    (listed,) = [o for o in conn.get_container(c)[1] if o["name"] == "m"]
    assert listed["bytes"] == 15
    assert listed["hash"] == hashlib.md5((hashlib.md5(b"a" * 10).hexdigest() +
                                          hashlib.md5(b"b" * 5).hexdigest()).encode()).hexdigest()
    # A copy of a large object is a copy of its content; of its manifest on request.
    r = requests.put(f"{url}/{c}/copy", headers=dict(auth_headers, **{
        "X-Copy-From": f"/{c}/m", "Content-Length": "0"}), timeout=30)
    assert r.status_code == 201, r.text
    headers, body = conn.get_object(c, "copy")
    assert body == b"a" * 10 + b"b" * 5 and "x-static-large-object" not in headers
    assert headers["etag"] == hashlib.md5(body).hexdigest()
    r = requests.put(f"{url}/{c}/manifest-copy?multipart-manifest=get", headers=dict(
        auth_headers, **{"X-Copy-From": f"/{c}/m", "Content-Length": "0"}), timeout=30)
    assert r.status_code == 201
    assert conn.head_object(c, "manifest-copy")["x-static-large-object"] == "True"
    conn.put_object(c, "dlo", b"", headers={"X-Object-Manifest": f"{c}/s"})
    conn.copy_object(c, "dlo", f"/{c}/dlo-copy")
    assert conn.get_object(c, "dlo-copy")[1] == b"a" * 10 + b"b" * 5


def parse_byteranges(response):
    """The parts of a multipart/byteranges response: [(Content-Range, bytes)]."""
    ctype = response.headers["Content-Type"]
    assert ctype.startswith("multipart/byteranges;boundary="), ctype
    boundary = ctype.split("boundary=", 1)[1].encode()
    body = response.content
    assert body.startswith(b"--" + boundary + b"\r\n") and body.endswith(b"--" + boundary + b"--")
    parts = []
    for chunk in body.split(b"--" + boundary)[1:-1]:
        head, data = chunk[2:].split(b"\r\n\r\n", 1)
        assert data.endswith(b"\r\n")
        headers = dict(line.split(b": ", 1) for line in head.split(b"\r\n"))
        parts.append((headers[b"Content-Range"].decode(), headers[b"Content-Type"].decode(),
                      data[:-2]))
    return parts


def test_multi_range_gets(swift):
    conn = swift.connection()
    c = swift.name()
    conn.put_container(c)
    data = os.urandom(100000)
    conn.put_object(c, "o", data, content_type="application/x-thing")
    url, headers = session(swift)
    r = requests.get(f"{url}/{c}/o", headers=dict(headers, Range="bytes=0-9, 50000-50009,-5"),
                     timeout=30)
    assert r.status_code == 206
    assert int(r.headers["Content-Length"]) == len(r.content)
    assert parse_byteranges(r) == [
        ("bytes 0-9/100000", "application/x-thing", data[:10]),
        ("bytes 50000-50009/100000", "application/x-thing", data[50000:50010]),
        ("bytes 99995-99999/100000", "application/x-thing", data[-5:])]
    r = requests.head(f"{url}/{c}/o", headers=dict(headers, Range="bytes=0-9,20-29"), timeout=30)
    assert r.status_code == 206 and int(r.headers["Content-Length"]) > 20
    # One satisfiable range: an ordinary 206; none: 416; too many: the whole object.
    r = requests.get(f"{url}/{c}/o", headers=dict(headers, Range="bytes=5-9,200000-"),
                     timeout=30)
    assert r.status_code == 206 and r.content == data[5:10]
    assert r.headers["Content-Range"] == "bytes 5-9/100000"
    r = requests.get(f"{url}/{c}/o", headers=dict(headers, Range="bytes=200000-,300000-"),
                     timeout=30)
    assert r.status_code == 416
    many = "bytes=" + ",".join(f"{i}-{i}" for i in range(51))
    r = requests.get(f"{url}/{c}/o", headers=dict(headers, Range=many), timeout=30)
    assert r.status_code == 200 and r.content == data
    # Across the segments of a large object.
    conn.put_container(c + "-seg")
    for i in range(3):
        conn.put_object(c + "-seg", f"p/{i}", data[i * 30000:(i + 1) * 30000])
    conn.put_object(c, "dlo", b"", headers={"X-Object-Manifest": f"{c}-seg/p/"})
    r = requests.get(f"{url}/{c}/dlo", headers=dict(headers, Range="bytes=29995-30004,59999-60000"),
                     timeout=30)
    assert [p[2] for p in parse_byteranges(r)] == [data[29995:30005], data[59999:60001]]


def test_reverse_container_listing(swift):
    conn = swift.connection()
    c = swift.name()
    conn.put_container(c)
    stored = [f"k{i:04d}" for i in range(1205)] + ["z/1", "z/2"]  # more than a store page
    with pyrgw.Store(swift.store_uri) as store:
        for k in stored:
            store.put_object(c, k, b"")
    url, headers = session(swift)

    def names(**params):
        r = requests.get(f"{url}/{c}", params=dict(params, format="json"), headers=headers,
                         timeout=30)
        return [e.get("name") or e.get("subdir") for e in r.json()]

    assert names(reverse="true") == stored[::-1]
    assert names(reverse="true", limit=2) == stored[::-1][:2]
    assert names(reverse="true", marker="k1150") == [k for k in stored[::-1] if k < "k1150"]
    assert names(reverse="true", marker="k1150", end_marker="k0001") == \
        [k for k in stored[::-1] if "k0001" < k < "k1150"]
    assert names(reverse="true", delimiter="/", prefix="z") == ["z/"]
    assert names(reverse="true", prefix="k11", limit=3) == \
        [k for k in stored[::-1] if k.startswith("k11")][:3]


# ---------------------------------------------------------------- FormPOST

def form_signature(key, path, redirect, max_size, max_count, expires, digest="sha1"):
    import base64

    body = f"{path}\n{redirect}\n{max_size}\n{max_count}\n{expires}".encode()
    mac = hmac.new(key.encode(), body, getattr(hashlib, digest))
    return mac.hexdigest() if digest == "sha1" else \
        f"{digest}:" + base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")


def test_formpost_uploads(swift):
    conn = swift.connection()
    c = swift.name()
    conn.put_container(c)
    conn.post_account({"X-Account-Meta-Temp-URL-Key": "form-key"})
    path = f"/swift/v1/AUTH_{swift.uid}/{c}/uploads/"
    url = swift.url + path
    expires = int(time.time()) + 600

    def fields(redirect="", max_size=1 << 20, max_count=3, expires=expires, key="form-key",
               digest="sha1", sig=None):
        return {"redirect": redirect, "max_file_size": str(max_size),
                "max_file_count": str(max_count), "expires": str(expires),
                "signature": sig or form_signature(key, path, redirect, max_size, max_count,
                                                   expires, digest)}

    big = os.urandom(3 * 1024 * 1024)
    r = requests.post(url, data=fields(max_size=4 << 20), timeout=60, files=[
        ("file1", ("a.txt", b"first file", "text/plain")),
        ("file2", ("b.bin", big, "application/x-b"))])
    assert r.status_code == 201 and r.text == "201 Created", r.text
    head = conn.head_object(c, "uploads/a.txt")
    assert head["content-type"] == "text/plain"
    assert conn.get_object(c, "uploads/a.txt")[1] == b"first file"
    assert conn.get_object(c, "uploads/b.bin")[1] == big
    # Redirects, and the other digests.
    r = requests.post(url, data=fields(redirect="https://app.test/done?x=1", digest="sha256"),
                      files=[("f", ("c.txt", b"c", "text/plain"))], allow_redirects=False,
                      timeout=30)
    assert r.status_code == 303
    assert r.headers["Location"] == "https://app.test/done?x=1&status=201&message="
    r = requests.post(url, data=fields(digest="sha512"), files=[("f", ("d.txt", b"d"))],
                      timeout=30)
    assert r.status_code == 201
    # Refusals.
    r = requests.post(url, data=fields(key="wrong"), files=[("f", ("e.txt", b"e"))], timeout=30)
    assert r.status_code == 401 and r.text == "401 Unauthorized\r\nFormPost: Invalid Signature"
    r = requests.post(url, data=fields(expires=int(time.time()) - 5),
                      files=[("f", ("e.txt", b"e"))], timeout=30)
    assert r.status_code == 401 and r.text.endswith("FormPost: Form Expired")
    r = requests.post(url, data=fields(max_size=10), files=[("f", ("big.txt", b"x" * 11))],
                      timeout=30)
    assert r.status_code == 400 and "Max_File_Size Exceeded" in r.text
    r = requests.post(url, data=fields(max_count=1), timeout=30, files=[
        ("f1", ("one.txt", b"1")), ("f2", ("two.txt", b"2"))])
    assert r.status_code == 400 and "Max File Count Exceeded" in r.text
    r = requests.post(url, data=b"--x\r\nnot a form", timeout=30,
                      headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert r.status_code == 400
    names = [o["name"] for o in conn.get_container(c)[1]]
    assert names == ["uploads/a.txt", "uploads/b.bin", "uploads/c.txt", "uploads/d.txt",
                     "uploads/one.txt"]  # nothing of the refused files, but the first of two
    # A container's key signs too.
    conn.post_container(c, {"X-Container-Meta-Temp-URL-Key": "container-form-key"})
    r = requests.post(url, data=fields(key="container-form-key"),
                      files=[("f", ("g.txt", b"g"))], timeout=30)
    assert r.status_code == 201


TEMP_URL_CASES = [
    ("/v1/AUTH_a/c/o", 1700000000, "k", "GET", {"absolute": True}),
    ("/v1/AUTH_a/c/\u00e9t\u00e9 o+x", 1700000000, "k\u00e9y", "PUT",
     {"absolute": True, "digest": "sha512"}),
    ("/v1/AUTH_a/c/pre", 1700000000, "k", "GET",
     {"absolute": True, "prefix": True, "ip_range": "10.0.0.0/8", "iso8601": True,
      "digest": "sha1"}),
    ("/v1/a/c/o/deep", "2027-01-01T00:00:00Z", "k", "HEAD", {}),
    ("/v1/AUTH_a/c/", 1700000000, "k", "DELETE", {"absolute": True, "prefix": True}),
    ("/swift/v1/AUTH_a/c/o", 1700000000, "k", "POST", {"absolute": True, "ip_range": "::1"}),
]


@pytest.mark.parametrize("case", range(len(TEMP_URL_CASES)))
def test_temp_url_is_byte_identical_to_python_swiftclient(case):
    import swiftclient.utils

    path, seconds, key, method, kwargs = TEMP_URL_CASES[case]
    assert pyrgw.temp_url(path, seconds, key, method, **kwargs) == \
        swiftclient.utils.generate_temp_url(path, seconds, key, method, **kwargs)
    # The command lines too.
    flags = [f for name, f in (("absolute", "--absolute"), ("prefix", "--prefix-based"),
                               ("iso8601", "--iso8601")) if kwargs.get(name)]
    if kwargs.get("ip_range"):
        flags += ["--ip-range", kwargs["ip_range"]]
    flags += ["--digest", kwargs.get("digest", "sha256")]
    args = flags + [method, str(seconds), "http://127.0.0.1:1" + path, key]
    bindir = os.path.dirname(sys.executable)
    ours = subprocess.run([os.path.join(bindir, "librgw-admin"), "tempurl"] + args,
                          capture_output=True, text=True, timeout=60)
    theirs = subprocess.run([os.path.join(bindir, "swift"), "tempurl"] + args,
                            capture_output=True, text=True, timeout=60)
    assert ours.returncode == theirs.returncode == 0, (ours.stderr, theirs.stderr)
    assert ours.stdout == theirs.stdout
    for bad in ("/v1/a/c", "v1/a/c/o"):
        with pytest.raises(ValueError):
            pyrgw.temp_url(bad, 60, "k", "GET")


def test_presign_url_is_byte_identical_to_boto3():
    import datetime
    import unittest.mock
    import urllib.parse

    import boto3
    from botocore.config import Config

    now = datetime.datetime(2026, 12, 5, 12, 0, 0, tzinfo=datetime.timezone.utc)
    client = boto3.client("s3", endpoint_url="http://127.0.0.1:8080", region_name="us-east-1",
                          aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret/with+chars",
                          config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
    for key in ("plain", "a b/c~d+\u00e9", "x" * 300):
        for method, op in (("GET", "get_object"), ("PUT", "put_object"),
                           ("DELETE", "delete_object")):
            with unittest.mock.patch("botocore.auth.get_current_datetime", return_value=now):
                theirs = client.generate_presigned_url(op, Params={"Bucket": "bkt", "Key": key},
                                                       ExpiresIn=3600)
            ours = pyrgw.presign_url("http://127.0.0.1:8080/bkt/" +
                                     urllib.parse.quote(key, safe="/~"), "AKIDEXAMPLE",
                                     "secret/with+chars", method=method, expires=3600,
                                     now=now.timestamp())
            assert ours == theirs, (key, method)


def test_temp_url_ip_ranges_through_the_door(swift):
    conn = swift.connection()
    c = swift.name()
    conn.put_container(c)
    conn.put_object(c, "o", b"ip")
    conn.post_account({"X-Account-Meta-Temp-URL-Key": "ip-key"})
    path = f"/swift/v1/AUTH_{swift.uid}/{c}/o"
    for ip_range, status in (("127.0.0.1", 200), ("127.0.0.0/8", 200), ("10.0.0.0/8", 401),
                             ("::1", 401), ("127.0.0.2", 401)):
        url = swift.url + pyrgw.temp_url(path, 300, "ip-key", "GET", ip_range=ip_range)
        assert requests.get(url, timeout=30).status_code == status, ip_range
    # The range is signed: changing it breaks the signature.
    url = swift.url + pyrgw.temp_url(path, 300, "ip-key", "GET", ip_range="10.0.0.0/8")
    assert requests.get(url.replace("10.0.0.0/8", "127.0.0.0/8"), timeout=30).status_code == 401


def test_swift_credentials_from_the_admin_cli(swift):
    """librgw-admin user modify --swift-key: the new key logs in at once,
    the old one and its tokens no longer do."""
    admin = [os.path.join(os.path.dirname(sys.executable), "librgw-admin"), "--store",
             swift.store_uri, "--json"]
    url, headers = session(swift)
    res = subprocess.run(admin + ["user", "modify", "--uid", swift.uid, "--swift-key", "cli-key"],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["swift_key"] == "cli-key"
    try:
        deadline = time.monotonic() + 30
        while requests.head(url, headers=headers, timeout=30).status_code != 401:
            assert time.monotonic() < deadline
            time.sleep(0.5)
        assert auth(swift, key="cli-key").status_code == 200
        assert auth(swift).status_code == 401
    finally:
        subprocess.run(admin + ["user", "modify", "--uid", swift.uid, "--swift-key", swift.key],
                       check=True, capture_output=True, timeout=60)
    deadline = time.monotonic() + 30
    while auth(swift).status_code != 200:
        assert time.monotonic() < deadline
        time.sleep(0.5)


def test_bulk_delete(swift):
    import urllib.parse

    conn = swift.connection()
    c, full = swift.name(), swift.name()
    conn.put_container(c)
    conn.put_container(full)
    conn.put_object(full, "keep", b"k")
    names = ["a", "b c", "d/\u00e9"]
    for n in names:
        conn.put_object(c, n, b"x")
    paths = [f"/{c}/{n}" for n in names] + [f"/{c}/missing", f"/{full}", "/nocontainer/x"]
    body = "\n".join(urllib.parse.quote(p) for p in paths) + "\n"
    url, headers = session(swift)
    r = requests.post(url + "?bulk-delete", data=body.encode(), timeout=30,
                      headers=dict(headers, Accept="application/json",
                                   **{"Content-Type": "text/plain"}))
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["Number Deleted"] == 3 and result["Number Not Found"] == 2
    assert result["Errors"] == [[f"/{full}", "409 Conflict"]]
    assert result["Response Status"] == "400 Bad Request"
    assert conn.get_container(c)[1] == []
    r = requests.post(url + "?bulk-delete", data=f"/{c}\n".encode(), headers=headers, timeout=30)
    assert r.status_code == 200 and r.text.startswith("Number Deleted: 1\nNumber Not Found: 0\n")
    # Another account's container: refused, per path.
    import uuid
    tag = uuid.uuid4().hex[:8]
    with pyrgw.Store(swift.store_uri) as store:
        store.create_user(f"bulk-{tag}", swift_user=f"b{tag}:u", swift_key="k")
    other = requests.get(swift.auth_url, headers={"X-Auth-User": f"b{tag}:u", "X-Auth-Key": "k"},
                         timeout=30)
    r = requests.post(other.headers["X-Storage-Url"] + "?bulk-delete",
                      data=f"/{full}/keep\n".encode(), timeout=30,
                      headers={"X-Auth-Token": other.headers["X-Auth-Token"],
                               "Accept": "application/json"})
    assert r.json()["Errors"] == [[f"/{full}/keep", "403 Forbidden"]]
    assert conn.get_object(full, "keep")[1] == b"k"
