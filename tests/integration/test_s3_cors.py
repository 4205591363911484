"""S3 CORS through boto3 and raw requests, on every door and store driver:
Put/Get/DeleteBucketCors and its checks, preflight OPTIONS (origins, methods
and headers with wildcards), and the CORS headers of actual answers,
presigned requests included."""
import pytest
import requests
from botocore.exceptions import ClientError
from s3_errors import error_of, raw_error


@pytest.fixture
def c(s3):
    return s3.client()


@pytest.fixture
def bucket(s3, c):
    name = s3.name()
    c.create_bucket(Bucket=name)
    return name


RULES = [
    {"AllowedOrigins": ["https://*.example.com"], "AllowedMethods": ["GET", "PUT"],
     "AllowedHeaders": ["x-amz-*", "Content-Type"], "ExposeHeaders": ["ETag", "x-amz-request-id"],
     "MaxAgeSeconds": 600},
    {"AllowedOrigins": ["*"], "AllowedMethods": ["GET", "HEAD"]},
]


def preflight(s3, path, origin=None, method=None, headers=None):
    h = {}
    if origin:
        h["Origin"] = origin
    if method:
        h["Access-Control-Request-Method"] = method
    if headers:
        h["Access-Control-Request-Headers"] = headers
    return requests.options(s3.url + path, headers=h)


def test_cors_configuration_round_trip_and_checks(s3, c, bucket):
    with pytest.raises(ClientError) as e:
        c.get_bucket_cors(Bucket=bucket)
    assert error_of(e) == (404, "NoSuchCORSConfiguration")
    c.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": RULES})
    got = c.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert [r["AllowedOrigins"] for r in got] == [r["AllowedOrigins"] for r in RULES]
    assert got[0]["MaxAgeSeconds"] == 600 and got[0]["ExposeHeaders"] == RULES[0]["ExposeHeaders"]

    def refused(rules):
        with pytest.raises(ClientError) as e:
            c.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})
        return error_of(e)

    assert refused([{"AllowedOrigins": ["*"], "AllowedMethods": ["PATCH"]}]) == (
        400, "InvalidRequest")
    assert refused([{"AllowedOrigins": ["*.*.com"], "AllowedMethods": ["GET"]}]) == (
        400, "InvalidRequest")
    assert refused([{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}] * 101) == (
        400, "InvalidRequest")
    assert refused([]) == (400, "MalformedXML")
    # The refused configurations stored nothing.
    assert len(c.get_bucket_cors(Bucket=bucket)["CORSRules"]) == 2
    with pytest.raises(ClientError) as e:
        s3.other.client().put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": RULES})
    assert error_of(e) == (403, "AccessDenied")
    c.delete_bucket_cors(Bucket=bucket)
    with pytest.raises(ClientError) as e:
        c.get_bucket_cors(Bucket=bucket)
    assert error_of(e) == (404, "NoSuchCORSConfiguration")


def test_preflight(s3, c, bucket):
    path = f"/{bucket}/some/key"
    # No configuration: refused.
    assert raw_error(preflight(s3, path, "https://a.example.com", "GET")) == (
        403, "AccessForbidden")
    c.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": RULES})
    r = preflight(s3, path, "https://app.example.com", "PUT", "X-Amz-Meta-Color, content-type")
    assert r.status_code == 200, r.text
    assert r.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert r.headers["Access-Control-Allow-Methods"] == "GET, PUT"
    assert r.headers["Access-Control-Allow-Headers"].lower() == "x-amz-meta-color, content-type"
    assert r.headers["Access-Control-Max-Age"] == "600"
    assert r.headers["Access-Control-Expose-Headers"] == "ETag, x-amz-request-id"
    assert r.headers["Access-Control-Allow-Credentials"] == "true"
    # The second rule: any origin, GET and HEAD only, no headers.
    r = preflight(s3, f"/{bucket}", "https://elsewhere.org", "GET")
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == "*"
    assert raw_error(preflight(s3, path, "https://elsewhere.org", "PUT")) == (
        403, "AccessForbidden")
    assert raw_error(preflight(s3, path, "https://elsewhere.org", "GET", "x-custom")) == (
        403, "AccessForbidden")
    assert raw_error(preflight(s3, path, "https://app.example.com", "PUT", "x-custom")) == (
        403, "AccessForbidden")
    assert raw_error(preflight(s3, path, "https://app.example.com", "DELETE")) == (
        403, "AccessForbidden")
    # Missing parts of a preflight.
    assert preflight(s3, path).status_code == 400
    assert preflight(s3, path, origin="https://app.example.com").status_code == 400
    assert preflight(s3, f"/{s3.name('missing')}/k", "https://x.org", "GET").status_code == 404


def test_actual_requests_carry_cors_headers(s3, c, bucket):
    c.put_object(Bucket=bucket, Key="k", Body=b"cors", ACL="public-read")
    origin = {"Origin": "https://app.example.com"}
    assert "Access-Control-Allow-Origin" not in requests.get(
        f"{s3.url}/{bucket}/k", headers=origin).headers
    c.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": RULES})
    r = requests.get(f"{s3.url}/{bucket}/k", headers=origin)
    assert r.content == b"cors"
    assert r.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert r.headers["Access-Control-Expose-Headers"] == "ETag, x-amz-request-id"
    assert "Origin" in r.headers["Vary"]
    r = requests.head(f"{s3.url}/{bucket}/k", headers={"Origin": "https://other.org"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    # Without Origin, or for a method no rule allows: none.
    assert "Access-Control-Allow-Origin" not in requests.get(f"{s3.url}/{bucket}/k").headers
    # A presigned PUT from a page of an allowed origin.
    url = c.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "up"})
    r = requests.put(url, data=b"from the browser", headers=origin)
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert c.get_object(Bucket=bucket, Key="up")["Body"].read() == b"from the browser"
    r = requests.put(url, data=b"x", headers={"Origin": "https://other.org"})
    assert r.status_code == 200 and "Access-Control-Allow-Origin" not in r.headers
