"""The WSGI door composed like Swift's proxy pipeline: PasteDeploy loads
`egg:pyrgw#main` behind a third-party middleware (Paste's TransLogger), a
real WSGI server (gunicorn) serves the pipeline, and boto3 talks to it."""
import os
import subprocess
import sys

import boto3
from botocore.config import Config
from s3_servers import free_port, wait_for_port


def test_paste_factory_is_registered():
    from importlib.metadata import entry_points

    eps = [e for e in entry_points(group="paste.app_factory") if e.name == "main"]
    assert any(e.value == "pyrgw.wsgi:app_factory" for e in eps), eps


def test_pipeline_with_third_party_middleware(tmp_path):
    import pyrgw

    store_uri = "local:" + str(tmp_path / "store")
    with pyrgw.Store(store_uri) as store:
        store.create_user("paste", access_key="AKPASTE", secret_key="SKPASTE")
    ini = tmp_path / "pipeline.ini"
    ini.write_text(f"""
[pipeline:main]
pipeline = translogger s3

[filter:translogger]
use = egg:Paste#translogger
setup_console_handler = true

[app:s3]
use = egg:pyrgw#main
store = {store_uri}
region = eu-test-1
""")
    app_py = tmp_path / "paste_app.py"
    app_py.write_text("from paste.deploy import loadapp\n"
                      f"application = loadapp('config:{ini}')\n")
    port = free_port()
    log_path = str(tmp_path / "server.log")
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    with open(log_path, "w") as log:
        proc = subprocess.Popen([gunicorn, "-b", f"127.0.0.1:{port}", "--no-control-socket", "-k", "gthread",
                                 "--threads", "2", "--chdir", str(tmp_path), "paste_app:application"],
                                stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, proc, log_path)
        c = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", region_name="eu-test-1",
                         aws_access_key_id="AKPASTE", aws_secret_access_key="SKPASTE",
                         config=Config(s3={"addressing_style": "path"}))
        c.create_bucket(Bucket="piped", CreateBucketConfiguration={"LocationConstraint": "eu-test-1"})
        assert c.get_bucket_location(Bucket="piped")["LocationConstraint"] == "eu-test-1"
        c.put_object(Bucket="piped", Key="k", Body=b"through the pipeline")
        assert c.get_object(Bucket="piped", Key="k")["Body"].read() == b"through the pipeline"
    finally:
        proc.terminate()
        proc.wait(10)
    log = open(log_path).read()
    # The middleware saw (and logged) the requests the app served.
    assert '"PUT /piped/k HTTP/1.1" 200' in log, log
    assert '"GET /piped/k HTTP/1.1" 200' in log, log
