"""Fixtures of the package tests (tests/packages/): the packages built by
`make deb` / `make rpm`, and the throwaway Ceph cluster of the integration
tests (tests/integration/ceph_cluster.py), started once for this directory.

These tests run after every other test (make test-packages, last in make
test): the Debian install test changes the machine it runs on.
"""
import os
import shutil
import sys
import tempfile

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))

from ceph_cluster import CephCluster  # noqa: E402


@pytest.fixture(scope="session")
def ceph_cluster():
    base = tempfile.mkdtemp(prefix="librgw-pkg-ceph-")
    cluster = CephCluster(base)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)
