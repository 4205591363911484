"""librgw-admin: administer a librgw store (users, keys, buckets, gc), write
web-server configuration for it (nginx-conf, apache-conf: admin_conf.py),
and list the gateway options (options).

Every command takes the store URI with --store (or $RGW_STORE).  --json
prints machine-readable output.  Errors print a message on stderr and exit
with status 1; usage errors exit with status 2.  nginx-conf and apache-conf
never open the store: they only write its URI into the configuration;
options needs no store at all.
"""
import argparse
import json
import os
import secrets
import sys
import urllib.parse

from . import errors, signing
from . import options as gateway_options
from .admin_conf import add_apache_conf_parser, add_nginx_conf_parser
from .progress import Progress
from .store import Store


def _user_dict(u, show_secrets=True):
    return {
        "uid": u.uid,
        "display_name": u.display_name,
        "email": u.email,
        "keys": [
            {"access_key": k.access_key,
             **({"secret_key": k.secret_key} if show_secrets else {})}
            for k in u.keys
        ],
        "swift_user": u.swift_user,
        **({"swift_key": u.swift_key} if show_secrets and u.swift_user else {}),
        "created_ns": u.created_ns,
        "suspended": u.suspended,
        "attrs": dict(u.attrs),
    }


def _bucket_dict(b, stats=None):
    d = {"name": b.name, "owner": b.owner, "id": b.id, "created_ns": b.created_ns,
         "acl": b.acl, "versioning": b.versioning.name}
    if stats is not None:
        d["num_objects"] = stats.num_objects
        d["size_bytes"] = stats.size_bytes
    return d


def cmd_user_create(store, a):
    u = store.create_user(a.uid, display_name=a.display_name or a.uid, email=a.email or "",
                          access_key=a.access_key, secret_key=a.secret_key,
                          swift_user=a.swift_user or "", swift_key=a.swift_key or "")
    return _user_dict(u), f"created user {u.uid}" + "".join(
        f"\n  access key {k.access_key}\n  secret key {k.secret_key}" for k in u.keys) + _swift_text(u)


def _swift_text(u):
    return f"\n  swift user {u.swift_user}\n  swift key  {u.swift_key}" if u.swift_user else ""


def cmd_user_list(store, a):
    uids = store.list_users()
    return uids, "\n".join(uids)


def cmd_user_info(store, a):
    u = store.get_user(a.uid)
    d = _user_dict(u)
    lines = [f"uid: {u.uid}", f"display name: {u.display_name}"]
    lines += [f"access key: {k.access_key}  secret key: {k.secret_key}" for k in u.keys]
    if u.swift_user:
        lines.append(f"swift user: {u.swift_user}")
    if u.suspended:
        lines.append("suspended")
    lines += [f"attr {name}: {value}" for name, value in sorted(u.attrs.items())]
    return d, "\n".join(lines)


def cmd_user_modify(store, a):
    attrs = None
    if a.attr or a.clear_attrs:
        attrs = {} if a.clear_attrs else dict(store.get_user(a.uid).attrs)
        for item in a.attr:
            name, sep, value = item.partition("=")
            if not sep or not name:
                raise errors.InvalidArgument(f"--attr takes NAME=VALUE, not {item!r}")
            attrs[name.lower()] = value
    store.modify_user(a.uid, display_name=a.display_name, email=a.email,
                      suspended=a.suspended, attrs=attrs)
    if a.remove_swift:
        store.set_swift_credentials(a.uid, "", "")
    elif a.swift_user or a.swift_key:
        current = store.get_user(a.uid)
        swift_user = a.swift_user or current.swift_user
        if not swift_user:
            raise errors.InvalidArgument("--swift-key needs --swift-user (the user has none)")
        # A new key (given, or generated when only the name changes) revokes
        # the old key's tokens and temp URLs signed with nothing else.
        swift_key = a.swift_key or secrets.token_urlsafe(30)
        store.set_swift_credentials(a.uid, swift_user, swift_key)
    u = store.get_user(a.uid)
    return _user_dict(u), f"modified user {u.uid}" + (" (suspended)" if u.suspended else "") + (
        _swift_text(u) if (a.swift_user or a.swift_key) else "")


