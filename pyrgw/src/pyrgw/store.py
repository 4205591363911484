"""The Python surface of a librgw store."""
import io
import os
import secrets
import socket
import string

from . import _librgw

CHUNK = 1 << 20  # bytes moved per call when streaming

_KEY_ALPHABET = string.ascii_uppercase + string.digits
_SECRET_ALPHABET = string.ascii_letters + string.digits


def generate_access_key():
    """A new random 20-character S3 access key id."""
    return "".join(secrets.choice(_KEY_ALPHABET) for _ in range(20))


def generate_secret_key():
    """A new random 40-character S3 secret key."""
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))


def _object_attrs(content_type, metadata, attrs):
    out = {}
    if attrs:
        out.update({k.lower(): str(v) for k, v in attrs.items()})
    if content_type:
        out["content-type"] = content_type
    for name, value in (metadata or {}).items():
        out["x-amz-meta-" + name.lower()] = str(value)
    return out


def _key(key):
    """Object keys go to the core as bytes, so that the core (not Python)
    decides what is a valid key: a str that is not valid UTF-8 (a lone
    surrogate) reaches it as such and is refused with InvalidKey."""
    if isinstance(key, str):
        return key.encode("utf-8", "surrogateescape")
    return key


def _stream_into(writer, data):
    """Writes bytes, str or a binary file-like object (in chunks)."""
    if isinstance(data, str):
        data = data.encode()
    if isinstance(data, (bytes, bytearray, memoryview)):
        view = memoryview(data)
        for off in range(0, len(view), CHUNK):
            writer.write(view[off:off + CHUNK])
    else:
        while True:
            chunk = data.read(CHUNK)
            if not chunk:
                break
            writer.write(chunk)


class ObjectReader(io.RawIOBase):
    """A readable, non-seekable stream over one object (or a range of it)."""

    def __init__(self, reader):
        super().__init__()
        self._reader = reader

    @property
    def info(self):
        return self._reader.info

    def readable(self):
        return True

    def readinto(self, buffer):
        return self._reader.readinto(buffer)

    def read(self, size=-1):
        if size is None or size < 0:
            return self.readall()
        return self._reader.read(size)

    def readall(self):
        return self._reader.read(-1)


