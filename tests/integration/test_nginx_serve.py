"""`python -m pyrgw.serve_nginx` (what `make demo` runs): creates the user
from RGW_ACCESS_KEY/RGW_SECRET_KEY, renders and checks the nginx config,
prints the endpoint and keys, serves S3 through Debian's nginx with the
module, and stops cleanly on Ctrl-C, letting a request in progress finish."""
import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time

import pytest
import serve_helpers
from s3_servers import free_port, wait_for_port
from s3_signing import sign_v4
from serve_helpers import client

import pyrgw


def nginx_module():
    path = os.environ.get("LIBRGW_NGINX_MODULE")
    assert path and os.path.isfile(path), (
        f"LIBRGW_NGINX_MODULE must name the built ngx_http_rgw_module.so (make nginx-module): {path!r}")
    return path


def start(tmp_path, port, store, run_dir):
    log_path = str(tmp_path / f"serve-{port}.log")
    env = dict(os.environ, RGW_ACCESS_KEY="AKDEMO", RGW_SECRET_KEY="SKDEMO", RGW_PORT=str(port))
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "pyrgw.serve_nginx", "--store", store,
                                 "--module", nginx_module(), "--run-dir", run_dir],
                                stdout=log, stderr=subprocess.STDOUT, env=env)
    wait_for_port(port, proc, log_path)
    return proc, log_path


def kill_all(proc, run_dir):
    serve_helpers.kill_all(proc, os.path.join(run_dir, "nginx.pid"))


def stop(proc, log_path):
    serve_helpers.stop(proc, log_path, "nginx")


def test_demo_prints_credentials_serves_and_stops_cleanly(tmp_path):
    port = free_port()
    store = "local:" + str(tmp_path / "store")
    run_dir = str(tmp_path / "run")
    proc, log_path = start(tmp_path, port, store, run_dir)
    try:
        out = open(log_path).read()
        assert f"S3 endpoint:   http://127.0.0.1:{port}" in out
        assert "ngx_http_rgw_module" in out
        assert re.search(r"access key:\s+AKDEMO", out) and re.search(r"secret key:\s+SKDEMO", out)
        assert f"aws --endpoint-url http://127.0.0.1:{port} s3 mb s3://demo" in out
        # The config it runs is the generator's, checked by nginx -t.
        conf = open(os.path.join(run_dir, "nginx.conf")).read()
        assert "load_module" in conf and "rgw on;" in conf and f"127.0.0.1:{port}" in conf
        c = client(port)
        c.create_bucket(Bucket="served")
        c.put_object(Bucket="served", Key="k", Body=b"v")
        assert c.get_object(Bucket="served", Key="k")["Body"].read() == b"v"
        master = int(open(os.path.join(run_dir, "nginx.pid")).read())
    except BaseException:
        kill_all(proc, run_dir)
        raise
    stop(proc, log_path)
    with pytest.raises(ProcessLookupError):
        os.kill(master, 0)

    # Again on the same store: the user and the data are still there.
    proc, log_path = start(tmp_path, port, store, run_dir)
    try:
        assert client(port).get_object(Bucket="served", Key="k")["Body"].read() == b"v"
    finally:
        stop(proc, log_path)


def test_ctrl_c_lets_an_upload_in_progress_finish(tmp_path):
    """SIGINT stops nginx gracefully: an upload already streaming completes."""
    port = free_port()
    store = "local:" + str(tmp_path / "store")
    run_dir = str(tmp_path / "run")
    proc, log_path = start(tmp_path, port, store, run_dir)
    c = client(port)
    c.create_bucket(Bucket="slow")
    started = threading.Event()
    result = {}

    class Endpoint:
        url = f"http://127.0.0.1:{port}"
        access_key, secret_key = "AKDEMO", "SKDEMO"

    def upload():
        try:
            stream()
        except BaseException as e:  # seen by the asserts below
            result["error"] = repr(e)
            started.set()

    def stream():
        size = 20 * 65536
        headers = sign_v4(Endpoint, "PUT", "/slow/streamed", payload_hash="UNSIGNED-PAYLOAD",
                          headers={"Content-Length": str(size)})
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.putrequest("PUT", "/slow/streamed", skip_host="Host" in headers,
                        skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        for i in range(20):  # 2 s of streaming
            conn.send(b"x" * 65536)
            if i == 2:
                started.set()
            time.sleep(0.1)
        r = conn.getresponse()
        result["status"], result["body"] = r.status, r.read()

    t = threading.Thread(target=upload)
    t.start()
    try:
        assert started.wait(10) and "error" not in result, result  # the upload is streaming
        proc.send_signal(signal.SIGINT)
        t.join(60)
        assert proc.wait(60) == 0, open(log_path).read()
    finally:
        if proc.poll() is None:  # a failed assert above: leave no server behind
            kill_all(proc, run_dir)
    assert result.get("status") == 200, (result, open(log_path).read())
    # The object is complete in the store.
    with pyrgw.Store(store) as s:
        assert s.stat_object("slow", "streamed").size == 20 * 65536
