"""The C API reference, generated from librgw.h itself.

    .. librgw-c-api:: ../librgw/include/librgw/librgw.h

reads the header and emits, section by section ("/* ---- name */" lines),
every declaration with the comment written above it (or after it, for a
one-line #define): functions as C-domain functions (so :c:func: links
work), opaque handles and callbacks as C-domain types, macros as C-domain
macros.  The comments are shown as written (they are the documentation:
the header's own rule is that every function is documented there); a
declaration without one is a build warning, so an undocumented function
fails the docs build.
"""
import os
import re

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

SECTION = re.compile(r"^/\* -{3,} *(.*?) *\*/$")
SKIP = re.compile(r"^(#ifndef|#endif|#ifdef|#undef|#include|extern \"C\"|\}$|#define LIBRGW_LIBRGW_H)")


def _comment_text(lines):
    """The text of a /* ... */ block, its frame removed."""
    out = []
    for line in lines:
        line = line.strip()
        line = re.sub(r"^/\*+ ?", "", line)
        line = re.sub(r" ?\*+/$", "", line)
        line = re.sub(r"^\* ?", "", line) if not line.startswith("*/") else ""
        out.append(line.rstrip())
    while out and not out[0]:
        out.pop(0)
    while out and not out[-1]:
        out.pop()
    return out


def parse(text):
    """[(kind, name, declaration lines, comment lines)] and section titles
    as ("section", title, [], []), in the header's order."""
    items, comment, i = [], [], 0
    lines = text.splitlines()
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        m = SECTION.match(stripped)
        if m:
            items.append(("section", m.group(1), [], []))
            comment, i = [], i + 1
            continue
        if not stripped or SKIP.match(stripped):
            i += 1  # a comment stays the next declaration's across blank lines
            continue
        if stripped.startswith("/*"):
            block = [line]
            while "*/" not in lines[i]:
                i += 1
                block.append(lines[i])
            comment = _comment_text(block)
            i += 1
            continue
        if stripped.startswith("#define"):
            decl = [line]
            while decl[-1].rstrip().endswith("\\"):
                i += 1
                decl.append(lines[i])
            name = re.match(r"#define\s+(\w+)", stripped).group(1)
            trailing = re.search(r"/\*(.*?)\*/\s*$", decl[-1])
            text_lines = comment or ([trailing.group(1).strip()] if trailing else [])
            if not name.endswith("_"):
                items.append(("macro", name, decl, text_lines))
            comment, i = [], i + 1
            continue
        # a declaration: up to the ';' that ends it (braces balanced)
        decl, depth = [], 0
        while True:
            decl.append(lines[i])
            depth += lines[i].count("{") - lines[i].count("}")
            if depth == 0 and lines[i].rstrip().endswith(";"):
                break
            i += 1
        joined = " ".join(d.strip() for d in decl)
        if joined.startswith("typedef") and "(*" in joined:
            kind, name = "callback", re.search(r"\(\*(\w+)\)", joined).group(1)
        elif joined.startswith("typedef"):
            kind, name = "type", re.search(r"(\w+)\s*;$", joined).group(1)
        elif joined.startswith("enum"):
            kind, name = "enum", re.match(r"enum\s+(\w+)", joined).group(1)
        else:
            kind, name = "function", re.search(r"(\w+)\s*\(", joined).group(1)
        items.append((kind, name, decl, comment))
        comment, i = [], i + 1
    return items


class CApiDirective(SphinxDirective):
    required_arguments = 1

    def run(self):
        path = os.path.normpath(os.path.join(os.path.dirname(self.env.doc2path(self.env.docname)),
                                             self.arguments[0]))
        self.env.note_dependency(path)
        with open(path) as f:
            items = parse(f.read())
        rst = []
        for kind, name, decl, comment in items:
            if kind == "section":
                rst += [f".. rubric:: {name.capitalize()}", ""]
                continue
            if not comment and kind == "function":
                logger.warning("librgw.h: %s has no comment", name,
                               location=(self.env.docname, self.lineno))
            joined = " ".join(d.strip() for d in decl).rstrip(";")
            if kind == "function":
                rst += [f".. c:function:: {joined}", ""]
            elif kind == "macro":
                rst += [f".. c:macro:: {name}", ""]
            else:
                rst += [f".. c:type:: {name}", ""]
            if kind != "function":
                rst += ["   .. code-block:: c", ""] + [f"      {d}" for d in decl] + [""]
            if comment:
                rst += ["   .. code-block:: text", ""] + [f"      {c}" for c in comment] + [""]
        container = nodes.container()
        self.state.nested_parse(StringList(rst, source=path), 0, container)
        return container.children


def setup(app):
    app.add_directive("librgw-c-api", CApiDirective)
    return {"parallel_read_safe": True, "version": "1"}
