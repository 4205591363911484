"""nginx configuration for the nginx module (ngx_http_rgw_module), from settings.

    >>> from pyrgw.nginx_conf import NginxSettings, render, check
    >>> s = NginxSettings(store="local:/var/lib/librgw", prefix="/var/lib/librgw-nginx")
    >>> text = render(s)                  # a complete nginx.conf
    >>> ok, output = check(text)          # nginx -t on it

Three kinds: "full" (a whole nginx.conf), "server" (a server block for an
http{} you already have, e.g. /etc/nginx/conf.d/rgw.conf) and "module" (the
load_module line, e.g. /etc/nginx/modules-enabled/50-mod-http-rgw.conf).

Every value is checked before it reaches the text: a value that could end a
directive, open or close a block, start a comment, name a variable or break
out of its quotes is refused with ValueError naming the setting.  The
gateway options (store, region, domains, max_object_size, buffer_size,
threads: pyrgw.options) are then checked by the core itself, with its
message, as the module and `nginx -t` will check them; their defaults are the
core's.
"""
from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
import subprocess
import tempfile
from typing import List, Optional, Union

import jinja2

from . import options as _options

DEFAULT_MODULE = "/usr/lib/nginx/modules/ngx_http_rgw_module.so"
KINDS = ("full", "server", "module")
ERROR_LOG_LEVELS = ("debug", "info", "notice", "warn", "error", "crit", "alert", "emerg")
TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")

_TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates", "nginx")

# What nginx.conf gives a meaning to inside or around a value; besides these,
# any other whitespace or control character is refused too.
_FORBIDDEN = {
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
_NGINX_SIZE = re.compile(r"[0-9]+[kKmM]?")               # nginx's own "size": k or m
_DNS_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
_USER = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,31}")
_PORT = re.compile(r"[0-9]{1,5}")


def default_module():
    """$RGW_NGINX_MODULE, else Debian's module directory."""
    return os.environ.get("RGW_NGINX_MODULE") or DEFAULT_MODULE


def _core_default(name):
    return dataclasses.field(default_factory=lambda: _options.option(name).default)


@dataclasses.dataclass
class NginxSettings:
    """What the generated configuration says.  See docs/nginx-config.md."""

    store: str
    listen: Union[str, int] = "127.0.0.1:8080"
    domains: List[str] = dataclasses.field(default_factory=list)
    region: str = _core_default("region")
    max_object_size: str = _core_default("max_object_size")
    buffer_size: str = _core_default("buffer_size")
    # None: no rgw_threads line, the core's default (the store driver's: 2
    # for local:, 8 for rados:), as rgw_threads 0 says
    threads: Optional[int] = None
    workers: Union[int, str] = 2
    module: str = dataclasses.field(default_factory=default_module)
    prefix: Optional[str] = None
    access_log: bool = False
    error_log_level: str = "warn"
    user: Optional[str] = None
    daemon: bool = False

    def __post_init__(self):
        if isinstance(self.domains, str):
            self.domains = [self.domains]
        if isinstance(self.listen, int) and not isinstance(self.listen, bool):
            self.listen = str(self.listen)
        self.validate()

    def validate(self):
        """Raises ValueError naming the first setting that cannot go into nginx.conf."""
        _check_value("store", self.store)
        _check_core("store", self.store)
        _check_listen(self.listen)
        if not isinstance(self.domains, (list, tuple)):
            raise ValueError(f"domains: expected a list of names, got {self.domains!r}")
        for domain in self.domains:
            _check_domain(domain)
        _check_value("region", self.region)
        _check_core("region", self.region)
        _check_size("max_object_size", self.max_object_size)
        _check_size("buffer_size", self.buffer_size)
        if not _NGINX_SIZE.fullmatch(str(self.buffer_size)):
            raise ValueError(f"buffer_size: also client_body_buffer_size, an nginx size: "
                             f"digits with an optional k or m suffix: {self.buffer_size!r}")
        if self.threads is not None:
            if isinstance(self.threads, bool) or not isinstance(self.threads, int):
                raise ValueError(f"threads: expected a whole number or None, got "
                                 f"{self.threads!r}")
            _check_core("threads", str(self.threads))
        if self.workers != "auto":
            _check_count("workers", self.workers, also="or 'auto'")
        _check_path("module", self.module)
        if self.prefix is not None:
            _check_path("prefix", self.prefix)
        _check_flag("access_log", self.access_log)
        _check_flag("daemon", self.daemon)
        if self.error_log_level not in ERROR_LOG_LEVELS:
            raise ValueError(f"error_log_level: one of {', '.join(ERROR_LOG_LEVELS)}, "
                             f"not {self.error_log_level!r}")
        if self.user is not None:
            _check_value("user", self.user)
            if not _USER.fullmatch(self.user):
                raise ValueError(f"user: not a user name: {self.user!r}")


# ---------------------------------------------------------------- validation

