"""The documentation's examples run: every ```sh and ```python block of the
pages in PAGES is executed, in order, against a server one of its own
blocks starts, so the docs cannot drift from the code.

What a page may say in an HTML comment just before a block (invisible on
the site):
  <!-- docs-test: background -->  each line starts a server (in the
      repository, as a reader would type it, with RGW_PORT and RGW_DATA
      chosen by the test); the test waits for "Ctrl-C stops it", reads the
      keys it printed, and stops it with Ctrl-C at the end;
  <!-- docs-test: skip (why) -->   the block is not run, for the reason given.
In the other blocks, the default endpoint's port 8080 becomes the test
server's, and <access key> and <secret key> become the printed keys.  Shell
blocks run under bash -e in a scratch directory; Python blocks under the
test's interpreter.  Each must exit 0.
"""
import os
import re
import signal
import subprocess
import sys
import time

import pytest
from s3_servers import free_port

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PAGES = ["quickstart.md"]
BLOCK = re.compile(r"(?:<!-- docs-test: (?P<mark>[^>]*?) -->\n)?```(?P<lang>\w+)\n(?P<body>.*?)```",
                   re.S)


def blocks(page):
    with open(os.path.join(REPO, "docs", page)) as f:
        text = f.read()
    return [(m.group("mark") or "", m.group("lang"), m.group("body"))
            for m in BLOCK.finditer(text)]


def start_background(line, tmp_path, port):
    log_path = tmp_path / f"background-{port}.log"
    env = dict(os.environ, RGW_PORT=str(port), RGW_DATA=str(tmp_path / "data"),
               PATH=os.path.dirname(sys.executable) + ":" + os.environ["PATH"])
    log = open(log_path, "w")
    proc = subprocess.Popen(["bash", "-c", line], cwd=REPO, env=env, stdout=log,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        text = log_path.read_text()
        if "Ctrl-C stops it" in text:
            keys = {"<access key>": re.search(r"access key:\s+(\S+)", text).group(1),
                    "<secret key>": re.search(r"secret key:\s+(\S+)", text).group(1)}
            return proc, log_path, keys
        if proc.poll() is not None:
            pytest.fail(f"{line!r} ended with {proc.returncode}:\n{text[-3000:]}")
        time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGKILL)
    pytest.fail(f"{line!r} did not start:\n{log_path.read_text()[-3000:]}")


def stop_background(proc, log_path):
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground group
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        pytest.fail("the server did not stop on Ctrl-C:\n" + log_path.read_text()[-3000:])


@pytest.mark.parametrize("page", PAGES)
def test_page_examples_run(page, tmp_path):
    found = blocks(page)
    assert found, f"{page}: no code blocks"
    servers, subst = [], {}
    port = free_port()
    workdir = tmp_path / "work"
    workdir.mkdir()
    try:
        for mark, lang, body in found:
            if mark.startswith("skip"):
                assert re.match(r"skip \(.+\)$", mark), f"{page}: a skip says why: {mark!r}"
                continue
            if mark == "background":
                for line in body.splitlines():
                    line = line.split("#", 1)[0].strip()
                    if line:
                        proc, log_path, keys = start_background(line, tmp_path, port)
                        servers.append((proc, log_path))
                        subst.update(keys)
                continue
            assert not mark, f"{page}: unknown mark {mark!r}"
            assert lang in ("sh", "python"), f"{page}: a ```{lang} block is neither run nor skipped"
            code = body.replace("127.0.0.1:8080", f"127.0.0.1:{port}")
            for placeholder, value in subst.items():
                code = code.replace(placeholder, value)
            assert not re.search(r"<[a-z][a-z ]*>", code), f"{page}: a placeholder is left:\n{code}"
            cmd = ["bash", "-e", "-c", code] if lang == "sh" else [sys.executable, "-c", code]
            env = dict(os.environ, PATH=os.path.dirname(sys.executable) + ":" + os.environ["PATH"])
            res = subprocess.run(cmd, cwd=workdir, env=env, capture_output=True, text=True,
                                 timeout=300)
            assert res.returncode == 0, f"{page}: this block failed:\n{body}\n{res.stdout}{res.stderr}"
    finally:
        for proc, log_path in servers:
            stop_background(proc, log_path)
