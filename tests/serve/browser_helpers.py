"""Helpers of the browser tests: Debian's Chromium driven by Playwright, requests off this
machine aborted and recorded, and a static folder served by `python -m http.server`."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
FAKE_CAMERA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


def launch(playwright, extra_args=()):
    """Chromium, with every request off this machine aborted and recorded (browser.outside)."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, *extra_args])
    browser.outside = []

    def only_loopback(route):
        if route.request.url.startswith("http://127.0.0.1:"):
            return route.continue_()
        browser.outside.append(route.request.url)
        return route.abort()

    browser.only_loopback = only_loopback
    return browser


def new_page(browser, **options):
    """A page in a context of its own whose requests off this machine are aborted (the context
    outlives the page, so a closing page's beacon still goes out)."""
    context = browser.new_context(**options)
    context.route("**/*", browser.only_loopback)
    return context.new_page()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class StaticServer:
    """`python -m http.server` serving a folder on 127.0.0.1 (no special headers); a context
    manager."""

    def __init__(self, folder, port=None):
        self.folder, self.port = folder, port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(self.port), "--bind", "127.0.0.1"],
            cwd=self.folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(self.url + "/", timeout=2).close()
                return self
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.__exit__()
                    raise RuntimeError("the static server did not start") from None
                time.sleep(0.1)

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=10)


def skip_without_chromium(pytest):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no browser: {CHROMIUM} is missing (apt-get install chromium)")
