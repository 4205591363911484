"""What the web-server configuration generators share (pyrgw.nginx_conf,
pyrgw.apache_conf): the gateway settings every door takes -- the core's
options, checked by the core with its own messages -- and the checks that
keep any value from breaking out of the directive it goes into.

A generator's settings class derives from GatewaySettings, adds the fields
of its server, and extends validate(); its templates quote every value
(quote()), which is safe because validate() refused every character the
server's syntax gives a meaning to inside or around a value.
"""
from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
import subprocess
import tempfile
from typing import ClassVar, Dict, List, Union

import jinja2

from . import options as _options

# What nginx.conf and apache2.conf give a meaning to inside or around a
# value; besides these, any other whitespace or control character is
# refused too.
FORBIDDEN = {
    '"': "a double quote",
    "'": "a single quote",
    "\\": "a backslash",
    ";": "a semicolon",
    "{": "a brace",
    "}": "a brace",
    "#": "a '#'",
    "$": "a '$'",
    " ": "a space",
    "\n": "a newline",
    "\r": "a carriage return",
    "\t": "a tab",
    "\0": "a NUL",
}

_DNS_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
_USER = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,31}")
_PORT = re.compile(r"[0-9]{1,5}")


def core_default(name):
    """A dataclass field defaulting to the core's default for option `name`."""
    return dataclasses.field(default_factory=lambda: _options.option(name).default)


def quote(value):
    """A checked value as one quoted argument (every value was checked)."""
    return f'"{value}"'


# ---------------------------------------------------------------- checks

def check_value(name, value, server="nginx", forbidden=None):
    """A string that the server reads as one plain argument, even unquoted."""
    forbidden = FORBIDDEN if forbidden is None else forbidden
    if not isinstance(value, str):
        raise ValueError(f"{name}: expected a string, got {value!r}")
    if not value:
        raise ValueError(f"{name}: must not be empty")
    for ch in value:
        if ch in forbidden:
            what = forbidden[ch]
        elif ch.isspace():
            what = "whitespace"
        elif not ch.isprintable():
            what = "a control character"
        else:
            continue
        raise ValueError(f"{name}: {what} ({ch!r}) is not allowed in an {server} "
                         f"directive value: {value!r}")


def check_core(name, value):
    """The core's check of a gateway option (as the modules' directives check
    it), its message naming the setting."""
    try:
        _options.check(name, value)
    except ValueError as e:
        message = str(e)
        if not message.startswith(name + ":"):
            message = f"{name}: {message}"
        raise ValueError(message) from None


def check_listen(listen, server="nginx", forbidden=None):
    check_value("listen", listen, server, forbidden)
    host, sep, port = listen.rpartition(":")
    if not sep:
        host, port = None, listen
    if not _PORT.fullmatch(port) or not 1 <= int(port) <= 65535:
        raise ValueError(f"listen: expected PORT, HOST:PORT or [IPv6]:PORT with a port "
                         f"1-65535: {listen!r}")
    if host is None or host == "*":
        return
    if host.startswith("[") and host.endswith("]"):
        try:
            ipaddress.IPv6Address(host[1:-1])
            return
        except ValueError:
            raise ValueError(f"listen: not an IPv6 address: {host!r}") from None
    if all(_DNS_LABEL.fullmatch(label) for label in host.lower().split(".")):
        return  # an IPv4 address or a host name the server resolves
    raise ValueError(f"listen: not an address or host name: {host!r} (IPv6 goes in brackets: "
                     f"[::1]:8080)")


def check_size(name, value, server="nginx", forbidden=None):
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    check_value(name, value, server, forbidden)
    check_core(name, value)


def check_count(name, value, also=""):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        also = " " + also if also else ""
        raise ValueError(f"{name}: expected a whole number of at least 1{also}: {value!r}")


