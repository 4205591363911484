"""The Debian packages, installed and used as an operator would.

`apt-get install ./*.deb` (the debs of $LIBRGW_DEB_DIR, default
build/packages/, which make test-packages builds first) next to Ceph's own
librgw2, librgw-dev, python3-rgw and radosgw; then Debian's nginx (the module
loaded from /etc/nginx/modules-enabled/) and Debian's Apache (`a2enmod rgw`),
each on the example site the package installs, serve S3 to boto3 from the
default store directory /var/lib/librgw and from the throwaway Ceph
cluster; the system python3 imports pyrgw; librgw-admin runs; the gc
agent's units are there and disabled; then `apt-get purge` leaves nothing
of ours on disk and Ceph's packages intact.

This changes the machine it runs on, so it runs as root, after every other
test (make test runs make test-packages last), and is safe to rerun:
- our packages installed by someone else are never purged: the test fails
  and says so;
- a /var/lib/librgw that is not ours (e.g. make demo-apache's store) is
  moved aside for the test and put back afterwards;
- what the test changed is recorded in STATE before it changes it, so a run
  killed half-way is undone by the next one.
"""
import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid

import boto3
import pytest
from botocore.config import Config
from s3_servers import free_port

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CEPH = ["librgw2", "librgw-dev", "python3-rgw", "radosgw"]
STORE_DIR = "/var/lib/librgw"
STATE = "/var/tmp/librgw-package-test.json"
SAVED_STORE_DIR = STORE_DIR + ".saved-by-package-test"
DIST_PACKAGES = "/usr/lib/python3/dist-packages"
# What the system's tools see: no virtualenv, no build tree, no test settings.
SYSTEM_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "HOME": "/root"}
APT_ENV = dict(SYSTEM_ENV, DEBIAN_FRONTEND="noninteractive")


