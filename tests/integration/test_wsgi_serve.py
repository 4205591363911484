"""`python -m pyrgw.serve` (what `make serve` runs): creates the user, prints
the endpoint and keys, serves S3, and stops on Ctrl-C."""
import os
import re
import signal
import subprocess
import sys
import time

import boto3
from botocore.config import Config
from s3_servers import free_port, wait_for_port


def wait_for_workers(log_path, n, timeout=30):
    """Waits until gunicorn has booted n workers (Ctrl-C is then a plain stop)."""
    deadline = time.monotonic() + timeout
    while open(log_path).read().count("Booting worker") < n and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)


def test_serve_prints_credentials_and_serves(tmp_path):
    port = free_port()
    store = "local:" + str(tmp_path / "store")
    log_path = str(tmp_path / "serve.log")
    env = dict(os.environ, RGW_ACCESS_KEY="AKSERVE", RGW_SECRET_KEY="SKSERVE", RGW_PORT=str(port))
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "pyrgw.serve", "--store", store],
                                stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        wait_for_port(port, proc, log_path)
        out = open(log_path).read()
        assert f"S3 endpoint:   http://127.0.0.1:{port}" in out
        assert re.search(r"access key:\s+AKSERVE", out) and re.search(r"secret key:\s+SKSERVE", out)
        assert f"aws --endpoint-url http://127.0.0.1:{port} s3 mb s3://demo" in out
        c = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                         aws_access_key_id="AKSERVE", aws_secret_access_key="SKSERVE",
                         config=Config(s3={"addressing_style": "path"}))
        c.create_bucket(Bucket="served")
        c.put_object(Bucket="served", Key="k", Body=b"v")
        assert c.get_object(Bucket="served", Key="k")["Body"].read() == b"v"
        wait_for_workers(log_path, 2)
    finally:
        proc.send_signal(signal.SIGINT)
        rc = proc.wait(60)  # gunicorn lets booting workers finish first
    assert rc == 0, open(log_path).read()
    # Serving again on the same store keeps the user and its data.
    env["RGW_PORT"] = str(port)
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "pyrgw.serve", "--store", store],
                                stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        wait_for_port(port, proc, log_path)
        assert c.get_object(Bucket="served", Key="k")["Body"].read() == b"v"
        wait_for_workers(log_path, 2)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(60)