def check_path(name, value, why, server="nginx", forbidden=None):
    """An absolute path (`why` says what a relative one would be relative to)."""
    check_value(name, value, server, forbidden)
    if not os.path.isabs(value):
        raise ValueError(f"{name}: must be an absolute path ({why}): {value!r}")


def check_flag(name, value):
    if not isinstance(value, bool):
        raise ValueError(f"{name}: expected True or False, got {value!r}")


def check_user(name, value, server="nginx", forbidden=None):
    check_value(name, value, server, forbidden)
    if not _USER.fullmatch(value):
        raise ValueError(f"{name}: not a user name: {value!r}")


# -------------------------------------------------------------- settings

@dataclasses.dataclass
class GatewaySettings:
    """The settings every generated server configuration has: where to
    listen, and the core's gateway options that the server's directives set
    (their defaults are the core's)."""

    SERVER: ClassVar[str] = "nginx"            # for messages
    FORBIDDEN: ClassVar[Dict[str, str]] = FORBIDDEN

    store: str
    listen: Union[str, int] = "127.0.0.1:8080"
    domains: List[str] = dataclasses.field(default_factory=list)
    region: str = core_default("region")
    max_object_size: str = core_default("max_object_size")
    swift_prefix: str = core_default("swift_prefix")
    buffer_size: str = core_default("buffer_size")

    def __post_init__(self):
        if isinstance(self.domains, str):
            self.domains = [self.domains]
        if isinstance(self.listen, int) and not isinstance(self.listen, bool):
            self.listen = str(self.listen)
        self.validate()

    def _value(self, name, value):
        check_value(name, value, self.SERVER, self.FORBIDDEN)

    def validate(self):
        """Raises ValueError naming the first setting that cannot go into the
        server's configuration."""
        self._value("store", self.store)
        check_core("store", self.store)
        check_listen(self.listen, self.SERVER, self.FORBIDDEN)
        if not isinstance(self.domains, (list, tuple)):
            raise ValueError(f"domains: expected a list of names, got {self.domains!r}")
        for domain in self.domains:
            self._value("domains", domain)
            if "," in domain:
                raise ValueError(f"domains: one name per entry, not a list: {domain!r}")
            check_core("domains", domain)
        self._value("region", self.region)
        check_core("region", self.region)
        check_size("max_object_size", self.max_object_size, self.SERVER, self.FORBIDDEN)
        if self.swift_prefix != "":  # "" (no prefix) is written as ""
            self._value("swift_prefix", self.swift_prefix)
        check_core("swift_prefix", self.swift_prefix)
        check_size("buffer_size", self.buffer_size, self.SERVER, self.FORBIDDEN)


def templates(directory):
    """The jinja2 environment of a generator's templates: plain text, no
    autoescape (confgen.quote, the "q" filter, quotes values that a
    Settings.validate() checked), undefined names are errors."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(directory), autoescape=False,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["q"] = quote
    return env


def check_kind(kind, kinds):
    """Raises ValueError unless kind is one of kinds."""
    if kind not in kinds:
        raise ValueError(f"kind: one of {', '.join(kinds)}, not {kind!r}")


def test_config(server, text, kind, wrap, command):
    """Runs a web server's configuration test on a rendered text, in a
    temporary directory: a "full" text as it is, any other kind written to
    <kind>.conf and wrapped by wrap(tmp, snippet_path) into a whole config.
    command(tmp, conf_path) is the test's argv.  Returns (ok, output)."""
    with tempfile.TemporaryDirectory(prefix=f"librgw-{server}-check-") as tmp:
        conf = os.path.join(tmp, f"{server}.conf")
        body = text
        if kind != "full":
            snippet = os.path.join(tmp, f"{kind}.conf")
            with open(snippet, "w") as f:
                f.write(text)
            body = wrap(tmp, snippet)
        with open(conf, "w") as f:
            f.write(body)
        proc = subprocess.run(command(tmp, conf), stdin=subprocess.DEVNULL,
                              capture_output=True, text=True)
        return proc.returncode == 0, proc.stdout + proc.stderr
