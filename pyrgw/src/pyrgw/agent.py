"""librgw-agent: the background work of a librgw store, run in the
foreground by an explicit agent (under systemd, say), never in a web
server's workers.

    librgw-agent expirer --store URI   removes objects past their delete_at
                                       (Swift X-Delete-At / X-Delete-After)
    librgw-agent lifecycle --store URI applies the buckets' S3 lifecycle
                                       configurations (Expiration, aborting
                                       incomplete multipart uploads)
    librgw-agent gc --store URI        reclaims what overwrites, deletes and
                                       dead writers left (librgw-admin gc run)

Each runs a pass, then another every --interval seconds (--once: one pass),
logging what it does on stderr, and exits with status 0 on SIGTERM or
SIGINT: at once between passes, after the current batch (expirer) or pass
(gc) otherwise, after the current object (lifecycle).  Several expirers or
lifecycle agents may run at once against one store, on one machine or many:
they share the work through leases (docs/expiry.md).
The store comes from --store or $RGW_STORE.  Errors of a pass are logged and
the next pass runs; a store that cannot be opened exits with status 1.
"""
import argparse
import logging
import os
import signal
import socket
import sys
import threading
import time

from . import errors
from .store import Store

log = logging.getLogger("librgw-agent")


class Agent:
    """Runs `work(store)` now and every `interval` seconds until stopped."""

    def __init__(self, store, interval, once):
        self.store = store
        self.interval = interval
        self.once = once
        self.stopping = threading.Event()

    def stop(self, signum, frame):
        if not self.stopping.is_set():
            log.info("%s: finishing and exiting", signal.Signals(signum).name)
        self.stopping.set()

    def run(self, work):
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self.stop)
            signal.siginterrupt(sig, False)  # the store's calls are not interrupted
        while not self.stopping.is_set():
            try:
                work(self.store)
            except errors.RGWError as e:
                log.error("pass failed: %s: %s", e.name, e)
            if self.once:
                break
            self.stopping.wait(self.interval)
        return 0


def build_parser():
    p = argparse.ArgumentParser(
        prog="librgw-agent", description="Background work of a librgw store, in the foreground.")
    p.add_argument("--store", default=os.environ.get("RGW_STORE"),
                   help="store URI (default $RGW_STORE)")
    p.add_argument("-v", "--verbose", action="store_true", help="log each object removed")
    sub = p.add_subparsers(dest="command", required=True)

    e = sub.add_parser("expirer", help="remove objects past their delete_at")
    e.add_argument("--interval", type=float, default=300.0,
                   help="seconds between passes (default 300)")
    e.add_argument("--once", action="store_true", help="one pass, then exit")
    e.add_argument("--lease", type=int, default=60,
                   help="seconds a queue shard stays leased without renewal (default 60)")
    e.add_argument("--holder", help="this expirer's lease holder name (default host:pid)")
    e.add_argument("--batch", type=int, default=1000,
                   help="queue entries listed and removed at once (default 1000)")

    lc = sub.add_parser("lifecycle", help="apply the buckets' S3 lifecycle configurations")
    lc.add_argument("--interval", type=float, default=86400.0,
                    help="seconds between passes (default 86400: once a day)")
    lc.add_argument("--once", action="store_true", help="one pass, then exit")
    lc.add_argument("--bucket", help="only this bucket (default: every bucket)")
    lc.add_argument("--lease", type=int, default=600,
                    help="seconds a bucket stays leased without renewal (default 600)")
    lc.add_argument("--holder", help="this agent's lease holder name (default host:pid)")
    lc.add_argument("--day-seconds", type=int, default=0,
                    help="make a rule's day this many seconds, unrounded (for tests; "
                         "default: real days)")

    g = sub.add_parser("gc", help="reclaim the data of overwritten and removed objects")
    g.add_argument("--interval", type=float, default=3600.0,
                   help="seconds between passes (default 3600)")
    g.add_argument("--once", action="store_true", help="one pass, then exit")
    g.add_argument("--grace", type=int, default=3600,
                   help="leave leftovers younger than this many seconds (default 3600)")
    return p


def main(argv=None):
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s[%(process)d]: %(message)s")
    if not args.store:
        log.error("no store: give --store URI or set RGW_STORE")
        return 2
    if (args.interval < 0 or getattr(args, "lease", 1) < 1 or getattr(args, "grace", 0) < 0
            or getattr(args, "batch", 1) < 1 or getattr(args, "day_seconds", 0) < 0):
        log.error("--interval and --grace must not be negative, --lease and --batch at least 1")
        return 2
    try:
        store = Store(args.store)
    except errors.RGWError as e:
        log.error("cannot open %s: %s: %s", args.store, e.name, e)
        return 1
    with store:
        agent = Agent(store, args.interval, args.once)
        work = {"expirer": _expirer, "lifecycle": _lifecycle, "gc": _gc}[args.command](agent, args)
        log.info("%s on %s, every %g s", args.command, args.store, args.interval)
        return agent.run(work)


def _holder(args):
    return args.holder or "%s:%d" % (socket.gethostname(), os.getpid())


def _expirer(agent, args):
    holder = _holder(args)

    def progress(report, removed):
        for bucket, key in removed:
            log.debug("removed %s/%s", bucket, key)
        log.info("expirer: %d removed, %d stale so far", report.removed_objects,
                 report.stale_entries)
        return agent.stopping.is_set()

    def work(store):
        started = time.monotonic()
        r = store.expire(holder=holder, lease_seconds=args.lease, batch=args.batch,
                         progress=progress)
        log.info("expirer pass: %d objects removed, %d stale entries, %d shards done, "
                 "%d left to other expirers, %.1f s", r.removed_objects, r.stale_entries,
                 r.shards_done, r.shards_busy, time.monotonic() - started)

    return work


def _lifecycle(agent, args):
    holder = _holder(args)

    def progress(report, bucket, key, what):
        log.debug("%s %s/%s", what, bucket, key)
        return agent.stopping.is_set()

    def work(store):
        started = time.monotonic()
        r = store.lifecycle(bucket=args.bucket, holder=holder, lease_seconds=args.lease,
                            day_seconds=args.day_seconds, progress=progress)
        log.info("lifecycle pass: %d buckets, %d objects expired, %d uploads aborted, "
                 "%d noncurrent versions and %d delete markers removed, %d buckets left to "
                 "other agents, %d bad configurations, %.1f s", r.buckets, r.expired_objects,
                 r.aborted_uploads, r.noncurrent_versions, r.delete_markers, r.busy_buckets,
                 r.bad_configurations, time.monotonic() - started)

    return work


def _gc(agent, args):
    def work(store):
        started = time.monotonic()
        r = store.gc(grace_seconds=args.grace)
        log.info("gc pass: %d objects (%d bytes) reclaimed, %d index entries repaired, %.1f s",
                 r.removed_objects, r.removed_bytes, r.repaired_entries,
                 time.monotonic() - started)

    return work


if __name__ == "__main__":
    sys.exit(main())
