"""Sphinx configuration of librgw's documentation site (make docs).

The pages are the Markdown files of docs/ (MyST), the C API reference is
generated from librgw.h (docs/_ext/librgw_capi.py), and the Python API
reference from pyrgw's docstrings (autodoc: pyrgw must be importable, as
make docs installs it).  Warnings are errors in make docs.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "_ext"))

project = "librgw"
author = "the librgw developers"
copyright = "2026, the librgw developers"

extensions = ["myst_parser", "sphinx.ext.autodoc", "librgw_capi", "librgw_cli"]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "_ext"]
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]
html_theme = "alabaster"
html_title = "librgw"
autodoc_member_order = "bysource"
nitpicky = False
