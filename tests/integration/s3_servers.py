"""Doors under test: each starts a real server on 127.0.0.1 that serves S3
from a store URI, and yields its endpoint.

The S3 suite runs against every door in DOORS and every store driver: the
WSGI app under gunicorn, Debian's nginx with ngx_http_rgw_module and Debian's
Apache with mod_rgw, each on a configuration pyrgw generates.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

import requests

DOORS = ["wsgi", "nginx", "apache"]

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
    def __init__(self, door, url, proc, log_path, stop_signal=signal.SIGTERM):
        self.door = door
        self.url = url
        self.proc = proc
        self.log_path = log_path
        self.stop_signal = stop_signal

    # What a server logs when one of its processes dies on a signal: nginx,
    # Apache, gunicorn.
    CRASH = re.compile(r"exited on signal|exit signal|terminated due to signal|was sent SIG")

    def log_size(self):
        try:
            return os.path.getsize(self.log_path)
        except OSError:
            return 0

    def crashes_since(self, offset):
        """Lines of the log after offset that tell of a crashed process."""
        try:
            with open(self.log_path, errors="replace") as f:
                f.seek(offset)
                return [line for line in f if self.CRASH.search(line)]
        except OSError:
            return []

    def stop(self):
        """Stops the server and every process it started (its own session)."""
        if self.proc.poll() is None:
            self.proc.send_signal(self.stop_signal)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        try:  # workers left behind by a master that had to be killed
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def start_wsgi(store_uri, workdir, domains=S3_DOMAIN, workers=2, region=None):
    """gunicorn (gthread workers) serving pyrgw.wsgi:application."""
    port = free_port()
    log_path = os.path.join(workdir, f"gunicorn-{port}.log")
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable))
    if gunicorn is None:
        raise RuntimeError("gunicorn is not installed in the test environment")
    env = dict(os.environ, RGW_STORE=store_uri, RGW_DOMAINS=domains)
    if region:
        env["RGW_REGION"] = region
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [gunicorn, "--bind", f"127.0.0.1:{port}", "--no-control-socket", "--workers", str(workers),
             "--worker-class", "gthread",
             "--threads", "4", "--timeout", "120", "pyrgw.wsgi:application"],
            stdout=log, stderr=subprocess.STDOUT, env=env, cwd=workdir, start_new_session=True)
    wait_for_port(port, proc, log_path)
    return Server("wsgi", f"http://127.0.0.1:{port}", proc, log_path)


NGINX = "/usr/sbin/nginx"


def nginx_module():
    """The built ngx_http_rgw_module.so, from $LIBRGW_NGINX_MODULE (make test sets it)."""
    path = os.environ.get("LIBRGW_NGINX_MODULE")
    if not path:
        raise RuntimeError("LIBRGW_NGINX_MODULE is not set: it must name the built "
                           "ngx_http_rgw_module.so (make test-integration sets it)")
    if not os.path.isfile(path):
        raise RuntimeError(f"LIBRGW_NGINX_MODULE={path}: no such file (make nginx-module)")
    return path


def launch(server_class, cmd, conf_path, prefix, port):
    """Starts a web server's command (its output in prefix/server.out, its
    error log prefix/error.log) in its own session and waits for its port; returns a
    server_class(url, proc, log_path, conf_path, prefix, port)."""
    log_path = os.path.join(prefix, "error.log")
    with open(os.path.join(prefix, "server.out"), "w") as out:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    server = server_class(f"http://127.0.0.1:{port}", proc, log_path, conf_path, prefix, port)
    try:
        wait_for_port(port, proc, log_path)
    except BaseException:
        server.stop()
        raise
    return server


class NginxServer(Server):
    """nginx's master process in the foreground; stop() quits it gracefully
    (SIGQUIT), then kills its process group if it does not leave."""

    def __init__(self, url, proc, log_path, conf_path, prefix, port):
        super().__init__("nginx", url, proc, log_path, stop_signal=signal.SIGQUIT)
        self.conf_path = conf_path
        self.prefix = prefix
        self.port = port

    def worker_pids(self):
        """The master's children: its worker processes."""
        with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children") as f:
            return sorted(int(p) for p in f.read().split())


def nginx_settings(store_uri, workdir, domains=S3_DOMAIN, workers=2, **options):
    """NginxSettings for a test server in workdir (pid, logs and temp files
    under workdir/nginx-PORT); options are further NginxSettings fields."""
    from pyrgw.nginx_conf import NginxSettings

    port = options.pop("port", None) or free_port()
    prefix = os.path.join(workdir, f"nginx-{port}")
    os.makedirs(prefix, exist_ok=True)
    if isinstance(domains, str):
        domains = [d for d in domains.split(",") if d]
    return NginxSettings(store=store_uri, listen=f"127.0.0.1:{port}", domains=list(domains),
                         workers=workers, module=nginx_module(), prefix=prefix,
                         error_log_level=options.pop("error_log_level", "info"), **options)


