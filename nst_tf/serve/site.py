"""The page's files for painting in the browser, and the page as a static site
(`nst-tf export web DIR`): the page, LiteRT.js (static/vendor/litertjs) and the models
(static/models: exported_models/web and the shipped style predictor), plain files any static
host serves, with no Python behind them.

The runtime's threaded build needs cross-origin isolation: the headers ISOLATION on the page
(the web app sends them; DIR/_headers and the README say how to set them on a static host).
Without them the page paints on one thread.
"""

from __future__ import annotations

import os
import re
import shutil

from nst_tf.errors import NstError
from nst_tf.feedforward import shipped

STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")
WEB_FOLDER = "web"
PREDICTOR = "style_predictor"
ISOLATION = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
}
# For hosts that read a _headers file (Netlify, Cloudflare Pages).
HEADERS_FILE = "/*\n" + "".join(f"  {name}: {value}\n" for name, value in ISOLATION.items())


def write_manifest(folder: str, paint_side: int, camera_side: int) -> dict:
    """Writes folder/manifest.json (the .tflite files there by size, the built-in styles with
    the paintings' style vectors) and the styles' thumbnails; returns the manifest."""
    from PIL import Image

    from nst_tf.io import files, image_io
    from nst_tf.pretrained import fast
    from nst_tf.serve import engines

    tables = {"arbitrary_transformer": {}, engines.NETWORK: {}}
    for name in sorted(os.listdir(folder)):
        found = re.fullmatch(r"(.+)_(\d+x\d+)\.tflite", name)
        if found and found[1] in tables:
            tables[found[1]][found[2]] = name
    os.makedirs(os.path.join(folder, "thumbnails"), exist_ok=True)
    for name in (*engines.BUILTIN_STYLES, *engines.NETWORK_STYLES):
        image = Image.fromarray(image_io.to_uint8(engines.style_thumbnail(name)))
        image.save(os.path.join(folder, "thumbnails", f"{name}.jpg"), quality=85)

    def vector(name):
        painting = image_io.load_image(engines.BUILTIN_STYLES[name])
        return [round(float(v), 6) for v in fast.style_vector(painting, engine="litert")]

    manifest = {
        "predictor": f"{PREDICTOR}.tflite",
        "paint_side": paint_side,
        "camera_side": camera_side,
        "transformers": tables["arbitrary_transformer"],
        "networks": tables[engines.NETWORK],
        "styles": [
            *({"id": name, "name": title, "kind": "painting", "vector": vector(name)}
              for name, title in engines.BUILTIN_TITLES.items()),
            *({"id": name, "name": title, "kind": "network", "index": index}
              for index, (name, title) in enumerate(
                  zip(engines.NETWORK_STYLES, engines.NETWORK_TITLES))),
        ],
    }  # fmt: skip
    files.write_json(os.path.join(folder, "manifest.json"), manifest)
    return manifest


def models_folder() -> str | None:
    """exported_models/web (the browser's .tflite files and manifest), or None if missing."""
    for folder in shipped.SHIPPED_DIRS:
        path = os.path.join(folder, WEB_FOLDER)
        if os.path.isfile(os.path.join(path, "manifest.json")):
            return path
    return None


def thumbnail(name: str) -> bytes | None:
    """A built-in style's shipped thumbnail (JPEG), or None: the server need not paint it."""
    folder = models_folder()
    path = os.path.join(folder, "thumbnails", f"{name}.jpg") if folder else None
    if path and os.path.isfile(path):
        with open(path, "rb") as file:
            return file.read()
    return None


def predictor_path() -> str | None:
    """The shipped style predictor (.tflite), which the page shares with the LiteRT runtime."""
    return shipped.find_tflite(PREDICTOR)


def has_runtime() -> bool:
    """Whether LiteRT.js and the models are installed (else the page paints on the server)."""
    vendored = os.path.isfile(os.path.join(STATIC, "vendor", "litertjs", "core.js"))
    return vendored and models_folder() is not None and predictor_path() is not None


def write_site(folder: str) -> int:
    """Writes the static site into folder (created; files there are replaced); returns bytes.

    Raises:
      NstError: the runtime or the models are missing from this installation, or the folder
        cannot be written.
    """
    if not has_runtime():
        raise NstError(
            "the in-browser files are missing from this installation (exported_models/web: "
            "tools/release/ship_web_models.py; static/vendor/litertjs: tools/release/vendor_litertjs.py)"
        )
    try:
        os.makedirs(folder, exist_ok=True)
        target = os.path.join(folder, "static")
        shutil.copytree(STATIC, target, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("index.html", "favicon.ico"))  # fmt: skip
        shutil.copytree(models_folder(), os.path.join(target, "models"), dirs_exist_ok=True)
        shutil.copy(predictor_path(), os.path.join(target, "models", f"{PREDICTOR}.tflite"))
        shutil.copy(os.path.join(STATIC, "favicon.ico"), os.path.join(folder, "favicon.ico"))
        with open(os.path.join(STATIC, "index.html"), encoding="utf-8") as file:
            page = file.read().replace('<html lang="en">', '<html lang="en" data-site="static">')
        with open(os.path.join(folder, "index.html"), "w", encoding="utf-8") as file:
            file.write(page)
        with open(os.path.join(folder, "_headers"), "w", encoding="utf-8") as file:
            file.write(HEADERS_FILE)
    except OSError as error:
        raise NstError(f"cannot write the site into {folder}: {error.strerror}") from None
    return sum(
        os.path.getsize(os.path.join(root, name))
        for root, _, names in os.walk(folder) for name in names
    )  # fmt: skip