def _check_value(name, value):
    """A string that nginx reads as one plain argument, even unquoted."""
    if not isinstance(value, str):
        raise ValueError(f"{name}: expected a string, got {value!r}")
    if not value:
        raise ValueError(f"{name}: must not be empty")
    for ch in value:
        if ch in _FORBIDDEN:
            what = _FORBIDDEN[ch]
        elif ch.isspace():
            what = "whitespace"
        elif not ch.isprintable():
            what = "a control character"
        else:
            continue
        raise ValueError(f"{name}: {what} ({ch!r}) is not allowed in an nginx "
                         f"directive value: {value!r}")


def _check_core(name, value):
    """The core's check of a gateway option (as the module's), its message
    naming the setting."""
    try:
        _options.check(name, value)
    except ValueError as e:
        message = str(e)
        if not message.startswith(name + ":"):
            message = f"{name}: {message}"
        raise ValueError(message) from None


def _check_domain(domain):
    _check_value("domains", domain)
    if "," in domain:
        raise ValueError(f"domains: one name per entry, not a list: {domain!r}")
    _check_core("domains", domain)


def _check_listen(listen):
    _check_value("listen", listen)
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
        return  # an IPv4 address or a host name nginx resolves
    raise ValueError(f"listen: not an address or host name: {host!r} (IPv6 goes in brackets: "
                     f"[::1]:8080)")


def _check_size(name, value):
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    _check_value(name, value)
    _check_core(name, value)


def _check_count(name, value, also=""):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        also = " " + also if also else ""
        raise ValueError(f"{name}: expected a whole number of at least 1{also}: {value!r}")


def _check_path(name, value):
    _check_value(name, value)
    if not os.path.isabs(value):
        raise ValueError(f"{name}: must be an absolute path (nginx would resolve it against "
                         f"its own prefix): {value!r}")


def _check_flag(name, value):
    if not isinstance(value, bool):
        raise ValueError(f"{name}: expected True or False, got {value!r}")


# ---------------------------------------------------------------- rendering

def _quote(value):
    return f'"{value}"'  # safe: every value was checked by NginxSettings.validate


_env = jinja2.Environment(loader=jinja2.FileSystemLoader(_TEMPLATES), autoescape=False,
                          undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                          trim_blocks=True, lstrip_blocks=True)
_env.filters["q"] = _quote


def render(settings, kind="full"):
    """The configuration text of one kind: "full", "server" or "module"."""
    if kind not in KINDS:
        raise ValueError(f"kind: one of {', '.join(KINDS)}, not {kind!r}")
    settings.validate()
    if kind == "full" and settings.prefix is None:
        raise ValueError("prefix: required for a full nginx.conf (the directory for its pid "
                         "file, logs and temp files)")
    user = settings.user
    if kind == "full" and user is None and os.geteuid() == 0:
        user = "root"  # workers must be able to write a store that root owns
    prefix = settings.prefix.rstrip("/") if settings.prefix else None
    return _env.get_template(f"{kind}.conf.j2").render(
        s=settings, user=user, domains=[d.lower() for d in settings.domains],
        prefix=prefix, temp_paths=TEMP_PATHS)


# ---------------------------------------------------------------- nginx -t

_WRAPPER = """\
{load_module}
pid "{tmp}/nginx.pid";
error_log "{tmp}/error.log";
events {{
}}
http {{
    access_log off;
{temp_paths}
{include}
}}
"""


def check(text, nginx="/usr/sbin/nginx", kind="full", module=None):
    """Runs `nginx -t` on a rendered configuration and returns (ok, output).

    A "full" text is tested as it is (nginx -t opens its logs and creates its
    temp directories under its prefix, as it always does).  A "server" or
    "module" text is included into a minimal nginx.conf in a temporary
    directory; a "server" one gets `load_module` for `module` (default:
    default_module()) first.
    """
    if kind not in KINDS:
        raise ValueError(f"kind: one of {', '.join(KINDS)}, not {kind!r}")
    with tempfile.TemporaryDirectory(prefix="librgw-nginx-check-") as tmp:
        conf = os.path.join(tmp, "nginx.conf")
        if kind == "full":
            body = text
        else:
            snippet = os.path.join(tmp, f"{kind}.conf")
            with open(snippet, "w") as f:
                f.write(text)
            module = module or default_module()
            body = _WRAPPER.format(
                tmp=tmp,
                load_module=(f'include "{snippet}";' if kind == "module"
                             else f'load_module "{module}";'),
                include=f'    include "{snippet}";' if kind == "server" else "",
                temp_paths="\n".join(f'    {p}_temp_path "{tmp}/{p}_temp";' for p in TEMP_PATHS))
        with open(conf, "w") as f:
            f.write(body)
        proc = subprocess.run([nginx, "-t", "-p", tmp + "/", "-c", conf, "-e",
                               os.path.join(tmp, "error.log")],
                              stdin=subprocess.DEVNULL, capture_output=True, text=True)
        return proc.returncode == 0, proc.stdout + proc.stderr
