"""pyrgw: librgw for Python.

Object storage (S3 and Swift) on Ceph RADOS or on an embedded local store,
through the same C++ core that the nginx and Apache modules use.

    >>> import pyrgw
    >>> store = pyrgw.Store("local:/tmp/demo-store")
    >>> store.create_user("alice", access_key="AK", secret_key="SK")
"""
from . import _librgw
from .errors import (
    AccessKeyExists,
    BucketExists,
    BucketNotEmpty,
    Conflict,
    InvalidArgument,
    InvalidBucketName,
    InvalidKey,
    InvalidPart,
    InvalidRange,
    InvalidStoreURI,
    NoSuchAccessKey,
    NoSuchBucket,
    NoSuchKey,
    NoSuchUpload,
    NoSuchUser,
    RGWError,
    StoreError,
    UserExists,
    UserHasBuckets,
)
from .signing import presign_url
from .store import ObjectReader, Store

PartInfo = _librgw.PartInfo
UploadInfo = _librgw.UploadInfo

__version__ = _librgw.version

__all__ = [
    "Store",
    "presign_url",
    "ObjectReader",
    "PartInfo",
    "UploadInfo",
    "RGWError",
    "AccessKeyExists",
    "BucketExists",
    "BucketNotEmpty",
    "Conflict",
    "InvalidArgument",
    "InvalidBucketName",
    "InvalidKey",
    "InvalidPart",
    "InvalidRange",
    "InvalidStoreURI",
    "NoSuchAccessKey",
    "NoSuchBucket",
    "NoSuchKey",
    "NoSuchUpload",
    "NoSuchUser",
    "StoreError",
    "UserExists",
    "UserHasBuckets",
]
