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
