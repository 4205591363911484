"""Apache configuration for the Apache module: pyrgw.apache_conf and
`librgw-admin apache-conf`.

The apache2 -t tests load the real module: LIBRGW_APACHE_MODULE names the
built mod_rgw.so (make test exports it); without it they fail.
"""
import dataclasses
import os
import re
import shutil
import subprocess
import sys

import pytest
from conf_values import FORBIDDEN as NGINX_FORBIDDEN

from pyrgw import options
from pyrgw.apache_conf import ApacheSettings, check, render

CLI = shutil.which("librgw-admin", path=os.path.dirname(sys.executable)) or "librgw-admin"
APACHE2 = "/usr/sbin/apache2"

# Each is refused in every string value, with this description in the
# message: the nginx generator's list, and the brackets of Apache's sections.
FORBIDDEN = {**NGINX_FORBIDDEN, "<": "an angle bracket", ">": "an angle bracket"}


def apache_module():
    path = os.environ.get("LIBRGW_APACHE_MODULE")
    if not path or not os.path.isfile(path):
        pytest.fail(f"LIBRGW_APACHE_MODULE must name the built mod_rgw.so (make test exports "
                    f"it); it is {path!r}")
    return path


def directives(text):
    """The directive lines of a configuration, comments and indentation removed."""
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def cli(*args, env=None):
    base = {k: v for k, v in os.environ.items() if k not in ("RGW_STORE", "RGW_APACHE_MODULE")}
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=60,
                          env=dict(base, **(env or {})))


def test_full_conf(tmp_path):
    s = ApacheSettings(store="local:/srv/s3", prefix=str(tmp_path), module="/m/mod_rgw.so",
                       domains=["S3.Test", "s3.example.com"], user="www-data")
    d = directives(render(s))
    p = str(tmp_path)
    for line in [f'ServerRoot "{p}"', f'PidFile "{p}/apache2.pid"', f'ErrorLog "{p}/error.log"',
                 'User "www-data"', 'Group "www-data"',
                 'LoadModule mpm_event_module "/usr/lib/apache2/modules/mod_mpm_event.so"',
                 'LoadModule rgw_module "/m/mod_rgw.so"', "Listen 127.0.0.1:8080",
                 "LimitRequestBody 0", "LimitRequestFieldSize 65536",
                 "AllowEncodedSlashes NoDecode", "MergeSlashes Off", '<Location "/">',
                 "RGW On", 'RGWStore "local:/srv/s3"', 'RGWRegion "us-east-1"',
                 'RGWDomains "s3.test" "s3.example.com"', "RGWMaxObjectSize 5g",
                 "RGWBufferSize 128k", "</Location>"]:
        assert line in d, (line, d)
    assert not any(line.startswith("CustomLog") for line in d)


@pytest.mark.parametrize("mpm", ["event", "worker", "prefork"])
def test_mpms(mpm, tmp_path):
    d = directives(render(ApacheSettings(store="local:/x", prefix=str(tmp_path), mpm=mpm,
                                         processes=3, threads_per_child=4)))
    assert f'LoadModule mpm_{mpm}_module "/usr/lib/apache2/modules/mod_mpm_{mpm}.so"' in d
    assert "MaxRequestWorkers 12" in d
    assert ("ThreadsPerChild 4" in d) == (mpm != "prefork")


def test_children_run_as_www_data_under_root(tmp_path):
    d = directives(render(ApacheSettings(store="local:/x", prefix=str(tmp_path))))
    if os.geteuid() == 0:
        assert 'User "www-data"' in d and 'Group "www-data"' in d
    else:
        assert not any(line.startswith("User ") for line in d)


def test_vhost_load_and_modconf():
    s = ApacheSettings(store="local:/srv/s3", listen="8081", module="/m/mod_rgw.so",
                       region="eu-west-1")
    vhost = directives(render(s, kind="vhost"))
    assert vhost[0] == "<VirtualHost 8081>" and vhost[-1] == "</VirtualHost>"
    assert 'RGWStore "local:/srv/s3"' in vhost and "LimitRequestBody 0" in vhost
    assert not any(line.startswith(("LoadModule", "Listen", "User")) for line in vhost)
    assert directives(render(s, kind="load")) == ['LoadModule rgw_module "/m/mod_rgw.so"']
    modconf = directives(render(s, kind="modconf"))
    assert modconf[0] == "<IfModule rgw_module>" and 'RGWRegion "eu-west-1"' in modconf
    assert not any("RGWStore" in line or "RGW On" in line for line in modconf)


def test_full_conf_needs_a_prefix():
    with pytest.raises(ValueError, match="prefix: required"):
        render(ApacheSettings(store="local:/x"))
    with pytest.raises(ValueError, match="prefix: must be an absolute path"):
        ApacheSettings(store="local:/x", prefix="run/apache")


