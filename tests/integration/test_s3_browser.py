"""S3 from a real browser (headless Chromium), on every door and store driver:
an HTML form built by pyrgw's POST-policy signer (the core's signer) uploads
a file the browser picked, and a web application on another origin reads and
writes objects with fetch(), its preflights answered by the bucket's CORS
configuration.  What the browser got is checked against the store with
boto3."""
import hashlib
import html
import os
import urllib.parse

import pytest
from botocore.exceptions import ClientError
from browser import Site, start_chromium
from s3_errors import error_of

import pyrgw


@pytest.fixture(scope="module")
def chromium():
    driver = start_chromium()
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def site():
    s = Site()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def other_site():
    s = Site()
    yield s
    s.stop()


@pytest.fixture
def c(s3):
    return s3.client()


@pytest.fixture
def bucket(s3, c):
    name = s3.name("web")
    c.create_bucket(Bucket=name)
    return name


def form_page(form, tamper=""):
    """An upload page: the signed fields as hidden inputs, the file input
    last (S3 takes the fields before the file), and a submit button.
    `tamper` is a script run before the form is sent."""
    inputs = "\n".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                       for k, v in form["fields"].items())
    script = f"<script>document.forms[0].onsubmit = () => {{ {tamper} }};</script>" if tamper else ""
    return (f'<!doctype html><title>upload</title>'
            f'<form action="{html.escape(form["url"])}" method="post" enctype="multipart/form-data">'
            f'{inputs}<input type="file" name="file"><button id="send" type="submit">Upload</button>'
            f'</form>{script}')


def submit(chromium, site, path, file_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    chromium.get(site.url(path))
    chromium.find_element(By.NAME, "file").send_keys(str(file_path))
    before = chromium.current_url
    chromium.find_element(By.ID, "send").click()
    WebDriverWait(chromium, 30).until(lambda d: d.current_url != before)
    return chromium.current_url


def missing(c, bucket, key):
    with pytest.raises(ClientError) as e:
        c.head_object(Bucket=bucket, Key=key)
    return error_of(e)[0] == 404


def test_browser_uploads_a_form_signed_by_pyrgw(s3, c, bucket, chromium, site, tmp_path):
    done = site.url("/uploaded")
    form = pyrgw.presign_post(
        f"{s3.url}/{bucket}", "photos/${filename}", s3.access_key, s3.secret_key,
        fields={"acl": "public-read", "Content-Type": "image/png", "x-amz-meta-from": "browser",
                "success_action_redirect": done},
        conditions=[{"acl": "public-read"}, ["starts-with", "$Content-Type", "image/"],
                    {"x-amz-meta-from": "browser"}, {"success_action_redirect": done},
                    ["content-length-range", 1, 1 << 20]],
        expires=600)
    body = os.urandom(70000)
    picked = tmp_path / "cat.png"
    picked.write_bytes(body)

    site.put("/form", form_page(form))
    landed = submit(chromium, site, "/form", picked)
    # The gateway redirected the browser to the application with the upload's
    # bucket, key and ETag.
    assert landed.startswith(done + "?"), landed
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(landed).query)
    assert query["bucket"] == [bucket] and query["key"] == ["photos/cat.png"]
    got = c.get_object(Bucket=bucket, Key="photos/cat.png")
    assert got["Body"].read() == body
    assert got["ContentType"] == "image/png" and got["Metadata"] == {"from": "browser"}
    assert query["etag"] == [got["ETag"]] == ['"%s"' % hashlib.md5(body).hexdigest()]
    # The acl field made it public: the browser reads it back anonymously.
    chromium.get(f"{s3.url}/{bucket}/photos/cat.png")

    # The same form with a field changed in the page (a Content-Type the
    # policy does not allow): the browser gets AccessDenied, nothing is stored.
    site.put("/tampered", form_page(
        form, tamper="document.querySelector('[name=\"Content-Type\"]').value = 'text/html';"))
    picked_html = tmp_path / "page.png"
    picked_html.write_bytes(b"<script>alert(1)</script>")
    submit(chromium, site, "/tampered", picked_html)
    assert "AccessDenied" in chromium.page_source
    assert "Invalid according to Policy" in chromium.page_source
    assert missing(c, bucket, "photos/page.png")

    # A file larger than the policy's content-length-range: EntityTooLarge.
    big = tmp_path / "big.png"
    big.write_bytes(b"x" * ((1 << 20) + 1))
    site.put("/big", form_page(form))
    submit(chromium, site, "/big", big)
    assert "EntityTooLarge" in chromium.page_source
    assert missing(c, bucket, "photos/big.png")