def run_nginx(settings, text=None):
    """Starts nginx in the foreground on the configuration rendered from
    settings (or on text, a configuration rendered from them and edited),
    and waits for its port.  Returns an NginxServer."""
    from pyrgw.nginx_conf import render

    prefix = settings.prefix
    port = int(settings.listen.rsplit(":", 1)[1])
    conf_path = os.path.join(prefix, "nginx.conf")
    with open(conf_path, "w") as f:
        f.write(render(settings) if text is None else text)
    log_path = os.path.join(prefix, "error.log")
    return launch(NginxServer, [NGINX, "-p", prefix + "/", "-c", conf_path, "-e", log_path],
                  conf_path, prefix, port)


def start_nginx(store_uri, workdir, domains=S3_DOMAIN, workers=2, **options):
    """Debian's nginx with ngx_http_rgw_module, on a full nginx.conf that
    pyrgw.nginx_conf renders."""
    return run_nginx(nginx_settings(store_uri, workdir, domains, workers, **options))


APACHE = "/usr/sbin/apache2"


def apache_module():
    """The built mod_rgw.so, from $LIBRGW_APACHE_MODULE (make test sets it)."""
    path = os.environ.get("LIBRGW_APACHE_MODULE")
    if not path:
        raise RuntimeError("LIBRGW_APACHE_MODULE is not set: it must name the built "
                           "mod_rgw.so (make test-integration sets it)")
    if not os.path.isfile(path):
        raise RuntimeError(f"LIBRGW_APACHE_MODULE={path}: no such file (make apache-module)")
    return path


class ApacheServer(Server):
    """Apache's parent process in the foreground (-DFOREGROUND); stop() stops
    it (SIGTERM: children finish at once), then kills its process group."""

    def __init__(self, url, proc, log_path, conf_path, prefix, port):
        super().__init__("apache", url, proc, log_path)
        self.conf_path = conf_path
        self.prefix = prefix
        self.port = port

    def child_pids(self):
        """The parent's children: its server processes."""
        with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children") as f:
            return sorted(int(p) for p in f.read().split())


def apache_settings(store_uri, workdir, domains=S3_DOMAIN, workers=2, **options):
    """ApacheSettings for a test server in workdir (pid, logs and locks under
    workdir/apache-PORT); options are further ApacheSettings fields."""
    from pyrgw.apache_conf import ApacheSettings

    port = options.pop("port", None) or free_port()
    prefix = os.path.join(workdir, f"apache-{port}")
    os.makedirs(prefix, exist_ok=True)
    if isinstance(domains, str):
        domains = [d for d in domains.split(",") if d]
    return ApacheSettings(store=store_uri, listen=f"127.0.0.1:{port}", domains=list(domains),
                          processes=workers, module=apache_module(), prefix=prefix,
                          log_level=options.pop("log_level", "info"), **options)


def apache_command(conf_path):
    """apache2 in the foreground on conf_path.  Run as root, Apache would
    hand its children to www-data, who cannot write the tests' root-owned
    stores: it starts as nobody instead, keeping CAP_DAC_OVERRIDE (Apache
    started by another user than root changes no user)."""
    cmd = [APACHE, "-f", conf_path, "-DFOREGROUND"]
    if os.geteuid() != 0:
        return cmd
    return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
            "--inh-caps=+dac_override", "--ambient-caps=+dac_override"] + cmd


def run_apache(settings, text=None):
    """Starts Apache on the configuration rendered from settings (or on
    text, one rendered from them and edited) and waits for its port.
    Returns an ApacheServer."""
    from pyrgw.apache_conf import render

    prefix = settings.prefix
    port = int(settings.listen.rsplit(":", 1)[1])
    conf_path = os.path.join(prefix, "apache2.conf")
    with open(conf_path, "w") as f:
        f.write(render(settings) if text is None else text)
    return launch(ApacheServer, apache_command(conf_path), conf_path, prefix, port)


def start_apache(store_uri, workdir, domains=S3_DOMAIN, workers=2, **options):
    """Debian's Apache with mod_rgw (event MPM unless options say otherwise),
    on a full apache2.conf that pyrgw.apache_conf renders."""
    return run_apache(apache_settings(store_uri, workdir, domains, workers, **options))


STARTERS = {"wsgi": start_wsgi, "nginx": start_nginx, "apache": start_apache}
