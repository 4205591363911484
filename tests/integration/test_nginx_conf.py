"""nginx configuration for the nginx module: pyrgw.nginx_conf and
`librgw-admin nginx-conf`.

The nginx -t tests load the real module: LIBRGW_NGINX_MODULE names the built
ngx_http_rgw_module.so (make test exports it); without it they fail.
"""
import os
import re
import shutil
import subprocess
import sys

import pytest
from conf_values import FORBIDDEN

from pyrgw.nginx_conf import NginxSettings, check, render

CLI = shutil.which("librgw-admin", path=os.path.dirname(sys.executable)) or "librgw-admin"
NGINX = "/usr/sbin/nginx"
RADOS_URI = "rados:rgw?conf=/etc/ceph/ceph.conf&client=rgw"



def nginx_module():
    path = os.environ.get("LIBRGW_NGINX_MODULE")
    if not path or not os.path.isfile(path):
        pytest.fail(f"LIBRGW_NGINX_MODULE must name the built ngx_http_rgw_module.so "
                    f"(make test exports it); it is {path!r}")
    return path


def directives(text):
    """The directive lines of a configuration, comments and indentation removed."""
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


def cli(*args, env=None, cwd=None):
    """librgw-admin with RGW_STORE and RGW_NGINX_MODULE only as given in env."""
    base = {k: v for k, v in os.environ.items() if k not in ("RGW_STORE", "RGW_NGINX_MODULE")}
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=60,
                          env=dict(base, **(env or {})), cwd=cwd)


def assert_refused(res, setting, what):
    assert res.returncode == 2, res
    assert res.stdout == ""
    assert res.stderr.startswith(f"librgw-admin: error: {setting}: {what} ("), res.stderr
    assert len(res.stderr.splitlines()) == 1


# ---------------------------------------------------------------- rendering

def test_full_conf(tmp_path):
    text = render(NginxSettings(store=RADOS_URI, prefix=str(tmp_path), module="/m/rgw.so"))
    lines = directives(text)
    p = str(tmp_path)
    assert lines[0] == 'load_module "/m/rgw.so";'
    expected_main = ['daemon off;', 'master_process on;', 'worker_processes 2;',
                     f'pid "{p}/nginx.pid";', f'error_log "{p}/error.log" warn;',
                     'events {', 'worker_connections 1024;', '}', 'http {', 'access_log off;']
    user = ['user "root";'] if os.geteuid() == 0 else []
    assert lines[1:1 + len(user) + len(expected_main)] == user + expected_main
    assert lines[lines.index("http {") + 1:] == [
        'access_log off;',
        f'client_body_temp_path "{p}/client_body_temp";',
        f'proxy_temp_path "{p}/proxy_temp";',
        f'fastcgi_temp_path "{p}/fastcgi_temp";',
        f'uwsgi_temp_path "{p}/uwsgi_temp";',
        f'scgi_temp_path "{p}/scgi_temp";',
        'sendfile on;',
        'tcp_nopush on;',
        'tcp_nodelay on;',
        'keepalive_requests 10000;',
        'server_tokens off;',
        'server {',
        'listen 127.0.0.1:8080;',
        'underscores_in_headers on;',
        'merge_slashes off;',
        'client_max_body_size 0;',
        'client_body_buffer_size 128k;',
        'client_header_buffer_size 16k;',
        'large_client_header_buffers 4 64k;',
        'location / {',
        'rgw on;',
        f'rgw_store "{RADOS_URI}";',
        'rgw_region "us-east-1";',
        'rgw_max_object_size 5g;',
        'rgw_swift_prefix "swift/v1";',
        'rgw_buffer_size 128k;',
        '}', '}', '}']


def test_full_conf_options(tmp_path):
    text = render(NginxSettings(
        store="local:/var/lib/librgw", listen="[::1]:9000", domains=["S3.Example.com", "s3.test"],
        region="eu-west-1", max_object_size="512m", buffer_size="1m", threads=3, workers="auto",
        module="/m/rgw.so", prefix=str(tmp_path) + "/", access_log=True, error_log_level="info",
        user="www-data", daemon=True))
    lines = directives(text)
    p = str(tmp_path)
    for line in ['user "www-data";', "daemon on;", "worker_processes auto;",
                 f'error_log "{p}/error.log" info;', f'access_log "{p}/access.log";',
                 f'client_body_temp_path "{p}/client_body_temp";', "rgw_threads 3;",
                 "listen [::1]:9000;", "client_body_buffer_size 1m;",
                 'rgw_store "local:/var/lib/librgw";', 'rgw_region "eu-west-1";',
                 'rgw_domains "s3.example.com" "s3.test";', "rgw_max_object_size 512m;",
                 "rgw_buffer_size 1m;", 'rgw_swift_prefix "swift/v1";']:
        assert lines.count(line) == 1, line
    assert "access_log off;" not in lines


