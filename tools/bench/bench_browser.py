"""Speed of painting in the browser: headless Chromium (Playwright, WebAssembly on the CPU) on
the page served by `nst-tf serve` (cross-origin isolated: threads; with ?threads=off one
thread) and by `python -m http.server` from `nst-tf export web`
(no isolation: one thread), beside the command line's figures for the same photo and painting.
Prints a table and writes JSON.

    python -m tools.bench.bench_browser [--photo coffee.jpg --painting the_scream.jpg --repeats 5]

Figures: the first picture after the page starts loading (photo and painting chosen at once),
one picture at 384 px after the models are loaded (the painting's style vector and the
transformer), the camera at 256 px (a fake camera) in frames per second, and the first picture's
PSNR against `nst-tf stylize --fast --working-size 0 --size 384` (one pass at 384 px, as the page
paints; the default --working-size would add strokes painted at 1024 px).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import numpy as np
from PIL import Image

from nst_tf import metrics
from tests.serve.browser_helpers import FAKE_CAMERA, StaticServer, launch, new_page
from tools import benchmarks

REPO = benchmarks.REPOSITORY

SAMPLES = os.path.join(REPO, "nst_tf", "samples")
# One picture through the page's modules, after loading: the painting's vector, then painting.
PICTURE = """async ([side, repeats]) => {
  const local = await import('./static/local.js');
  const lite = await import('./static/litert.js');
  const photo = document.querySelector('#photo-preview');
  const read = async (img) => {
    const blob = await (await fetch(img.src)).blob();
    return (await local.readFile(new File([blob], 'x.jpg'))).picture;
  };
  const content = await read(photo);
  const tile = document.querySelector('.style-tile[data-style^="painting-"]');
  const painting = await read({src: tile.style.backgroundImage.slice(5, -2)});
  const times = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    const vector = await lite.styleVector(painting);
    await local.paint(content, {vector}, 1.0, false, side);
    times.push((performance.now() - started) / 1000);
  }
  return {times, threads: lite.runtimeInfo.threads};
}"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photo", default="coffee.jpg")
    parser.add_argument("--painting", default="the_scream.jpg")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--camera-seconds", type=float, default=8.0)
    parser.add_argument("--port", type=int, default=8844, help="the web app's; the site's +1")
    parser.add_argument("--out", default=os.path.join(REPO, "bench_results", "bench_browser.json"))
    return parser.parse_args(argv)


