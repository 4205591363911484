"""`python -m pyrgw.serve_apache` (what `make demo-apache` runs): creates the
user from RGW_ACCESS_KEY/RGW_SECRET_KEY, renders and checks a standalone
apache2.conf, prints the endpoint and keys, serves S3 through Debian's
Apache with mod_rgw, and stops gracefully on Ctrl-C.  Run as root, Apache's
children run as www-data, which is handed the local store."""
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile

import pytest
import serve_helpers
from s3_servers import free_port, wait_for_port
from serve_helpers import client

import pyrgw


def apache_module():
    path = os.environ.get("LIBRGW_APACHE_MODULE")
    assert path and os.path.isfile(path), (
        f"LIBRGW_APACHE_MODULE must name the built mod_rgw.so (make apache-module): {path!r}")
    return path


@pytest.fixture
def open_dir():
    """A directory that Apache's children (www-data, when root runs the
    tests) can enter: pytest's own tmp_path is closed to other users."""
    path = tempfile.mkdtemp(prefix="rgw-serve-apache-")
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def run(args, port, env_keys=("AKDEMO", "SKDEMO"), **kwargs):
    env = dict(os.environ, RGW_ACCESS_KEY=env_keys[0], RGW_SECRET_KEY=env_keys[1], RGW_PORT=str(port))
    return [sys.executable, "-m", "pyrgw.serve_apache", "--module", apache_module(), *args], env


def start(port, store, run_dir):
    log_path = os.path.join(run_dir + ".log")
    argv, env = run(["--store", store, "--run-dir", run_dir], port)
    with open(log_path, "w") as log:
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env)
    wait_for_port(port, proc, log_path)
    return proc, log_path


def kill_all(proc, run_dir):
    serve_helpers.kill_all(proc, os.path.join(run_dir, "apache2.pid"))


def stop(proc, log_path):
    serve_helpers.stop(proc, log_path, "Apache")


def test_demo_prints_credentials_serves_and_stops_cleanly(open_dir):
    port = free_port()
    store_dir = os.path.join(open_dir, "store")
    store = "local:" + store_dir
    run_dir = os.path.join(open_dir, "run")
    proc, log_path = start(port, store, run_dir)
    try:
        out = open(log_path).read()
        assert f"S3 endpoint:   http://127.0.0.1:{port}" in out and "mod_rgw" in out
        assert re.search(r"access key:\s+AKDEMO", out) and re.search(r"secret key:\s+SKDEMO", out)
        assert f"aws --endpoint-url http://127.0.0.1:{port} s3 mb s3://demo" in out
        conf = open(os.path.join(run_dir, "apache2.conf")).read()
        assert "LoadModule rgw_module" in conf and "RGW On" in conf and f"127.0.0.1:{port}" in conf
        c = client(port)
        c.create_bucket(Bucket="served")
        c.put_object(Bucket="served", Key="k", Body=b"v" * 100000)
        assert c.get_object(Bucket="served", Key="k")["Body"].read() == b"v" * 100000
        parent = int(open(os.path.join(run_dir, "apache2.pid")).read())
        if os.geteuid() == 0:
            # The children serve as www-data, and the store is theirs.
            www = pwd.getpwnam("www-data").pw_uid
            assert os.stat(store_dir).st_uid == www
            with open(f"/proc/{parent}/task/{parent}/children") as f:
                children = [int(p) for p in f.read().split()]
            assert children and all(os.stat(f"/proc/{p}").st_uid == www for p in children)
    except BaseException:
        kill_all(proc, run_dir)
        raise
    stop(proc, log_path)
    with pytest.raises(ProcessLookupError):
        os.kill(parent, 0)

    # Again on the same store: the user and the data are still there.
    proc, log_path = start(port, store, run_dir)
    try:
        assert client(port).get_object(Bucket="served", Key="k")["Body"].read() == b"v" * 100000
    except BaseException:
        kill_all(proc, run_dir)
        raise
    stop(proc, log_path)


def test_a_key_another_user_holds_ends_it_in_one_line(open_dir):
    store = "local:" + os.path.join(open_dir, "store")
    with pyrgw.Store(store) as s:
        s.create_user("someone-else", access_key="AKTAKEN", secret_key="SKTAKEN")
    argv, env = run(["--store", store, "--run-dir", os.path.join(open_dir, "run")], free_port(),
                    env_keys=("AKTAKEN", "SKOTHER"))
    r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert r.stderr.strip().splitlines() == [
        "serve_apache: the access key AKTAKEN belongs to another user than 'admin': "
        "give that user's --uid, or another key"], r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="only root's Apache hands its children to www-data")
def test_a_store_www_data_cannot_reach_is_refused_before_anything_changes(tmp_path):
    closed = tmp_path / "closed"
    closed.mkdir(mode=0o700)
    store_dir = closed / "store"
    argv, env = run(["--store", f"local:{store_dir}", "--run-dir", str(tmp_path / "run")], free_port())
    r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert f"www-data, who cannot reach {store_dir}" in r.stderr and "Traceback" not in r.stderr
    assert not store_dir.exists()  # no store made, no ownership changed
    assert os.stat(closed).st_uid == 0
