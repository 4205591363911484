"""One option table: the core owns the list of gateway options
(rgw_config_option(), pyrgw.options) and every door derives from it or is
checked against it here:

- the nginx module has one rgw_<option> directive per option and no other
  (besides `rgw`), each accepts its option's default, and nginx -t prints
  the core's message for a value the core refuses;
- locations share a gateway exactly when the core says their configurations
  may (rgw_config_same_gateway), and the I/O thread count comes from the
  core (rgw_threads 0: the store driver's default);
- pyrgw.nginx_conf.NginxSettings has a field for every option, with the
  core's defaults;
- the WSGI door takes the table's gateway and door options and moves bodies
  in buffer_size chunks;
- docs/gateway-config.md's option table is the core's.

The Apache module's RGW<Option> directives (every option but the aio-only
threads) are tested with the module, not here: apache2 -t refusing bad
values naming the directive in test_apache_module.py, ApacheSettings'
fields in test_apache_conf.py.

LIBRGW_NGINX_MODULE names the built ngx_http_rgw_module.so (make test exports it).
"""
import dataclasses
import io
import json
import os
import re
import shutil
import subprocess
import sys
import uuid

import pytest
import requests
from s3_servers import NGINX, free_port, nginx_module, wait_for_port

import pyrgw
from pyrgw import options, wsgi
from pyrgw.nginx_conf import NginxSettings

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODULE_SOURCE = os.path.join(REPO, "modules", "nginx", "ngx_http_rgw_module.c")
GATEWAY_DOC = os.path.join(REPO, "docs", "gateway-config.md")
CLI = shutil.which("librgw-admin", path=os.path.dirname(sys.executable)) or "librgw-admin"
TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
USER = "user root;" if os.geteuid() == 0 else ""  # workers write a store root owns


def table():
    return options.options()


# ---------------------------------------------------------------- the table

def test_the_table():
    names = [o.name for o in table()]
    assert names == ["store", "region", "domains", "max_object_size", "swift_prefix",
                     "buffer_size", "threads", "loop_reads", "loop_writes"]
    assert len(set(names)) == len(names)
    for o in table():
        assert re.fullmatch(r"[a-z][a-z_]*", o.name), o
        assert o.type in ("uri", "string", "list", "size", "count", "flag"), o
        assert o.doc and "\n" not in o.doc, o
        kinds = o.flags & (options.GATEWAY | options.DOOR | options.AIO)
        assert kinds in (options.GATEWAY, options.DOOR, options.AIO), o  # read by one kind
        cfg = options.Config()
        assert cfg.get(o.name) == o.default
        if not o.flags & options.REQUIRED:
            cfg.set(o.name, o.default)  # every default is a value the option takes
        if o.numeric:
            assert isinstance(cfg.get_uint(o.name), int)
    assert options.option("buffer_size").flags == options.DOOR
    assert options.option("threads").flags == options.AIO
    assert options.option("loop_reads").flags == options.AIO
    assert options.option("loop_writes").flags == options.AIO
    assert options.option("store").flags == options.GATEWAY | options.REQUIRED


def test_config_class_uses_the_core():
    cfg = options.Config()
    assert cfg.get_uint("max_object_size") == 5 << 30
    cfg.set("max_object_size", "1m")
    assert (cfg.get("max_object_size"), cfg.get_uint("max_object_size")) == ("1m", 1 << 20)
    with pytest.raises(pyrgw.InvalidArgument, match="^max_object_size: not a size: 1q$"):
        cfg.set("max_object_size", "1q")
    assert cfg.get("max_object_size") == "1m"
    with pytest.raises(ValueError, match="unknown gateway option: nope"):
        cfg.set("nope", "1")
    with pytest.raises(ValueError, match="unknown gateway option: nope"):
        cfg.get("nope")
    with pytest.raises(ValueError, match="region"):
        cfg.get_uint("region")
    with pytest.raises(ValueError, match="NUL"):
        cfg.set("region", "us\0east")
    other = options.Config()
    assert cfg.same_gateway(other) is False
    other.set("max_object_size", "1024k")
    other.set("buffer_size", "4k")  # not a gateway option
    assert cfg.same_gateway(other) is True


# ---------------------------------------------------------------- nginx: directives

