"""The page painting in the browser (LiteRT.js on WebAssembly, in Debian's Chromium): no request
carries the photo's or the painting's bytes; strength, colours, the built-in styles, Download,
bad files and a huge photo; the same picture as the command line; the live camera (a fake one);
the static site of `nst-tf export web` served by `python -m http.server`; server mode where the
browser has no WebAssembly. Writes the screenshots docs/serve_browser.png, docs/serve_camera.png
and docs/static_site.png."""

import io
import pathlib
import subprocess
import sys

import numpy as np
import pytest
from browser_helpers import FAKE_CAMERA, StaticServer, launch, new_page, skip_without_chromium
from PIL import Image
from serve_helpers import SAMPLES, ServerThread, bomb_png

from nst_tf import metrics

pytest.importorskip("fastapi", reason="the web app's tests need the web extra: pip install .[web]")
sync_api = pytest.importorskip("playwright.sync_api", reason="needs Playwright")

REPO = pathlib.Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
PHOTO, PAINTING = SAMPLES / "coffee.jpg", SAMPLES / "the_scream.jpg"
LOCAL_RESULT = "() => document.getElementById('result-info').textContent.startsWith('In this')"


def wait_for_new_result(page, before, timeout=60_000):
    page.wait_for_function(
        f"() => {{ const img = document.getElementById('result');"
        f" return img.complete && img.getAttribute('src') !== {before!r} &&"
        f" document.getElementById('result-info').textContent.startsWith('In this'); }}",
        timeout=timeout,
    )


def result_array(page):
    """The shown result's pixels, through Download (a PNG made in the page)."""
    with page.expect_download() as download:
        page.click("#download")
    assert download.value.suggested_filename == "nst_tf.png"
    return np.asarray(Image.open(download.value.path()).convert("RGB"), np.float64)


def record_uploads(page):
    """Every request's body, kept (the test asserts none carries a file's bytes)."""
    bodies = []
    page.context.on("request", lambda request: bodies.append(request.post_data_buffer or b""))
    return bodies


