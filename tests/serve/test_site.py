"""The in-browser files: served by the web app cross-origin isolated, written as a static site
by `nst-tf export web DIR`, and every size the manifest names is there."""

import json
import os
import subprocess
import sys

import pytest

from nst_tf.export import web_files
from nst_tf.serve import site

pytest.importorskip("fastapi", reason="the web app's tests need the web extra: pip install .[web]")


def test_the_sizes_are_multiples_of_4_and_every_file_is_shipped():
    for side in (web_files.PAINT_SIDE, web_files.CAMERA_SIDE):
        sizes = web_files.shapes(side)
        assert all(h % 4 == 0 and w % 4 == 0 and max(h, w) == side for h, w in sizes)
        assert (side, side) in sizes  # every picture fits one
    folder = site.models_folder()
    with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as file:
        manifest = json.load(file)
    named = [*manifest["transformers"].values(), *manifest["networks"].values()]
    assert len(named) == 15
    assert all(os.path.isfile(os.path.join(folder, name)) for name in named)
    assert all(
        os.path.isfile(os.path.join(folder, "thumbnails", f"{style['id']}.jpg"))
        for style in manifest["styles"]
    )
    paintings = [style for style in manifest["styles"] if style["kind"] == "painting"]
    assert len(paintings) == 4 and all(len(style["vector"]) == 100 for style in paintings)


def test_the_page_and_its_files_are_sent_cross_origin_isolated(client):
    for path in ("/", "/static/app.js", "/static/vendor/litertjs/core.js",
                 "/static/models/manifest.json", "/static/models/style_predictor.tflite"):  # fmt: skip
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["cross-origin-opener-policy"] == "same-origin", path
        assert answer.headers["cross-origin-embedder-policy"] == "require-corp", path
    wasm = client.get("/static/vendor/litertjs/wasm/litert_wasm_internal.wasm")
    assert wasm.headers["content-type"] == "application/wasm"
    assert client.get("/static/models/../../app.py").status_code == 404


def test_export_web_writes_a_static_site(tmp_path):
    folder = tmp_path / "site"
    answer = subprocess.run(
        [sys.executable, "-m", "nst_tf", "export", "web", str(folder)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert answer.returncode == 0, answer.stderr
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert 'data-site="static"' in page
    assert '="/' not in page and '"/static' not in page  # relative addresses only
    assert "Cross-Origin-Embedder-Policy: require-corp" in (folder / "_headers").read_text()
    for path in ("static/app.js", "static/vendor/litertjs/wasm/litert_wasm_internal.wasm",
                 "static/models/style_predictor.tflite", "static/models/manifest.json",
                 "favicon.ico"):  # fmt: skip
        assert (folder / path).is_file(), path
    assert not (folder / "api").exists()


def test_export_web_without_a_folder_says_so():
    answer = subprocess.run(
        [sys.executable, "-m", "nst_tf", "export", "web"], capture_output=True, text=True,
        check=False,
    )
    assert answer.returncode != 0
    assert "nst-tf export web DIR" in answer.stderr and "Traceback" not in answer.stderr