def test_server_snippet():
    text = render(NginxSettings(store="local:/srv/s3", threads=4, domains=["s3.test"]),
                  kind="server")
    assert text.startswith("# ")
    lines = directives(text)
    assert lines[:3] == ["rgw_threads 4;", "server {", "listen 127.0.0.1:8080;"]
    assert lines[-9:] == ['rgw on;', 'rgw_store "local:/srv/s3";', 'rgw_region "us-east-1";',
                          'rgw_domains "s3.test";', "rgw_max_object_size 5g;",
                          'rgw_swift_prefix "swift/v1";', "rgw_buffer_size 128k;", "}", "}"]
    for main_level in ("load_module", "user", "daemon", "pid", "events", "http", "error_log"):
        assert not any(line.startswith(main_level) for line in lines), main_level
    assert lines.count("rgw_threads 4;") == 1


def test_module_line(monkeypatch):
    s = NginxSettings(store="local:/srv/s3", module="/opt/rgw/ngx_http_rgw_module.so")
    assert directives(render(s, kind="module")) == [
        'load_module "/opt/rgw/ngx_http_rgw_module.so";']
    monkeypatch.setenv("RGW_NGINX_MODULE", "/from/env/rgw.so")
    assert directives(render(NginxSettings(store="local:/x"), kind="module")) == [
        'load_module "/from/env/rgw.so";']
    monkeypatch.delenv("RGW_NGINX_MODULE")
    assert directives(render(NginxSettings(store="local:/x"), kind="module")) == [
        'load_module "/usr/lib/nginx/modules/ngx_http_rgw_module.so";']


def test_full_conf_needs_an_absolute_prefix():
    s = NginxSettings(store="local:/x")
    with pytest.raises(ValueError, match="^prefix: required for a full nginx.conf"):
        render(s)
    assert render(s, kind="server") and render(s, kind="module")
    with pytest.raises(ValueError, match="^prefix: must be an absolute path"):
        NginxSettings(store="local:/x", prefix="run/nginx")
    with pytest.raises(ValueError, match="^module: must be an absolute path"):
        NginxSettings(store="local:/x", module="ngx_http_rgw_module.so")
    with pytest.raises(ValueError, match="^kind: one of full, server, module"):
        render(s, kind="http")


def test_settings_changed_after_creation_are_checked_again(tmp_path):
    s = NginxSettings(store="local:/x", prefix=str(tmp_path))
    s.store = "local:/x; include /etc/shadow"
    with pytest.raises(ValueError, match="^store: a semicolon"):
        render(s)


# ---------------------------------------------------------------- what is refused

@pytest.mark.parametrize("store", [RADOS_URI, "rados:rgw", "local:/var/lib/x", "local:///var/lib/x",
                                   "/var/lib/x", "local:/var/lib/caf%C3%A9", "local:/srv/café"])
def test_store_uris_pass(store, tmp_path):
    assert f'rgw_store "{store}";' in directives(render(NginxSettings(store=store,
                                                                      prefix=str(tmp_path))))


@pytest.mark.parametrize("ch", list(FORBIDDEN), ids=[repr(c) for c in FORBIDDEN])
def test_forbidden_characters_refused_by_the_api(ch):
    what = re.escape(f"{FORBIDDEN[ch]} ({ch!r})")
    with pytest.raises(ValueError, match=f"^store: {what} is not allowed"):
        NginxSettings(store=f"local:/x{ch}y")
    with pytest.raises(ValueError, match=f"^domains: {what} is not allowed"):
        NginxSettings(store="local:/x", domains=["s3.test", f"s3{ch}.test"])
    for setting in ("region", "user", "module", "prefix"):
        with pytest.raises(ValueError, match=f"^{setting}: {what} is not allowed"):
            NginxSettings(store="local:/x", **{setting: f"/a{ch}b"})


# A NUL cannot be passed in argv; the API test above covers it.
CLI_FORBIDDEN = [c for c in FORBIDDEN if c != "\0"]


