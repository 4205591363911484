"""Fixtures shared by the integration tests.

Every store test runs against both drivers: the embedded local store in a
fresh directory, and Ceph RADOS on a throwaway single-node cluster that this
file starts once per test session (Debian's ceph-mon + ceph-osd, memstore,
random port on 127.0.0.1) and stops afterwards.  A missing part fails the
tests; nothing is skipped.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import uuid

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from ceph_cluster import CephCluster  # noqa: E402

DRIVERS = ["local", "rados"]


@pytest.fixture(scope="session")
def ceph_cluster():
    base = tempfile.mkdtemp(prefix="librgw-ceph-")
    cluster = CephCluster(base)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def rados_prefix():
    """One pool prefix per session: pools are created once, tests use unique names."""
    return "t" + uuid.uuid4().hex[:8]


class StoreSetup:
    """What a test needs to reach one store: its URI and unique names."""

    def __init__(self, driver, uri, root=None):
        self.driver = driver
        self.uri = uri
        self.root = root  # the local store's directory (None for RADOS)
        self.tag = uuid.uuid4().hex[:10]

    def name(self, base):
        """A name unique to this test (buckets and users are shared on RADOS)."""
        return f"{base}-{self.tag}"

    def index_keys(self, bucket_id):
        """The omap keys of a RADOS bucket's index object, as bytes (its own
        records start with 0xff, which the rados module cannot decode)."""
        prefix, _, query = self.uri[len("rados:"):].partition("?")
        conf = dict(p.split("=", 1) for p in query.split("&"))["conf"]
        return subprocess.run(["rados", "-c", conf, "-p", prefix + ".index", "listomapkeys",
                               "index." + bucket_id],
                              check=True, capture_output=True).stdout.splitlines()

    def stored_bodies(self, bucket_id):
        """What holds object bodies of a bucket in the medium itself: files
        under data/ and tmp/ and the rows of meta.db's inline_bodies (bodies
        of at most 16 KiB), named meta.db/<data id> (a local store is private
        to its test), or the RADOS objects of the data pool named after the
        bucket id (heads and tails <id>_..., version objects <id>~...)."""
        if self.driver == "local":
            files = [os.path.relpath(os.path.join(d, f), self.root)
                     for sub in ("data", "tmp")
                     for d, _, names in os.walk(os.path.join(self.root, sub))
                     for f in names]
            return sorted(files + local_inline_bodies(self.root))
        import rados  # Debian's python3-rados

        prefix, _, query = self.uri[len("rados:"):].partition("?")
        conf = dict(p.split("=", 1) for p in query.split("&"))["conf"]
        with rados.Rados(conffile=conf) as cluster:
            with cluster.open_ioctx(prefix + ".data") as io:
                return sorted(o.key for o in io.list_objects()
                              if o.key.startswith((bucket_id + "_", bucket_id + "~")))


@pytest.fixture(params=DRIVERS)
def store_setup(request, tmp_path):
    if request.param == "local":
        root = str(tmp_path / "store")
        return StoreSetup("local", "local:" + root, root)
    cluster = request.getfixturevalue("ceph_cluster")
    prefix = request.getfixturevalue("rados_prefix")
    return StoreSetup("rados", f"rados:{prefix}?conf={cluster.conf_path}")


@pytest.fixture
def store(store_setup):
    import pyrgw

    s = pyrgw.Store(store_setup.uri)
    yield s
    s.close()


@pytest.fixture
def owner(store, store_setup):
    """A user that owns the test's buckets."""
    uid = store_setup.name("owner")
    store.create_user(uid, display_name="Owner", access_key="AK" + store_setup.tag,
                      secret_key="SK" + store_setup.tag)
    return uid


@pytest.fixture
def bucket(store, store_setup, owner):
    name = store_setup.name("bkt")
    store.create_bucket(name, owner=owner)
    return name


# ---------------------------------------------------------------- S3 doors

from s3_servers import DOORS, S3_DOMAIN, STARTERS  # noqa: E402
from store_worker import local_inline_bodies  # noqa: E402


class S3Endpoint:
    """One door serving one store, with a user to sign requests as.

    ``url`` is the endpoint; ``access_key``/``secret_key`` belong to ``uid``;
    ``other`` is a second user (for permission tests).  ``name(base)`` gives
    bucket names unique to the test.
    """

    def __init__(self, door, driver, url, store_uri, uid, access_key, secret_key, other=None,
                 store_root=None):
        self.door = door
        self.driver = driver
        self.url = url
        self.store_uri = store_uri
        self.store_root = store_root
        self.uid = uid
        self.access_key = access_key
        self.secret_key = secret_key
        self.other = other
        self.host = url.split("//", 1)[1]
        self.domain = S3_DOMAIN  # virtual-hosted-style domain the door serves

    def name(self, base="bkt"):
        return f"{base}-{uuid.uuid4().hex[:12]}"

    def client(self, access_key=None, secret_key=None, **config):
        import boto3
        from botocore.config import Config

        cfg = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}, **config)
        return boto3.client("s3", endpoint_url=self.url, region_name="us-east-1",
                            aws_access_key_id=access_key or self.access_key,
                            aws_secret_access_key=secret_key or self.secret_key, config=cfg)