def run(cmd, user=None, **kw):
    """Runs cmd in the system's environment (as user, if given); returns its
    stdout; a failure fails the test with the command's output."""
    if user:
        cmd = ["runuser", "-u", user, "--"] + cmd
    kw.setdefault("env", SYSTEM_ENV)
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert proc.returncode == 0, (f"{' '.join(cmd)} exited {proc.returncode}:\n"
                                  f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc.stdout


def status(package):
    """dpkg's status of package: installed, config-files, not-installed, ..."""
    proc = subprocess.run(["dpkg-query", "-W", "-f=${db:Status-Status}", package],
                          capture_output=True, text=True, env=SYSTEM_ENV)
    return proc.stdout.strip() if proc.returncode == 0 and proc.stdout.strip() else "not-installed"


def header_version():
    header = os.path.join(REPO, "librgw", "include", "librgw", "librgw.h")
    (line,) = [ln for ln in open(header) if ln.startswith("#define LIBRGW_VERSION_STRING ")]
    return line.split('"')[1]


def guide_blocks():
    """The shell blocks of docs/packaging.md's "Running from the packages"
    marked <!-- docs-test: packages -->: this test runs them."""
    text = open(os.path.join(REPO, "docs", "packaging.md")).read()
    found = re.findall(r"<!-- docs-test: packages -->\n```sh\n(.*?)```", text, re.S)
    assert len(found) == 2, found
    return found


def debs():
    d = os.environ.get("LIBRGW_DEB_DIR", os.path.join(REPO, "build", "packages"))
    found = sorted(glob.glob(os.path.join(os.path.abspath(d), "*.deb")))
    assert found, f"no .deb in {d}: `make deb` builds them (make test-packages does it first)"
    return found


def ceph_verify():
    """dpkg --verify of Ceph's packages (what differs from their md5sums)."""
    proc = subprocess.run(["dpkg", "--verify"] + CEPH, capture_output=True, text=True,
                          env=SYSTEM_ENV)
    return proc.stdout


def purge(packages):
    present = [p for p in packages if status(p) != "not-installed"]
    if present:
        run(["apt-get", "purge", "-y", "-q"] + present, env=APT_ENV)


def undo(state):
    """Puts the machine back as STATE says it was before the test."""
    purge(state["packages"])
    if state.get("moved_store_dir") and os.path.isdir(SAVED_STORE_DIR):
        shutil.rmtree(STORE_DIR, ignore_errors=True)
        os.rename(SAVED_STORE_DIR, STORE_DIR)
    os.unlink(STATE)


@pytest.fixture(scope="module")
def installed():
    """Our packages installed; yields {"packages": names, "ceph_verify": ...}."""
    assert os.geteuid() == 0, "the install test installs packages: run it as root (CI does)"
    for p in CEPH:
        assert status(p) == "installed", \
            f"Ceph's {p} is not installed: packaging/install-deps.sh installs it"
    files = debs()
    packages = [run(["dpkg-deb", "-f", f, "Package"]).strip() for f in files]
    if os.path.exists(STATE):  # a run that died half-way: undo what it did
        with open(STATE) as f:
            undo(json.load(f))
    foreign = [p for p in packages if status(p) != "not-installed"]
    assert not foreign, (f"{', '.join(foreign)} already on this machine, not installed by this "
                         "test: it would purge them (and /var/lib/librgw); remove them first")
    state = {"packages": packages, "moved_store_dir": os.path.exists(STORE_DIR)}
    assert not os.path.exists(SAVED_STORE_DIR), f"{SAVED_STORE_DIR} exists: whose is it?"
    with open(STATE, "w") as f:
        json.dump(state, f)
    if state["moved_store_dir"]:
        os.rename(STORE_DIR, SAVED_STORE_DIR)
    try:
        before = ceph_verify()
        # The guide's install command, from the top of the tree, on the debs
        # in build/packages/ (or on $LIBRGW_DEB_DIR's).
        install = guide_blocks()[0].replace("./build/packages/",
                                            os.path.dirname(files[0]) + "/")
        assert install.startswith("apt-get install -y "), install
        run(["bash", "-e", "-c", install], cwd=REPO, env=APT_ENV)
        yield {"packages": packages, "ceph_verify": before}
    finally:
        undo(state)


def listing(package):
    return [f for f in run(["dpkg", "-L", package]).split("\n") if f and f != "/."]


def test_installed_beside_ceph(installed):
    ours = installed["packages"]
    assert {"librgwcore0", "librgwcore-dev", "libnginx-mod-http-rgw", "libapache2-mod-rgw",
            "python3-pyrgw", "librgw-tools"} <= set(ours)
    for p in ours + CEPH:
        assert status(p) == "installed", p
    assert ceph_verify() == installed["ceph_verify"]
    files = lambda pkgs: {f for p in pkgs for f in listing(p) if f and not os.path.isdir(f)}  # noqa: E731
    assert not files(ours) & files(CEPH)
    # Both libraries and both Python modules, side by side.
    assert os.path.exists("/usr/lib/x86_64-linux-gnu/librgwcore.so.0")
    assert os.path.exists("/usr/lib/x86_64-linux-gnu/librgw.so.2")
    run(["python3", "-c", "import rgw, pyrgw"])


def test_system_python_uses_the_packaged_core(installed, tmp_path):
    out = run(["python3", "-c", "import json, pyrgw, pyrgw._librgw as ext; "
               "print(json.dumps([pyrgw.__file__, ext.__file__, pyrgw.__version__]))"])
    init, ext, version = json.loads(out)
    assert init == f"{DIST_PACKAGES}/pyrgw/__init__.py"
    assert ext.startswith(f"{DIST_PACKAGES}/pyrgw/_librgw.")
    assert version == header_version()
    # The extension links the packaged librgwcore.so.0; pyrgw has no copy of its own.
    (line,) = [ln for ln in run(["ldd", ext]).splitlines() if "librgwcore" in ln]
    linked = line.split("=>")[1].split()[0]
    assert os.path.realpath(linked) == os.path.realpath("/usr/lib/x86_64-linux-gnu/librgwcore.so.0")
    assert [f for f in listing("python3-pyrgw") if "librgwcore" in f] == []
    # And it works: a store, a user, a bucket, an object.
    root = tmp_path / "store"
    script = ("import sys, pyrgw; s = pyrgw.Store('local:' + sys.argv[1]); s.create_user('u1'); "
              "s.create_bucket('bkt-1', owner='u1'); s.put_object('bkt-1', 'k', b'from the system'); "
              "print(s.get_object('bkt-1', 'k').decode())")
    assert run(["python3", "-c", script, str(root)]).strip() == "from the system"


def test_packaging_guide(installed):
    """The guide's own commands work on the installed packages."""
    out = run(["bash", "-e", "-c", guide_blocks()[1]], cwd=REPO)
    assert re.match(r"created user alice\n  access key [A-Z0-9]{20}\n  secret key \S{40}\n", out), out
    assert "disabled\n" in out and "RGW_STORE=local:/var/lib/librgw\n" in out
    assert out.endswith(header_version() + "\n")


def test_librgw_admin(installed, tmp_path):
    assert run(["sh", "-c", "command -v librgw-admin"]).strip() == "/usr/bin/librgw-admin"
    store = f"local:{tmp_path}/store"
    user = json.loads(run(["librgw-admin", "--store", store, "--json", "user", "create",
                           "--uid", "operator"]))
    assert user["uid"] == "operator" and len(user["keys"]) == 1
    listed = json.loads(run(["librgw-admin", "--store", store, "--json", "user", "list"]))
    assert "operator" in json.dumps(listed)
    assert re.match(r"store +uri +default +required\n", run(["librgw-admin", "options"]))
    assert run(["man", "-w", "librgw-admin"]).strip() == "/usr/share/man/man1/librgw-admin.1.gz"


def client_conf(cluster):
    """A ceph.conf that the web servers' www-data can read, in a directory it
    can reach (the cluster's own lives in a root-only temporary directory,
    and names its admin sockets and logs there): the monitor and no auth."""
    d = tempfile.mkdtemp(prefix="librgw-pkg-client-")
    os.chmod(d, 0o755)
    path = os.path.join(d, "ceph.conf")
    with open(path, "w") as f:
        f.write(f"[global]\nfsid = {cluster.fsid}\nmon host = 127.0.0.1:{cluster.port}\n"
                "auth cluster required = none\nauth service required = none\n"
                "auth client required = none\n")
    os.chmod(path, 0o644)
    return path


def example_site(package, port, store):
    """The example site a module package installs, on port and store."""
    path = f"/usr/share/doc/{package}/examples/rgw.conf"
    text = open(path).read()
    assert "127.0.0.1:8080" in text and '"local:/var/lib/librgw"' in text, text
    return text.replace("127.0.0.1:8080", f"127.0.0.1:{port}").replace(
        '"local:/var/lib/librgw"', f'"{store}"')


def nginx_conf(workdir, site):
    return f"""user www-data;
worker_processes 2;
daemon off;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log info;
include /etc/nginx/modules-enabled/*.conf;
events {{ worker_connections 256; }}
http {{
    access_log off;
    include {site};
}}
"""


def apache_conf(workdir, port, site):
    return f"""ServerRoot /etc/apache2
DefaultRuntimeDir {workdir}
PidFile {workdir}/apache2.pid
Mutex file:{workdir} default
User www-data
Group www-data
ErrorLog {workdir}/error.log
LogLevel info
ServerName 127.0.0.1
IncludeOptional mods-enabled/*.load
IncludeOptional mods-enabled/*.conf
Listen 127.0.0.1:{port}
Include {site}
"""


def start(door, store):
    """Debian's nginx or Apache, from the installed bits, serving store."""
    port = free_port()
    workdir = tempfile.mkdtemp(prefix=f"librgw-pkg-{door}-")
    os.chmod(workdir, 0o755)
    site = os.path.join(workdir, "rgw.conf")
    conf = os.path.join(workdir, f"{door}.conf")
    if door == "nginx":
        assert os.path.realpath("/etc/nginx/modules-enabled/50-mod-http-rgw.conf") == \
            "/usr/share/nginx/modules-available/mod-http-rgw.conf"
        package, text = "libnginx-mod-http-rgw", nginx_conf(workdir, site)
        cmd, stop_signal = ["/usr/sbin/nginx", "-c", conf, "-e", f"{workdir}/error.log"], signal.SIGQUIT
    else:
        run(["a2enmod", "rgw"])  # enabled by the package already: a no-op that must succeed
        assert os.path.exists("/etc/apache2/mods-enabled/rgw.load")
        package, text = "libapache2-mod-rgw", apache_conf(workdir, port, site)
        cmd, stop_signal = ["/usr/sbin/apache2", "-f", conf, "-DFOREGROUND"], signal.SIGTERM
    with open(site, "w") as f:
        f.write(example_site(package, port, store))
    with open(conf, "w") as f:
        f.write(text)
    out = open(os.path.join(workdir, "server.out"), "w")
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=SYSTEM_ENV,
                            start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"{door} exited: {read(workdir, 'server.out')}" \
                                    f"{read(workdir, 'error.log')}"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, port, workdir, stop_signal
        except OSError:
            time.sleep(0.1)
    proc.kill()
    pytest.fail(f"{door} did not listen on {port}: {read(workdir, 'error.log')}")


def read(workdir, name):
    path = os.path.join(workdir, name)
    return open(path, errors="replace").read()[-3000:] if os.path.exists(path) else ""


def stop(proc, stop_signal):
    os.killpg(proc.pid, stop_signal)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.mark.parametrize("store_kind", ["local", "rados"])
@pytest.mark.parametrize("door", ["nginx", "apache"])
def test_serves_s3_from_the_installed_bits(installed, ceph_cluster, door, store_kind):
    if store_kind == "local":
        store, admin_user = f"local:{STORE_DIR}", "www-data"
    else:
        store, admin_user = f"rados:pkg{uuid.uuid4().hex[:8]}?conf={client_conf(ceph_cluster)}", None
    uid = f"pkg-{door}-{store_kind}"
    user = json.loads(run(["librgw-admin", "--store", store, "--json", "user", "create",
                           "--uid", uid], user=admin_user))
    keys = user["keys"][0]
    proc, port, workdir, stop_signal = start(door, store)
    try:
        s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}",
                          aws_access_key_id=keys["access_key"],
                          aws_secret_access_key=keys["secret_key"], region_name="us-east-1",
                          config=Config(s3={"addressing_style": "path"},
                                        retries={"max_attempts": 1}))
        bucket = f"pkg-{door}-{store_kind}-{uuid.uuid4().hex[:6]}"
        s3.create_bucket(Bucket=bucket)
        bodies = {"small.txt": b"installed", "dir/big.bin": os.urandom(3 * 1024 * 1024 + 5)}
        for key, body in bodies.items():
            s3.put_object(Bucket=bucket, Key=key, Body=body)
        for key, body in bodies.items():
            assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == body
        listed = s3.list_objects_v2(Bucket=bucket)
        assert sorted(o["Key"] for o in listed["Contents"]) == sorted(bodies)
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == [bucket]
    finally:
        stop(proc, stop_signal)
    log = read(workdir, "error.log")
    assert not re.search(r"\[(crit|alert|emerg)\]|:(crit|alert|emerg)\]|signal 11|Segmentation", log), log
    # What the server wrote, the system's librgw-admin reads back.
    stats = json.loads(run(["librgw-admin", "--store", store, "--json", "bucket", "stats",
                            "--bucket", bucket], user=admin_user))
    assert (stats["num_objects"], stats["size_bytes"], stats["owner"]) == \
        (len(bodies), sum(map(len, bodies.values())), uid), stats
    if store_kind == "local":  # the store is the web server user's, all of it
        owners = {os.stat(os.path.join(d, n)).st_uid
                  for d, dirs, names in os.walk(STORE_DIR) for n in dirs + names}
        assert owners == {int(run(["id", "-u", "www-data"]))}, owners


