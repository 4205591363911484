"""Streaming a large object in and out keeps the process's memory bounded."""
import os
import subprocess
import sys

WORKER = os.path.join(os.path.dirname(__file__), "store_worker.py")
SIZE_MB = 256
LIMIT_KB = 48 * 1024  # peak RSS growth allowed while moving 256 MiB each way


def test_streaming_memory_is_bounded(store_setup, bucket):
    out = subprocess.run([sys.executable, WORKER, "big_roundtrip", store_setup.uri, bucket,
                          "big", str(SIZE_MB)], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    size, etag, read_md5, before, after = out.stdout.split()
    assert int(size) == SIZE_MB << 20
    assert etag == read_md5
    assert int(after) - int(before) < LIMIT_KB, (before, after)