def truncated_jpeg():
    data = PHOTO.read_bytes()
    return data[: len(data) // 2]


def huge_jpeg():
    rows = np.linspace(0, 255, 4000)[:, None, None] * np.ones((1, 6000, 3))
    buffer = io.BytesIO()
    Image.fromarray(rows.astype(np.uint8)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def give(page, selector, name, data):
    page.set_input_files(selector, files=[{"name": name, "mimeType": "image/jpeg", "buffer": data}])


@pytest.mark.slow
def test_page_paints_in_the_browser_and_uploads_nothing(tmp_path):
    skip_without_chromium(pytest)
    from nst_tf.serve import app as webapp

    app = webapp.create_app(vgg="vgg16", vgg_weights=None)
    with ServerThread(app) as server, sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = new_page(browser, viewport={"width": 1280, "height": 900})
            bodies = record_uploads(page)
            errors = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(server.url)
            page.wait_for_selector('.style-tile[data-style="style_07"]')
            assert page.is_checked("#in-browser")  # the default where WebAssembly runs
            page.set_input_files("#photo-input", str(PHOTO))
            page.set_input_files("#style-input", str(PAINTING))
            page.wait_for_function(LOCAL_RESULT, timeout=60_000)
            assert "384×256" in page.inner_text("#result-info")
            painted = result_array(page)
            assert painted.shape == (256, 384, 3) and painted.std() > 15

            # The same picture as `nst-tf stylize --fast` at 384 px with one pass at that size
            # (--working-size 0: no strokes painted at a second size).
            cli = tmp_path / "cli.png"
            subprocess.run(
                [sys.executable, "-m", "nst_tf", "stylize", str(PHOTO), str(PAINTING), "--fast",
                 "--working-size", "0", "--size", "384", "-o", str(cli)],
                check=True, cwd=REPO, capture_output=True,
            )  # fmt: skip
            reference = np.asarray(Image.open(cli).convert("RGB"), np.float64)
            assert metrics.psnr(painted, reference) >= 35.0

            for change in (
                lambda: page.fill("#strength", "40"),
                lambda: page.check("#preserve-colors"),
                lambda: page.click('.style-tile[data-style="woman_with_hat"]'),
                lambda: page.click('.style-tile[data-style="style_07"]'),
            ):
                before = page.get_attribute("#result", "src")
                change()
                wait_for_new_result(page, before)
            assert "Blue and gold" in page.inner_text("#result-info")
            page.click("#keep")
            assert page.locator("#results li").count() == 1

            # Bad files: a clear message, and the page keeps its photo and paints on.
            for name, data, says in (
                ("notes.jpg", b"not an image at all", "is not an image"),
                ("half.jpg", truncated_jpeg(), "truncated"),
                ("bomb.png", bomb_png(), "over 100 megapixels"),
            ):
                give(page, "#photo-input", name, data)
                page.wait_for_function(
                    f"() => document.getElementById('status').textContent.includes({says!r})"
                )
                assert name in page.inner_text("#status")
            give(page, "#style-input", "half.jpg", truncated_jpeg())
            page.wait_for_function(
                "() => document.getElementById('status').textContent.startsWith('Painting refused')"
            )
            before = page.get_attribute("#result", "src")
            give(page, "#photo-input", "huge.jpg", huge_jpeg())  # 6000 x 4000: scaled down
            wait_for_new_result(page, before, timeout=120_000)
            assert "6000×4000 · scaled to 1024×683" in page.inner_text("#dropzone-text")
            assert "384×256" in page.inner_text("#result-info")
            for change in (  # back to the photo, then the style fully for the screenshot
                lambda: page.set_input_files("#photo-input", str(PHOTO)),
                lambda: page.fill("#strength", "100"),
                lambda: page.uncheck("#preserve-colors"),
            ):
                before = page.get_attribute("#result", "src")
                change()
                wait_for_new_result(page, before)
            page.wait_for_function("() => document.getElementById('status').textContent === ''")
            page.wait_for_timeout(300)
            page.screenshot(path=str(DOCS / "serve_browser.png"), full_page=True)

            files = [PHOTO.read_bytes(), PAINTING.read_bytes(), huge_jpeg()[:4096]]
            assert not any(data[1000:1200] in body for body in bodies for data in files)
            assert not any(b"Content-Disposition: form-data" in body for body in bodies)
            assert not errors, errors
            assert browser.outside == [], browser.outside
        finally:
            browser.close()


@pytest.mark.slow
def test_camera_paints_frames_and_stop_releases_it():
    skip_without_chromium(pytest)
    from nst_tf.serve import app as webapp

    app = webapp.create_app(vgg="vgg16", vgg_weights=None)
    with ServerThread(app) as server, sync_api.sync_playwright() as playwright:
        browser = launch(playwright, FAKE_CAMERA)
        try:
            page = new_page(browser, viewport={"width": 1280, "height": 900})
            bodies = record_uploads(page)
            page.goto(server.url)
            page.wait_for_selector('.style-tile[data-style="starry_night"]')
            page.click('.style-tile[data-style="starry_night"]')
            page.click("#camera-start")
            page.wait_for_function(
                "() => Number(document.getElementById('fps').dataset.fps || 0) > 0",
                timeout=60_000,
            )
            assert page.eval_on_selector("#live", "c => [c.width, c.height]") == [256, 192]
            page.click('.style-tile[data-style="the_scream"]')  # another painting, live
            page.wait_for_timeout(3000)
            assert "fps" in page.inner_text("#fps")
            page.screenshot(path=str(DOCS / "serve_camera.png"), full_page=True)
            page.click("#camera-stop")
            assert page.get_attribute("#camera-video", "data-tracks") == "ended"
            assert page.eval_on_selector("#camera-video", "v => v.srcObject === null")
            assert page.is_hidden("#live") and page.is_enabled("#camera-start")
            assert all(len(body) < 2000 for body in bodies)  # no frame went anywhere
            assert browser.outside == [], browser.outside
        finally:
            browser.close()


@pytest.mark.slow
def test_static_site_paints_with_no_server_behind_it(tmp_path):
    skip_without_chromium(pytest)
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "nst_tf", "export", "web", str(site)],
        check=True, cwd=REPO, capture_output=True,
    )  # fmt: skip
    assert (site / "index.html").is_file() and (site / "_headers").is_file()
    with StaticServer(site) as server, sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = new_page(browser, viewport={"width": 1280, "height": 900})
            bodies = record_uploads(page)
            urls = []
            page.on("request", lambda request: urls.append(request.url))
            page.goto(server.url + "/")
            page.wait_for_selector('.style-tile[data-style="style_07"]')
            assert page.is_checked("#in-browser") and page.is_disabled("#in-browser")
            assert page.is_hidden("#mode-optimise") and page.is_hidden("#api-link")
            page.set_input_files("#photo-input", str(SAMPLES / "chelsea.jpg"))
            page.click('.style-tile[data-style="style_07"]')
            page.wait_for_function(LOCAL_RESULT, timeout=60_000)
            painted = result_array(page)
            assert painted.shape == (255, 384, 3) and painted.std() > 15
            page.set_input_files("#style-input", str(PAINTING))
            page.wait_for_function(
                "() => document.getElementById('result-info').textContent.includes('scream')",
                timeout=60_000,
            )
            page.wait_for_timeout(300)
            page.screenshot(path=str(DOCS / "static_site.png"), full_page=True)
            assert not any("/api/" in url for url in urls), urls
            assert all(not body for body in bodies)
            assert browser.outside == [], browser.outside
        finally:
            browser.close()


@pytest.mark.slow
def test_page_paints_on_the_server_where_the_browser_has_no_webassembly():
    skip_without_chromium(pytest)
    from nst_tf.serve import app as webapp

    app = webapp.create_app(vgg="vgg16", vgg_weights=None)
    with ServerThread(app) as server, sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = new_page(browser)
            page.add_init_script("delete window.WebAssembly")
            page.goto(server.url)
            page.wait_for_selector('.style-tile[data-style="style_07"]')
            assert not page.is_checked("#in-browser") and page.is_disabled("#in-browser")
            assert "WebAssembly" in page.inner_text("#browser-state")
            page.set_input_files("#photo-input", str(PHOTO))
            page.click('.style-tile[data-style="style_07"]')
            page.wait_for_function(
                "() => (document.getElementById('result').getAttribute('src') || '')"
                ".startsWith('/api/results/')", timeout=60_000,
            )  # fmt: skip
        finally:
            browser.close()