class Store:
    """A librgw store opened from a store URI.

    ``local:/abs/dir`` is the embedded local store; ``rados:PREFIX?conf=...``
    is Ceph RADOS (see docs/store-uri.md).  Methods raise the exceptions of
    :mod:`pyrgw.errors`.  A Store may be shared by threads.
    """

    def __init__(self, uri):
        self.uri = uri
        self._s = _librgw.Store(uri)

    def close(self):
        self._s.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # users ---------------------------------------------------------------
    def create_user(self, uid, display_name="", email="", access_key=None,
                    secret_key=None, swift_user="", swift_key=""):
        """Creates a user with one S3 key pair; a half not given is generated
        (pass ``access_key=""`` and ``secret_key=""`` for a user without keys).

        Returns the user (``.keys`` holds the key pairs).
        """
        user = _librgw.User()
        user.uid = uid
        user.display_name = display_name or uid
        user.email = email
        if access_key is None and secret_key is None:
            access_key, secret_key = generate_access_key(), generate_secret_key()
        elif access_key is None:
            access_key = generate_access_key()
        elif secret_key is None:
            secret_key = generate_secret_key()
        if access_key or secret_key:
            user.keys = [_librgw.AccessKey(access_key, secret_key)]
        user.swift_user = swift_user
        user.swift_key = swift_key
        self._s.create_user(user)
        return self._s.get_user(uid)

    def get_user(self, uid):
        return self._s.get_user(uid)

    def get_user_by_access_key(self, access_key):
        return self._s.get_user_by_access_key(access_key)

    def get_user_by_swift_user(self, swift_user):
        """The user whose Swift identity is ``account:user``."""
        return self._s.get_user_by_swift_user(swift_user)

    def modify_user(self, uid, display_name=None, email=None, suspended=None, attrs=None):
        """Changes what is given (``attrs``: the whole new set), nothing else."""
        self._s.modify_user(uid, display_name, email, suspended, attrs)

    def list_users(self):
        return self._s.list_users()

    def add_access_key(self, uid, access_key=None, secret_key=None):
        key = _librgw.AccessKey(access_key or generate_access_key(),
                                secret_key or generate_secret_key())
        self._s.add_access_key(uid, key)
        return key

    def remove_access_key(self, uid, access_key):
        self._s.remove_access_key(uid, access_key)

    def set_swift_credentials(self, uid, swift_user, swift_key):
        self._s.set_swift_credentials(uid, swift_user, swift_key)

    def remove_user(self, uid):
        self._s.remove_user(uid)

    # buckets -------------------------------------------------------------
    def create_bucket(self, name, owner, acl="private", attrs=None):
        """Creates a bucket owned by ``owner``; ``acl`` is a canned ACL name
        (the core's definitions) or an :class:`pyrgw.Acl`."""
        info = _librgw.BucketInfo()
        info.name = name
        info.owner = owner
        if isinstance(acl, _librgw.Acl):
            info.policy = acl
        else:
            info.acl = acl
        if attrs:
            info.attrs = dict(attrs)
        return self._s.create_bucket(info)

    def get_bucket(self, name):
        return self._s.get_bucket(name)

    def update_bucket(self, info):
        self._s.update_bucket(info)

    def list_buckets(self, owner=""):
        return self._s.list_buckets(owner)

    def remove_bucket(self, name):
        self._s.remove_bucket(name)

    def bucket_stats(self, name):
        return self._s.bucket_stats(name)

    # objects -------------------------------------------------------------
    def put_object(self, bucket, key, data, content_type=None, metadata=None,
                   attrs=None, delete_at=0, policy=None):
        """Stores an object from bytes, str or a binary file-like object.

        File-like data is streamed in chunks, so memory stays bounded.
        ``policy`` is an :class:`pyrgw.Acl` (default: the bucket owner's,
        private).  Returns the stored object's info (``.etag`` is the hex
        MD5).
        """
        writer = self._s.open_writer(bucket, _key(key))
        try:
            _stream_into(writer, data)
            return writer.commit(_object_attrs(content_type, metadata, attrs), delete_at,
                                 policy=policy)
        except BaseException:
            writer.abort()
            raise

    def open_object(self, bucket, key, offset=0, length=-1, version_id=""):
        """Opens an object (or the range offset..offset+length) for streaming."""
        return ObjectReader(self._s.open_reader(bucket, _key(key), offset, length, version_id))

    def get_object(self, bucket, key, range=None, version_id=""):
        """The object's bytes; ``range=(first, last)`` is inclusive, as in HTTP."""
        if range is None:
            offset, length = 0, -1
        else:
            first, last = range
            offset, length = first, last - first + 1
        return self._s.read_object(bucket, _key(key), offset, length, version_id)

    def stat_object(self, bucket, key, version_id=""):
        return self._s.stat_object(bucket, _key(key), version_id)

    def delete_object(self, bucket, key, version_id="", if_match=""):
        """Removes an object (a missing one is no error); ``if_match``: only
        while it still has that ETag, else Conflict.

        ``version_id`` removes that version for good.  Without it, a bucket
        with versioning gets a delete marker instead.  Returns what went or
        was made (``version_id``, ``delete_marker``), or None when nothing
        was there to remove."""
        return self._s.remove_object(bucket, _key(key), version_id, if_match)

    def list_objects(self, bucket, prefix="", delimiter="", marker="", max_keys=1000,
                     end_marker="", version_marker="", versions=False):
        """A page of keys after ``marker`` (and before ``end_marker``).

        ``versions``: every version and delete marker of each key, newest
        first (``is_latest`` says which is current; ``delete_marker`` which
        are markers), and ``version_marker`` resumes after that version of
        the marker key (the page's ``next_version_marker``)."""
        return self._s.list_objects(bucket, _key(prefix), _key(delimiter), _key(marker),
                                    max_keys, _key(end_marker), version_marker, versions)

    def iter_objects(self, bucket, prefix=""):
        """Every object under prefix, page by page."""
        marker = ""
        while True:
            page = self.list_objects(bucket, prefix=prefix, marker=marker)
            yield from page.objects
            if not page.truncated:
                return
            marker = page.next_marker

    def copy_object(self, src_bucket, src_key, dst_bucket, dst_key, attrs=None):
        return self._s.copy_object(src_bucket, _key(src_key), dst_bucket, _key(dst_key), attrs)

    def update_object_attrs(self, bucket, key, attrs, expected_etag=""):
        """Replaces the attributes of the current object (``attrs``: the whole
        new set, a dict of str -> str, stored as given) without rewriting its
        data: size, etag and mtime stay.  Plain and multipart objects alike.

        ``expected_etag`` (non-empty): the object must still have that etag,
        else Conflict (it was replaced since it was read).  NoSuchKey when
        there is no object.  Returns the updated ObjectInfo.
        """
        return self._s.update_object(bucket, _key(key), attrs=attrs, if_match=expected_etag)

    def update_object(self, bucket, key, attrs=None, policy=None, delete_at=None, if_match=""):
        """Changes what is given of an object's metadata in place (``attrs``:
        the whole new set; ``policy``: an :class:`pyrgw.Acl`; ``delete_at``:
        epoch seconds, 0 = never), without rewriting its data."""
        return self._s.update_object(bucket, _key(key), attrs=attrs, policy=policy,
                                     delete_at=delete_at, if_match=if_match)

    # multipart uploads ---------------------------------------------------
    def create_upload(self, bucket, key, content_type=None, metadata=None, attrs=None,
                      policy=None, delete_at=0):
        """Starts a multipart upload; the attributes, ``policy`` and
        ``delete_at`` are the final object's.

        Returns an UploadInfo (``.upload_id``, ``.key``, ``.initiated_ns``).
        """
        return self._s.create_upload(bucket, _key(key),
                                     _object_attrs(content_type, metadata, attrs), policy,
                                     delete_at)

    def get_upload(self, bucket, upload_id):
        return self._s.get_upload(bucket, upload_id)

    def upload_part(self, bucket, upload_id, part_number, data):
        """Stores part ``part_number`` (1..10000) from bytes, str or a binary
        file-like object (streamed), replacing an earlier part of that number
        in list_parts; the earlier upload is kept (one per ETag) until the
        upload ends, so complete_upload naming its ETag still takes it.

        Returns its PartInfo (``.etag`` is the part's hex MD5).
        """
        writer = self._s.open_part_writer(bucket, upload_id, part_number)
        try:
            _stream_into(writer, data)
            info = writer.commit({}, 0, "")
        except BaseException:
            writer.abort()
            raise
        return _librgw.PartInfo(part_number, info.size, info.etag, info.mtime_ns)

    def list_parts(self, bucket, upload_id):
        """The upload's parts, by number."""
        return self._s.list_parts(bucket, upload_id)

    def list_uploads(self, bucket, prefix="", after_key="", after_id="", limit=1000):
        """Uploads in progress whose key starts with prefix, by key, then by
        upload id (the ids of one key sort by initiation time): at most
        ``limit``, after (after_key, after_id) when after_key is given."""
        return self._s.list_uploads(bucket, _key(prefix), _key(after_key), after_id, limit)

    def iter_uploads(self, bucket, prefix=""):
        """Every upload in progress under prefix, fetched a page at a time."""
        after_key, after_id = "", ""
        while True:
            page = self.list_uploads(bucket, prefix, after_key, after_id)
            yield from page
            if len(page) < 1000:
                return
            after_key, after_id = page[-1].key, page[-1].upload_id

    def complete_upload(self, bucket, upload_id, parts, etag=""):
        """Stitches the chosen parts, in ascending order, into the object.

        ``parts`` holds (number, etag) pairs or PartInfo objects.  Without an
        ``etag`` the object gets the S3 multipart ETag (MD5 of the parts'
        MD5s, "-" and their count).  Raises InvalidPart (and changes nothing)
        when a part is missing or was never uploaded with the ETag named.
        """
        pairs = [(p.number, p.etag) if isinstance(p, _librgw.PartInfo) else (int(p[0]), str(p[1]))
                 for p in parts]
        return self._s.complete_upload(bucket, upload_id, pairs, etag)

    def abort_upload(self, bucket, upload_id):
        """Ends an upload; its parts are left to gc."""
        self._s.abort_upload(bucket, upload_id)

    def expire(self, holder=None, lease_seconds=60, batch=1000, progress=None):
        """Runs one expirer pass (docs/expiry.md): removes the objects whose
        delete_at has passed, from the queue shards no other expirer holds;
        returns an ``ExpireReport`` (``removed_objects``, ``stale_entries``,
        ``shards_done``, ``shards_busy``).

        ``holder`` names this expirer's leases (default ``host:pid``);
        ``lease_seconds`` is how long a shard stays leased without renewal;
        ``batch`` how many queue entries are listed and removed at once.
        ``progress(report, removed)``, if given, is called after each batch
        with the counts so far and the ``(bucket, key)`` pairs it removed; a
        true return ends the pass after that batch."""
        if holder is None:
            holder = "%s:%d" % (socket.gethostname(), os.getpid())
        return self._s.expire(holder, int(lease_seconds), int(batch), progress)

    def lifecycle(self, bucket=None, holder=None, lease_seconds=600, day_seconds=0,
                  progress=None):
        """Runs one S3 lifecycle pass: applies the lifecycle configuration of
        every bucket that has one (or of ``bucket``): objects past their
        Expiration are removed (a delete marker in a bucket with versioning),
        noncurrent versions due under NoncurrentVersionExpiration and delete
        markers left alone under ExpiredObjectDeleteMarker removed, uploads
        due under AbortIncompleteMultipartUpload aborted.  Returns a
        ``LifecycleReport`` (``buckets``, ``busy_buckets``,
        ``expired_objects``, ``noncurrent_versions``, ``delete_markers``,
        ``aborted_uploads``, ``bad_configurations``).

        ``holder`` names this agent's per-bucket leases (default ``host:pid``).
        ``day_seconds`` > 0 makes a rule's day that many seconds (tests).
        ``progress(report, bucket, key, what)``, if given, is called after each
        object expired, upload aborted, version or marker removed (``what``:
        ``"expired"``, ``"aborted"``, ``"noncurrent"``, ``"delete-marker"``);
        a true return ends the pass."""
        if holder is None:
            holder = "%s:%d" % (socket.gethostname(), os.getpid())
        return self._s.lifecycle(holder, int(lease_seconds), bucket, int(day_seconds), progress)

    def gc(self, grace_seconds=3600, progress=None):
        """Runs one garbage-collection pass; returns a report.  progress, if
        given, is called with the report so far each time a count grows (on
        this thread; an exception it raises is raised after the pass)."""
        return self._s.gc(grace_seconds, progress)
