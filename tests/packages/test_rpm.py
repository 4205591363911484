"""The RPM packages `make rpm` builds (packaging/rpm/librgw-gateway.spec).

They are built with Debian's rpmbuild against this machine's toolchain,
nginx-dev and apache2-dev, never in a Fedora buildroot and never installed
(docs/rpm.md): what can be checked here is the spec itself, what each
package holds, what it requires and provides, its scriptlets, and the ELF
files inside.  The packages are read from $LIBRGW_RPM_DIR (default
build/packages/rpm); a missing package, directory or tool fails the tests,
nothing is skipped.  Self-contained: tests/packages/ has no shared fixtures
for this file.
"""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "rpm" / "librgw-gateway.spec"
HEADER = ROOT / "librgw" / "include" / "librgw" / "librgw.h"
RPM_DIR = Path(os.environ.get("LIBRGW_RPM_DIR") or ROOT / "build" / "packages" / "rpm")

LIBDIR = "/usr/lib64"
SITEARCH = r"/usr/lib64/python3\.\d+/site-packages"
UNITDIR = "/usr/lib/systemd/system"
BUILD_ID = r"/usr/lib/\.build-id(/.*)?"
DOC = r"/usr/share/doc/{}(-[\d.]+)?(/rgw\.conf)?"  # the example site of a module package

# Per package: the key files (regular expressions, each must match a listed
# path) and the only paths it may hold (every listed path must match one).
KEY_FILES = {
    "librgwcore": [rf"{LIBDIR}/librgwcore\.so\.0", rf"{LIBDIR}/librgwcore\.so\.\d+\.\d+\.\d+"],
    "librgwcore-devel": [r"/usr/include/librgw/librgw\.h", rf"{LIBDIR}/librgwcore\.so",
                         rf"{LIBDIR}/pkgconfig/librgwcore\.pc"],
    "nginx-mod-http-rgw": [rf"{LIBDIR}/nginx/modules/ngx_http_rgw_module\.so",
                           r"/usr/share/nginx/modules/mod-http-rgw\.conf", r"/var/lib/librgw"],
    "mod_rgw": [rf"{LIBDIR}/httpd/modules/mod_rgw\.so", r"/etc/httpd/conf\.modules\.d/10-rgw\.conf"],
    "python3-pyrgw": [rf"{SITEARCH}/pyrgw/__init__\.py", rf"{SITEARCH}/pyrgw/admin\.py",
                      rf"{SITEARCH}/pyrgw/_librgw\.cpython-\d+-x86_64-linux-gnu\.so",
                      rf"{SITEARCH}/pyrgw-\d+\.\d+\.\d+\.dist-info/METADATA",
                      rf"{SITEARCH}/pyrgw-\d+\.\d+\.\d+\.dist-info/entry_points\.txt"],
    "librgw-tools": [r"/usr/bin/librgw-admin", rf"{UNITDIR}/librgw-gc\.service",
                     rf"{UNITDIR}/librgw-gc\.timer", r"/etc/sysconfig/librgw-gc",
                     r"/usr/share/man/man1/librgw-admin\.1(\.gz)?", r"/usr/bin/librgw-agent",
                     rf"{UNITDIR}/librgw-expirer\.service", r"/etc/sysconfig/librgw-expirer",
                     rf"{UNITDIR}/librgw-lifecycle\.service", r"/etc/sysconfig/librgw-lifecycle",
                     r"/usr/share/man/man1/librgw-agent\.1(\.gz)?"],
}
ALLOWED = {
    "librgwcore": KEY_FILES["librgwcore"] + [r"/usr/share/doc/librgwcore(-[\d.]+)?(/README\.md)?", BUILD_ID],
    "librgwcore-devel": KEY_FILES["librgwcore-devel"] + [r"/usr/include/librgw"],
    "nginx-mod-http-rgw": KEY_FILES["nginx-mod-http-rgw"] + [DOC.format("nginx-mod-http-rgw"), BUILD_ID],
    "mod_rgw": KEY_FILES["mod_rgw"] + [DOC.format("mod_rgw"), BUILD_ID],
    "python3-pyrgw": [rf"{SITEARCH}/pyrgw(/.*)?", rf"{SITEARCH}/pyrgw-\d+\.\d+\.\d+\.dist-info(/.*)?", BUILD_ID],
    "librgw-tools": KEY_FILES["librgw-tools"],
}
PACKAGES = tuple(KEY_FILES)

