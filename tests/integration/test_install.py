"""The installed core: what files it brings, and building against it with
pkg-config.  Ceph's own librgw packages must be able to sit beside ours."""
import glob
import importlib.metadata
import os
import subprocess
import textwrap

# Files of Debian's librgw2, librgw-dev and python3-rgw (Ceph's unrelated
# library of the same name): none of ours may have these names.
CEPH_NAMES = ["librgw.so", "librgw.so.2", "rados/librgw.h", "rados/rgw_file.h", "rgw."]


def header_version():
    """LIBRGW_VERSION_STRING of the public header: the one version number."""
    header = os.path.join(os.path.dirname(__file__), "..", "..", "librgw", "include", "librgw",
                          "librgw.h")
    (line,) = [ln for ln in open(header) if ln.startswith("#define LIBRGW_VERSION_STRING ")]
    return line.split('"')[1]


def build_dir():
    d = os.environ.get("LIBRGW_BUILD_DIR")
    assert d and os.path.isdir(d), "set LIBRGW_BUILD_DIR to the core's build dir (make test does)"
    return d


def test_install_tree_and_pkg_config(tmp_path):
    prefix = tmp_path / "prefix"
    subprocess.run(["cmake", "--install", build_dir(), "--prefix", str(prefix)], check=True,
                   capture_output=True)
    files = sorted(os.path.relpath(p, prefix)
                   for p in glob.glob(str(prefix / "**"), recursive=True) if os.path.isfile(p)
                   or os.path.islink(p))
    names = {os.path.basename(f) for f in files}
    assert "librgwcore.so.0" in names and "librgwcore.pc" in names
    assert "include/librgw/librgw.h" in files
    for f in files:
        for ceph in CEPH_NAMES:
            assert not f.endswith(ceph) and not os.path.basename(f).startswith("librgw.so"), f

    (pc,) = glob.glob(str(prefix / "**" / "librgwcore.pc"), recursive=True)
    env = dict(os.environ, PKG_CONFIG_PATH=os.path.dirname(pc))
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "librgwcore"], env=env,
                           check=True, capture_output=True, text=True).stdout.split()
    src = tmp_path / "hello.c"
    src.write_text(textwrap.dedent("""
        #include <stdio.h>
        #include <librgw/librgw.h>
        int main(int argc, char **argv) {
          rgw_store_t *s;
          int rc = rgw_store_open(argv[1], &s);
          if (rc < 0) { printf("%s %s\\n", rgw_strerror(rc), rgw_last_error()); return 1; }
          rc = rgw_bucket_stat(s, "nope", NULL, 0, NULL, NULL);
          printf("%s %s\\n", rgw_version(), rgw_strerror(rc));
          rgw_store_close(s);
          return 0;
        }
    """))
    exe = tmp_path / "hello"
    subprocess.run(["cc", "-Wall", "-Werror", str(src), "-o", str(exe)] + flags, check=True)
    libdir = [f[2:] for f in flags if f.startswith("-L")][0]
    out = subprocess.run([str(exe), "local:" + str(tmp_path / "store")], check=True,
                         capture_output=True, text=True,
                         env=dict(os.environ, LD_LIBRARY_PATH=libdir)).stdout
    assert out.split() == [header_version(), "NoSuchBucket"]

    # Only the C API is exported.
    (so,) = glob.glob(str(prefix / "**" / "librgwcore.so.0"), recursive=True)
    syms = subprocess.run(["nm", "-D", "--defined-only", so], check=True, capture_output=True,
                          text=True).stdout.split("\n")
    exported = [line.split()[-1] for line in syms if line.strip()]
    assert exported and all(s.startswith("rgw_") or s == "LIBRGWCORE_0" for s in exported), \
        [s for s in exported if not s.startswith("rgw_")]


def test_python_package_names():
    files = [str(f) for f in importlib.metadata.files("pyrgw")]
    top = {f.split("/")[0] for f in files}
    assert top <= {"pyrgw", f"pyrgw-{header_version()}.dist-info", "..", "bin"}, top
    assert not any(f.startswith("rgw") for f in files)


def test_pyrgw_builds_the_core_in_where_none_is_installed(tmp_path):
    """pip install of pyrgw on a machine without librgwcore (PYRGW_CORE=bundled,
    what auto picks when pkg-config finds none): the core is compiled into the
    extension from the same sources, and the package works on its own."""
    import sys

    root = os.path.join(os.path.dirname(__file__), "..", "..")
    env = dict(os.environ, PKG_CONFIG_PATH="", CMAKE_BUILD_PARALLEL_LEVEL="2")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "wheel"),
         os.path.join(root, "pyrgw"), "-C", "cmake.define.PYRGW_CORE=bundled",
         "-C", f"build-dir={tmp_path / 'build'}", "-C", "cmake.build-type=RelWithDebInfo"],
        env=env, capture_output=True, text=True, timeout=1200)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    (wheel,) = glob.glob(str(tmp_path / "wheel" / "pyrgw-*.whl"))
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "zipfile", "-e", wheel, str(site)], check=True)
    (ext,) = glob.glob(str(site / "pyrgw" / "_librgw*.so"))
    linked = subprocess.run(["ldd", ext], check=True, capture_output=True, text=True).stdout
    assert "librgwcore" not in linked, linked
    code = textwrap.dedent(f"""
        import pyrgw
        assert pyrgw._librgw.__file__.startswith({str(site)!r}), pyrgw._librgw.__file__
        with pyrgw.Store("local:" + {str(tmp_path / "store")!r}) as s:
            s.create_user("u", access_key="AK", secret_key="SK")
            s.create_bucket("bkt", owner="u")
            s.put_object("bkt", "k", b"bundled")
            assert s.get_object("bkt", "k") == b"bundled"
            try:
                s.stat_object("bkt", "nope")
            except pyrgw.NoSuchKey:
                print("ok", pyrgw.__version__)
    """)
    out = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=str(site)),
                         capture_output=True, text=True, timeout=120, cwd=str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["ok", header_version()]
