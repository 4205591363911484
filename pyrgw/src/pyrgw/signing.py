"""Signed URLs, signed by the librgw core (the same code that verifies them)."""
import time
import urllib.parse

from . import _librgw

__all__ = ["presign_url"]


def presign_url(url, access_key, secret_key, method="GET", expires=3600, region="us-east-1",
                now=None):
    """Returns ``url`` with an S3 SigV4 query signature valid for ``expires``
    seconds (at most 604800), for ``method``.

    ``url`` is ``http(s)://host[:port]/bucket/key`` (path style) or a
    virtual-hosted URL; its path is signed as given, so percent-encode keys
    as S3 clients do (``urllib.parse.quote(key, safe="/~")``).

        >>> presign_url("http://127.0.0.1:8080/photos/cat.jpg", "AK", "SK", expires=600)
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("not an http(s) URL: %r" % (url,))
    if parts.query:
        raise ValueError("the URL to sign must not have a query string")
    if not 0 < int(expires) <= 604800:
        raise ValueError("expires must be between 1 and 604800 seconds")
    path = parts.path or "/"
    query = _librgw.presign_v4(method.upper(), parts.netloc, path, access_key, secret_key, region,
                               int(time.time() if now is None else now), int(expires))
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, query, ""))