# Ceph's packages and the files they own, which ours must never clash with.
CEPH_PACKAGES = {"librgw2", "librgw-devel", "librgw2-devel", "python3-rgw", "ceph-radosgw", "radosgw"}
CEPH_FILES = [r".*/librgw\.so(\..*)?", r".*/rados/librgw\.h", r".*/rados/rgw_file\.h",
              r".*/site-packages/rgw(/.*|\.py|\..*\.so)?", r".*/site-packages/rgw-.*\.(dist|egg)-info(/.*)?"]

SONAME_DEP = "librgwcore.so.0()(64bit)"


def need(tool):
    """The path of a tool the tests run; a missing one fails them."""
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is not installed (Debian's rpm package has rpm, rpmspec and rpm2cpio)")
    return path


def run(*args):
    return subprocess.run([need(args[0]), *args[1:]], check=True, capture_output=True, text=True).stdout


def header_version():
    m = re.search(r'^#define LIBRGW_VERSION_STRING\s+"([0-9.]+)"', HEADER.read_text(), re.M)
    assert m, f"{HEADER}: no LIBRGW_VERSION_STRING"
    return m.group(1)


@pytest.fixture(scope="module")
def rpms():
    """{package name: path} of every RPM in RPM_DIR ("src" for the SRPM)."""
    if not RPM_DIR.is_dir():
        pytest.fail(f"{RPM_DIR}: no such directory; run `make rpm` first")
    found = {}
    for path in sorted(RPM_DIR.glob("*.rpm")):
        name = "src" if path.name.endswith(".src.rpm") else run("rpm", "-qp", "--qf", "%{NAME}", str(path))
        assert name not in found, f"two packages named {name}: {found[name]} and {path}"
        found[name] = path
    missing = [n for n in ("src", *PACKAGES) if n not in found]
    if missing:
        pytest.fail(f"{RPM_DIR}: missing {', '.join(missing)}; run `make rpm`")
    return found


def file_list(path):
    return [f for f in run("rpm", "-qlp", str(path)).splitlines() if f != "(contains no files)"]


def requires(path):
    return run("rpm", "-qpR", str(path)).splitlines()


def unpack_cpio(payload, dest):
    """Writes the regular files, symlinks and directories of a "newc" cpio
    archive (rpm2cpio's output) under dest: Debian's rpm package has
    rpm2cpio, but cpio is another package."""
    at = 0
    while True:
        header = payload[at:at + 110]
        assert header[:6] == b"070701", f"not a newc cpio archive at {at}: {header[:6]!r}"
        fields = [int(header[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
        mode, size, name_size = fields[1], fields[6], fields[11]
        name = payload[at + 110:at + 110 + name_size - 1].decode()
        at = (at + 110 + name_size + 3) & ~3
        data = payload[at:at + size]
        at = (at + size + 3) & ~3
        if name == "TRAILER!!!":
            return
        target = dest / name.lstrip("./")
        kind = mode & 0o170000
        if kind == 0o040000:
            target.mkdir(parents=True, exist_ok=True)
        elif kind in (0o100000, 0o120000):
            target.parent.mkdir(parents=True, exist_ok=True)
            if kind == 0o120000:
                target.symlink_to(data.decode())
            else:
                target.write_bytes(data)


@pytest.fixture(scope="module")
def extracted(rpms, tmp_path_factory):
    """A function: package name -> the directory its payload is unpacked in."""
    dirs = {}

    def extract(name):
        if name not in dirs:
            dest = tmp_path_factory.mktemp(name)
            payload = subprocess.run([need("rpm2cpio"), str(rpms[name])], check=True, capture_output=True).stdout
            unpack_cpio(payload, dest)
            dirs[name] = dest
        return dirs[name]

    return extract


def dynamic_section(path):
    return run("readelf", "-d", "-W", str(path))


def needed(dynamic):
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic)


def test_spec_parses_and_has_the_header_version():
    need("rpmspec")
    parsed = subprocess.run(["rpmspec", "-P", str(SPEC)], capture_output=True, text=True)
    assert parsed.returncode == 0, parsed.stderr
    # Every macro the spec uses is defined here (Fedora's or a fallback).
    body = parsed.stdout.split("\n%changelog")[0].splitlines()
    leftover = [line for line in body if "%{" in line and not line.lstrip().startswith("#")]
    assert not leftover, f"unexpanded macros: {leftover}"
    version = run("rpmspec", "-q", "--srpm", "--qf", "%{VERSION}", str(SPEC))
    assert version == header_version()


def test_the_srpm_and_every_binary_package_are_there(rpms):
    version = header_version()
    assert set(rpms) == {"src", *PACKAGES}, sorted(rpms)
    assert re.fullmatch(rf"librgw-gateway-{re.escape(version)}-\d+.*\.src\.rpm", rpms["src"].name)
    sources = file_list(rpms["src"])
    assert f"librgw-gateway-{version}.tar.gz" in sources and "librgw-gateway.spec" in sources
    for name in PACKAGES:
        assert run("rpm", "-qp", "--qf", "%{VERSION}", str(rpms[name])) == version, name
    arch = {name: run("rpm", "-qp", "--qf", "%{ARCH}", str(rpms[name])) for name in PACKAGES}
    assert arch.pop("librgw-tools") == "noarch"
    assert set(arch.values()) == {"x86_64"}, arch


@pytest.mark.parametrize("name", PACKAGES)
def test_each_package_holds_its_key_files_and_nothing_else(rpms, name):
    files = file_list(rpms[name])
    for key in KEY_FILES[name]:
        assert any(re.fullmatch(key, f) for f in files), f"{name}: nothing matches {key}: {files}"
    stray = [f for f in files if not any(re.fullmatch(a, f) for a in ALLOWED[name])]
    assert not stray, f"{name} holds unexpected files: {stray}"


def test_the_core_library_is_in_librgwcore_only(rpms):
    owners = {name for name in PACKAGES for f in file_list(rpms[name]) if re.search(r"/librgwcore\.so\.", f)}
    assert owners == {"librgwcore"}


def test_no_name_clashes_with_ceph(rpms):
    for name in PACKAGES:
        assert name not in CEPH_PACKAGES
        provided = {p.split()[0] for p in run("rpm", "-qp", "--provides", str(rpms[name])).splitlines()}
        assert not provided & CEPH_PACKAGES, f"{name} provides {provided & CEPH_PACKAGES}"
        clashes = [f for f in file_list(rpms[name]) if any(re.fullmatch(c, f) for c in CEPH_FILES)]
        assert not clashes, f"{name} holds files Ceph's packages own: {clashes}"


def test_declared_requirements(rpms):
    version = re.escape(header_version())
    req = {name: requires(rpms[name]) for name in PACKAGES}
    assert f"librgwcore(x86-64) = {header_version()}-1" in req["librgwcore-devel"]
    assert any(re.fullmatch(r"nginx\(abi\) = \d+\.\d+\.\d+", r) for r in req["nginx-mod-http-rgw"])
    assert "nginx-filesystem" in req["nginx-mod-http-rgw"]
    assert any(re.fullmatch(r"httpd-mmn = \d{8}x8664", r) for r in req["mod_rgw"])
    assert any(re.fullmatch(r"python\(abi\) = 3\.\d+", r) for r in req["python3-pyrgw"])
    assert "python3dist(jinja2) >= 3" in req["python3-pyrgw"]
    for name in ("nginx-mod-http-rgw", "mod_rgw", "python3-pyrgw"):
        assert SONAME_DEP in req[name], name
        assert any(re.fullmatch(rf"librgwcore\(x86-64\) = {version}-\d+.*", r) for r in req[name]), name
    assert any(re.fullmatch(rf"python3-pyrgw = {version}-\d+.*", r) for r in req["librgw-tools"])
    provides = run("rpm", "-qp", "--provides", str(rpms["librgwcore"])).splitlines()
    assert SONAME_DEP in provides
    assert f"pkgconfig(librgwcore) = {header_version()}" in \
        run("rpm", "-qp", "--provides", str(rpms["librgwcore-devel"])).splitlines()
    build_requires = requires(rpms["src"])
    for br in ("nginx-mod-devel", "httpd-devel", "python3-devel", "systemd-rpm-macros", "librados-devel"):
        assert br in build_requires, br


def test_web_server_load_files(extracted):
    nginx_conf = (extracted("nginx-mod-http-rgw") / "usr/share/nginx/modules/mod-http-rgw.conf").read_text()
    assert nginx_conf.strip() == 'load_module "/usr/lib64/nginx/modules/ngx_http_rgw_module.so";'
    httpd_conf = (extracted("mod_rgw") / "etc/httpd/conf.modules.d/10-rgw.conf").read_text()
    directives = [line for line in httpd_conf.splitlines() if line.strip() and not line.startswith("#")]
    assert directives == ["LoadModule rgw_module modules/mod_rgw.so"]


def test_the_store_directory_belongs_to_nginx(rpms):
    rows = run("rpm", "-qp", "--qf", "[%{FILENAMES} %{FILEUSERNAME} %{FILEGROUPNAME} %{FILEMODES:perms}\n]",
               str(rpms["nginx-mod-http-rgw"])).splitlines()
    assert "/var/lib/librgw nginx nginx drwxr-x---" in rows


@pytest.mark.parametrize("name,module", [
    ("nginx-mod-http-rgw", "usr/lib64/nginx/modules/ngx_http_rgw_module.so"),
    ("mod_rgw", "usr/lib64/httpd/modules/mod_rgw.so"),
])
def test_the_modules_link_the_packaged_core_without_a_run_path(extracted, name, module):
    dynamic = dynamic_section(extracted(name) / module)
    assert "librgwcore.so.0" in needed(dynamic)
    assert "(RPATH)" not in dynamic and "(RUNPATH)" not in dynamic, dynamic


def test_the_python_extension_links_the_packaged_core(rpms, extracted):
    root = extracted("python3-pyrgw")
    (extension,) = root.glob("usr/lib64/python3.*/site-packages/pyrgw/_librgw.cpython-*.so")
    dynamic = dynamic_section(extension)
    assert "librgwcore.so.0" in needed(dynamic)
    assert "(RPATH)" not in dynamic and "(RUNPATH)" not in dynamic, dynamic
    # No second copy of the core: its C API is imported, not defined, and
    # no librgwcore.so* is packaged beside pyrgw.
    # (readelf: "... UND rgw_store_open@LIBRGWCORE_0 (2)").
    rows = [line.split() for line in run("readelf", "-W", "--dyn-syms", str(extension)).splitlines()]
    core_api = [row for row in rows if len(row) >= 8 and row[7].startswith("rgw_")]
    assert ["UND", "rgw_store_open@LIBRGWCORE_0"] in [row[6:8] for row in core_api], core_api
    assert not [row for row in core_api if row[6] != "UND"], "the extension defines the core's C API"
    assert not [f for f in file_list(rpms["python3-pyrgw"]) if "librgwcore" in f]


def test_tools_scriptlets_handle_the_units_and_enable_nothing(rpms):
    scripts = run("rpm", "-qp", "--scripts", str(rpms["librgw-tools"]))
    sections = dict(re.findall(r"(?m)^(\w+) scriptlet \(using /bin/sh\):\n((?:(?!^\w+ scriptlet).*\n?)*)", scripts))
    units = "librgw-gc.service librgw-gc.timer librgw-expirer.service librgw-lifecycle.service"
    assert f"systemd-update-helper install-system-units {units}" in sections["postinstall"]
    assert f"systemd-update-helper remove-system-units {units}" in sections["preuninstall"]
    assert ("systemd-update-helper mark-restart-system-units librgw-gc.timer librgw-expirer.service "
            "librgw-lifecycle.service" in sections["postuninstall"])
    # install-system-units applies the presets (Fedora's and EL9's default
    # disables the units they do not name); nothing enables or starts one.
    assert "systemctl" not in scripts and not re.search(r"\benable\b|\bstart\b", scripts), scripts
    assert not [f for f in file_list(rpms["librgw-tools"]) if "preset" in f or ".wants/" in f]
    for name in PACKAGES:
        if name != "librgw-tools":
            assert run("rpm", "-qp", "--scripts", str(rpms[name])).strip() == "", name


def test_the_gc_unit_runs_as_nginx_with_sysconfig(extracted):
    root = extracted("librgw-tools")
    service = (root / UNITDIR.lstrip("/") / "librgw-gc.service").read_text().splitlines()
    assert "User=nginx" in service and "Group=nginx" in service
    assert "EnvironmentFile=/etc/sysconfig/librgw-gc" in service
    assert not [line for line in service if "www-data" in line or "/etc/default" in line]
    timer = (root / UNITDIR.lstrip("/") / "librgw-gc.timer").read_text()
    assert "WantedBy=timers.target" in timer
    settings = (root / "etc/sysconfig/librgw-gc").read_text()
    assert re.search(r"(?m)^RGW_STORE=local:/var/lib/librgw$", settings)


@pytest.mark.parametrize("agent", ["expirer", "lifecycle"])
def test_the_agent_units_run_as_nginx_with_sysconfig(extracted, agent):
    root = extracted("librgw-tools")
    service = (root / UNITDIR.lstrip("/") / f"librgw-{agent}.service").read_text().splitlines()
    assert "User=nginx" in service and "Group=nginx" in service
    assert f"EnvironmentFile=/etc/sysconfig/librgw-{agent}" in service
    assert not [line for line in service if "www-data" in line or "/etc/default" in line]
    assert any(line.startswith(f"ExecStart=/usr/bin/librgw-agent {agent} ") for line in service)
    settings = (root / f"etc/sysconfig/librgw-{agent}").read_text()
    assert re.search(r"(?m)^RGW_STORE=local:/var/lib/librgw$", settings)
