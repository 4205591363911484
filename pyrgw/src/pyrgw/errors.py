"""Typed exceptions for the error codes of the librgw core.

The codes are the RGW_ERR_* values of <librgw/librgw.h> (or a negative errno
for system errors); the core raises them and this module names them.
"""
import errno as _errno
import os as _os


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


class NoSuchUser(RGWError, LookupError):
    code = -1001


class NoSuchAccessKey(RGWError, LookupError):
    code = -1002


class NoSuchBucket(RGWError, LookupError):
    code = -1003


class NoSuchKey(RGWError, LookupError):
    code = -1004


class UserExists(RGWError):
    code = -1005


class AccessKeyExists(RGWError):
    code = -1006


class BucketExists(RGWError):
    code = -1007


class BucketNotEmpty(RGWError):
    code = -1008


class UserHasBuckets(RGWError):
    code = -1009


class InvalidBucketName(RGWError, ValueError):
    code = -1010


class InvalidKey(RGWError, ValueError):
    code = -1011


class InvalidRange(RGWError, ValueError):
    code = -1012


class InvalidStoreURI(RGWError, ValueError):
    code = -1013


class InvalidArgument(RGWError, ValueError):
    code = -1014


class Conflict(RGWError):
    code = -1015


class StoreError(RGWError, OSError):
    """The storage backend failed (also used for system errors)."""

    code = -1016


class NoSuchUpload(RGWError, LookupError):
    code = -1017


class InvalidPart(RGWError, ValueError):
    code = -1018


_BY_CODE = {
    cls.code: cls
    for cls in RGWError.__subclasses__()
    if cls.code is not None
}


def error_for(code, message):
    """Returns the exception instance for a core error code."""
    cls = _BY_CODE.get(code)
    if cls is not None:
        return cls(message)
    if code == -_errno.EINVAL:
        return InvalidArgument(message, code)
    err = StoreError(message, code)
    if code < 0:
        err.errno = -code
        err.strerror = _os.strerror(-code)
    return err
