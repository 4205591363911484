"""The documentation's examples run: every ```sh and ```python block of the
pages in PAGES is executed, in order, so the docs cannot drift from the code.
A page's blocks run one after the other and share a scratch directory; one
that fails fails the page's test.

What a page may say in an HTML comment just before a block (invisible on
the site):
  <!-- docs-test: background -->  the block's one command starts a server
      (in the repository, as a reader would type it in another terminal:
      without the page's exports, with RGW_PORT and RGW_DATA chosen by the
      test); the test waits until the page's port
      (8080 on the page) accepts connections, reads the keys it printed, if
      any, and stops it with Ctrl-C before the next background block starts
      and at the end of the page;
  <!-- docs-test: skip (why) -->   the block is not run, for the reason given;
  <!-- docs-test: in the repository -->  the block runs in the repository
      (for commands a page says to type in a clone) instead of the scratch
      directory;
  <!-- docs-test: output -->       (on a ```text block) what the run block
      before it printed (stdout and stderr): each line of the text must be a
      whole line of that output, in this order (other lines may come
      between), with "..." matching any text within a line.
Other blocks (```nginx, ```apache, ```ini: configuration files) are not
run.

Before a block (or a background command) runs, the test rewrites it so that
it touches nothing outside its scratch space:
  - 8080, the default port, becomes a free port of the test's;
  - /var/lib/librgw (a store directory, and /var/lib/librgw-nginx and the
    like beside it) moves under the test's temporary directory;
  - <access key> and <secret key> become the keys printed last, by a server
    (`access key:    AK...`) or by a block (librgw-admin's `access key AK...`);
  - on a page whose run blocks name /etc/ceph, the page needs a Ceph cluster:
    /etc/ceph becomes the directory of the session's throwaway cluster (the
    `ceph_cluster` fixture of conftest.py), which holds its ceph.conf, so
    rados:...?conf=/etc/ceph/ceph.conf reaches that cluster and a keyring
    written to /etc/ceph/ lands beside it; CEPH_CONF names that ceph.conf,
    so `ceph` and `rados` commands without -c reach it too.  The cluster runs
    without cephx: keyrings are written but not checked.  The pools a page
    creates stay until the session's cluster is gone.
The web-server modules the page's commands load by default (where packages
install them) are the built ones: RGW_NGINX_MODULE and RGW_APACHE_MODULE
name $LIBRGW_NGINX_MODULE and $LIBRGW_APACHE_MODULE.  Shell blocks run under
bash -e in the scratch directory, Python blocks under the test's
interpreter, with the interpreter's directory (the venv's bin: python,
librgw-admin, aws, gunicorn) first in PATH.  Each must exit 0.  What a shell
block exports stays exported in the page's later shell blocks, as in one
terminal (`export RGW_STORE=...` once).
"""
import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest
from s3_servers import apache_module, free_port, nginx_module

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PAGES = ["quickstart.md", "nginx-module.md", "apache-module.md", "wsgi.md", "guides/local-store.md",
         "guides/ceph.md", "guides/signed-urls.md", "guides/agents.md",
         "guides/benchmarks-howto.md"]
BLOCK = re.compile(r"(?:<!-- docs-test: (?P<mark>[^>]*?) -->\n)?```(?P<lang>\w+)\n(?P<body>.*?)```",
                   re.S)
RUN = ("sh", "python")
KEYS = {"<access key>": re.compile(r"access key:?[ \t]+(\S+)"),
        "<secret key>": re.compile(r"secret key:?[ \t]+(\S+)")}


def blocks(page):
    with open(os.path.join(REPO, "docs", page)) as f:
        text = f.read()
    return [(m.group("mark") or "", m.group("lang"), m.group("body"))
            for m in BLOCK.finditer(text)]


def printed_keys(text):
    """The last access and secret key that text shows, if it shows both."""
    found = {p: rx.findall(text) for p, rx in KEYS.items()}
    return {p: v[-1] for p, v in found.items()} if all(found.values()) else {}


