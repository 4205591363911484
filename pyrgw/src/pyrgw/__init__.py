"""pyrgw: librgw for Python.

Object storage (S3 and Swift) on Ceph RADOS or on an embedded local store,
through the same core that the nginx and Apache modules use, bound through
its C API (<librgw/librgw.h>).

    >>> import pyrgw
    >>> store = pyrgw.Store("local:/tmp/demo-store")
    >>> store.create_user("alice", access_key="AK", secret_key="SK")
"""
from . import _librgw, errors
from .errors import *  # noqa: F401,F403 (the exception classes, one per core error code)
from .signing import presign_post, presign_url, swift_temp_url, temp_url
from .store import ObjectReader, Store

Acl = _librgw.Acl
Grant = _librgw.Grant
PartInfo = _librgw.PartInfo
UploadInfo = _librgw.UploadInfo
Versioning = _librgw.Versioning  # a bucket's state: unversioned, enabled, suspended

__version__ = _librgw.version

__all__ = ["Store", "presign_post", "presign_url", "swift_temp_url", "temp_url", "ObjectReader",
           "Acl", "Grant", "PartInfo", "UploadInfo", "Versioning"] + errors.__all__
