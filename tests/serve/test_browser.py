"""The page in a real browser (Debian's Chromium, headless, driven by Playwright): upload a
photo, pick a style, get the fast result, run a short optimisation and watch its preview change,
cancel one (canvas and Download agree), reach the upload controls with Tab, read why Start is
off; the API docs render with every outside request blocked. Writes the screenshot
docs/serve.png."""

import os
import pathlib

import pytest
from browser_helpers import CHROMIUM, launch, new_page
from serve_helpers import SAMPLES, ServerThread

pytest.importorskip("fastapi", reason="the web app's tests need the web extra: pip install .[web]")
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="needs Playwright: pip install playwright"
)

SCREENSHOT = pathlib.Path(__file__).resolve().parents[2] / "docs" / "serve.png"


def in_sight(page, selector):
    """Whether an element is inside its scrolling grid's visible part and the window."""
    return page.eval_on_selector(selector, """(el) => {
      const box = el.getBoundingClientRect(), grid = el.parentElement.getBoundingClientRect();
      return box.top >= grid.top && box.bottom <= grid.bottom && box.bottom <= innerHeight;
    }""")

# The shown image's size and pixel spread, read back from a canvas (same origin, not tainted).
MEASURE = """() => {
  const img = document.getElementById("result");
  const canvas = document.createElement("canvas");
  canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
  const context = canvas.getContext("2d");
  context.drawImage(img, 0, 0);
  const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
  let sum = 0, squares = 0, n = 0;
  for (let i = 0; i < data.length; i += 4) {
    const grey = (data[i] + data[i + 1] + data[i + 2]) / 3; sum += grey; squares += grey * grey; n++;
  }
  const mean = sum / n;
  return {width: img.naturalWidth, height: img.naturalHeight, mean,
          std: Math.sqrt(squares / n - mean * mean), src: img.getAttribute("src")};
}"""
# The result element shows a finished (not preview) image that has loaded.
SHOWN_FINAL = """() => {
  const img = document.getElementById("result"), src = img.getAttribute("src") || "";
  return img.complete && img.naturalWidth > 0 && !src.includes("/preview");
}"""
# Records a checksum of every image the result element loads (the previews as they come).
WATCH = """() => {
  window.seen = [];
  const img = document.getElementById("result");
  img.addEventListener("load", () => {
    const canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
    const context = canvas.getContext("2d");
    context.drawImage(img, 0, 0);
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let checksum = 0;
    for (let i = 0; i < data.length; i++) checksum = (checksum * 31 + data[i]) % 1000000007;
    window.seen.push({src: img.getAttribute("src"), checksum});
  });
}"""


