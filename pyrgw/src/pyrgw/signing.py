"""Signed URLs, signed by the librgw core (the same code that verifies them)."""
import base64
import calendar
import json
import time
import urllib.parse

from . import _librgw

__all__ = ["presign_url", "presign_post", "temp_url", "swift_temp_url"]


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


def presign_post(url, key, access_key, secret_key, fields=None, conditions=None, expires=3600,
                 region="us-east-1", bucket=None, now=None):
    """Returns ``{"url": url, "fields": {...}}`` for an HTML form that uploads
    one file to ``key`` of the bucket at ``url`` (S3 POST Object), signed
    with SigV4 by the core's signer (the code that verifies it), as boto3's
    ``generate_presigned_post`` returns it, so code moves over unchanged.

    ``url`` is the bucket's URL, ``http(s)://host[:port]/bucket`` (path
    style); for a virtual-hosted URL, name the bucket with ``bucket``.
    ``key`` may end in ``${filename}`` (the browser's file name is put
    there).  ``fields`` are extra form fields (``acl``, ``Content-Type``,
    ``success_action_status``, ``x-amz-meta-*`` ...) and ``conditions`` the
    policy's conditions; as with boto3, each field must also be named by a
    condition.  The policy expires ``expires`` seconds after ``now``.

        >>> form = presign_post("http://127.0.0.1:8080/photos", "up/${filename}", "AK", "SK",
        ...                     conditions=[["content-length-range", 1, 10485760]])
        >>> requests.post(form["url"], data=form["fields"], files={"file": open("cat.jpg", "rb")})
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("not an http(s) URL: %r" % (url,))
    if bucket is None:
        bucket = parts.path.strip("/")
        if not bucket or "/" in bucket:
            raise ValueError("the URL must name the bucket (http://host/bucket), or pass bucket=")
    if not 0 < int(expires):
        raise ValueError("expires must be a positive number of seconds")
    t = int(time.time() if now is None else now)
    amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))
    credential = f"{access_key}/{amz_date[:8]}/{region}/s3/aws4_request"
    out = dict(fields or {})
    policy_conditions = list(conditions or [])
    policy_conditions.append({"bucket": bucket})
    if key.endswith("${filename}"):
        policy_conditions.append(["starts-with", "$key", key[:-len("${filename}")]])
    else:
        policy_conditions.append({"key": key})
    signed = {"x-amz-algorithm": "AWS4-HMAC-SHA256", "x-amz-credential": credential,
              "x-amz-date": amz_date}
    policy_conditions.extend({k: v} for k, v in signed.items())
    policy = {"expiration": time.strftime(_ISO8601, time.gmtime(t + int(expires))),
              "conditions": policy_conditions}
    encoded = base64.b64encode(json.dumps(policy).encode("utf-8")).decode("ascii")
    out["key"] = key
    out.update(signed)
    out["policy"] = encoded
    out["x-amz-signature"] = _librgw.post_policy_sign(encoded, secret_key, amz_date[:8], region)
    return {"url": url, "fields": out}


_ISO8601 = "%Y-%m-%dT%H:%M:%SZ"
_TIME_ERROR = ("time must either be a whole number or in specific ISO 8601 format: "
               "YYYY-MM-DDThh:mm:ssZ, YYYY-MM-DDThh:mm:ss or YYYY-MM-DD")


def _expiry(seconds, absolute):
    """(timestamp, absolute) from a number of seconds ("600", "10m", "2h",
    "1d"), a Unix time (absolute=True) or an ISO 8601 time, as
    python-swiftclient reads them (without a "Z", in local time)."""
    try:
        value = float(seconds)
    except (ValueError, TypeError):
        value = None
    if value is not None:
        if not value.is_integer() or value < 0:
            raise ValueError(_TIME_ERROR)
        return int(value), absolute
    for form in (_ISO8601, _ISO8601[:-1], "%Y-%m-%d"):
        try:
            parsed = time.strptime(seconds, form)
        except (ValueError, TypeError):
            continue
        return (calendar.timegm(parsed) if form == _ISO8601 else int(time.mktime(parsed))), True
    if not absolute and isinstance(seconds, str):
        for suffix, scale in (("s", 1), ("m", 60), ("min", 60), ("h", 3600), ("hr", 3600),
                              ("d", 86400)):
            if seconds.endswith(suffix):
                try:
                    return int(scale * float(seconds[:-len(suffix)])), absolute
                except ValueError:
                    break
    raise ValueError(_TIME_ERROR)


def temp_url(path, seconds, key, method, absolute=False, prefix=False, iso8601=False,
             ip_range=None, digest="sha256"):
    """The path and query of a Swift temporary URL, signed by the core's
    signer (the code that verifies it), with python-swiftclient's
    ``generate_temp_url`` parameters and output: code moves over unchanged.

    ``path`` is the object's path, ``/swift/v1/AUTH_<account>/<container>/<object>``
    (not percent-encoded), or with ``prefix=True`` the container's path and
    an object prefix.  ``seconds``: how long it lives (``600``, ``"10m"``,
    ``"2h"``, ``"1d"``), or with ``absolute=True`` a Unix time, or an ISO 8601
    time (``"2027-01-01T00:00:00Z"``).  ``key``: the account's or the
    container's ``Temp-URL-Key``.  ``iso8601`` writes the expiry in ISO 8601;
    ``ip_range`` limits the URL to an address or CIDR network; ``digest`` is
    ``sha1``, ``sha256`` or ``sha512``.

        >>> temp_url("/swift/v1/AUTH_alice/photos/cat.jpg", 600, "secret", "GET")
        '/swift/v1/AUTH_alice/photos/cat.jpg?temp_url_sig=...&temp_url_expires=...'
    """
    timestamp, absolute = _expiry(seconds, absolute)
    if isinstance(path, bytes):
        path = path.decode("utf-8")
    if isinstance(key, bytes):
        key = key.decode("utf-8")
    if digest not in ("sha1", "sha256", "sha512"):
        raise ValueError("digest must be one of sha1, sha256, or sha512")
    # The account is the AUTH_ segment (or the second, "/v1/<account>/...",
    # as python-swiftclient has it), then the container, then the object or
    # prefix.  (python-swiftclient always takes the fourth segment on, which
    # gives a wrong temp_url_prefix under a two-segment prefix such as
    # /swift/v1: there, and only there, the outputs differ.)
    segments = path.split("/")
    account = next((i for i, seg in enumerate(segments) if seg.startswith("AUTH_")), 2)
    rest = "/".join(segments[account + 2:])
    if (segments[0] or len(segments) < account + 3 or not all(segments[1:account + 2]) or
            (not prefix and not rest)):
        raise ValueError("path must at least contain /v1/a/c/" if prefix else
                         "path must be full path to an object e.g. /v1/a/c/o")
    expires = timestamp if absolute else int(time.time() + timestamp)
    sig = _librgw.swift_temp_url_sign(digest, method.upper(), ("prefix:" if prefix else "") + path,
                                      expires, ip_range or "", key)
    shown = time.strftime(_ISO8601, time.gmtime(expires)) if iso8601 else expires
    url = f"{path}?temp_url_sig={sig}&temp_url_expires={shown}"
    if ip_range:
        url += f"&temp_url_ip_range={ip_range}"
    if prefix:
        url += f"&temp_url_prefix={rest}"
    return url


def swift_temp_url(url, key, method="GET", expires=3600, digest="sha256", prefix=None,
                   filename=None, inline=False, ip_range=None, now=None):
    """Returns ``url`` made a Swift temporary URL: anyone holding it may do
    ``method`` on the object (HEAD too, for a GET, PUT or POST URL) for
    ``expires`` seconds, without a token (``temp_url`` does the signing).

    ``url`` is the object's URL, ``http(s)://host[:port]/swift/v1/AUTH_<account>/<container>/<object>``
    (percent-encoded as it will be requested); ``key`` the account's or the
    container's ``Temp-URL-Key`` (or ``-Key-2``) metadata, set with
    ``X-Account-Meta-Temp-URL-Key`` / ``X-Container-Meta-Temp-URL-Key``.
    With ``prefix``, the URL serves every object of the container whose name
    starts with it (``url`` then names the container).  ``filename`` and
    ``inline`` choose the Content-Disposition of a GET; ``ip_range`` limits
    the URL to an address or CIDR network.

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
    if prefix is not None:
        path = path.rstrip("/") + "/" + prefix
    signed = temp_url(path, until, key, method, absolute=True, prefix=prefix is not None,
                      ip_range=ip_range, digest=digest)
    query = urllib.parse.parse_qsl(signed.split("?", 1)[1], keep_blank_values=True)
    if filename is not None:
        query.append(("filename", filename))
    text = urllib.parse.urlencode(query, quote_via=urllib.parse.quote)
    if inline:
        text += "&inline"
    url_path = parts.path.rstrip("/") + "/" if prefix is not None else parts.path
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, url_path, text, ""))
