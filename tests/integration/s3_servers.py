"""Doors under test: each starts a real server on 127.0.0.1 that serves S3
from a store URI, and yields its endpoint.

The S3 suite runs against every door in DOORS and every store driver; the
nginx and Apache modules join DOORS as they arrive.
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import requests

DOORS = ["wsgi"]

# Virtual-hosted-style requests use Host: <bucket>.s3.test (no DNS needed:
# tests connect to 127.0.0.1 and set the Host header).
S3_DOMAIN = "s3.test"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, proc, log_path, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n" + read_log(log_path))
        try:
            requests.get(f"http://127.0.0.1:{port}/", timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError("server did not start:\n" + read_log(log_path))


def read_log(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()[-5000:]
    except OSError:
        return ""


class Server:
    def __init__(self, door, url, proc, log_path):
        self.door = door
        self.url = url
        self.proc = proc
        self.log_path = log_path

    def stop(self):
        """Stops the server and every process it started (its own session)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        try:  # workers left behind by a master that had to be killed
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def start_wsgi(store_uri, workdir, domains=S3_DOMAIN, workers=2):
    """gunicorn (gthread workers) serving pyrgw.wsgi:application."""
    port = free_port()
    log_path = os.path.join(workdir, f"gunicorn-{port}.log")
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable))
    if gunicorn is None:
        raise RuntimeError("gunicorn is not installed in the test environment")
    env = dict(os.environ, RGW_STORE=store_uri, RGW_DOMAINS=domains)
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [gunicorn, "--bind", f"127.0.0.1:{port}", "--no-control-socket", "--workers", str(workers),
             "--worker-class", "gthread",
             "--threads", "4", "--timeout", "120", "pyrgw.wsgi:application"],
            stdout=log, stderr=subprocess.STDOUT, env=env, cwd=workdir, start_new_session=True)
    wait_for_port(port, proc, log_path)
    return Server("wsgi", f"http://127.0.0.1:{port}", proc, log_path)


STARTERS = {"wsgi": start_wsgi}
