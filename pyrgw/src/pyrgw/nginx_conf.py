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
import os
import re
from typing import Optional, Union

from . import confgen
from .confgen import GatewaySettings, check_core

DEFAULT_MODULE = "/usr/lib/nginx/modules/ngx_http_rgw_module.so"
KINDS = ("full", "server", "module")
ERROR_LOG_LEVELS = ("debug", "info", "notice", "warn", "error", "crit", "alert", "emerg")
TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")

_TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates", "nginx")
_NGINX_SIZE = re.compile(r"[0-9]+[kKmM]?")               # nginx's own "size": k or m
_PREFIX_WHY = "nginx would resolve it against its own prefix"


def default_module():
    """$RGW_NGINX_MODULE, else Debian's module directory."""
    return os.environ.get("RGW_NGINX_MODULE") or DEFAULT_MODULE


@dataclasses.dataclass
class NginxSettings(GatewaySettings):
    """What the generated configuration says.  See docs/nginx-config.md."""

    # None: no rgw_threads line, the core's default (the store driver's: 8
    # for local: and rados:), as rgw_threads 0 says
    threads: Optional[int] = None
    # "on": GETs and HEADs run on nginx's event loop where the store can
    # serve them without waiting (local) or with an asynchronous read
    # (RADOS); "off": on the I/O threads (rgw_loop_reads)
    loop_reads: str = "on"
    # "on": a PUT whose whole body came with its headers runs on the event
    # loop where the store can write without a thread (RADOS); "off": on
    # the I/O threads (rgw_loop_writes)
    loop_writes: str = "on"
    workers: Union[int, str] = 2
    module: str = dataclasses.field(default_factory=default_module)
    prefix: Optional[str] = None
    access_log: bool = False
    error_log_level: str = "warn"
    user: Optional[str] = None
    daemon: bool = False

    def validate(self):
        """Raises ValueError naming the first setting that cannot go into nginx.conf."""
        super().validate()
        if not _NGINX_SIZE.fullmatch(str(self.buffer_size)):
            raise ValueError(f"buffer_size: also client_body_buffer_size, an nginx size: "
                             f"digits with an optional k or m suffix: {self.buffer_size!r}")
        if self.threads is not None:
            if isinstance(self.threads, bool) or not isinstance(self.threads, int):
                raise ValueError(f"threads: expected a whole number or None, got "
                                 f"{self.threads!r}")
            check_core("threads", str(self.threads))
        check_core("loop_reads", str(self.loop_reads))
        check_core("loop_writes", str(self.loop_writes))
        if self.workers != "auto":
            confgen.check_count("workers", self.workers, also="or 'auto'")
        confgen.check_path("module", self.module, _PREFIX_WHY)
        if self.prefix is not None:
            confgen.check_path("prefix", self.prefix, _PREFIX_WHY)
        confgen.check_flag("access_log", self.access_log)
        confgen.check_flag("daemon", self.daemon)
        if self.error_log_level not in ERROR_LOG_LEVELS:
            raise ValueError(f"error_log_level: one of {', '.join(ERROR_LOG_LEVELS)}, "
                             f"not {self.error_log_level!r}")
        if self.user is not None:
            confgen.check_user("user", self.user)


# ---------------------------------------------------------------- rendering

_env = confgen.templates(_TEMPLATES)  # values quoted after NginxSettings.validate


def render(settings, kind="full"):
    """The configuration text of one kind: "full", "server" or "module"."""
    confgen.check_kind(kind, KINDS)
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
    confgen.check_kind(kind, KINDS)
    module = module or default_module()

    def wrap(tmp, snippet):
        return _WRAPPER.format(
            tmp=tmp,
            load_module=(f'include "{snippet}";' if kind == "module"
                         else f'load_module "{module}";'),
            include=f'    include "{snippet}";' if kind == "server" else "",
            temp_paths="\n".join(f'    {p}_temp_path "{tmp}/{p}_temp";' for p in TEMP_PATHS))

    return confgen.test_config(
        "nginx", text, kind, wrap,
        lambda tmp, conf: [nginx, "-t", "-p", tmp + "/", "-c", conf, "-e",
                           os.path.join(tmp, "error.log")])