@pytest.mark.parametrize("ch", CLI_FORBIDDEN, ids=[repr(c) for c in CLI_FORBIDDEN])
def test_forbidden_characters_refused_by_the_cli(ch, tmp_path):
    out = tmp_path / "nginx.conf"
    res = cli("nginx-conf", "--store", f"local:/x{ch}y", "--prefix", str(tmp_path),
              "--output", str(out))
    assert_refused(res, "store", FORBIDDEN[ch])
    res = cli("nginx-conf", "--store", "local:/x", "--domain", "s3.test", "--domain", f"s3{ch}.a",
              "--prefix", str(tmp_path), "--output", str(out), "--check")
    assert_refused(res, "domains", FORBIDDEN[ch])
    res = cli("nginx-conf", "--kind", "server", env={"RGW_STORE": f"{ch}local:/x"})
    assert_refused(res, "store", FORBIDDEN[ch])
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("domain", ["", "-s3.test", "s3-.test", "s3..test", ".s3.test", "s3.test.",
                                    "s3_x.test", "s3.test:8080", "s3.test,s3.other", "*.s3.test",
                                    "a" * 64 + ".test", "é.test"])
def test_bad_domains_refused(domain):
    with pytest.raises(ValueError, match="^domains: "):
        NginxSettings(store="local:/x", domains=[domain])


@pytest.mark.parametrize("listen", ["8080", 8080, "127.0.0.1:8080", "0.0.0.0:1", "*:65535",
                                    "localhost:9000", "[::1]:8080", "[::]:80",
                                    "[2001:db8::1]:443"])
def test_listen_forms(listen):
    text = render(NginxSettings(store="local:/x", listen=listen), kind="server")
    assert f"listen {listen};" in directives(text)


@pytest.mark.parametrize("listen", ["", "0", "65536", "99999999", "-1", "80a", "127.0.0.1",
                                    "127.0.0.1:", ":8080", "::1:8080", "[::1]", "[::1]8080",
                                    "[zz::1]:80", "[127.0.0.1]:80", "host_name:80", "a:b:80",
                                    "127.0.0.1:80 default_server", "127.0.0.1:80;"])
def test_bad_listen_refused(listen):
    with pytest.raises(ValueError, match="^listen: "):
        NginxSettings(store="local:/x", listen=listen)


# The gateway options' values are checked by the core (its messages).
@pytest.mark.parametrize("setting, value, message", [
    ("max_object_size", "0", "must be greater than zero"),
    ("max_object_size", "5t", "not a size: 5t"),
    ("max_object_size", "1.5g", "not a size: 1.5g"),
    ("max_object_size", "-1", "not a size: -1"),
    ("max_object_size", "5 g", "a space"),
    ("buffer_size", "0", "must be greater than zero"),
    ("buffer_size", "1g", "k or m suffix"),
    ("buffer_size", "", "must not be empty"),
    ("threads", -1, "not a whole number: -1"),
    ("threads", "8", "expected a whole number or None"),
    ("threads", True, "expected a whole number or None"),
    ("threads", 257, "must be between 0 and 256: 257"),
    ("store", "relative/store", "store URI must start with local: or rados:"),
    ("store", "local:relative", "local store URI needs an absolute directory"),
    ("workers", 0, "at least 1 or 'auto'"),
    ("workers", "many", "at least 1 or 'auto'"),
    ("region", "US-EAST-1", "only a-z, 0-9 and '-'"),
    ("region", "us_east_1", "only a-z, 0-9 and '-'"),
    ("error_log_level", "loud", "one of debug, info"),
    ("user", "1root", "not a user name"),
    ("access_log", "yes", "expected True or False"),
    ("daemon", 1, "expected True or False"),
    ("store", "", "must not be empty"),
    ("store", None, "expected a string"),
])
def test_bad_values_refused(setting, value, message):
    with pytest.raises(ValueError, match=f"^{setting}: .*{re.escape(message)}"):
        NginxSettings(**{"store": "local:/x", setting: value})


# ---------------------------------------------------------------- the command line

def test_cli_writes_what_render_renders(tmp_path):
    out = tmp_path / "out" / "rgw.conf"
    out.parent.mkdir()
    res = cli("nginx-conf", "--store", RADOS_URI, "--kind", "server", "--listen", "9000",
              "--domain", "s3.test", "--domain", "s3.example.com", "--region", "eu-west-1",
              "--max-object-size", "1g", "--buffer-size", "256k", "--threads", "2",
              "--module", "/m/rgw.so", "--output", str(out))
    assert (res.returncode, res.stdout, res.stderr) == (0, "", "")
    assert out.read_text() == render(NginxSettings(
        store=RADOS_URI, listen="9000", domains=["s3.test", "s3.example.com"],
        region="eu-west-1", max_object_size="1g", buffer_size="256k", threads=2,
        module="/m/rgw.so"), kind="server")
    assert os.listdir(out.parent) == ["rgw.conf"]
    assert oct(out.stat().st_mode & 0o777) == "0o644"


