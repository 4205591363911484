"""The WSGI door: S3 served by the librgw core under any WSGI server.

The application hands each request to the core's request driver (the same
one the nginx and Apache modules use): it streams ``wsgi.input`` into the
core and the response out of it, with the GIL released while the core works.
No S3 logic lives here.

Serve a store with gunicorn (the gateway opens in each worker, after fork)::

    RGW_STORE=local:/var/lib/librgw gunicorn -k gthread --threads 8 pyrgw.wsgi:application

or build one in code, or from a PasteDeploy pipeline::

    [app:s3]
    use = egg:pyrgw#main
    store = rados:rgw?conf=/etc/ceph/ceph.conf
    domains = s3.example.com

Options (keyword arguments, paste settings, or RGW_<NAME> environment
variables for ``application``): the core's gateway and door options
(pyrgw.options.door_options(): ``store``, ``region``, ``domains``,
``max_object_size``, ``buffer_size``; docs/gateway-config.md).  Request and
response bodies move in ``buffer_size`` chunks.
"""
import os
import threading
import urllib.parse

from . import _librgw
from . import options as _options

__all__ = ["Application", "app_factory", "application", "option_names"]


def option_names():
    """The options the WSGI door takes, from the core's table."""
    return tuple(o.name for o in _options.door_options())


def _request_target(environ):
    """The request target as the client sent it (what signatures cover)."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw and raw.startswith("/"):
        return raw.encode("latin-1")
    path = (environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")).encode("latin-1")
    target = urllib.parse.quote_from_bytes(path, safe="/~").encode("ascii") or b"/"
    query = environ.get("QUERY_STRING", "")
    if query:
        target += b"?" + query.encode("latin-1")
    return target


def _headers(environ):
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            yield key[5:].replace("_", "-").lower(), value
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            yield key.replace("_", "-").lower(), value


class _Body:
    """The response body, pulled from the core as the server iterates."""

    def __init__(self, request, chunk_size):
        self._request = request
        self._left = request.content_length
        self._chunk_size = chunk_size

    def __iter__(self):
        while self._request is not None and self._left > 0:
            chunk = self._request.read(self._chunk_size)
            if not chunk:
                break
            self._left -= len(chunk)
            yield chunk

    def close(self):
        self._request = None  # frees the core's request (and any open reader)


class Application:
    """A WSGI application serving S3 from one store.

    The store opens at the first request, in the process that serves it
    (RADOS connections do not survive fork()); the options are checked by the
    core at once (pyrgw.InvalidArgument, a ValueError, naming the option).
    """

    def __init__(self, store=None, **options):
        unknown = set(options) - set(option_names())
        if unknown:
            raise TypeError("unknown option(s): " + ", ".join(sorted(unknown)))
        self.options = {k: str(v) for k, v in options.items() if v is not None}
        if store is not None:
            self.options["store"] = str(store)
        if not self.options.get("store"):
            raise ValueError("a store URI is required (store=..., or RGW_STORE)")
        config = _options.Config()
        for name, value in self.options.items():
            config.set(name, value)
        self.chunk_size = config.get_uint("buffer_size")
        self._gateway = None
        self._pid = None
        self._lock = threading.Lock()

    @property
    def gateway(self):
        if self._gateway is None or self._pid != os.getpid():
            with self._lock:
                if self._gateway is None or self._pid != os.getpid():
                    self._gateway = _librgw.Gateway(self.options)
                    self._pid = os.getpid()
        return self._gateway

    def __call__(self, environ, start_response):
        request = _librgw.Request(self.gateway, environ["REQUEST_METHOD"].encode("latin-1"),
                                  _request_target(environ))
        for name, value in _headers(environ):
            request.add_header(name.encode("latin-1"), value.encode("latin-1"))
        remote = environ.get("REMOTE_ADDR")
        if remote and len(remote) <= 64:
            request.set_remote_addr(remote)
        if request.start():
            self._feed(environ, request)
        headers = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in request.headers]
        if request.content_length >= 0:  # none on 204 and 304
            headers.append(("Content-Length", str(request.content_length)))
        start_response(f"{request.status} {request.reason}", headers)
        if environ["REQUEST_METHOD"] == "HEAD":
            return []
        return _Body(request, self.chunk_size)

    def _feed(self, environ, request):
        stream = environ["wsgi.input"]
        length = environ.get("CONTENT_LENGTH")
        remaining = int(length) if length else None
        size = self.chunk_size
        while remaining is None or remaining > 0:
            chunk = stream.read(size if remaining is None else min(size, remaining))
            if not chunk:
                break
            if remaining is not None:
                remaining -= len(chunk)
            if not request.body(chunk):
                return
        request.end_body()


def app_factory(global_conf, **local_conf):
    """PasteDeploy ``paste.app_factory`` (``use = egg:pyrgw#main``)."""
    names = option_names()
    settings = {k: v for k, v in dict(global_conf, **local_conf).items() if k in names}
    return Application(**settings)


class _FromEnvironment:
    """``pyrgw.wsgi:application``: configured by RGW_<NAME> for each option
    the door takes (RGW_STORE, RGW_REGION, RGW_DOMAINS, RGW_MAX_OBJECT_SIZE,
    RGW_BUFFER_SIZE), read at first use."""

    def __init__(self):
        self._app = None

    def __call__(self, environ, start_response):
        if self._app is None:
            self._app = Application(**{k: os.environ.get("RGW_" + k.upper())
                                       for k in option_names()})
        return self._app(environ, start_response)


application = _FromEnvironment()