def unit_command(unit_path):
    """A service's command as systemd would run it: (its user, the settings
    of its environment file, its ExecStart with them filled in).  The
    settings name the default store."""
    unit = open(unit_path).read()
    user = re.search(r"^User=(\S+)", unit, re.M).group(1)
    env_file = re.search(r"^EnvironmentFile=(\S+)", unit, re.M).group(1)
    settings = dict(re.findall(r"^(\w+)=(.*)$", open(env_file).read(), re.M))
    assert settings["RGW_STORE"] == f"local:{STORE_DIR}"
    command = re.search(r"^ExecStart=(.*)$", unit, re.M).group(1)
    argv = [settings.get(w[2:-1], w) if w.startswith("${") else w for w in command.split()]
    return user, settings, argv


def test_gc_units_shipped_disabled(installed):
    for unit in ["librgw-gc.service", "librgw-gc.timer"]:
        assert os.path.exists(f"/lib/systemd/system/{unit}"), unit
    enabled = subprocess.run(["systemctl", "is-enabled", "librgw-gc.timer"], capture_output=True,
                             text=True, env=SYSTEM_ENV)
    assert enabled.stdout.strip() == "disabled", enabled
    assert not glob.glob("/etc/systemd/system/*.wants/librgw-gc.*")
    # The service's command, as systemd would run it (its user, its
    # environment file), collects the default store.
    user, settings, argv = unit_command("/lib/systemd/system/librgw-gc.service")
    out = run(argv, user=user, env=dict(SYSTEM_ENV, **settings))
    assert re.fullmatch(r"gc: removed \d+ objects \(\d+ bytes\), repaired \d+ index entries\n", out), out


