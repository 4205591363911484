"""Serve S3 from a store through Debian's nginx and ngx_http_rgw_module, in one command.

    python -m pyrgw.serve_nginx --store local:/var/lib/librgw [--port 8080]

Makes sure an S3 user exists (as ``python -m pyrgw.serve`` does: keys from
--access-key/--secret-key or RGW_ACCESS_KEY/RGW_SECRET_KEY, generated
otherwise), renders an nginx.conf with pyrgw.nginx_conf into --run-dir,
checks it with ``nginx -t``, prints the endpoint, the keys and a ready
aws-cli example, and runs nginx in the foreground.  Ctrl-C (or SIGTERM)
stops nginx gracefully: requests in progress finish first.
"""
import argparse
import os
import signal
import sys

from . import nginx_conf, options
from .serve import add_server_args, run_server, user_keys

GRACE_SECONDS = 20


def _parse(argv):
    p = argparse.ArgumentParser(prog="python -m pyrgw.serve_nginx",
                                description=__doc__.splitlines()[0])
    add_server_args(p)
    p.add_argument("--domain", action="append", default=[],
                   help="virtual-hosted-style S3 domain (repeatable)")
    p.add_argument("--workers", default="2")
    p.add_argument("--module", default=nginx_conf.default_module(),
                   help="ngx_http_rgw_module.so (default $RGW_NGINX_MODULE or Debian's module directory)")
    p.add_argument("--run-dir", required=True,
                   help="directory for nginx.conf, the pid file, logs and temp files")
    p.add_argument("--nginx", default="/usr/sbin/nginx")
    options.add_arguments(p, _gateway_options())
    return p.parse_args(argv)


def _gateway_options():
    """The core's options without an argument of their own here (store and
    --domain do): --region, --max-object-size, --buffer-size, --threads."""
    return [o.name for o in options.options() if o.name not in ("store", "domains")]


def main(argv=None):
    args = _parse(argv)
    run_dir = os.path.abspath(args.run_dir)
    os.makedirs(run_dir, exist_ok=True)
    try:
        settings = nginx_conf.NginxSettings(
            store=args.store, listen=f"{args.bind}:{args.port}", domains=args.domain,
            workers=int(args.workers) if args.workers.isdigit() else args.workers,
            module=os.path.abspath(args.module), prefix=run_dir,
            access_log=True, **{name: getattr(args, name) for name in _gateway_options()
                                if getattr(args, name) is not None})
        text = nginx_conf.render(settings)
    except ValueError as e:
        sys.exit(f"serve_nginx: {e}")
    ok, output = nginx_conf.check(text, nginx=args.nginx)
    if not ok:
        sys.exit(f"serve_nginx: nginx refused the configuration:\n{output}")
    conf = os.path.join(run_dir, "nginx.conf")
    with open(conf, "w") as f:
        f.write(text)

    ak, sk = user_keys(args.store, args, "serve_nginx")

    error_log = os.path.join(run_dir, "error.log")
    return run_server([args.nginx, "-p", run_dir + "/", "-c", conf, "-e", error_log],
                      "serve_nginx", "nginx + ngx_http_rgw_module",
                      f"http://{args.bind}:{args.port}", args.store, (ak, sk), run_dir,
                      error_log, signal.SIGQUIT, GRACE_SECONDS)  # SIGQUIT: graceful


if __name__ == "__main__":
    sys.exit(main())
