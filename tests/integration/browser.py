"""A real browser for the S3 browser-facing tests: Debian's headless Chromium
driven through chromedriver (selenium), and a small web site on 127.0.0.1 the
browser loads its pages from (another origin than the gateway's, as a web
application's would be).

Both are real parts started by the fixtures; a machine without Chromium or
chromedriver fails the tests that need them (packaging/install-deps.sh
installs them).
"""
import http.server
import shutil
import threading
import urllib.parse

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def start_chromium():
    """A headless Chromium session (selenium WebDriver)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for binary in (CHROMIUM, CHROMEDRIVER):
        if not shutil.which(binary):
            raise RuntimeError(f"{binary} is missing: packaging/install-deps.sh installs it")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-extensions", "--no-first-run", "--disable-background-networking"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    return driver


class Site:
    """A web site on 127.0.0.1: ``put(path, html)`` publishes a page,
    ``url(path)`` is its address; ``origin`` is the site's origin.  Every
    request the site gets is kept in ``requests`` as (method, path and
    query), so a test sees where a form redirected the browser."""

    def __init__(self):
        self.pages = {}
        self.requests = []
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                site.requests.append(("GET", self.path))
                body = site.pages.get(urllib.parse.urlsplit(self.path).path)
                if body is None:
                    body = "<!doctype html><title>done</title><p id=done>" + self.path
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def put(self, path, html):
        self.pages[path] = html

    def url(self, path):
        return self.origin + path

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