def directives_in_source():
    """The names in the module's command table."""
    with open(MODULE_SOURCE) as f:
        text = f.read()
    start = text.index("ngx_http_rgw_commands[] = {")
    end = text.index("ngx_null_command", start)
    return set(re.findall(r'ngx_string\("([a-z_]+)"\)', text[start:end]))


def directives_in_module(path, tmp_path):
    """The rgw* strings among the built module's constant data (.rodata, not
    its symbols or debug information): its directive names."""
    rodata = tmp_path / "rodata"
    subprocess.run(["objcopy", "-O", "binary", "--only-section=.rodata", path, str(rodata)],
                   check=True)
    data = b"\0" + rodata.read_bytes()
    return {m.decode() for m in re.findall(rb"(?<=\0)(rgw(?:_[a-z_]+)?)(?=\0)", data)}


def test_nginx_directives_are_the_table(tmp_path):
    want = {"rgw"} | {"rgw_" + o.name for o in table()}
    assert directives_in_source() == want
    assert directives_in_module(nginx_module(), tmp_path) == want


def nginx_conf(prefix, http="", location=""):
    p = str(prefix)
    temp = "\n".join(f'    {t}_temp_path "{p}/{t}_temp";' for t in TEMP_PATHS)
    return f"""load_module "{nginx_module()}";
{USER}
daemon off;
master_process on;
worker_processes 1;
pid "{p}/nginx.pid";
error_log "{p}/error.log" info;
events {{
    worker_connections 64;
}}
http {{
    access_log off;
{temp}
{http}
    server {{
        listen 127.0.0.1:{free_port()};
        location / {{
            rgw on;
{location}
        }}
    }}
}}
"""


def nginx_t(prefix, text):
    conf = os.path.join(str(prefix), "nginx.conf")
    with open(conf, "w") as f:
        f.write(text)
    res = subprocess.run([NGINX, "-t", "-p", str(prefix) + "/", "-c", conf, "-e",
                          os.path.join(str(prefix), "error.log")],
                         capture_output=True, text=True, timeout=60)
    return res.returncode == 0, res.stdout + res.stderr


def quoted(value):
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def option_lines(values):
    """(http-level lines, location lines) setting each option in values:
    RGW_OPT_AIO options are http-level (rgw_threads), the others go in the
    location."""
    http, location = [], []
    for name, value in values.items():
        line = f"rgw_{name} {quoted(value)};"
        (http if options.option(name).flags & options.AIO else location).append(line)
    return "\n".join("    " + ln for ln in http), "\n".join("            " + ln for ln in location)


def test_nginx_accepts_every_option_at_its_default(tmp_path):
    values = {o.name: o.default for o in table()}
    values["store"] = f"local:{tmp_path}/store"  # required: no default
    http, location = option_lines(values)
    ok, output = nginx_t(tmp_path, nginx_conf(tmp_path, http, location))
    assert ok, output
    assert all(f"rgw_{o.name} " in http + location for o in table())


# A value of each type the core refuses.
BAD_VALUE = {"uri": "foo:bar", "string": "Not Valid!", "list": "bad_dom!ain", "size": "0",
             "count": "257", "flag": "yes"}


@pytest.mark.parametrize("name", [o.name for o in options.options()])
def test_nginx_t_prints_the_cores_message(name, tmp_path):
    o = options.option(name)
    bad = BAD_VALUE[o.type]
    with pytest.raises(ValueError) as refused:
        options.Config().set(name, bad)
    values = {"store": f"local:{tmp_path}/store", name: bad}
    http, location = option_lines(values)
    ok, output = nginx_t(tmp_path, nginx_conf(tmp_path, http, location))
    assert not ok, output
    line = f'invalid value "{bad}" in "rgw_{name}" directive: {refused.value}'
    assert re.search(re.escape(line) + r" in \S+nginx\.conf:\d+", output), (line, output)


# ---------------------------------------------------------------- nginx: gateways, threads

def worker_threads(pid):
    """The worker's aio queues' I/O threads: named rgw-io."""
    comm = "rgw-io\n"
    n = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            n += open(f"/proc/{pid}/task/{tid}/comm").read() == comm
        except OSError:
            pass
    return n