def port_open(port):
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def start_background(line, env, tmp_path, port):
    assert not port_open(port), f"port {port} is taken before {line!r}"
    log_path = tmp_path / f"background-{time.monotonic_ns()}.log"
    log = open(log_path, "w")
    proc = subprocess.Popen(["bash", "-c", line], cwd=REPO, env=env, stdout=log,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if port_open(port):
            text = log_path.read_text()  # pyrgw.serve*: wait for the keys too
            if "S3 endpoint:" not in text or "secret key:" in text:
                return proc, log_path
        if proc.poll() is not None:
            pytest.fail(f"{line!r} ended with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.3)
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


def check_output(page, expected, output):
    """Each line of expected, in order, is a whole line of output ("..."
    matches any text)."""
    lines = output.splitlines()
    at = 0
    for want in expected.splitlines():
        if not want.strip():
            continue
        rx = re.compile(".*".join(re.escape(part) for part in want.split("...")) + r"\Z")
        while at < len(lines) and not rx.match(lines[at]):
            at += 1
        assert at < len(lines), f"{page}: the output lacks {want!r} (in order):\n{output}"
        at += 1


def uses_ceph(found):
    return any("/etc/ceph" in body for mark, lang, body in found
               if lang in RUN and not mark.startswith("skip"))


@pytest.mark.parametrize("page", PAGES)
def test_page_examples_run(page, tmp_path, request):
    found = blocks(page)
    assert found, f"{page}: no code blocks"
    port = free_port()
    root = tmp_path / "root"  # /var/lib/librgw... moves under it
    (root / "var" / "lib").mkdir(parents=True)
    workdir = tmp_path / "work"
    workdir.mkdir()
    env = dict(os.environ, RGW_PORT=str(port), RGW_DATA=str(tmp_path / "data"),
               PATH=os.path.dirname(sys.executable) + ":" + os.environ["PATH"])
    env.update(RGW_NGINX_MODULE=nginx_module(), RGW_APACHE_MODULE=apache_module())
    ceph_dir = None
    if uses_ceph(found):
        cluster = request.getfixturevalue("ceph_cluster")
        ceph_dir = os.path.dirname(cluster.conf_path)
        env["CEPH_CONF"] = cluster.conf_path

    subst = {}

    def rewrite(code):
        code = re.sub(r"\b8080\b", str(port), code)
        code = code.replace("/var/lib/librgw", f"{root}/var/lib/librgw")
        if ceph_dir:
            code = code.replace("/etc/ceph", ceph_dir)
        for placeholder, value in subst.items():
            code = code.replace(placeholder, value)
        return code

    exports = tmp_path / "exports.sh"
    exports.write_text("")
    servers, output = [], None
    try:
        for mark, lang, body in found:
            if mark.startswith("skip"):
                assert re.match(r"skip \(.+\)$", mark), f"{page}: a skip says why: {mark!r}"
                continue
            if mark == "output":
                assert lang not in RUN, f"{page}: an output block is ```text, not ```{lang}"
                assert output is not None, f"{page}: an output block follows no run block"
                check_output(page, rewrite(body), output)
                continue
            if mark == "background":
                lines = [ln for ln in (raw.split("#", 1)[0].strip() for raw in body.splitlines())
                         if ln]
                assert len(lines) == 1, f"{page}: a background block has one command: {body}"
                while servers:
                    stop_background(*servers.pop())
                proc, log_path = start_background(rewrite(lines[0]), env, tmp_path, port)
                servers.append((proc, log_path))
                subst.update(printed_keys(log_path.read_text()))
                output = None
                continue
            assert mark in ("", "in the repository"), f"{page}: unknown mark {mark!r}"
            if lang not in RUN:
                continue  # a configuration file
            code = rewrite(body)
            assert not re.search(r"<[a-z][a-z ]*>", code), f"{page}: a placeholder is left:\n{code}"
            if lang == "sh":  # the exports of the blocks before, and this one's for the next
                cmd = ["bash", "-e", "-c", f". {exports}\ntrap 'export -p > {exports}' EXIT\n{code}"]
            else:
                cmd = [sys.executable, "-c", code]
            res = subprocess.run(cmd, cwd=REPO if mark else workdir, env=env, capture_output=True,
                                 text=True, timeout=300, stdin=subprocess.DEVNULL)
            output = res.stdout + res.stderr
            assert res.returncode == 0, f"{page}: this block failed:\n{body}\n{output}"
            subst.update(printed_keys(res.stdout))
    finally:
        for proc, log_path in servers:
            stop_background(proc, log_path)