def cmd_user_rm(store, a):
    store.remove_user(a.uid)
    return {"removed": a.uid}, f"removed user {a.uid}"


def cmd_key_add(store, a):
    k = store.add_access_key(a.uid, a.access_key, a.secret_key)
    return ({"uid": a.uid, "access_key": k.access_key, "secret_key": k.secret_key},
            f"added key to {a.uid}\n  access key {k.access_key}\n  secret key {k.secret_key}")


def cmd_key_rm(store, a):
    store.remove_access_key(a.uid, a.access_key)
    return {"uid": a.uid, "removed": a.access_key}, f"removed key {a.access_key}"


def cmd_bucket_list(store, a):
    buckets = store.list_buckets(a.uid or "")
    return [_bucket_dict(b) for b in buckets], "\n".join(b.name for b in buckets)


def cmd_bucket_stats(store, a):
    b = store.get_bucket(a.bucket)
    s = store.bucket_stats(a.bucket)
    d = _bucket_dict(b, s)
    return d, (f"bucket {b.name}  owner {b.owner}  objects {s.num_objects}"
               f"  bytes {s.size_bytes}")


def cmd_bucket_rm(store, a):
    removed = 0
    if a.purge_objects:
        total = store.bucket_stats(a.bucket).num_objects
        # a progress line on a terminal (stderr), none under --json
        with Progress("removing objects", total, enabled=False if a.json else None) as progress:
            while True:
                page = store.list_objects(a.bucket)
                for o in page.objects:
                    store.delete_object(a.bucket, o.key)
                    removed += 1
                    progress.update(removed)
                if not page.objects:
                    break
    store.remove_bucket(a.bucket)
    return ({"removed": a.bucket, "objects_removed": removed},
            f"removed bucket {a.bucket}" + (f" ({removed} objects)" if removed else ""))


def cmd_gc_run(store, a):
    # a progress line on a terminal (stderr), none under --json
    with Progress("gc: removed objects", enabled=False if a.json else None) as progress:
        r = store.gc(a.grace, lambda so_far: progress.update(so_far.removed_objects))
    d = {"removed_objects": r.removed_objects, "removed_bytes": r.removed_bytes,
         "repaired_entries": r.repaired_entries}
    return d, (f"gc: removed {r.removed_objects} objects ({r.removed_bytes} bytes), "
               f"repaired {r.repaired_entries} index entries")