@pytest.fixture(scope="session")
def s3_servers(request, tmp_path_factory, ceph_cluster):
    """Starts each (door, driver) server once per session, on first use.
    Depends on the Ceph cluster so that the cluster outlives the servers
    (a RADOS client whose cluster vanished can hang in its shutdown)."""
    started = {}

    def get(door, driver):
        if (door, driver) in started:
            return started[(door, driver)]
        import pyrgw

        workdir = str(tmp_path_factory.mktemp(f"s3-{door}-{driver}"))
        root = None
        if driver == "local":
            root = os.path.join(workdir, "store")
            uri = "local:" + root
        else:
            prefix = request.getfixturevalue("rados_prefix")
            uri = f"rados:{prefix}?conf={ceph_cluster.conf_path}"
        tag = uuid.uuid4().hex[:8]
        users = []
        with pyrgw.Store(uri) as store:
            for who in ("s3user", "s3other"):
                uid = f"{who}-{tag}"
                ak, sk = "AK" + uuid.uuid4().hex[:18].upper(), uuid.uuid4().hex + uuid.uuid4().hex[:8]
                store.create_user(uid, display_name=who, email=f"{uid}@example.com",
                                  access_key=ak, secret_key=sk)
                users.append((uid, ak, sk))
        server = STARTERS[door](uri, workdir)
        other = S3Endpoint(door, driver, server.url, uri, *users[1], store_root=root)
        ep = S3Endpoint(door, driver, server.url, uri, *users[0], other=other, store_root=root)
        started[(door, driver)] = (server, ep)
        return server, ep

    yield get
    for server, _ in started.values():
        server.stop()


@pytest.fixture(params=[(d, v) for d in DOORS for v in DRIVERS],
                ids=[f"{d}-{v}" for d in DOORS for v in DRIVERS])
def s3(request, s3_servers):
    """An S3 endpoint: every door on every driver.  A test during which a
    process of the server died on a signal (its log says so) fails."""
    server, ep = s3_servers(*request.param)
    if server.proc.poll() is not None:
        pytest.fail(f"{server.door} server died:\n" + open(server.log_path).read()[-3000:])
    offset = server.log_size()
    yield ep
    crashes = server.crashes_since(offset)
    if crashes:
        pytest.fail(f"a {server.door} process crashed during the test:\n" + "".join(crashes))


class SwiftEndpoint:
    """A Swift user on an S3 endpoint's server (one gateway serves both APIs):
    auth_url, user ("account:user"), key, and the user's S3 keys (the same
    user, so both APIs see the same containers and objects)."""

    def __init__(self, s3_endpoint, uid, user, key, access_key, secret_key):
        self.door = s3_endpoint.door
        self.driver = s3_endpoint.driver
        self.url = s3_endpoint.url
        self.store_uri = s3_endpoint.store_uri
        self.auth_url = s3_endpoint.url + "/auth/v1.0"
        self.uid = uid
        self.user = user
        self.key = key
        self.access_key = access_key
        self.secret_key = secret_key

    def name(self, base="c"):
        return f"{base}-{uuid.uuid4().hex[:12]}"

    def connection(self, **kwargs):
        import swiftclient.client

        return swiftclient.client.Connection(authurl=self.auth_url, user=self.user, key=self.key,
                                             retries=0, **kwargs)

    def s3_client(self):
        import boto3
        from botocore.config import Config

        return boto3.client("s3", endpoint_url=self.url, region_name="us-east-1",
                            aws_access_key_id=self.access_key,
                            aws_secret_access_key=self.secret_key,
                            config=Config(s3={"addressing_style": "path"},
                                          retries={"max_attempts": 1}))


@pytest.fixture(scope="session")
def swift_users():
    """One Swift user per (door, driver) server, made on first use."""
    return {}


@pytest.fixture(params=[(d, v) for d in DOORS for v in DRIVERS],
                ids=[f"{d}-{v}" for d in DOORS for v in DRIVERS])
def swift(request, s3_servers, swift_users):
    """A Swift endpoint: every door on every driver, as `s3` is.  A test
    during which a process of the server died on a signal fails."""
    import pyrgw

    server, ep = s3_servers(*request.param)
    if request.param not in swift_users:
        tag = uuid.uuid4().hex[:8]
        uid, user, key = f"swift-{tag}", f"acct{tag}:user{tag}", "sk-" + uuid.uuid4().hex
        ak, sk = "AK" + uuid.uuid4().hex[:18].upper(), uuid.uuid4().hex + uuid.uuid4().hex[:8]
        with pyrgw.Store(ep.store_uri) as store:
            store.create_user(uid, access_key=ak, secret_key=sk, swift_user=user, swift_key=key)
        swift_users[request.param] = SwiftEndpoint(ep, uid, user, key, ak, sk)
    offset = server.log_size()
    yield swift_users[request.param]
    crashes = server.crashes_since(offset)
    if crashes:
        pytest.fail(f"a {server.door} process crashed during the test:\n" + "".join(crashes))
