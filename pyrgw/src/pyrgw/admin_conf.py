"""librgw-admin's configuration writers: `nginx-conf` and `apache-conf`.

Neither opens the store: they write its URI into a web server's
configuration, rendered by pyrgw.nginx_conf or pyrgw.apache_conf, and with
--check have the server test it (nginx -t, apache2 -t) before anything is
written.  Exit status: 0 done, 1 the server refused it (or a file could not
be written), 2 a setting was refused (the message names it).
"""
import os
import sys

from . import apache_conf, nginx_conf
from . import options as gateway_options


def _absolute(path):
    """Relative paths are taken from the current directory, not from the
    server's prefix or ServerRoot."""
    return os.path.abspath(path) if path else path


def _write_file(path, text):
    """Whole or not at all: a reader never sees half a configuration."""
    tmp = f"{path}.tmp{os.getpid()}"
    try:
        with open(tmp, "w") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _emit(a, make_settings, generator, binary, check_kwargs):
    """Renders, checks if asked, writes; returns the exit status."""
    try:
        settings = make_settings()
        text = generator.render(settings, a.kind)
    except ValueError as e:
        print(f"librgw-admin: error: {e}", file=sys.stderr)
        return 2
    if a.check:
        try:
            ok, output = generator.check(text, binary, kind=a.kind, module=settings.module,
                                         **check_kwargs)
        except OSError as e:
            print(f"librgw-admin: error: cannot run {binary}: {e.strerror}", file=sys.stderr)
            return 1
        sys.stderr.write(output)
        if not ok:
            return 1
    if a.output is None:
        sys.stdout.write(text)
        return 0
    try:
        _write_file(a.output, text)
    except OSError as e:
        print(f"librgw-admin: error: cannot write {a.output}: {e.strerror}", file=sys.stderr)
        return 1
    return 0


def _gateway_settings(a, store_uri):
    """The settings both generators share (pyrgw.confgen.GatewaySettings)."""
    return dict(store=store_uri, listen=a.listen, domains=a.domain, region=a.region,
                max_object_size=a.max_object_size, swift_prefix=a.swift_prefix,
                buffer_size=a.buffer_size,
                prefix=_absolute(a.prefix), access_log=a.access_log)


def cmd_nginx_conf(a, store_uri):
    """Renders (and with --check, tests) an nginx configuration; returns the exit status."""
    return _emit(a, lambda: nginx_conf.NginxSettings(
        **_gateway_settings(a, store_uri), threads=a.threads,
        workers=int(a.workers) if a.workers.isdigit() else a.workers,
        module=_absolute(a.module or nginx_conf.default_module()),
        error_log_level=a.error_log_level, user=a.user, daemon=a.daemon),
        nginx_conf, a.nginx, {})


def cmd_apache_conf(a, store_uri):
    """Renders (and with --check, tests) an Apache configuration; returns the exit status."""
    return _emit(a, lambda: apache_conf.ApacheSettings(
        **_gateway_settings(a, store_uri), mpm=a.mpm, processes=a.processes,
        threads_per_child=a.threads_per_child,
        module=_absolute(a.module or apache_conf.default_module()),
        log_level=a.log_level, user=a.user, group=a.group),
        apache_conf, a.apache2, {})


def _add_common(c, dest, server, buffer_help, prefix_help):
    """The arguments every writer takes: the store, what to write, where to
    listen, the gateway options (defaults: the core's), output and --check."""
    c.add_argument("--store", dest=dest, metavar="URI",
                   help="store URI the gateway serves (default: --store before the command, "
                        "or $RGW_STORE)")
    c.add_argument("--listen", default="127.0.0.1:8080",
                   help="PORT, HOST:PORT or [IPv6]:PORT (default: 127.0.0.1:8080)")
    c.add_argument("--domain", action="append", default=[], metavar="NAME",
                   help="virtual-hosted-style S3 domain (Host: bucket.NAME); repeatable")
    default = {o.name: o.default for o in gateway_options.options()}
    c.add_argument("--region", default=default["region"],
                   help=f"SigV4 region (default: {default['region']})")
    c.add_argument("--max-object-size", default=default["max_object_size"], metavar="SIZE",
                   help="largest single PUT or part: 5g, 512m (default: "
                        f"{default['max_object_size']})")
    c.add_argument("--swift-prefix", default=default["swift_prefix"], metavar="PATH",
                   help="path prefix of the Swift API, '' for none (default: "
                        f"{default['swift_prefix']})")
    c.add_argument("--buffer-size", default=default["buffer_size"], metavar="SIZE",
                   help=f"{buffer_help} (default: {default['buffer_size']})")
    c.add_argument("--prefix", metavar="DIR", help=prefix_help)
    c.add_argument("--access-log", action="store_true", help="write PREFIX/access.log")
    c.add_argument("--output", metavar="FILE", help="write here instead of stdout")
    c.add_argument("--check", action="store_true",
                   help=f"run {server} -t on the result first; print its output on stderr; "
                        "write nothing and exit 1 if it fails")