FETCH = """
const [url, method, headers, body, done] = arguments;
fetch(url, {method: method, headers: headers, body: body, mode: "cors"})
  .then(async (r) => {
    const h = {};
    r.headers.forEach((v, k) => { h[k] = v; });
    done({status: r.status, headers: h, text: await r.text()});
  })
  .catch((e) => done({error: String(e)}));
"""


def browser_fetch(chromium, url, method="GET", headers=None, body=None):
    """fetch() from the page the browser shows: {status, headers (those
    the browser lets the page read), text} or {error} when the browser
    refused (a failed preflight or a response without CORS headers)."""
    return chromium.execute_async_script(FETCH, url, method, headers or {}, body)


def test_browser_cors_preflight_and_responses(s3, c, bucket, chromium, site, other_site):
    def signed(key, method):
        return pyrgw.presign_url(f"{s3.url}/{bucket}/{key}", s3.access_key, s3.secret_key,
                                 method=method, expires=600)

    site.put("/app", "<!doctype html><title>app</title>")
    chromium.get(site.url("/app"))
    note = '{"color": "blue"}'
    # A JSON body is no "simple" request: the browser asks first (preflight).
    headers = {"Content-Type": "application/json"}

    # No CORS configuration: the preflight is refused, the browser sends no
    # PUT, nothing is stored.
    r = browser_fetch(chromium, signed("notes/one.json", "PUT"), "PUT", headers, note)
    assert "error" in r and "TypeError" in r["error"], r
    assert missing(c, bucket, "notes/one.json")

    c.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [{
        "AllowedOrigins": [site.origin], "AllowedMethods": ["GET", "PUT"],
        "AllowedHeaders": ["content-*"], "ExposeHeaders": ["ETag", "x-amz-meta-color"],
        "MaxAgeSeconds": 60}]})

    # Allowed: the preflight (unauthenticated, though the URL carries a
    # signature for PUT) passes, the PUT lands, its exposed ETag is readable
    # by the page.
    r = browser_fetch(chromium, signed("notes/two.json", "PUT"), "PUT", headers, note)
    assert r.get("status") == 200, r
    md5 = hashlib.md5(note.encode()).hexdigest()
    assert r["headers"]["etag"] == f'"{md5}"'
    got = c.get_object(Bucket=bucket, Key="notes/two.json")
    assert got["Body"].read() == note.encode() and got["ContentType"] == "application/json"

    # A GET: the page reads the body and the exposed metadata header, not
    # the headers the rule does not expose.
    c.put_object(Bucket=bucket, Key="notes/meta.json", Body=note.encode(),
                 Metadata={"color": "blue", "size": "small"})
    r = browser_fetch(chromium, signed("notes/meta.json", "GET"))
    assert r.get("status") == 200 and r["text"] == note, r
    assert r["headers"]["x-amz-meta-color"] == "blue"
    assert "x-amz-meta-size" not in r["headers"] and "x-amz-request-id" not in r["headers"]
    # Error answers carry the CORS headers too: the page sees the 404, and
    # the 403 of a URL signed for another method.
    r = browser_fetch(chromium, signed("notes/none.json", "GET"))
    assert r.get("status") == 404 and "<Code>NoSuchKey</Code>" in r["text"], r
    r = browser_fetch(chromium, signed("notes/meta.json", "PUT"))
    assert r.get("status") == 403 and "<Code>SignatureDoesNotMatch</Code>" in r["text"], r

    # A header the rule does not allow, or a method it does not name: the
    # preflight fails, nothing changes.
    r = browser_fetch(chromium, signed("notes/three.json", "PUT"), "PUT",
                      dict(headers, **{"x-app-trace": "1"}), note)
    assert "error" in r, r
    assert missing(c, bucket, "notes/three.json")
    r = browser_fetch(chromium, signed("notes/two.json", "DELETE"), "DELETE")
    assert "error" in r, r
    assert c.head_object(Bucket=bucket, Key="notes/two.json")["ContentLength"] == len(note)

    # A page of another origin: the answer carries no CORS headers for it,
    # so the browser hides it from the page.
    other_site.put("/app", "<!doctype html><title>other</title>")
    chromium.get(other_site.url("/app"))
    r = browser_fetch(chromium, signed("notes/two.json", "GET"))
    assert "error" in r, r
