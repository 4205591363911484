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
