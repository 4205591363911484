"""The C API's header is its documentation: every function it declares has
a comment of its own just above it, and the library exports exactly the
functions the header declares."""
import os
import re
import subprocess

HEADER = os.path.join(os.path.dirname(__file__), "..", "..", "librgw", "include", "librgw",
                      "librgw.h")
# A declaration's first line: return type, name, "(".
DECLARATION = re.compile(r"^(?:const |unsigned )?[a-z_0-9]+(?: \*| )\*?(rgw_[a-z0-9_]+)\(")


def declarations():
    """(name, the line above it) for every function the header declares."""
    lines = open(HEADER).read().split("\n")
    return [(m.group(1), lines[i - 1].strip())
            for i, line in enumerate(lines) if (m := DECLARATION.match(line))]


def test_every_function_has_its_own_comment():
    found = declarations()
    assert len(found) > 150, "the declarations were not found"
    undocumented = [name for name, above in found if not above.endswith("*/")]
    assert not undocumented, undocumented


def test_exports_are_the_declared_functions():
    build = os.environ.get("LIBRGW_BUILD_DIR")
    assert build, "set LIBRGW_BUILD_DIR to the core's build dir (make test does)"
    syms = subprocess.run(["nm", "-D", "--defined-only", os.path.join(build, "librgwcore.so.0")],
                          check=True, capture_output=True, text=True).stdout.split()
    exported = {s.split("@")[0] for s in syms if s.startswith("rgw_")}
    declared = {name for name, _ in declarations()}
    assert exported == declared, (sorted(declared - exported), sorted(exported - declared))


def test_the_c_api_docs_example_compiles(tmp_path):
    """docs/c-api.md's example is C against the installed header: it compiles
    (warnings are errors) and links."""
    doc = open(os.path.join(os.path.dirname(HEADER), "..", "..", "..", "docs", "c-api.md")).read()
    (block,) = re.findall(r"```c\n(.*?)```", doc, re.S)
    include, _, body = block.partition("\n")
    src = tmp_path / "example.c"
    src.write_text("#include <stdio.h>\n" + include + "\nint run(const void *data, size_t len) {\n"
                   + body + "  return 0;\n}\n"
                   "int main(void) { return run(\"x\", 1); }\n")
    build = os.environ["LIBRGW_BUILD_DIR"]
    res = subprocess.run(["cc", "-Wall", "-Wextra", "-Werror", "-I",
                          os.path.join(os.path.dirname(HEADER), ".."), str(src),
                          "-o", str(tmp_path / "example"), "-L", build, "-lrgwcore"],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr + src.read_text()