@pytest.mark.slow
def test_page_paints_fast_and_optimised_results_in_chromium():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no browser: {CHROMIUM} is missing (apt-get install chromium)")
    from nst_tf.serve import app as webapp

    app = webapp.create_app(vgg="vgg16", vgg_weights=None, preview_seconds=0.0, warm_up=True)
    with ServerThread(app) as server, sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = new_page(browser, viewport={"width": 1280, "height": 900})
            errors = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(server.url)
            page.wait_for_selector('.style-tile[data-style="woman_with_hat"]')
            focused = []
            for _ in range(6):  # the header's API link, the photo, "+ painting", the styles
                page.keyboard.press("Tab")
                focused.append(page.evaluate("document.activeElement.id"))
            assert "photo-input" in focused and "style-input" in focused, focused
            assert in_sight(page, "#style-upload")
            page.uncheck("#in-browser")  # the server paints here (test_in_browser: the browser)
            page.set_input_files("#photo-input", str(SAMPLES / "coffee.jpg"))
            page.wait_for_selector("#photo-preview:not([hidden])")
            page.click('.style-tile[data-style="woman_with_hat"]')
            page.wait_for_function(
                "() => document.getElementById('result').complete && "
                "(document.getElementById('result').getAttribute('src') || '')"
                ".startsWith('/api/results/')"
            )
            shown = page.evaluate(MEASURE)
            assert (shown["width"], shown["height"]) == (512, 341), shown  # coffee.jpg is 3:2
            assert shown["std"] > 15 and 10 < shown["mean"] < 245, shown  # not blank
            page.click("#keep")

            page.fill("#strength", "40")  # the slider re-renders
            page.wait_for_function(
                f"() => document.getElementById('result').getAttribute('src') !== {shown['src']!r}"
            )
            assert "40 %" in page.inner_text("#strength-value")

            # An uploaded painting and a built-in network style paint in Fast mode too.
            for choose in (
                lambda: page.set_input_files("#style-input", str(SAMPLES / "the_scream.jpg")),
                lambda: page.click('.style-tile[data-style="style_07"]'),
            ):
                before = page.get_attribute("#result", "src")
                choose()
                page.wait_for_function(
                    f"() => document.getElementById('result').getAttribute('src') !== {before!r}"
                )
            painting = page.get_attribute(".style-tile[data-style^='painting-']", "data-style")
            assert in_sight(page, f'.style-tile[data-style="{painting}"]')  # beside "+ painting"
            assert page.get_attribute(f'[data-style="{painting}"]', "title") == "the_scream.jpg"
            page.click("#mode-optimise")
            assert page.is_disabled("#start")  # a network style has no painting to optimise
            assert "Fast only" in page.inner_text("#start-reason")
            page.click('.style-tile[data-style="woman_with_hat"]')
            assert not page.is_disabled("#start") and page.inner_text("#start-reason") == ""

            page.fill("#size", "128")  # a long job, cancelled once a preview shows
            page.fill("#iterations", "300")
            page.click("#start")
            page.wait_for_function(
                "() => (document.getElementById('result').getAttribute('src') || '')"
                ".includes('/preview')", timeout=120_000
            )
            assert "disabled" in page.get_attribute("#download", "class")  # a preview: no file
            page.click("#cancel")
            page.wait_for_function(
                "() => document.getElementById('job-text').textContent.startsWith('Cancelled')"
            )
            shown = page.get_attribute("#result", "src")
            assert page.get_attribute("#download", "href") == f"{shown}?download=true"

            page.fill("#size", "64")
            page.fill("#iterations", "25")
            page.evaluate(WATCH)
            page.click("#start")
            page.wait_for_function(
                "() => document.getElementById('job-text').textContent.startsWith('Done')",
                timeout=180_000,
            )
            previews = [seen for seen in page.evaluate("window.seen") if "/preview" in seen["src"]]
            assert len({seen["checksum"] for seen in previews}) >= 2, previews  # it changed
            page.wait_for_function("() => document.querySelectorAll('#results li').length === 2")
            page.wait_for_function(SHOWN_FINAL)  # the final image has loaded, not a preview
            done = page.evaluate(MEASURE)
            assert (done["width"], done["height"]) == (64, 43) and done["std"] > 5, done
            assert page.eval_on_selector("#result", "el => el.clientWidth") >= 256  # scaled up
            assert "Woman with a Hat" in page.inner_text("#result-info")
            assert page.get_attribute("#download", "href") == f"{done['src']}?download=true"

            page.click("#mode-fast")
            page.fill("#strength", "85")
            page.wait_for_function(
                "() => document.getElementById('result-info').textContent.startsWith('Fast') && "
                "document.getElementById('result').complete"
            )
            page.wait_for_timeout(300)
            SCREENSHOT.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
            assert not errors, errors
            assert page.request.get(f"{server.url}/favicon.ico").ok
            assert browser.outside == [], browser.outside
            kept = page.eval_on_selector_all("#results li img", "els => els.map(e => e.src)")
            assert len(kept) == 2 and all(page.request.get(url).ok for url in kept)
            page.close(run_before_unload=True)  # closing the page forgets its results
            other = browser.new_page()
            statuses = []
            for _ in range(50):  # the page's keepalive DELETEs arrive within a few seconds
                statuses = [other.request.get(url).status for url in kept]
                if statuses == [404, 404]:
                    break
                other.wait_for_timeout(100)
            assert statuses == [404, 404]
        finally:
            browser.close()


@pytest.mark.slow
def test_api_docs_render_offline_and_the_page_says_why_optimise_is_off():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no browser: {CHROMIUM} is missing (apt-get install chromium)")
    from nst_tf.serve import app as webapp

    app = webapp.create_app(vgg="vgg16", vgg_weights="/nowhere/vgg16.h5")
    with ServerThread(app) as server, sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = new_page(browser, viewport={"width": 1280, "height": 900})
            page.goto(server.url)
            page.wait_for_function(
                "() => document.getElementById('mode-optimise').textContent.includes('off')"
            )
            page.click("#mode-optimise")
            reason = page.inner_text("#start-reason")
            assert page.is_disabled("#start") and "--vgg-weights" in reason, reason
            width = page.eval_on_selector("#start-reason", "el => el.scrollWidth - el.clientWidth")
            assert width <= 0  # the reason wraps inside the panel
            page.goto(f"{server.url}/docs")
            page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
            assert page.locator(".swagger-ui .opblock").count() >= 12
            assert browser.outside == [], browser.outside
        finally:
            browser.close()