def add_nginx_conf_parser(groups):
    c = groups.add_parser(
        "nginx-conf", help="write nginx configuration for the nginx module (no store is opened)",
        description="Write an nginx configuration that serves S3 from a store through "
                    "ngx_http_rgw_module: a whole nginx.conf (--kind full), a server block for "
                    "an existing http{} such as /etc/nginx/conf.d/rgw.conf (--kind server), or "
                    "the load_module line for /etc/nginx/modules-enabled/ (--kind module). "
                    "See docs/nginx-config.md.")
    c.add_argument("--kind", choices=nginx_conf.KINDS, default="full",
                   help="what to write (default: full)")
    _add_common(c, "nginx_store", "nginx",
                "one store read or write, and client_body_buffer_size",
                "directory for the pid file, logs and temp files (required for --kind full)")
    c.add_argument("--threads", type=int, default=None,
                   help="store I/O threads per worker process, 0 to 256 (default: no "
                        "rgw_threads line, the store driver's: 8, for a local store as for RADOS)")
    c.add_argument("--workers", default="2", metavar="N|auto",
                   help="nginx worker processes (default: 2)")
    c.add_argument("--module", metavar="PATH",
                   help="ngx_http_rgw_module.so (default: $RGW_NGINX_MODULE or "
                        f"{nginx_conf.DEFAULT_MODULE})")
    c.add_argument("--error-log-level", default="warn", choices=nginx_conf.ERROR_LOG_LEVELS,
                   help="error_log level (default: warn)")
    c.add_argument("--user", help="user the workers run as (default: root when run as root)")
    c.add_argument("--daemon", action="store_true",
                   help="let nginx go to the background (default: stays in the foreground)")
    c.add_argument("--nginx", default="/usr/sbin/nginx", metavar="PATH",
                   help="the nginx binary for --check (default: /usr/sbin/nginx)")
    c.set_defaults(run=cmd_nginx_conf, conf_store="nginx_store")


def add_apache_conf_parser(groups):
    c = groups.add_parser(
        "apache-conf", help="write Apache configuration for the Apache module (no store is opened)",
        description="Write an Apache configuration that serves S3 from a store through mod_rgw: "
                    "a standalone apache2.conf for a run directory (--kind full, started with "
                    "apache2 -f FILE -DFOREGROUND), a <VirtualHost> block such as "
                    "/etc/apache2/sites-available/rgw.conf (--kind vhost), or Debian's "
                    "mods-available/rgw.load and rgw.conf pair that a2enmod rgw enables "
                    "(--kind load, --kind modconf).  See docs/apache-config.md.")
    c.add_argument("--kind", choices=apache_conf.KINDS, default="full",
                   help="what to write (default: full)")
    _add_common(c, "apache_store", "apache2",
                "one store read or write, and a response brigade",
                "directory for the pid file, logs and locks (required for --kind full)")
    c.add_argument("--mpm", choices=apache_conf.MPMS, default="event",
                   help="multi-processing module (default: event)")
    c.add_argument("--processes", type=int, default=2,
                   help="child processes (prefork: at most PROCESSES x THREADS_PER_CHILD) "
                        "(default: 2)")
    c.add_argument("--threads-per-child", type=int, default=16,
                   help="threads of each child, event and worker (default: 16)")
    c.add_argument("--module", metavar="PATH",
                   help="mod_rgw.so (default: $RGW_APACHE_MODULE or "
                        f"{apache_conf.DEFAULT_MODULE})")
    c.add_argument("--log-level", default="warn", choices=apache_conf.LOG_LEVELS,
                   help="LogLevel (default: warn)")
    c.add_argument("--user", help="user the children run as (default: www-data when run "
                                  "as root, else whoever starts Apache)")
    c.add_argument("--group", help="group the children run as (default: the user's)")
    c.add_argument("--apache2", default="/usr/sbin/apache2", metavar="PATH",
                   help="the apache2 binary for --check (default: /usr/sbin/apache2)")
    c.set_defaults(run=cmd_apache_conf, conf_store="apache_store")
