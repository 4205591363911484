"""What the tests of the one-command servers (python -m pyrgw.serve_nginx,
python -m pyrgw.serve_apache) share: stopping them, and a client with the
keys they are started with."""
import os
import signal

import boto3
from botocore.config import Config

DEMO_KEYS = ("AKDEMO", "SKDEMO")


def kill_all(proc, pid_file):
    """After a failed assert: stop the serve process and the web server it
    runs (in a session of its own, it would outlive a killed parent)."""
    try:
        with open(pid_file) as f:
            os.kill(int(f.read()), signal.SIGTERM)
    except (OSError, ValueError):
        pass
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def stop(proc, log_path, server):
    """Ctrl-C: the serve process stops its server gracefully and exits 0,
    saying "<server> stopped"."""
    proc.send_signal(signal.SIGINT)
    rc = proc.wait(60)
    with open(log_path) as f:
        text = f.read()
    assert rc == 0, text
    assert f"{server} stopped" in text, text


def client(port):
    return boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                        aws_access_key_id=DEMO_KEYS[0], aws_secret_access_key=DEMO_KEYS[1],
                        config=Config(s3={"addressing_style": "path"}))