@pytest.mark.parametrize("agent,done", [("expirer", "expirer pass: 0 objects removed"),
                                        ("lifecycle", "lifecycle pass: 0 buckets")])
def test_agent_units_shipped_disabled(installed, agent, done):
    unit_path = f"/lib/systemd/system/librgw-{agent}.service"
    assert os.path.exists(unit_path)
    enabled = subprocess.run(["systemctl", "is-enabled", f"librgw-{agent}.service"],
                             capture_output=True, text=True, env=SYSTEM_ENV)
    assert enabled.stdout.strip() == "disabled", enabled
    assert not glob.glob(f"/etc/systemd/system/*.wants/librgw-{agent}.*")
    # Its command, as systemd would run it (its user, its environment
    # file), for one pass over the default store; --once ends it.
    user, settings, argv = unit_command(unit_path)
    proc = subprocess.run(["runuser", "-u", user, "--"] + argv + ["--once"], capture_output=True,
                          text=True,
                          env=dict(SYSTEM_ENV, **settings))
    assert proc.returncode == 0 and done in proc.stderr, proc.stderr
    assert os.path.exists("/usr/share/man/man1/librgw-agent.1.gz")


def test_purge_leaves_nothing_of_ours(installed):
    ours = installed["packages"]
    paths = {f for p in ours for f in listing(p) if f}
    # What the maintainer scripts and the system's tools made at run time.
    made = ["/etc/nginx/modules-enabled/50-mod-http-rgw.conf", "/etc/apache2/mods-enabled/rgw.load",
            "/etc/apache2/mods-enabled/rgw.conf", STORE_DIR, f"{DIST_PACKAGES}/pyrgw"]
    for path in made:
        assert os.path.lexists(path), path
    run(["apt-get", "purge", "-y", "-q"] + ours, env=APT_ENV)
    for p in ours:
        assert status(p) == "not-installed", p
    left = []
    for path in sorted(paths | set(made)):
        if not os.path.lexists(path):
            continue
        owned = subprocess.run(["dpkg", "-S", path], capture_output=True, env=SYSTEM_ENV)
        if owned.returncode != 0:  # there, and no other package's
            left.append(path)
    assert left == []
    # State the system's tools keep about our packages.
    leftovers = glob.glob("/var/lib/apache2/module/*/rgw") + \
        glob.glob("/var/lib/systemd/deb-systemd-helper-*/**/librgw-gc*", recursive=True) + \
        glob.glob("/var/lib/systemd/deb-systemd-helper-*/**/librgw-expirer*", recursive=True) + \
        glob.glob("/var/lib/systemd/deb-systemd-helper-*/**/librgw-lifecycle*", recursive=True) + \
        glob.glob("/etc/systemd/system/**/librgw-gc*", recursive=True) + \
        glob.glob("/etc/systemd/system/**/librgw-expirer*", recursive=True) + \
        glob.glob("/etc/systemd/system/**/librgw-lifecycle*", recursive=True) + \
        glob.glob("/etc/default/librgw-gc*") + glob.glob("/etc/default/librgw-expirer*") + \
        glob.glob("/etc/default/librgw-lifecycle*")
    assert leftovers == []
    for p in CEPH:
        assert status(p) == "installed", p
    assert ceph_verify() == installed["ceph_verify"]
