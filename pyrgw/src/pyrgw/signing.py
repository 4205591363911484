"""Signed URLs, signed by the librgw core (the same code that verifies them)."""
import time
import urllib.parse

from . import _librgw

__all__ = ["presign_url", "swift_temp_url"]


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


def swift_temp_url(url, key, method="GET", expires=3600, digest="sha256", prefix=None,
                   filename=None, inline=False, now=None):
    """Returns ``url`` made a Swift temporary URL: anyone holding it may do
    ``method`` on the object (HEAD too, for a GET, PUT or POST URL) for
    ``expires`` seconds, without a token.

    ``url`` is the object's URL, ``http(s)://host[:port]/swift/v1/AUTH_<account>/<container>/<object>``
    (percent-encoded as it will be requested); ``key`` the account's or the
    container's ``Temp-URL-Key`` (or ``-Key-2``) metadata, set with
    ``X-Account-Meta-Temp-URL-Key`` / ``X-Container-Meta-Temp-URL-Key``.
    ``digest`` is ``sha1``, ``sha256`` or ``sha512``.  With ``prefix``, the URL
    serves every object of the container whose name starts with it (``url``
    then names the container, with or without a trailing ``/``).
    ``filename`` and ``inline`` choose the Content-Disposition of a GET.

        >>> swift_temp_url("http://127.0.0.1:8080/swift/v1/AUTH_alice/photos/cat.jpg",
        ...                "secret", expires=600)
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("not an http(s) URL: %r" % (url,))
    if parts.query:
        raise ValueError("the URL to sign must not have a query string")
    if int(expires) <= 0:
        raise ValueError("expires must be a positive number of seconds")
    until = int(time.time() if now is None else now) + int(expires)
    path = urllib.parse.unquote(parts.path)
    query = []
    if prefix is not None:
        container = path.rstrip("/")
        path = "prefix:" + container + "/" + prefix
        query.append(("temp_url_prefix", prefix))
        url_path = parts.path.rstrip("/") + "/"
    else:
        url_path = parts.path
    sig = _librgw.swift_temp_url_sign(digest, method.upper(), path, until, key)
    query = [("temp_url_sig", sig), ("temp_url_expires", str(until))] + query
    if filename is not None:
        query.append(("filename", filename))
    text = urllib.parse.urlencode(query, quote_via=urllib.parse.quote)
    if inline:
        text += "&inline"
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, url_path, text, ""))
