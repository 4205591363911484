"""Serve S3 from a store through Debian's Apache and mod_rgw, in one command.

    python -m pyrgw.serve_apache --store local:/var/lib/librgw [--port 8080]

Makes sure an S3 user exists (as ``python -m pyrgw.serve_nginx`` does: keys
from --access-key/--secret-key or RGW_ACCESS_KEY/RGW_SECRET_KEY, generated
otherwise), renders a standalone apache2.conf with pyrgw.apache_conf into
--run-dir, checks it with ``apache2 -t``, prints the endpoint, the keys and
a ready aws-cli example, and runs Apache in the foreground.  Ctrl-C (or
SIGTERM) stops Apache gracefully: requests in progress finish first.

Run as root, Apache's children run as www-data (Apache refuses to serve as
root): a local store's directory is then handed to that user.
"""
import argparse
import os
import pwd
import signal
import subprocess
import sys

from . import _librgw, apache_conf, options
from .serve import add_server_args, run_server, user_keys

GRACE_SECONDS = 20


def _parse(argv):
    p = argparse.ArgumentParser(prog="python -m pyrgw.serve_apache",
                                description=__doc__.splitlines()[0])
    add_server_args(p)
    p.add_argument("--domain", action="append", default=[],
                   help="virtual-hosted-style S3 domain (repeatable)")
    p.add_argument("--mpm", choices=apache_conf.MPMS, default="event")
    p.add_argument("--processes", type=int, default=2)
    p.add_argument("--threads-per-child", type=int, default=16)
    p.add_argument("--module", default=apache_conf.default_module(),
                   help="mod_rgw.so (default $RGW_APACHE_MODULE or Debian's module directory)")
    p.add_argument("--run-dir", required=True,
                   help="directory for apache2.conf, the pid file, logs and locks")
    p.add_argument("--apache2", default="/usr/sbin/apache2")
    options.add_arguments(p, _gateway_options())
    return p.parse_args(argv)


def _gateway_options():
    """The options Apache's directives take without an argument of their own
    here (store and --domain do): --region, --max-object-size, --buffer-size."""
    return [o.name for o in options.door_options() if o.name not in ("store", "domains")]


def _hand_over(path, user, group):
    """Gives a directory tree to the children's user."""
    uid, gid = pwd.getpwnam(user).pw_uid, pwd.getpwnam(group).pw_gid
    for root, dirs, files in os.walk(path):
        for name in [root] + [os.path.join(root, n) for n in dirs + files]:
            os.lchown(name, uid, gid)


def _existing_parent(path):
    """The nearest existing directory above path (the store makes the rest)."""
    parent = os.path.dirname(os.path.abspath(path))
    while not os.path.isdir(parent):
        parent = os.path.dirname(parent)
    return parent


def _reachable(path, user, group):
    """Whether user:group can enter the directory path (a parent closed to
    others, /root say, keeps it out whoever owns what is inside)."""
    uid, gid = pwd.getpwnam(user).pw_uid, pwd.getpwnam(group).pw_gid
    return subprocess.run(["test", "-x", path], user=uid, group=gid,
                          extra_groups=[]).returncode == 0


def main(argv=None):
    args = _parse(argv)
    run_dir = os.path.abspath(args.run_dir)
    os.makedirs(run_dir, exist_ok=True)
    try:
        settings = apache_conf.ApacheSettings(
            store=args.store, listen=f"{args.bind}:{args.port}", domains=args.domain,
            mpm=args.mpm, processes=args.processes, threads_per_child=args.threads_per_child,
            module=os.path.abspath(args.module), prefix=run_dir, access_log=True,
            **{name: getattr(args, name) for name in _gateway_options()
               if getattr(args, name) is not None})
        text = apache_conf.render(settings)
    except ValueError as e:
        sys.exit(f"serve_apache: {e}")
    ok, output = apache_conf.check(text, apache2=args.apache2)
    if not ok:
        sys.exit(f"serve_apache: apache2 refused the configuration:\n{output}")
    conf = os.path.join(run_dir, "apache2.conf")
    with open(conf, "w") as f:
        f.write(text)

    user, group = settings.run_as()
    canonical = _librgw.canonical_store_uri(args.store)
    directory = canonical[len("local:"):] if canonical.startswith("local:") else None
    if user and directory and not _reachable(_existing_parent(directory), user, group):
        sys.exit(f"serve_apache: Apache's children run as {user}, who cannot reach {directory} "
                 f"(a parent directory is closed to it): choose a store elsewhere, "
                 f"/var/lib/librgw for one")
    if directory:
        os.makedirs(directory, exist_ok=True)
    ak, sk = user_keys(args.store, args, "serve_apache")
    note = ""
    if user and directory:
        _hand_over(directory, user, group)
        note = f" (owned by {user}: Apache's children run as that user)"

    error_log = os.path.join(run_dir, "error.log")
    return run_server([args.apache2, "-f", conf, "-DFOREGROUND"], "serve_apache",
                      f"Apache + mod_rgw, {args.mpm} MPM", f"http://{args.bind}:{args.port}",
                      args.store + note, (ak, sk), run_dir, error_log,
                      signal.SIGWINCH, GRACE_SECONDS)  # SIGWINCH: graceful-stop


if __name__ == "__main__":
    sys.exit(main())
