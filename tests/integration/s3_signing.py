"""Client-side signing for raw HTTP tests: botocore's signers (a real
client's code) for the request line and headers, and the aws-chunked body
encodings that botocore only produces over HTTPS or not at all."""
import hashlib
import hmac

from botocore.auth import HmacV1Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def sign_v4(ep, method, path, headers=None, body=b"", payload_hash=None, region="us-east-1",
            access_key=None, secret_key=None, host=None):
    """Headers (a dict) signing `method url` with SigV4 for endpoint ep."""
    headers = dict(headers or {})
    headers["X-Amz-Content-SHA256"] = payload_hash or hashlib.sha256(
        body if isinstance(body, bytes) else b"").hexdigest()
    if host:
        headers["Host"] = host
    req = AWSRequest(method=method, url=ep.url + path, headers=headers,
                     data=body if isinstance(body, bytes) else None)
    creds = Credentials(access_key or ep.access_key, secret_key or ep.secret_key)
    SigV4Auth(creds, "s3", region).add_auth(req)
    return dict(req.headers.items())


def sign_v2(ep, method, path, headers=None):
    headers = dict(headers or {})
    req = AWSRequest(method=method, url=ep.url + path, headers=headers)
    HmacV1Auth(Credentials(ep.access_key, ep.secret_key)).add_auth(req)
    return dict(req.headers.items())


def _hmac(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def signing_key(secret, date, region="us-east-1", service="s3"):
    k = _hmac(("AWS4" + secret).encode(), date)
    k = _hmac(k, region)
    k = _hmac(k, service)
    return _hmac(k, "aws4_request")


def streaming_signed_body(ep, headers, chunks, region="us-east-1", trailer=None):
    """The STREAMING-AWS4-HMAC-SHA256-PAYLOAD body for signed request headers:
    each chunk signed, chained from the seed signature, then the final empty
    chunk.  With trailer=(name, value): the -TRAILER form, the trailer and
    its signature after the final chunk."""
    auth = headers["Authorization"]
    seed = auth.rsplit("Signature=", 1)[1]
    amz_date = headers["X-Amz-Date"]
    scope = f"{amz_date[:8]}/{region}/s3/aws4_request"
    key = signing_key(ep.secret_key, amz_date[:8], region)
    prev, out = seed, b""
    for chunk in list(chunks) + [b""]:
        sts = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, prev, EMPTY_SHA256,
                         hashlib.sha256(chunk).hexdigest()])
        sig = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
        out += b"%x;chunk-signature=%s\r\n" % (len(chunk), sig.encode())
        out += chunk + b"\r\n" if chunk or trailer is None else b""
        prev = sig
    if trailer is None:
        return out
    line = f"{trailer[0]}:{trailer[1]}"
    sts = "\n".join(["AWS4-HMAC-SHA256-TRAILER", amz_date, scope, prev,
                     hashlib.sha256((line + "\n").encode()).hexdigest()])
    sig = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
    return out + f"{line}\r\nx-amz-trailer-signature:{sig}\r\n\r\n".encode()


def unsigned_trailer_body(chunks, trailer_name, trailer_value):
    """The STREAMING-UNSIGNED-PAYLOAD-TRAILER body: plain chunks, then the
    checksum trailer."""
    out = b""
    for chunk in chunks:
        out += b"%x\r\n" % len(chunk) + chunk + b"\r\n"
    return out + b"0\r\n" + f"{trailer_name}:{trailer_value}\r\n\r\n".encode()
