"""Apache configuration for the Apache module (mod_rgw), from settings.

    >>> from pyrgw.apache_conf import ApacheSettings, render, check
    >>> s = ApacheSettings(store="local:/var/lib/librgw", prefix="/var/lib/librgw-apache")
    >>> text = render(s)                  # a complete, standalone apache2.conf
    >>> ok, output = check(text)          # apache2 -t on it

Four kinds: "full" (a standalone apache2.conf for a run directory, started
with ``apache2 -f`` -- what `make demo-apache` and the tests use), "vhost" (a
<VirtualHost> block, e.g. /etc/apache2/sites-available/rgw.conf), "load" and
"modconf" (Debian's /etc/apache2/mods-available/rgw.load and rgw.conf, the
pair ``a2enmod rgw`` enables).

The settings and their checks are the nginx generator's (pyrgw.confgen):
every value is refused if it could break out of its directive (quotes,
backslashes, ``$``, ``#``, angle brackets that would open or close a
section, whitespace, control characters), and the gateway options are
checked by the core itself, as the module's directives and ``apache2 -t``
check them.
"""
from __future__ import annotations

import dataclasses
import os
from typing import ClassVar, Dict, Optional

from . import confgen
from .confgen import GatewaySettings

DEFAULT_MODULE = "/usr/lib/apache2/modules/mod_rgw.so"
MODULES_DIR = "/usr/lib/apache2/modules"
KINDS = ("full", "vhost", "load", "modconf")
MPMS = ("event", "worker", "prefork")
LOG_LEVELS = ("emerg", "alert", "crit", "error", "warn", "notice", "info", "debug")
# Debian's user for Apache's children: Apache refuses to serve as root.
DEFAULT_USER = "www-data"

_TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates", "apache")
_PATH_WHY = "Apache would resolve it against its ServerRoot"


def default_module():
    """$RGW_APACHE_MODULE, else Debian's module directory."""
    return os.environ.get("RGW_APACHE_MODULE") or DEFAULT_MODULE


@dataclasses.dataclass
class ApacheSettings(GatewaySettings):
    """What the generated configuration says.  See docs/apache-config.md."""

    SERVER: ClassVar[str] = "Apache"
    # Angle brackets would open or close a configuration section.
    FORBIDDEN: ClassVar[Dict[str, str]] = {
        **confgen.FORBIDDEN, "<": "an angle bracket", ">": "an angle bracket"}

    mpm: str = "event"                 # event (Debian's default), worker or prefork
    processes: int = 2                 # child processes (prefork: the most at once)
    threads_per_child: int = 16        # event and worker
    module: str = dataclasses.field(default_factory=default_module)
    modules_dir: str = MODULES_DIR     # where the MPM (and log) modules are
    prefix: Optional[str] = None       # run directory of a full config
    access_log: bool = False
    log_level: str = "warn"
    # The children's user and group; None: www-data when rendered as root
    # (Apache refuses to serve as root), else whoever starts it.
    user: Optional[str] = None
    group: Optional[str] = None

    def validate(self):
        """Raises ValueError naming the first setting that cannot go into apache2.conf."""
        super().validate()
        if self.mpm not in MPMS:
            raise ValueError(f"mpm: one of {', '.join(MPMS)}, not {self.mpm!r}")
        confgen.check_count("processes", self.processes)
        confgen.check_count("threads_per_child", self.threads_per_child)
        for name in ("module", "modules_dir"):
            confgen.check_path(name, getattr(self, name), _PATH_WHY, self.SERVER, self.FORBIDDEN)
        if self.prefix is not None:
            confgen.check_path("prefix", self.prefix, _PATH_WHY, self.SERVER, self.FORBIDDEN)
        confgen.check_flag("access_log", self.access_log)
        if self.log_level not in LOG_LEVELS:
            raise ValueError(f"log_level: one of {', '.join(LOG_LEVELS)}, not {self.log_level!r}")
        for name in ("user", "group"):
            if getattr(self, name) is not None:
                confgen.check_user(name, getattr(self, name), self.SERVER, self.FORBIDDEN)

    def run_as(self):
        """(user, group) the children run as; (None, None): whoever starts Apache."""
        if self.user is None and self.group is None and os.geteuid() != 0:
            return None, None
        user = self.user or DEFAULT_USER
        return user, self.group or user


# ---------------------------------------------------------------- rendering

_env = confgen.templates(_TEMPLATES)  # values quoted after ApacheSettings.validate


def render(settings, kind="full"):
    """The configuration text of one kind: "full", "vhost", "load" or "modconf"."""
    confgen.check_kind(kind, KINDS)
    settings.validate()
    if kind == "full" and settings.prefix is None:
        raise ValueError("prefix: required for a full apache2.conf (the directory for its pid "
                         "file, logs and locks)")
    user, group = settings.run_as() if kind == "full" else (None, None)
    prefix = settings.prefix.rstrip("/") if settings.prefix else None
    return _env.get_template(f"{kind}.conf.j2").render(
        s=settings, user=user, group=group, prefix=prefix,
        domains=[d.lower() for d in settings.domains],
        max_workers=settings.processes * settings.threads_per_child)


# ---------------------------------------------------------------- apache2 -t

_WRAPPER = """\
ServerRoot "{tmp}"
ServerName localhost
PidFile "{tmp}/apache2.pid"
DefaultRuntimeDir "{tmp}"
ErrorLog "{tmp}/error.log"
LoadModule mpm_event_module "{modules_dir}/mod_mpm_event.so"
Listen 127.0.0.1:1
{load_module}
Include "{snippet}"
"""


def check(text, apache2="/usr/sbin/apache2", kind="full", module=None, modules_dir=MODULES_DIR):
    """Runs `apache2 -t` on a rendered configuration and returns (ok, output).

    A "full" text is tested as it is.  A "vhost", "load" or "modconf" text is
    included into a minimal standalone apache2.conf in a temporary directory
    ("vhost" and "modconf" get `LoadModule rgw_module` for `module`, default:
    default_module(), first).
    """
    confgen.check_kind(kind, KINDS)
    module = module or default_module()

    def wrap(tmp, snippet):
        return _WRAPPER.format(
            tmp=tmp, modules_dir=modules_dir, snippet=snippet,
            load_module="" if kind == "load" else f'LoadModule rgw_module "{module}"')

    return confgen.test_config("apache2", text, kind, wrap,
                               lambda tmp, conf: [apache2, "-t", "-f", conf])
