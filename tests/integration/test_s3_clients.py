"""Real S3 clients against every door and store driver: aws-cli, s3cmd,
rclone (run as subprocesses) and minio-py.

Each client gets a configuration written under the test's tmp_path and a
HOME there too, so nothing of the user's own configuration is read.  What a
client did is checked twice: by its exit code and output, and by reading
the bucket back with boto3 (or by comparing bytes).  A missing client fails
the test.

Multipart-dependent steps live in their own tests (``*_multipart*``), apart
from the single-PUT ones.
"""
import hashlib
import io
import os
import shutil
import subprocess
import sys
import time

import pytest
from botocore.exceptions import ClientError

MiB = 1024 * 1024
VENV_BIN = os.path.dirname(sys.executable)


# ---------------------------------------------------------------- helpers

def venv_tool(name):
    path = os.path.join(VENV_BIN, name)
    if not os.access(path, os.X_OK):
        pytest.fail(f"{name} is not installed in the test environment ({path})")
    return path


def system_tool(name):
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed (not on PATH)")
    return path


def base_env(tmp_path):
    """The environment of a client: HOME and XDG dirs under tmp_path, no
    proxies, no inherited AWS/rclone/minio settings."""
    home = tmp_path / "home"
    for sub in ("", ".config", ".cache"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    drop = ("AWS_", "RCLONE_", "MINIO_", "S3CMD")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(drop) and k.lower() not in
           ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_CACHE_HOME=str(home / ".cache"), NO_PROXY="*", no_proxy="*", LC_ALL="C.UTF-8")
    return env


class Tool:
    """Runs one command-line client; a non-zero exit fails the test with the
    client's output and the tail of the server's log."""

    def __init__(self, argv, env, log_path):
        self.argv = argv
        self.env = env
        self.log_path = log_path

    def __call__(self, *args, ok=True, timeout=300, cwd=None):
        cmd = self.argv + [str(a) for a in args]
        p = subprocess.run(cmd, env=self.env, cwd=cwd, capture_output=True, timeout=timeout)
        p.stdout = p.stdout.decode("utf-8", "replace")
        p.stderr = p.stderr.decode("utf-8", "replace")
        if ok:
            assert p.returncode == 0, self.describe(p)
        return p

    def describe(self, p):
        return (f"{' '.join(p.args)}\nexited {p.returncode}\n--- stdout:\n{p.stdout[-4000:]}"
                f"\n--- stderr:\n{p.stderr[-8000:]}\n--- server log tail:\n{server_log(self.log_path)}")