def measure_page(playwright, url, args):
    """The page's figures at url."""
    photo, painting = (os.path.join(SAMPLES, name) for name in (args.photo, args.painting))
    browser = launch(playwright, FAKE_CAMERA)
    try:
        page = new_page(browser, viewport={"width": 1280, "height": 900})
        page.goto(url, wait_until="commit")
        page.wait_for_selector("html[data-ready]", state="attached")
        page.set_input_files("#photo-input", photo)
        page.set_input_files("#style-input", painting)
        page.wait_for_function("() => window.nstPainted", timeout=120_000)
        first = page.evaluate("window.nstPainted.at") / 1000  # ms since navigation started
        page.wait_for_function("() => document.getElementById('result').complete")
        with page.expect_download() as download:
            page.click("#download")
        picture = np.asarray(Image.open(download.value.path()).convert("RGB"), np.float64)
        painted = page.evaluate(PICTURE, [384, args.repeats])
        page.click("#camera-start")
        page.wait_for_function("() => document.getElementById('fps').dataset.fps", timeout=60_000)
        page.wait_for_timeout(args.camera_seconds * 1000)
        fps = float(page.get_attribute("#fps", "data-fps"))
        page.click("#camera-stop")
        isolated = page.evaluate("crossOriginIsolated")
    finally:
        browser.close()
    times = sorted(painted["times"])
    return {
        "first_picture_s": round(first, 2), "picture_384_s": round(times[len(times) // 2], 3),
        "picture_384_all_s": [round(t, 3) for t in painted["times"]], "camera_256_fps": fps,
        "threads": painted["threads"], "cross_origin_isolated": isolated, "picture": picture,
    }  # fmt: skip


def measure_cli(args):
    """The command line on the same photo and painting: one process, and in-process repeats."""
    photo, painting = (os.path.join(SAMPLES, name) for name in (args.photo, args.painting))
    with tempfile.TemporaryDirectory() as scratch:
        command = [
            sys.executable,
            "-m",
            "nst_tf",
            "stylize",
            photo,
            painting,
            "--fast",
            "--working-size",
            "0",
            "--size",
            "384",
            "-o",
            os.path.join(scratch, "o.png"),
        ]
        started = time.perf_counter()
        subprocess.run(command, check=True, cwd=REPO, capture_output=True)
        process = time.perf_counter() - started
        picture = np.asarray(Image.open(command[-1]).convert("RGB"), np.float64)
    from nst_tf.io import image_io
    from nst_tf.pretrained import fast

    content, style = image_io.load_image(photo), image_io.load_image(painting)
    fast.stylize_fast(content, style, size=384, working_size=None, engine="litert")  # loads
    times = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        fast.stylize_fast(content, style, size=384, working_size=None, engine="litert")
        times.append(time.perf_counter() - started)
    frame = image_io.resize_longest(content, 256)
    vector = fast.style_vector(style, engine="litert")
    started = time.perf_counter()
    for _ in range(10):
        fast.paint(frame, vector, engine="litert")
    return {
        "process_s": round(process, 2), "picture_384_s": round(sorted(times)[len(times) // 2], 3),
        "frames_256_fps": round(10 / (time.perf_counter() - started), 1),
        "command": benchmarks.portable_command(["python", *command[1:]]), "picture": picture,
    }  # fmt: skip


def main(argv=None):
    args = parse_args(argv)
    from playwright.sync_api import sync_playwright

    from nst_tf.serve import app as webapp
    from nst_tf.serve import site

    report = benchmarks.Report(vars(args))
    results = {}
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(
        webapp.create_app(vgg="vgg16", vgg_weights=None), host="127.0.0.1", port=args.port,
        log_level="warning"))  # fmt: skip
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    health = f"http://127.0.0.1:{args.port}/api/health"
    while json.load(urllib.request.urlopen(health))["optimise"] == "checking":
        time.sleep(0.5)  # the server builds its loss network at start-up: not while measuring
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        site.write_site(folder)
        for name, query in (
            ("serve, isolated", ""),
            ("serve, isolated, one thread", "?threads=off"),
        ):
            results[name] = measure_page(playwright, f"http://127.0.0.1:{args.port}/{query}", args)
        with StaticServer(folder, args.port + 1) as static:
            results["static site"] = measure_page(playwright, static.url + "/", args)
    server.should_exit = True
    results["command line (LiteRT)"] = measure_cli(args)
    reference = results["command line (LiteRT)"].pop("picture")
    for r in results.values():
        if "picture" in r:
            r["psnr_vs_cli_db"] = round(metrics.psnr(reference, r.pop("picture")), 2)
    rows = []
    for name, r in results.items():
        if "first_picture_s" in r:
            rows.append(
                (
                    name,
                    f"{r['first_picture_s']:.2f}",
                    f"{r['picture_384_s']:.3f}",
                    f"{r['camera_256_fps']:.1f}",
                    "yes" if r["threads"] else "no",
                    f"{r['psnr_vs_cli_db']:.1f}",
                )
            )
        else:
            rows.append(
                (
                    name,
                    f"{r['process_s']:.2f} (process)",
                    f"{r['picture_384_s']:.3f}",
                    f"{r['frames_256_fps']:.1f}",
                    "2 (XNNPACK)",
                    "-",
                )
            )
    header = (
        "where",
        "first picture s",
        "384 px s/picture",
        "256 px fps",
        "threads",
        "PSNR vs CLI dB",
    )
    print(benchmarks.format_table(header, rows))
    report.write(args.out, results)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