def test_settings_cover_the_options_apache_reads():
    """Every option a door reads (not the aio-only threads) is a setting."""
    fields = {f.name for f in dataclasses.fields(ApacheSettings)}
    wanted = {o.name for o in options.door_options()}
    assert wanted and wanted <= fields
    assert "threads" not in fields


@pytest.mark.parametrize("ch", list(FORBIDDEN), ids=[repr(c) for c in FORBIDDEN])
def test_forbidden_characters_refused(ch):
    what = re.escape(f"{FORBIDDEN[ch]} ({ch!r})")
    with pytest.raises(ValueError, match=rf"^store: {what} is not allowed in an Apache"):
        ApacheSettings(store=f"local:/x{ch}y")
    with pytest.raises(ValueError, match=rf"^domains: {what}"):
        ApacheSettings(store="local:/x", domains=["s3.test", f"s3{ch}.test"])
    for setting in ("module", "prefix", "modules_dir"):
        with pytest.raises(ValueError, match=rf"^{setting}: {what}"):
            ApacheSettings(store="local:/x", **{setting: f"/a{ch}b"})


@pytest.mark.parametrize("setting,value,message", [
    ("store", "ftp://x", r"^store: .*must start with local: or rados:"),
    ("region", "US East", r"^region: .*"),
    ("max_object_size", "0", r"^max_object_size: must be greater than zero"),
    ("buffer_size", "12q", r"^buffer_size: "),
    ("mpm", "threadpool", r"^mpm: one of event, worker, prefork"),
    ("processes", 0, r"^processes: expected a whole number of at least 1"),
    ("threads_per_child", True, r"^threads_per_child: expected a whole number"),
    ("log_level", "loud", r"^log_level: one of "),
    ("user", "bad user", r"^user: a space"),
    ("listen", "host:99999", r"^listen: expected PORT"),
])
def test_bad_values_refused(setting, value, message):
    with pytest.raises(ValueError, match=message):
        ApacheSettings(**{"store": "local:/x", setting: value})


def test_cli_writes_what_render_renders(tmp_path):
    out = tmp_path / "apache2.conf"
    res = cli("apache-conf", "--store", "local:/srv/s3", "--prefix", str(tmp_path),
              "--module", "/m/mod_rgw.so", "--domain", "s3.test", "--mpm", "worker",
              "--output", str(out))
    assert res.returncode == 0, res.stderr
    assert out.read_text() == render(ApacheSettings(
        store="local:/srv/s3", prefix=str(tmp_path), module="/m/mod_rgw.so",
        domains=["s3.test"], mpm="worker"))
    res = cli("apache-conf", "--kind", "load", env={"RGW_STORE": "local:/x",
                                                   "RGW_APACHE_MODULE": "/e/mod_rgw.so"})
    assert res.returncode == 0 and directives(res.stdout) == [
        'LoadModule rgw_module "/e/mod_rgw.so"']


def test_cli_refuses_bad_values_and_writes_nothing(tmp_path):
    out = tmp_path / "x.conf"
    res = cli("apache-conf", "--store", "local:/x y", "--prefix", str(tmp_path),
              "--output", str(out))
    assert res.returncode == 2 and res.stdout == ""
    assert res.stderr.startswith("librgw-admin: error: store: a space (' ')"), res.stderr
    assert not out.exists()


# ------------------------------------------------------------- apache2 -t

def test_generated_configs_pass_apache2_t(tmp_path):
    module = apache_module()
    for mpm in ("event", "worker", "prefork"):
        ok, output = check(render(ApacheSettings(
            store="local:/srv/s3", prefix=str(tmp_path), module=module, mpm=mpm,
            domains=["s3.test"], access_log=True)))
        assert ok and "Syntax OK" in output, output
    s = ApacheSettings(store="rados:rgw?conf=/etc/ceph/ceph.conf", module=module)
    for kind in ("vhost", "load", "modconf"):
        ok, output = check(render(s, kind=kind), kind=kind, module=module)
        assert ok and "Syntax OK" in output, (kind, output)


def test_a_broken_directive_fails_apache2_t(tmp_path):
    module = apache_module()
    text = render(ApacheSettings(store="local:/srv/s3", prefix=str(tmp_path), module=module))
    assert "RGWBufferSize 128k" in text
    ok, output = check(text.replace("RGWBufferSize 128k", "RGWBufferSize 0"))
    assert not ok and "RGWBufferSize" in output, output


def test_cli_check(tmp_path):
    module = apache_module()
    out = tmp_path / "apache2.conf"
    res = cli("apache-conf", "--store", "local:/srv/s3", "--prefix", str(tmp_path),
              "--module", module, "--check", "--output", str(out))
    assert res.returncode == 0 and "Syntax OK" in res.stderr, res.stderr
    assert out.exists()
    res = cli("apache-conf", "--store", "local:/srv/s3", "--prefix", str(tmp_path),
              "--module", str(tmp_path / "missing.so"), "--check", "--output",
              str(tmp_path / "y.conf"))
    assert res.returncode == 1 and not (tmp_path / "y.conf").exists(), res.stderr