def server_log(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()[-3000:]
    except (OSError, TypeError):
        return "(none)"


@pytest.fixture
def log_path(s3, s3_servers):
    server, _ = s3_servers(s3.door, s3.driver)  # already started: cached
    return server.log_path


@pytest.fixture
def c(s3):
    return s3.client()


def keys(c, bucket, prefix=""):
    out, token = [], None
    while True:
        kw = {"ContinuationToken": token} if token else {}
        r = c.list_objects_v2(Bucket=bucket, Prefix=prefix, **kw)
        out += [o["Key"] for o in r.get("Contents", [])]
        if not r["IsTruncated"]:
            return out
        token = r["NextContinuationToken"]


def bucket_exists(c, bucket):
    try:
        c.head_bucket(Bucket=bucket)
        return True
    except ClientError as e:
        assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 404, e.response
        return False


def md5(data):
    return hashlib.md5(data).hexdigest()


def pattern(n, seed=0):
    """n bytes that differ at every offset of a 64 KiB window (cheap, not all
    the same byte, so a misplaced range or part shows)."""
    block = hashlib.sha256(str(seed).encode()).digest() * 2048  # 64 KiB
    block = bytes((b + i) & 0xFF for i, b in enumerate(block))
    reps, rest = divmod(n, len(block))
    return block * reps + block[:rest]


def big_file(path, n, seed=0):
    """A file of n bytes: each MiB differs, so swapped parts are detected."""
    h = hashlib.sha256()
    with open(path, "wb") as f:
        for i in range(0, n, MiB):
            chunk = (hashlib.sha256(f"{seed}:{i}".encode()).digest() * (MiB // 32))[:min(MiB, n - i)]
            f.write(chunk)
            h.update(chunk)
    return h.hexdigest()


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(MiB), b""):
            h.update(chunk)
    return h.hexdigest()


def make_tree(root, files, age=120):
    """Writes {relpath: bytes} under root, dated `age` seconds in the past
    (sync tools compare local mtimes with the server's LastModified)."""
    past = time.time() - age
    for rel, data in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        os.utime(p, (past, past))


def read_tree(root):
    return {os.path.relpath(os.path.join(d, f), root): open(os.path.join(d, f), "rb").read()
            for d, _, files in os.walk(root) for f in files}


TREE = {
    "a.txt": b"alpha\n",
    "sub/b.txt": b"bravo " * 100,
    "sub/deep/c.bin": pattern(70000, 1),
    "with space/d e+f.txt": b"spaces and a plus\n",
    "empty": b"",
}


# ---------------------------------------------------------------- aws-cli

@pytest.fixture
def aws(s3, tmp_path, log_path):
    exe = venv_tool("aws")
    env = base_env(tmp_path)
    cfg, creds = tmp_path / "aws-config", tmp_path / "aws-credentials"
    cfg.write_text("[default]\nregion = us-east-1\nmax_attempts = 1\n"
                   "s3 =\n    addressing_style = path\n")
    creds.write_text(f"[default]\naws_access_key_id = {s3.access_key}\n"
                     f"aws_secret_access_key = {s3.secret_key}\n")
    env.update(AWS_CONFIG_FILE=str(cfg), AWS_SHARED_CREDENTIALS_FILE=str(creds),
               AWS_EC2_METADATA_DISABLED="true", AWS_PAGER="")
    return Tool([exe, "--endpoint-url", s3.url], env, log_path)


def uploaded(output):
    """Keys named by the `upload: <local> to s3://bucket/<key>` lines."""
    return sorted(line.split(" to s3://", 1)[1].split("/", 1)[1]
                  for line in output.splitlines() if line.startswith("upload:"))


def test_awscli_bucket_objects_ls_rm_rb(s3, c, aws, tmp_path):
    bucket = s3.name("awscli")
    p = aws("s3", "mb", f"s3://{bucket}")
    assert f"make_bucket: {bucket}" in p.stdout
    assert bucket_exists(c, bucket)
    # Bucket list.
    p = aws("s3", "ls")
    assert bucket in [line.split()[-1] for line in p.stdout.splitlines()], p.stdout

    # A single-PUT object up and back (3 MiB: below aws-cli's 8 MiB threshold).
    src = tmp_path / "small.bin"
    data = pattern(3 * MiB, 2)
    src.write_bytes(data)
    aws("s3", "cp", "--no-progress", src, f"s3://{bucket}/dir/small.bin")
    h = c.head_object(Bucket=bucket, Key="dir/small.bin")
    assert h["ContentLength"] == len(data) and h["ETag"] == f'"{md5(data)}"'
    back = tmp_path / "small.back"
    aws("s3", "cp", "--no-progress", f"s3://{bucket}/dir/small.bin", back)
    assert back.read_bytes() == data

    # Keys that ListObjectsV2 with encoding-type=url must round-trip.
    odd = ["with space.txt", "plus+sign.txt", "both + and space/x y+z.txt", "ü/é.txt"]
    for k in odd:
        c.put_object(Bucket=bucket, Key=k, Body=k.encode())
    p = aws("s3", "ls", "--recursive", f"s3://{bucket}")
    listed = {}
    for line in p.stdout.splitlines():
        date, clock, size, key = line.split(None, 3)
        listed[key] = int(size)
    assert listed == {"dir/small.bin": len(data), **{k: len(k.encode()) for k in odd}}, p.stdout
    # Non-recursive: common prefixes as PRE lines, top-level keys as objects.
    p = aws("s3", "ls", f"s3://{bucket}/")
    pre = sorted(line.split(None, 1)[1] for line in p.stdout.splitlines()
                 if line.split()[0] == "PRE")
    assert pre == ["both + and space/", "dir/", "ü/"], p.stdout
    top = sorted(line.split(None, 3)[3] for line in p.stdout.splitlines() if line.split()[0] != "PRE")
    assert top == ["plus+sign.txt", "with space.txt"], p.stdout
    # A prefix listing.
    p = aws("s3", "ls", f"s3://{bucket}/both + and space/")
    assert [line.split(None, 3)[3] for line in p.stdout.splitlines()] == ["x y+z.txt"], p.stdout
    # Download of an odd key.
    out = tmp_path / "odd.txt"
    aws("s3", "cp", "--no-progress", f"s3://{bucket}/both + and space/x y+z.txt", out)
    assert out.read_bytes() == b"both + and space/x y+z.txt"

    # rb of a non-empty bucket fails; rm --recursive empties it; rb removes it.
    p = aws("s3", "rb", f"s3://{bucket}", ok=False)
    assert p.returncode != 0 and "BucketNotEmpty" in p.stderr, aws.describe(p)
    p = aws("s3", "rm", "--recursive", f"s3://{bucket}/")
    assert sorted(line.split(f"s3://{bucket}/", 1)[1] for line in p.stdout.splitlines()
                  if line.startswith("delete:")) == sorted(["dir/small.bin"] + odd), p.stdout
    assert keys(c, bucket) == []
    p = aws("s3", "rb", f"s3://{bucket}")
    assert f"remove_bucket: {bucket}" in p.stdout
    assert not bucket_exists(c, bucket)
    assert bucket not in aws("s3", "ls").stdout


def test_awscli_sync(s3, c, aws, tmp_path):
    bucket = s3.name("awssync")
    aws("s3", "mb", f"s3://{bucket}")
    src = tmp_path / "src"
    make_tree(src, TREE)
    p = aws("s3", "sync", "--no-progress", src, f"s3://{bucket}/tree")
    assert uploaded(p.stdout) == sorted("tree/" + k for k in TREE), p.stdout
    assert sorted(keys(c, bucket)) == sorted("tree/" + k for k in TREE)
    for k, data in TREE.items():
        assert c.get_object(Bucket=bucket, Key="tree/" + k)["Body"].read() == data, k

    # Nothing changed: nothing is uploaded (sizes and LastModified agree).
    p = aws("s3", "sync", "--no-progress", src, f"s3://{bucket}/tree")
    assert uploaded(p.stdout) == [], p.stdout

    # One file changed: only it is uploaded.
    (src / "sub/b.txt").write_bytes(b"changed bravo\n")
    p = aws("s3", "sync", "--no-progress", src, f"s3://{bucket}/tree")
    assert uploaded(p.stdout) == ["tree/sub/b.txt"], p.stdout
    assert c.get_object(Bucket=bucket, Key="tree/sub/b.txt")["Body"].read() == b"changed bravo\n"

    # And back down into an empty directory: the same tree.
    down = tmp_path / "down"
    p = aws("s3", "sync", "--no-progress", f"s3://{bucket}/tree", down)
    expect = dict(TREE, **{"sub/b.txt": b"changed bravo\n"})
    assert read_tree(down) == expect
    # A deleted local file is removed remotely with --delete.
    (src / "a.txt").unlink()
    p = aws("s3", "sync", "--no-progress", "--delete", src, f"s3://{bucket}/tree")
    assert uploaded(p.stdout) == [] and f"delete: s3://{bucket}/tree/a.txt" in p.stdout, p.stdout
    assert "tree/a.txt" not in keys(c, bucket)
    aws("s3", "rb", "--force", f"s3://{bucket}")
    assert not bucket_exists(c, bucket)


def test_awscli_multipart_cp_50mib(s3, c, aws, tmp_path):
    """aws-cli splits 50 MiB into 8 MiB parts (7 parts) going up, and ranged
    GETs coming down."""
    bucket = s3.name("awsmp")
    aws("s3", "mb", f"s3://{bucket}")
    src = tmp_path / "big.bin"
    digest = big_file(src, 50 * MiB, 3)
    p = aws("s3", "cp", "--no-progress", src, f"s3://{bucket}/big.bin", timeout=600)
    assert "upload:" in p.stdout
    h = c.head_object(Bucket=bucket, Key="big.bin")
    assert h["ContentLength"] == 50 * MiB
    assert h["ETag"].endswith('-7"'), h["ETag"]  # multipart, 7 parts of <= 8 MiB
    assert c.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    back = tmp_path / "big.back"
    aws("s3", "cp", "--no-progress", f"s3://{bucket}/big.bin", back, timeout=600)
    assert os.path.getsize(back) == 50 * MiB and sha256_file(back) == digest
    aws("s3", "rm", f"s3://{bucket}/big.bin")
    aws("s3", "rb", f"s3://{bucket}")
    assert not bucket_exists(c, bucket)


# ---------------------------------------------------------------- s3cmd

@pytest.fixture
def s3cmd(s3, tmp_path, log_path):
    exe = venv_tool("s3cmd")
    cfg = tmp_path / "s3cfg"
    cfg.write_text(
        "[default]\n"
        f"access_key = {s3.access_key}\n"
        f"secret_key = {s3.secret_key}\n"
        f"host_base = {s3.host}\n"
        f"host_bucket = {s3.host}\n"
        "use_https = False\n"
        "signature_v2 = False\n"
        "bucket_location = us-east-1\n"
        "check_ssl_certificate = False\n"
        "progress_meter = False\n"
        "max_retries = 1\n")
    return Tool([exe, "-c", str(cfg)], base_env(tmp_path), log_path)


def test_s3cmd_mb_put_get_ls_info_del_rb(s3, c, s3cmd, tmp_path):
    bucket = s3.name("s3cmd")
    p = s3cmd("mb", f"s3://{bucket}")
    assert f"Bucket 's3://{bucket}/' created" in p.stdout
    assert bucket_exists(c, bucket)
    assert f"s3://{bucket}" in s3cmd("ls").stdout

    data = pattern(300 * 1024, 4)
    src = tmp_path / "obj.bin"
    src.write_bytes(data)
    # s3cmd compares the returned ETag with the MD5 of what it sent.
    s3cmd("put", src, f"s3://{bucket}/dir/obj.bin")
    s3cmd("put", src, f"s3://{bucket}/top with space+plus.bin")
    h = c.head_object(Bucket=bucket, Key="dir/obj.bin")
    assert h["ContentLength"] == len(data) and h["ETag"] == f'"{md5(data)}"'
    assert c.get_object(Bucket=bucket, Key="top with space+plus.bin")["Body"].read() == data

    out = tmp_path / "obj.back"
    s3cmd("get", f"s3://{bucket}/dir/obj.bin", out)
    assert out.read_bytes() == data
    out2 = tmp_path / "odd.back"
    s3cmd("get", f"s3://{bucket}/top with space+plus.bin", out2)
    assert out2.read_bytes() == data

    # ls: non-recursive shows DIR for the prefix; -r shows every object.
    p = s3cmd("ls", f"s3://{bucket}")
    lines = p.stdout.splitlines()
    assert any(line.split()[0] == "DIR" and line.split()[-1] == f"s3://{bucket}/dir/"
               for line in lines), p.stdout
    assert any(line.endswith(f"s3://{bucket}/top with space+plus.bin") for line in lines), p.stdout
    p = s3cmd("ls", "-r", f"s3://{bucket}")
    listed = sorted(line.split(f"s3://{bucket}/", 1)[1] for line in p.stdout.splitlines())
    assert listed == ["dir/obj.bin", "top with space+plus.bin"], p.stdout
    assert all(line.split()[2] == str(len(data)) for line in p.stdout.splitlines()), p.stdout

    # info on an object: size and MD5.
    p = s3cmd("info", f"s3://{bucket}/dir/obj.bin")
    info = {k.strip(): v.strip() for k, _, v in
            (line.partition(":") for line in p.stdout.splitlines()[1:]) if v}
    assert info["File size"] == str(len(data)), p.stdout
    assert info["MD5 sum"] == md5(data), p.stdout
    # info on the bucket.
    p = s3cmd("info", f"s3://{bucket}")
    assert f"s3://{bucket}/ (bucket)" in p.stdout, p.stdout

    # rb refuses a non-empty bucket.
    p = s3cmd("rb", f"s3://{bucket}", ok=False)
    assert p.returncode != 0, s3cmd.describe(p)
    assert "BucketNotEmpty" in p.stdout + p.stderr, s3cmd.describe(p)

    p = s3cmd("del", f"s3://{bucket}/dir/obj.bin")
    assert f"delete: 's3://{bucket}/dir/obj.bin'" in p.stdout
    assert keys(c, bucket) == ["top with space+plus.bin"]
    s3cmd("del", f"s3://{bucket}/top with space+plus.bin")
    assert keys(c, bucket) == []
    p = s3cmd("rb", f"s3://{bucket}")
    assert f"Bucket 's3://{bucket}/' removed" in p.stdout
    assert not bucket_exists(c, bucket)


def test_s3cmd_multipart_put(s3, c, s3cmd, tmp_path):
    """A 12 MiB put in 5 MiB chunks: three parts (each part's ETag is checked
    by s3cmd against its MD5), shown by the object's ETag ending in -3."""
    bucket = s3.name("s3cmdmp")
    s3cmd("mb", f"s3://{bucket}")
    src = tmp_path / "mp.bin"
    digest = big_file(src, 12 * MiB + 12345, 5)
    s3cmd("put", "--multipart-chunk-size-mb=5", src, f"s3://{bucket}/mp.bin", timeout=300)
    h = c.head_object(Bucket=bucket, Key="mp.bin")
    assert h["ContentLength"] == 12 * MiB + 12345
    assert h["ETag"].endswith('-3"'), h["ETag"]
    assert c.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    out = tmp_path / "mp.back"
    s3cmd("get", f"s3://{bucket}/mp.bin", out)
    assert sha256_file(out) == digest
    # s3cmd keeps the whole file's MD5 in its own metadata and shows it.
    p = s3cmd("info", f"s3://{bucket}/mp.bin")
    assert hashlib.md5(src.read_bytes()).hexdigest() in p.stdout, p.stdout
    s3cmd("del", f"s3://{bucket}/mp.bin")
    s3cmd("rb", f"s3://{bucket}")
    assert not bucket_exists(c, bucket)


# ---------------------------------------------------------------- rclone

@pytest.fixture
def rclone(s3, tmp_path, log_path):
    exe = system_tool("rclone")
    cfg = tmp_path / "rclone.conf"
    cfg.write_text(
        "[t]\n"
        "type = s3\n"
        "provider = Other\n"
        "env_auth = false\n"
        f"access_key_id = {s3.access_key}\n"
        f"secret_access_key = {s3.secret_key}\n"
        f"endpoint = {s3.url}\n"
        "region = us-east-1\n"
        "force_path_style = true\n")
    return Tool([exe, "--config", str(cfg), "--retries", "1", "--low-level-retries", "1",
                 "--contimeout", "10s", "--timeout", "60s"], base_env(tmp_path), log_path)


def test_rclone_mkdir_copy_ls_check_purge(s3, c, rclone, tmp_path):
    bucket = s3.name("rclone")
    rclone("mkdir", f"t:{bucket}")
    assert bucket_exists(c, bucket)
    p = rclone("lsd", "t:")
    assert bucket in [line.split()[-1] for line in p.stdout.splitlines()], p.stdout

    src = tmp_path / "src"
    make_tree(src, TREE)
    rclone("copy", src, f"t:{bucket}/tree")
    assert sorted(keys(c, bucket)) == sorted("tree/" + k for k in TREE)
    for k, data in TREE.items():
        g = c.get_object(Bucket=bucket, Key="tree/" + k)
        assert g["Body"].read() == data, k
        assert "mtime" in g["Metadata"], g["Metadata"]  # rclone's X-Amz-Meta-Mtime

    p = rclone("lsf", "-R", "--files-only", f"t:{bucket}/tree")
    assert sorted(p.stdout.splitlines()) == sorted(TREE), p.stdout
    p = rclone("lsf", f"t:{bucket}/tree")
    assert sorted(p.stdout.splitlines()) == ["a.txt", "empty", "sub/", "with space/"], p.stdout
    p = rclone("ls", f"t:{bucket}/tree")
    listed = {line.split(None, 1)[1]: int(line.split(None, 1)[0]) for line in p.stdout.splitlines()}
    assert listed == {k: len(v) for k, v in TREE.items()}, p.stdout

    # check compares sizes and MD5s (the ETags of single PUTs).
    p = rclone("check", src, f"t:{bucket}/tree")
    assert "0 differences found" in p.stderr, rclone.describe(p)
    # A second copy transfers nothing (sizes and mtimes match).
    p = rclone("copy", "-v", src, f"t:{bucket}/tree")
    assert "Copied (new)" not in p.stderr and "Copied (replaced" not in p.stderr, rclone.describe(p)
    # A difference is found.
    c.put_object(Bucket=bucket, Key="tree/a.txt", Body=b"ALPHA\n")
    p = rclone("check", src, f"t:{bucket}/tree", ok=False)
    assert p.returncode != 0 and "1 differences found" in p.stderr, rclone.describe(p)
    c.put_object(Bucket=bucket, Key="tree/a.txt", Body=TREE["a.txt"])

    # Back down: the same bytes.
    down = tmp_path / "down"
    rclone("copy", f"t:{bucket}/tree", down)
    assert read_tree(down) == TREE

    # delete removes files (a filtered subset here), purge the rest and the bucket.
    rclone("deletefile", f"t:{bucket}/tree/a.txt")
    rclone("delete", f"t:{bucket}/tree/sub")
    assert sorted(keys(c, bucket)) == ["tree/empty", "tree/with space/d e+f.txt"]
    rclone("purge", f"t:{bucket}")
    assert not bucket_exists(c, bucket)


# ---------------------------------------------------------------- minio-py

@pytest.fixture
def mc(s3):
    import minio  # a missing client fails the test

    return minio.Minio(s3.host, access_key=s3.access_key, secret_key=s3.secret_key, secure=False)


def minio_get(mc, bucket, key, **kw):
    r = mc.get_object(bucket, key, **kw)
    try:
        return r.read()
    finally:
        r.close()
        r.release_conn()


def test_minio_bucket_put_get_stat_list_remove(s3, c, mc):
    bucket = s3.name("minio")
    mc.make_bucket(bucket)
    assert mc.bucket_exists(bucket) and bucket_exists(c, bucket)
    assert bucket in [b.name for b in mc.list_buckets()]

    objs = {
        "docs/a.txt": b"a" * 10,
        "docs/sub/b.txt": b"bb" * 1000,
        "top.bin": pattern(200000, 6),
        "x y+z.txt": b"odd key",
    }
    for k, data in objs.items():
        r = mc.put_object(bucket, k, io.BytesIO(data), len(data), content_type="text/plain",
                          metadata={"color": "blue"})
        assert r.etag == md5(data), k
    for k, data in objs.items():
        assert minio_get(mc, bucket, k) == data, k
        assert c.get_object(Bucket=bucket, Key=k)["Body"].read() == data, k
    # A ranged read.
    assert minio_get(mc, bucket, "top.bin", offset=1000, length=500) == objs["top.bin"][1000:1500]

    st = mc.stat_object(bucket, "top.bin")
    assert st.size == len(objs["top.bin"]) and st.etag == md5(objs["top.bin"])
    assert st.content_type == "text/plain"
    assert st.metadata.get("x-amz-meta-color") == "blue", dict(st.metadata)
    assert st.last_modified is not None

    listed = [(o.object_name, o.size) for o in mc.list_objects(bucket, recursive=True)]
    assert listed == sorted((k, len(v)) for k, v in objs.items())
    # minio-py yields a page's objects, then its prefixes.
    top = sorted((o.object_name, o.is_dir) for o in mc.list_objects(bucket))
    assert top == [("docs/", True), ("top.bin", False), ("x y+z.txt", False)]
    assert sorted(o.object_name for o in mc.list_objects(bucket, prefix="docs/")) == [
        "docs/a.txt", "docs/sub/"]
    assert [o.object_name for o in mc.list_objects(bucket, prefix="docs/", recursive=True)] == [
        "docs/a.txt", "docs/sub/b.txt"]
    assert [o.object_name for o in mc.list_objects(bucket, recursive=True, use_api_v1=True)] == \
        sorted(objs)

    from minio.error import S3Error
    with pytest.raises(S3Error) as e:
        mc.remove_bucket(bucket)
    assert e.value.code == "BucketNotEmpty"
    with pytest.raises(S3Error) as e:
        mc.stat_object(bucket, "missing")
    assert e.value.code in ("NoSuchKey", "ResponseHeadersOnly") or "404" in str(e.value)

    for k in objs:
        mc.remove_object(bucket, k)
    assert keys(c, bucket) == []
    mc.remove_bucket(bucket)
    assert not mc.bucket_exists(bucket) and not bucket_exists(c, bucket)


def test_minio_multipart_stream_unknown_length(s3, c, mc):
    """length=-1 with part_size=5 MiB: minio-py reads 5 MiB at a time and
    uploads parts (12 MiB + a bit → 3 parts)."""
    bucket = s3.name("miniomp")
    mc.make_bucket(bucket)
    data = pattern(12 * MiB + 777, 7)
    r = mc.put_object(bucket, "stream.bin", io.BytesIO(data), length=-1, part_size=5 * MiB)
    assert r.etag.endswith("-3"), r.etag
    st = mc.stat_object(bucket, "stream.bin")
    assert st.size == len(data)
    assert minio_get(mc, bucket, "stream.bin") == data
    g = c.get_object(Bucket=bucket, Key="stream.bin", Range=f"bytes={5 * MiB - 3}-{5 * MiB + 2}")
    assert g["Body"].read() == data[5 * MiB - 3:5 * MiB + 3]
    assert c.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    mc.remove_object(bucket, "stream.bin")
    mc.remove_bucket(bucket)
    assert not bucket_exists(c, bucket)
