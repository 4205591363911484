"""The core-level C tests (librgw/tests/test_capi.c) on both drivers."""
import os
import subprocess



def test_capi_program(store_setup):
    binary = os.environ.get("LIBRGW_TEST_CAPI")
    assert binary and os.path.exists(binary), \
        "set LIBRGW_TEST_CAPI to the built test_capi program (make test does)"
    args = [binary] if store_setup.driver == "local" else [binary, store_setup.uri]
    res = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    assert ", 0 failed" in res.stdout
