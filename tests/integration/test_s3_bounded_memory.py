"""A large object streamed through a door in both directions keeps the
serving process's memory bounded (no whole-object buffering anywhere)."""
import hashlib
import os

import requests
from s3_servers import start_wsgi
from s3_signing import sign_v4

import pyrgw

SIZE = 256 << 20
CHUNK = 1 << 20
LIMIT_KB = 64 * 1024  # peak RSS growth allowed while moving 256 MiB each way


def peak_rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM")


def worker_pid(master_pid):
    with open(f"/proc/{master_pid}/task/{master_pid}/children") as f:
        children = f.read().split()
    assert len(children) == 1, children
    return int(children[0])


class Endpoint:
    def __init__(self, url, ak, sk):
        self.url, self.access_key, self.secret_key = url, ak, sk


def test_wsgi_door_streams_with_bounded_memory(store_setup, tmp_path):
    with pyrgw.Store(store_setup.uri) as store:
        uid = store_setup.name("mem")
        store.create_user(uid, access_key="AK" + store_setup.tag, secret_key="SK" + store_setup.tag)
        bucket = store_setup.name("membkt")
        store.create_bucket(bucket, owner=uid)
    server = start_wsgi(store_setup.uri, str(tmp_path), workers=1)
    try:
        ep = Endpoint(server.url, "AK" + store_setup.tag, "SK" + store_setup.tag)
        pid = worker_pid(server.proc.pid)
        path = f"/{bucket}/big"
        small = requests.put(ep.url + f"/{bucket}/warm", data=b"w",
                             headers=sign_v4(ep, "PUT", f"/{bucket}/warm", body=b"w"))
        assert small.status_code == 200
        before = peak_rss_kb(pid)

        md5 = hashlib.md5()

        def body():
            block = os.urandom(CHUNK)
            for i in range(SIZE // CHUNK):
                chunk = bytes([i & 255]) + block[1:]
                md5.update(chunk)
                yield chunk

        h = sign_v4(ep, "PUT", path, payload_hash="UNSIGNED-PAYLOAD")
        r = requests.put(ep.url + path, data=body(), headers=h)  # chunked transfer encoding
        assert r.status_code == 200, r.content
        assert r.headers["ETag"] == f'"{md5.hexdigest()}"'

        got = hashlib.md5()
        n = 0
        with requests.get(ep.url + path, headers=sign_v4(ep, "GET", path), stream=True) as r:
            assert r.status_code == 200
            for chunk in r.iter_content(CHUNK):
                got.update(chunk)
                n += len(chunk)
        assert n == SIZE and got.hexdigest() == md5.hexdigest()
        after = peak_rss_kb(pid)
        print(f"worker peak RSS {before} kB -> {after} kB")
        assert after - before < LIMIT_KB, (before, after)
    finally:
        server.stop()