def running_worker_threads(prefix, text):
    """Starts nginx (one worker) on text and returns its worker's thread
    count once its gateways are open."""
    port = free_port()
    text = text.replace("listen 127.0.0.1:PORT;", f"listen 127.0.0.1:{port};")
    conf = os.path.join(str(prefix), "nginx.conf")
    with open(conf, "w") as f:
        f.write(text)
    log = os.path.join(str(prefix), "error.log")
    proc = subprocess.Popen([NGINX, "-p", str(prefix) + "/", "-c", conf, "-e", log],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_port(port, proc, log)
        children = open(f"/proc/{proc.pid}/task/{proc.pid}/children").read().split()
        assert len(children) == 1, children
        # init_process opened the gateways before the worker accepted anything;
        # one answer shows that the worker got there
        requests.get(f"http://127.0.0.1:{port}/", timeout=30)
        with open(log) as f:
            assert "did not open" not in f.read()
        return worker_threads(int(children[0]))
    finally:
        proc.terminate()
        proc.wait(30)


@pytest.mark.parametrize("second, http, gateways, per_gateway", [
    # the same store written other ways, a different buffer size: one gateway
    ('rgw_store "local://{store}"; rgw_buffer_size 64k; rgw_region "us-east-1";', "", 1, 8),
    ('rgw_store "local:{store}//"; rgw_buffer_size 4k;', "", 1, 8),
    # explicit defaults are the defaults
    ('rgw_store "{store}"; rgw_max_object_size 5120m; rgw_domains "";', "rgw_threads 0;", 1, 8),
    ('rgw_store "local:{store}"; rgw_region "eu-west-1";', "", 2, 8),
    ('rgw_store "local:{store}"; rgw_domains s3.test;', "", 2, 8),
    ('rgw_store "local:{store}"; rgw_max_object_size 1m;', "rgw_threads 3;", 2, 3),
    ('rgw_store "local:{store}";', "rgw_threads 3;", 1, 3),
])
def test_locations_share_a_gateway_when_the_core_says_so(tmp_path, second, http, gateways,
                                                         per_gateway):
    store = str(tmp_path / "store")
    base = f"""load_module "{nginx_module()}";
{USER}
daemon off;
master_process on;
worker_processes 1;
pid "{tmp_path}/nginx.pid";
error_log "{tmp_path}/error.log" info;
events {{
    worker_connections 64;
}}
http {{
    access_log off;
""" + "\n".join(f'    {t}_temp_path "{tmp_path}/{t}_temp";' for t in TEMP_PATHS) + f"""
    {http}
    server {{
        listen 127.0.0.1:PORT;
        location / {{
            rgw on;
            rgw_store "local:{store}";
        }}
        location /second/ {{
            rgw on;
            {second.format(store=store)}
        }}
    }}
}}
"""
    none = base.replace("rgw on;", "rgw off;")
    baseline = running_worker_threads(tmp_path, none)
    assert running_worker_threads(tmp_path, base) - baseline == gateways * per_gateway


# ---------------------------------------------------------------- nginx_conf

def test_nginx_settings_has_a_field_for_every_option():
    fields = {f.name: f for f in dataclasses.fields(NginxSettings)}
    missing = [o.name for o in table() if o.name not in fields]
    assert not missing, missing
    s = NginxSettings(store="local:/x")
    for o in table():
        value = getattr(s, o.name)
        if o.flags & options.REQUIRED:
            continue
        if o.type == "list":
            assert value == [] and o.default == ""
        elif o.type == "count":
            assert value is None  # no line: the core's default
        else:
            assert value == o.default, o


def test_nginx_settings_take_every_option_to_nginx(tmp_path):
    """Each option set through NginxSettings reaches its directive, and the
    result passes nginx -t."""
    from pyrgw.nginx_conf import check, render

    s = NginxSettings(store=f"local:{tmp_path}/store", region="eu-west-1", domains=["s3.test"],
                      max_object_size="1g", buffer_size="64k", threads=0,
                      module=nginx_module(), prefix=str(tmp_path))
    text = render(s)
    for line in ('rgw_store "local:', 'rgw_region "eu-west-1";', 'rgw_domains "s3.test";',
                 "rgw_max_object_size 1g;", "rgw_buffer_size 64k;", "rgw_threads 0;"):
        assert line in text, line
    ok, output = check(text)
    assert ok, output


# ---------------------------------------------------------------- WSGI

def test_wsgi_takes_the_gateway_and_door_options(tmp_path):
    names = wsgi.option_names()
    assert names == tuple(o.name for o in table() if o.flags & (options.GATEWAY | options.DOOR))
    assert "buffer_size" in names and "threads" not in names
    store = f"local:{tmp_path}/store"
    with pytest.raises(TypeError, match="threads"):
        wsgi.Application(store=store, threads=4)
    with pytest.raises(ValueError, match="^buffer_size: must be greater than zero"):
        wsgi.Application(store=store, buffer_size="0")
    with pytest.raises(ValueError, match="^region: "):
        wsgi.Application(store=store, region="Mars")
    assert wsgi.Application(store=store).chunk_size == 128 * 1024
    assert wsgi.Application(store=store, buffer_size="64k").chunk_size == 64 * 1024
    app = wsgi.app_factory({"buffer_size": "32k", "unrelated": "x"}, store=store)
    assert app.chunk_size == 32 * 1024


class RecordingInput:
    def __init__(self, data):
        self._f = io.BytesIO(data)
        self.sizes = []

    def read(self, n=-1):
        self.sizes.append(n)
        return self._f.read(n)


def call(app, method, target, body=b"", headers=None):
    path, _, query = target.partition("?")
    stream = RecordingInput(body)
    environ = {"REQUEST_METHOD": method, "RAW_URI": target, "PATH_INFO": path,
               "QUERY_STRING": query, "wsgi.input": stream, "HTTP_HOST": "127.0.0.1:8080"}
    if body:
        environ["CONTENT_LENGTH"] = str(len(body))
    for k, v in (headers or {}).items():
        environ["HTTP_" + k.upper().replace("-", "_")] = v
    status = []
    result = app(environ, lambda s, h: status.append(s))
    try:
        chunks = list(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return status[0], chunks, stream.sizes


def test_wsgi_moves_bodies_in_buffer_size_chunks(tmp_path, monkeypatch):
    store_uri = f"local:{tmp_path}/store"
    tag = uuid.uuid4().hex[:8]
    with pyrgw.Store(store_uri) as store:
        store.create_user("chunks", access_key="AK" + tag, secret_key="SK" + tag)
        store.create_bucket("chunks-" + tag, owner="chunks", acl="public-read")
    # pyrgw.wsgi:application, configured by RGW_<NAME> from the table
    monkeypatch.setenv("RGW_STORE", store_uri)
    monkeypatch.setenv("RGW_BUFFER_SIZE", "16k")
    app = wsgi._FromEnvironment()
    body = os.urandom(100 * 1024)
    url = pyrgw.presign_url(f"http://127.0.0.1:8080/chunks-{tag}/k", "AK" + tag, "SK" + tag,
                            method="PUT")
    target = url.split("127.0.0.1:8080", 1)[1]
    status, _, sizes = call(app, "PUT", target, body)
    assert status.startswith("200"), status
    assert app._app.chunk_size == 16 * 1024
    assert max(sizes) == 16 * 1024 and sum(1 for s in sizes if s) >= 100 // 16
    url = pyrgw.presign_url(f"http://127.0.0.1:8080/chunks-{tag}/k", "AK" + tag, "SK" + tag)
    status, chunks, _ = call(app, "GET", url.split("127.0.0.1:8080", 1)[1])
    assert status.startswith("200"), status
    assert b"".join(chunks) == body
    assert [len(c) for c in chunks] == [16 * 1024] * 6 + [4 * 1024]


# ---------------------------------------------------------------- the docs

def doc_table():
    with open(GATEWAY_DOC) as f:
        text = f.read()
    start = text.index("<!-- options:begin")
    start = text.index("\n", start) + 1
    end = text.index("<!-- options:end -->", start)
    return text[start:end]


def test_gateway_config_doc_lists_the_cores_options():
    assert doc_table() == options.markdown_table(), (
        "docs/gateway-config.md's option table differs from the core's: replace it with "
        "the output of `librgw-admin options --markdown`")


def test_admin_options_command():
    res = subprocess.run([CLI, "options", "--markdown"], capture_output=True, text=True,
                         timeout=60, env={k: v for k, v in os.environ.items() if k != "RGW_STORE"})
    assert (res.returncode, res.stderr) == (0, "")
    assert res.stdout == options.markdown_table()
    res = subprocess.run([CLI, "--json", "options"], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    assert [r["name"] for r in rows] == [o.name for o in table()]
    assert rows[-1]["aio"] and not rows[-1]["gateway"] and rows[0]["required"]
    res = subprocess.run([CLI, "options"], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0 and all(o.name in res.stdout for o in table())
