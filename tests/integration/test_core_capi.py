"""The core-level C tests (librgw/tests/test_capi.c, test_capi_model.c,
test_capi_versions.c, test_request.c, test_config.c) on both drivers, and
the RADOS driver's grouped index writes (test_index_batch.cpp) on the test
cluster."""
import os
import subprocess

import pytest


@pytest.mark.parametrize("program", ["test_capi", "test_capi_model", "test_capi_versions",
                                     "test_request", "test_config"])
def test_c_program(store_setup, program):
    capi = os.environ.get("LIBRGW_TEST_CAPI")
    assert capi and os.path.exists(capi), \
        "set LIBRGW_TEST_CAPI to the built test_capi program (make test does)"
    binary = os.path.join(os.path.dirname(capi), program)
    assert os.path.exists(binary), binary
    args = [binary] if store_setup.driver == "local" else [binary, store_setup.uri]
    res = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    assert ", 0 failed" in res.stdout


def test_index_batch(ceph_cluster):
    capi = os.environ.get("LIBRGW_TEST_CAPI")
    assert capi and os.path.exists(capi), \
        "set LIBRGW_TEST_CAPI to the built test_capi program (make test does)"
    binary = os.path.join(os.path.dirname(capi), "test_index_batch")
    assert os.path.exists(binary), binary
    res = subprocess.run([binary, ceph_cluster.conf_path], capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    assert ", 0 failed" in res.stdout