def test_cli_full_conf_on_stdout(tmp_path):
    res = cli("--store", "local:/srv/s3", "nginx-conf", "--prefix", str(tmp_path),
              "--workers", "auto", "--access-log", "--user", "www-data", "--daemon",
              "--error-log-level", "error", "--module", "/m/rgw.so")
    assert res.returncode == 0, res.stderr
    assert res.stdout == render(NginxSettings(
        store="local:/srv/s3", prefix=str(tmp_path), workers="auto", access_log=True,
        user="www-data", daemon=True, error_log_level="error", module="/m/rgw.so"))


def test_cli_store_and_module_from_environment():
    # The load_module line names no store: none is needed.
    res = cli("nginx-conf", "--kind", "module", env={"RGW_NGINX_MODULE": "/env/rgw.so"})
    assert res.returncode == 0 and directives(res.stdout) == ['load_module "/env/rgw.so";'], res
    res = cli("nginx-conf", "--kind", "server", env={"RGW_NGINX_MODULE": "/env/rgw.so"})
    assert res.returncode == 2 and "no store" in res.stderr and res.stdout == ""
    res = cli("nginx-conf", "--kind", "server",
              env={"RGW_STORE": "local:/env/store", "RGW_NGINX_MODULE": "/env/rgw.so"})
    assert res.returncode == 0, res.stderr
    assert 'rgw_store "local:/env/store";' in directives(res.stdout)
    res = cli("nginx-conf", "--kind", "module", env={"RGW_STORE": "local:/x",
                                                     "RGW_NGINX_MODULE": "/env/rgw.so"})
    assert directives(res.stdout) == ['load_module "/env/rgw.so";']


