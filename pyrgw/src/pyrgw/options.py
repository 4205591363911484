"""The core's gateway options, the one list every door derives from.

    >>> from pyrgw import options
    >>> [o.name for o in options.options()]
    ['store', 'region', 'domains', 'max_object_size', 'buffer_size', 'threads']
    >>> cfg = options.Config()
    >>> cfg.set("buffer_size", "64k"); cfg.get_uint("buffer_size")
    65536

The table comes from the core at run time (rgw_config_option()); values are
checked by the core's own parsers (Config.set raises pyrgw.InvalidArgument,
a ValueError, with the core's message naming the option).
docs/gateway-config.md's option table is markdown_table(), printed by
``librgw-admin options --markdown`` (and ``python -m pyrgw.options``).
"""
from __future__ import annotations

import dataclasses
import os
import sys
from typing import Tuple

from . import _librgw

__all__ = ["Option", "Config", "options", "option", "door_options", "check", "add_arguments",
           "markdown_table", "GATEWAY", "DOOR", "AIO", "REQUIRED"]

GATEWAY = _librgw.OPT_GATEWAY    # read by the core's gateway
DOOR = _librgw.OPT_DOOR          # read by every door that serves requests
AIO = _librgw.OPT_AIO            # read only by doors that run an aio queue (nginx)
REQUIRED = _librgw.OPT_REQUIRED  # must be set (store)

Config = _librgw.Config


@dataclasses.dataclass(frozen=True)
class Option:
    """One row of the core's table."""

    name: str
    type: str       # "uri", "string", "list", "size", "count" or "flag" (on, off)
    default: str    # as text; "" for none
    flags: int
    doc: str

    @property
    def numeric(self):
        """A size or count: Config.get_uint() reads it."""
        return self.type in ("size", "count")


def options() -> Tuple[Option, ...]:
    """Every option, in the core's order."""
    return tuple(Option(*row) for row in _librgw.config_options())


def option(name) -> Option:
    """The option called name (KeyError if the core has none)."""
    for o in options():
        if o.name == name:
            return o
    raise KeyError(name)


def door_options() -> Tuple[Option, ...]:
    """What a door that serves requests without an aio queue (WSGI) takes:
    the gateway's options and the doors' own."""
    return tuple(o for o in options() if o.flags & (GATEWAY | DOOR))


def check(name, value):
    """Has the core check one option's value (text); returns it.  Raises
    pyrgw.InvalidArgument (a ValueError) with the core's message."""
    Config().set(name, value)
    return value


def add_arguments(parser, names, environment=False):
    """Adds ``--<name>`` (``_`` as ``-``) to an argparse parser for each
    option named, with the table's documentation and default in its help.
    An option not given is None (the core's default applies); with
    environment, its default is $RGW_<NAME>.  Count options are ints."""
    for name in names:
        o = option(name)
        shown = o.default or "none"
        parser.add_argument("--" + name.replace("_", "-"), dest=name, metavar=o.type.upper(),
                            type=int if o.type == "count" else str,
                            default=os.environ.get("RGW_" + name.upper()) if environment else None,
                            help=f"{o.doc} (default: {shown}"
                                 + (f"; $RGW_{name.upper()})" if environment else ")"))


def _readers(flags):
    who = []
    if flags & GATEWAY:
        who.append("gateway")
    if flags & DOOR:
        who.append("every door")
    if flags & AIO:
        who.append("doors with an aio queue (nginx)")
    return ", ".join(who)


def markdown_table() -> str:
    """The option table of docs/gateway-config.md, from the core's table."""
    lines = ["| option | type | default | read by | meaning |", "|---|---|---|---|---|"]
    for o in options():
        if o.flags & REQUIRED:
            default = "required"
        elif o.default:
            default = f"`{o.default}`"
        else:
            default = "none"
        doc = o.doc.replace("|", "\\|")
        lines.append(f"| `{o.name}` | {o.type} | {default} | {_readers(o.flags)} | {doc} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    """python -m pyrgw.options: prints markdown_table()."""
    sys.stdout.write(markdown_table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
