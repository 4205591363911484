"""S3 error answers as (status, code), for assertions."""


def error_of(exc):
    """(status, code) of a botocore ClientError, or of the pytest.raises
    ExceptionInfo that holds one."""
    r = getattr(exc, "value", exc).response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"]


def raw_error(r):
    """(status, code) of a requests.Response; code "" when the body is no
    S3 error document."""
    code = r.text.split("<Code>", 1)[1].split("</Code>", 1)[0] if "<Code>" in r.text else ""
    return r.status_code, code
