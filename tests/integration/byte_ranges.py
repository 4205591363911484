"""Range headers for GET tests, and the bytes each should return."""

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
