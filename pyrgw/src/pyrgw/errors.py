"""Typed exceptions for the error codes of the librgw core.

The classes are made from the core's one list of codes (``RGW_ERROR_LIST``
in <librgw/librgw.h>, as ``_librgw.error_codes``): each is named as
``rgw_strerror()`` names its code (``NoSuchBucket``, ``InvalidKey``, ...),
carries the code in ``code``, and derives from RGWError and, by its kind,
from LookupError ("not-found"), ValueError ("invalid") or OSError ("store").
Negative errno values from the core raise StoreError (or InvalidArgument for
EINVAL) with ``errno`` set.
"""
import errno as _errno
import os as _os

from . import _librgw


class RGWError(Exception):
    """Base class of every librgw error; ``code`` is the core's code."""

    code = None

    def __init__(self, message="", code=None):
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def name(self):
        return type(self).__name__


_BASES = {"not-found": (LookupError,), "invalid": (ValueError,), "store": (OSError,)}
_BY_CODE = {}
__all__ = ["RGWError", "error_for"]

for _name, _code, _kind, _meaning in _librgw.error_codes:
    _cls = type(_name, (RGWError,) + _BASES.get(_kind, ()),
                {"code": _code, "__doc__": f"{_meaning} ({_code})", "__module__": __name__})
    globals()[_name] = _cls
    _BY_CODE[_code] = _cls
    __all__.append(_name)
del _name, _code, _kind, _meaning, _cls


def error_for(code, message):
    """Returns the exception instance for a core error code."""
    cls = _BY_CODE.get(code)
    if cls is not None:
        return cls(message)
    if code == -_errno.EINVAL:
        return InvalidArgument(message, code)  # noqa: F821 (made from the list above)
    err = StoreError(message, code)  # noqa: F821
    if code < 0:
        err.errno = -code
        err.strerror = _os.strerror(-code)
    return err