def cmd_options(a):
    """Prints the core's gateway options (docs/gateway-config.md's table with
    --markdown); returns the exit status."""
    table = gateway_options.options()
    if a.markdown:
        sys.stdout.write(gateway_options.markdown_table())
    elif a.json:
        json.dump([{"name": o.name, "type": o.type, "default": o.default, "flags": o.flags,
                    "gateway": bool(o.flags & gateway_options.GATEWAY),
                    "door": bool(o.flags & gateway_options.DOOR),
                    "aio": bool(o.flags & gateway_options.AIO),
                    "required": bool(o.flags & gateway_options.REQUIRED), "doc": o.doc}
                   for o in table], sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        width = max(len(o.name) for o in table)
        for o in table:
            default = "required" if o.flags & gateway_options.REQUIRED else (o.default or "none")
            print(f"{o.name:<{width}}  {o.type:<6}  default {default}\n{'':<{width}}  {o.doc}")
    return 0


def cmd_tempurl(a):
    """A Swift temporary URL, as `swift tempurl` prints it, signed by the core."""
    parts = urllib.parse.urlparse(a.path)
    try:
        path = signing.temp_url(parts.path, a.time, a.key, a.method, absolute=a.absolute,
                                prefix=a.prefix_based, iso8601=a.iso8601,
                                ip_range=a.ip_range, digest=a.digest)
    except ValueError as e:
        print(f"librgw-admin: error: {e}", file=sys.stderr)
        return 2
    print(f"{parts.scheme}://{parts.netloc}{path}" if parts.scheme and parts.netloc else path)
    return 0


def build_parser():
    p = argparse.ArgumentParser(
        prog="librgw-admin",
        description="Administer a librgw store: users, keys, buckets, garbage collection.")
    p.add_argument("--store", default=os.environ.get("RGW_STORE"),
                   help="store URI, e.g. local:/var/lib/librgw or "
                        "rados:rgw?conf=/etc/ceph/ceph.conf (default: $RGW_STORE)")
    p.add_argument("--json", action="store_true", help="machine-readable JSON output")
    groups = p.add_subparsers(dest="group",
                              metavar="{user,key,bucket,gc,tempurl,options,nginx-conf,apache-conf}",
                              required=True)

    user = groups.add_parser("user", help="users").add_subparsers(dest="cmd", required=True)
    c = user.add_parser(
        "create", help="create a user (generates a key pair unless given)",
        description="Create a user with one S3 key pair; a half not given is generated (a "
                    "20-character access key, a 40-character secret key).")
    c.add_argument("--uid", required=True)
    c.add_argument("--display-name")
    c.add_argument("--email")
    c.add_argument("--access-key")
    c.add_argument("--secret-key")
    c.add_argument("--swift-user", help="Swift user as account:user")
    c.add_argument("--swift-key")
    c.set_defaults(func=cmd_user_create)
    user.add_parser("list", help="list user ids").set_defaults(func=cmd_user_list)
    c = user.add_parser(
        "info", help="show a user and its keys",
        description="Show a user: its keys, Swift user, attributes and whether it is "
                    "suspended.")
    c.add_argument("--uid", required=True)
    c.set_defaults(func=cmd_user_info)
    c = user.add_parser(
        "modify", help="change a user's name, e-mail, suspension or attributes",
        description="Change what is given and nothing else. A suspended user's requests "
                    "are refused (403) until --enable.")
    c.add_argument("--uid", required=True)
    c.add_argument("--display-name")
    c.add_argument("--email")
    c.add_argument("--suspend", dest="suspended", action="store_const", const=True,
                   help="refuse the user's requests from now on")
    c.add_argument("--enable", dest="suspended", action="store_const", const=False,
                   help="accept the user's requests again")
    c.add_argument("--attr", action="append", default=[], metavar="NAME=VALUE",
                   help="set one attribute (repeatable); the others stay")
    c.add_argument("--clear-attrs", action="store_true",
                   help="remove every attribute first")
    c.add_argument("--swift-user", metavar="ACCOUNT:USER",
                   help="set the Swift identity (X-Auth-User); a key is generated unless "
                        "--swift-key gives one")
    c.add_argument("--swift-key", help="set the Swift key (revokes the old key's tokens)")
    c.add_argument("--remove-swift", action="store_true",
                   help="remove the Swift identity (its tokens stop working)")
    c.set_defaults(func=cmd_user_modify)
    c = user.add_parser("rm", help="remove a user (it must own no buckets)")
    c.add_argument("--uid", required=True)
    c.set_defaults(func=cmd_user_rm)

    key = groups.add_parser("key", help="S3 access keys").add_subparsers(dest="cmd", required=True)
    c = key.add_parser("add", help="add a key pair to a user (generated unless given)")
    c.add_argument("--uid", required=True)
    c.add_argument("--access-key")
    c.add_argument("--secret-key")
    c.set_defaults(func=cmd_key_add)
    c = key.add_parser("rm", help="remove a key pair")
    c.add_argument("--uid", required=True)
    c.add_argument("--access-key", required=True)
    c.set_defaults(func=cmd_key_rm)

    bucket = groups.add_parser("bucket", help="buckets").add_subparsers(dest="cmd", required=True)
    c = bucket.add_parser("list", help="list buckets")
    c.add_argument("--uid", help="only this user's buckets")
    c.set_defaults(func=cmd_bucket_list)
    c = bucket.add_parser("stats", help="object count and size of a bucket")
    c.add_argument("--bucket", required=True)
    c.set_defaults(func=cmd_bucket_stats)
    c = bucket.add_parser(
        "rm", help="remove a bucket (empty unless --purge-objects)",
        description="Remove a bucket. A bucket that holds objects is refused unless "
                    "--purge-objects deletes them first; while purging, a progress line "
                    "(removing objects: N of M (P%)) goes to stderr when it is a terminal, "
                    "nothing under --json or into a pipe.")
    c.add_argument("--bucket", required=True)
    c.add_argument("--purge-objects", action="store_true", help="delete its objects first")
    c.set_defaults(func=cmd_bucket_rm)

    gc = groups.add_parser("gc", help="garbage collection").add_subparsers(dest="cmd", required=True)
    c = gc.add_parser(
        "run", help="run one garbage-collection pass now",
        description="One garbage-collection pass: the bodies of overwritten and deleted "
                    "objects, parts that were replaced, left out of a completion or aborted, "
                    "and the leftovers of writers that died, older than the grace period. A "
                    "progress line (gc: removed objects: N) goes to stderr when it is a "
                    "terminal, nothing under --json or into a pipe. Garbage collection never "
                    "runs on its own: schedule this command (the packages' librgw-gc.timer, "
                    "cron) as an explicit agent.")
    c.add_argument("--grace", type=int, default=3600, metavar="SECONDS",
                   help="leave leftovers younger than this alone (default 3600)")
    c.set_defaults(func=cmd_gc_run)

    add_nginx_conf_parser(groups)
    add_apache_conf_parser(groups)

    c = groups.add_parser(
        "tempurl", help="sign a Swift temporary URL (no store is opened)",
        description="Print a Swift temporary URL for PATH (/swift/v1/AUTH_<account>/<container>/"
                    "<object>, or a whole URL), signed by the core with KEY (the account's or the "
                    "container's Temp-URL-Key), for METHOD, valid for TIME (seconds, or 10m, 2h, "
                    "1d; a Unix time with --absolute; or an ISO 8601 time). The arguments and "
                    "the output are python-swiftclient's `swift tempurl`.")
    c.add_argument("method")
    c.add_argument("time")
    c.add_argument("path")
    c.add_argument("key")
    c.add_argument("--absolute", action="store_true",
                   help="TIME is a Unix time, not an offset from now")
    c.add_argument("--prefix-based", action="store_true",
                   help="sign every object whose name starts with PATH's last part")
    c.add_argument("--iso8601", action="store_true", help="write the expiry in ISO 8601")
    c.add_argument("--ip-range", help="limit the URL to this address or CIDR network")
    c.add_argument("--digest", choices=("sha1", "sha256", "sha512"), default="sha256",
                   help="HMAC digest (default: sha256)")
    c.set_defaults(static=cmd_tempurl)

    c = groups.add_parser(
        "options", help="list the gateway options (no store is opened)",
        description="List the core's gateway options: name, type, default and meaning "
                    "(docs/gateway-config.md). --json for machine-readable output.")
    c.add_argument("--markdown", action="store_true",
                   help="print the option table of docs/gateway-config.md")
    c.set_defaults(static=cmd_options)
    return p


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "static", None):  # needs no store at all
        return args.static(args)
    if getattr(args, "run", None):  # needs no open store
        store_uri = getattr(args, args.conf_store) or args.store
        if not store_uri and getattr(args, "kind", None) in ("module", "load", "modconf"):
            store_uri = "local:/var/lib/librgw"  # checked, never written by these kinds
        if not store_uri:
            parser.error("no store: give --store URI or set RGW_STORE")
        return args.run(args, store_uri)
    if not args.store:
        parser.error("no store: give --store URI or set RGW_STORE")
    if getattr(args, "grace", 0) < 0:
        parser.error("--grace must not be negative")
    try:
        with Store(args.store) as store:
            data, text = args.func(store, args)
    except errors.RGWError as e:
        if args.json:
            json.dump({"error": e.name, "message": str(e)}, sys.stderr)
            sys.stderr.write("\n")
        else:
            print(f"librgw-admin: {e.name}: {e}", file=sys.stderr)
        return 1
    if args.json:
        json.dump(data, sys.stdout, indent=2, sort_keys=True)
        sys.stdout.write("\n")
    elif text:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