def test_cli_relative_paths_are_taken_from_the_current_directory(tmp_path):
    res = cli("nginx-conf", "--store", "local:/x", "--prefix", "run", "--module", "mod/rgw.so",
              cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    lines = directives(res.stdout)
    assert f'load_module "{tmp_path}/mod/rgw.so";' in lines
    assert f'pid "{tmp_path}/run/nginx.pid";' in lines


@pytest.mark.parametrize("args, message", [
    (["--listen", "127.0.0.1:0"], "listen: "),
    (["--workers", "0"], "workers: "),
    (["--max-object-size", "5t"], "max_object_size: "),
    (["--region", "Mars"], "region: "),
    (["--domain", "bad_domain"], "domains: "),
    (["--user", "$USER"], "user: a '$'"),
    ([], "prefix: required"),
])
def test_cli_bad_values_exit_2_and_write_nothing(args, message, tmp_path):
    out = tmp_path / "nginx.conf"
    res = cli("nginx-conf", "--store", "local:/x", "--output", str(out), *args)
    assert res.returncode == 2 and res.stdout == ""
    assert res.stderr.startswith("librgw-admin: error: " + message), res.stderr
    assert not out.exists()


def test_cli_check_needs_nginx(tmp_path):
    out = tmp_path / "nginx.conf"
    res = cli("nginx-conf", "--store", "local:/x", "--prefix", str(tmp_path), "--check",
              "--nginx", str(tmp_path / "no-nginx"), "--output", str(out))
    assert res.returncode == 1 and res.stdout == ""
    assert res.stderr.startswith(f"librgw-admin: error: cannot run {tmp_path}/no-nginx")
    assert not out.exists()


# ---------------------------------------------------------------- nginx -t, with the module

def test_full_conf_passes_nginx_t(tmp_path):
    module = nginx_module()
    prefix = tmp_path / "prefix"
    prefix.mkdir()
    out = tmp_path / "nginx.conf"
    args = ["nginx-conf", "--store", f"local:{tmp_path}/store", "--prefix", str(prefix),
            "--module", module, "--domain", "s3.test", "--listen", "127.0.0.1:18080"]
    res = cli(*args, "--check", "--output", str(out))
    assert res.returncode == 0, res.stderr
    assert "test is successful" in res.stderr and res.stdout == ""
    assert out.read_text() == cli(*args).stdout
    ok, output = check(out.read_text())
    assert ok, output


def test_server_snippet_and_module_line_pass_nginx_t():
    module = nginx_module()
    for kind in ("server", "module"):
        res = cli("nginx-conf", "--store", RADOS_URI, "--module", module, "--kind", kind,
                  "--domain", "s3.test", "--check")
        assert res.returncode == 0, res.stderr
        assert "test is successful" in res.stderr
        assert res.stdout == cli("nginx-conf", "--store", RADOS_URI, "--module", module,
                                 "--kind", kind, "--domain", "s3.test").stdout


def test_broken_directive_fails_nginx_t(tmp_path):
    module = nginx_module()
    text = render(NginxSettings(store="local:/x", module=module, prefix=str(tmp_path)))
    assert check(text)[0]
    broken = text.replace("rgw on;", "rgw on;\n            rgw_no_such_directive 1;")
    ok, output = check(broken)
    assert not ok
    assert 'unknown directive "rgw_no_such_directive"' in output
    ok, output = check(text.replace("rgw_max_object_size 5g;", "rgw_max_object_size 0;"))
    assert not ok and "rgw_max_object_size" in output
    snippet = render(NginxSettings(store="local:/x", module=module, threads=8), kind="server")
    assert "rgw_threads 8;" in snippet
    ok, output = check(snippet.replace("rgw_threads 8;", "rgw_threads 257;"), kind="server",
                       module=module)
    assert not ok and "rgw_threads" in output
    ok, output = check(snippet, kind="server", module=str(tmp_path / "missing.so"))
    assert not ok and "missing.so" in output


def test_cli_check_failure_writes_nothing(tmp_path):
    """Values well-formed for the generator (and the core) that nginx itself
    refuses: a buffer size past what client_body_buffer_size can hold (an
    nginx size is signed), a module that is not there."""
    module = nginx_module()
    out = tmp_path / "rgw.conf"
    res = cli("nginx-conf", "--store", "local:/x", "--module", module, "--kind", "server",
              "--buffer-size", "9000000000000m", "--check", "--output", str(out))
    assert res.returncode == 1 and res.stdout == ""
    assert "invalid value" in res.stderr and "test failed" in res.stderr, res.stderr
    res = cli("nginx-conf", "--store", "local:/x", "--module", str(tmp_path / "missing.so"),
              "--kind", "server", "--check", "--output", str(out))
    assert res.returncode == 1 and res.stdout == ""
    assert "missing.so" in res.stderr and "test failed" in res.stderr, res.stderr
    assert not out.exists()


def test_cli_bad_store_uri_refused_before_nginx_t(tmp_path):
    """The core checks a store URI's form (it does not open the store) before
    anything is written or nginx runs."""
    out = tmp_path / "rgw.conf"
    res = cli("nginx-conf", "--store", "relative/store", "--kind", "server", "--check",
              "--nginx", str(tmp_path / "no-nginx"), "--output", str(out))
    assert res.returncode == 2 and res.stdout == ""
    assert res.stderr.startswith("librgw-admin: error: store: store URI must start with "
                                 "local: or rados:"), res.stderr
    assert not out.exists()


def test_generated_conf_serves_s3(tmp_path):
    """nginx started on a generated nginx.conf serves S3: a key with '//' and
    metadata with '_' (signed, so underscores_in_headers must be on) go through."""
    import boto3
    from botocore.config import Config
    from s3_servers import Server, free_port, wait_for_port

    import pyrgw

    module = nginx_module()
    prefix = tmp_path / "prefix"
    prefix.mkdir()
    store = f"local:{tmp_path}/store"
    port = free_port()
    conf = tmp_path / "nginx.conf"
    res = cli("nginx-conf", "--store", store, "--prefix", str(prefix), "--module", module,
              "--listen", f"127.0.0.1:{port}", "--workers", "1", "--output", str(conf), "--check")
    assert res.returncode == 0, res.stderr
    with pyrgw.Store(store) as s:
        s.create_user("nginx-conf", access_key="AKNGINXCONF", secret_key="SKNGINXCONF")

    log = str(prefix / "error.log")
    with open(tmp_path / "nginx.out", "w") as out:
        proc = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(conf), "-e", log],
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    server = Server("nginx", f"http://127.0.0.1:{port}", proc, log)
    try:
        wait_for_port(port, proc, log)
        s3 = boto3.client("s3", endpoint_url=server.url, region_name="us-east-1",
                          aws_access_key_id="AKNGINXCONF", aws_secret_access_key="SKNGINXCONF",
                          config=Config(s3={"addressing_style": "path"},
                                        retries={"max_attempts": 1}))
        s3.create_bucket(Bucket="conf-test")
        s3.put_object(Bucket="conf-test", Key="a//b_c", Body=b"hello",
                      Metadata={"my_key": "v"})
        got = s3.get_object(Bucket="conf-test", Key="a//b_c")
        assert (got["Body"].read(), got["Metadata"]) == (b"hello", {"my_key": "v"})
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="conf-test")["Contents"]]
        assert keys == ["a//b_c"]
        assert got["ResponseMetadata"]["HTTPHeaders"]["server"] == "nginx"  # server_tokens off
    finally:
        server.stop()
