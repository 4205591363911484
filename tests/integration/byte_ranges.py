"""Range headers for GET tests, the bytes each should return, and the check
of a site's answers to them."""

import hashlib

# (first, last): None = no Range; a negative first = a suffix range.
RANGES = [(None, None), (0, 0), (10, 20), (5000, None), (-100, None)]


def range_header(first, last):
    if first is None:
        return {}
    if first < 0:
        return {"Range": f"bytes={first}"}
    return {"Range": f"bytes={first}-" + ("" if last is None else str(last))}


def expected(data, first, last):
    if first is None:
        return data
    if first < 0:
        return data[first:]
    return data[first:(len(data) if last is None else last + 1)]


def check_ranged_gets(site, key, data):
    """GETs key (stored with data) whole and with every range of RANGES
    that fits it: each answers 200 (whole) or 206 with exactly the expected
    bytes and Content-Length, and the object's ETag (its MD5)."""
    etag = '"' + hashlib.md5(data).hexdigest() + '"'
    for first, last in RANGES:
        if first is not None and (first >= len(data) or -first > len(data)):
            continue
        r = site.get(key, headers=range_header(first, last))
        want = expected(data, first, last)
        assert r.status_code == (200 if first is None else 206), (first, last, r.content[:200])
        assert int(r.headers["Content-Length"]) == len(want), (first, last)
        assert r.content == want, (first, last)
        assert r.headers["ETag"] == etag, (first, last)
