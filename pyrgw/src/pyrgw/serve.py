"""Serve S3 from a store through the WSGI door under gunicorn, in one command.

    python -m pyrgw.serve --store local:/var/lib/librgw [--port 8080]

Makes sure an S3 user exists (uid ``admin`` unless --uid; keys from
--access-key/--secret-key or RGW_ACCESS_KEY/RGW_SECRET_KEY, generated
otherwise), prints the endpoint, the keys and a ready aws-cli example, then
runs gunicorn (gthread workers) on 127.0.0.1.  Ctrl-C stops it.
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import time

from . import errors, options
from .store import Store, generate_access_key, generate_secret_key


def _gateway_options():
    """The WSGI door's options without an argument of their own here (store
    and --domains do): one --<option> each, from the core's table."""
    return [o.name for o in options.door_options() if o.name not in ("store", "domains")]


def user_keys(store_uri, args, prog):
    """(access_key, secret_key) of the serve commands' user (args.uid,
    args.access_key, args.secret_key), made as needed; a key that another
    user holds, or a store that does not open, ends the program with one line
    saying so."""
    try:
        with Store(store_uri) as store:
            return ensure_user(store, args.uid, args.access_key, args.secret_key)
    except errors.AccessKeyExists:
        sys.exit(f"{prog}: the access key {args.access_key} belongs to another user than "
                 f"{args.uid!r}: give that user's --uid, or another key")
    except errors.RGWError as e:
        sys.exit(f"{prog}: {e.name}: {e}")


def run_server(cmd, prog, server, endpoint, store_note, keys, run_dir, error_log,
               graceful_signal, grace_seconds=20):
    """Runs a web server's command in the foreground (its own session:
    Ctrl-C reaches only us), prints the endpoint, the keys and an aws-cli
    example, and on SIGINT or SIGTERM stops it with graceful_signal
    (requests in progress finish), or at once after grace_seconds.  Returns
    0 once it stopped so; exits with the error log's tail if the server
    ends on its own."""
    proc = subprocess.Popen(cmd, start_new_session=True)
    ak, sk = keys
    print(f"S3 endpoint:   {endpoint}   ({server}, pid {proc.pid})\n"
          f"store:         {store_note}\n"
          f"access key:    {ak}\n"
          f"secret key:    {sk}\n"
          f"config, logs:  {run_dir}\n\n"
          f"try:  AWS_ACCESS_KEY_ID={ak} AWS_SECRET_ACCESS_KEY={sk} "
          f"aws --endpoint-url {endpoint} s3 mb s3://demo\n\n"
          f"Ctrl-C stops it.", flush=True)
    stopping = []

    def stop(signum, frame):
        if not stopping and proc.poll() is None:
            stopping.append(time.monotonic())
            proc.send_signal(graceful_signal)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while (rc := proc.poll()) is None:
        time.sleep(0.2)
        if stopping and time.monotonic() - stopping[0] > grace_seconds:
            proc.terminate()  # stop now
    if stopping:
        print(f"{server.split()[0]} stopped", flush=True)
        return 0
    try:
        with open(error_log, errors="replace") as f:
            tail = f.read()[-3000:]
    except OSError:
        tail = ""
    sys.exit(f"{prog}: {cmd[0]} exited with status {rc}:\n{tail}")


def ensure_user(store, uid, access_key, secret_key):
    """Returns (access_key, secret_key) of uid, creating the user or adding
    the given key as needed."""
    try:
        user = store.get_user(uid)
    except errors.NoSuchUser:
        access_key = access_key or generate_access_key()
        secret_key = secret_key or generate_secret_key()
        store.create_user(uid, display_name=uid, access_key=access_key, secret_key=secret_key)
        return access_key, secret_key
    for key in user.keys:
        if access_key in (None, key.access_key):
            if secret_key in (None, key.secret_key):
                return key.access_key, key.secret_key
    access_key = access_key or generate_access_key()
    secret_key = secret_key or generate_secret_key()
    store.add_access_key(uid, access_key=access_key, secret_key=secret_key)
    return access_key, secret_key


def add_server_args(p):
    """The options every `serve` command takes: the store, where to listen,
    and the user (keys default to $RGW_ACCESS_KEY / $RGW_SECRET_KEY)."""
    p.add_argument("--store", default=os.environ.get("RGW_STORE"), required="RGW_STORE" not in os.environ,
                   help="store URI (local:/dir or rados:PREFIX?conf=...); default $RGW_STORE")
    p.add_argument("--port", type=int, default=int(os.environ.get("RGW_PORT", "8080")))
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--uid", default="admin")
    p.add_argument("--access-key", default=os.environ.get("RGW_ACCESS_KEY"))
    p.add_argument("--secret-key", default=os.environ.get("RGW_SECRET_KEY"))


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m pyrgw.serve", description=__doc__.splitlines()[0])
    add_server_args(p)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--domains", default=os.environ.get("RGW_DOMAINS", ""),
                   help="virtual-hosted-style S3 domains, comma separated")
    options.add_arguments(p, _gateway_options(), environment=True)
    args = p.parse_args(argv)
    gateway = {"store": args.store, "domains": args.domains}
    gateway.update({name: getattr(args, name) for name in _gateway_options()
                    if getattr(args, name) is not None})
    try:
        for name, value in gateway.items():
            options.check(name, value)
    except ValueError as e:
        sys.exit(f"serve: {e}")

    ak, sk = user_keys(args.store, args, "serve")
    endpoint = f"http://{args.bind}:{args.port}"
    print(f"S3 endpoint:   {endpoint}\n"
          f"store:         {args.store}\n"
          f"access key:    {ak}\n"
          f"secret key:    {sk}\n\n"
          f"try:  AWS_ACCESS_KEY_ID={ak} AWS_SECRET_ACCESS_KEY={sk} "
          f"aws --endpoint-url {endpoint} s3 mb s3://demo\n", flush=True)

    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which("gunicorn")
    if gunicorn is None:
        sys.exit("gunicorn is not installed (pip install gunicorn)")
    env = dict(os.environ, **{"RGW_" + name.upper(): value for name, value in gateway.items()})
    # --preload: the app is imported once, in the master, so a worker has
    # nothing to import when it boots and Ctrl-C never interrupts an import.
    # The gateway (and any RADOS connection) still opens in each worker,
    # after fork, at its first request.
    os.execve(gunicorn, [gunicorn, "--bind", f"{args.bind}:{args.port}", "--worker-class", "gthread",
                         "--workers", str(args.workers), "--threads", str(args.threads),
                         "--preload", "--no-control-socket", "pyrgw.wsgi:application"], env)


if __name__ == "__main__":
    main()
