"""The fixed-size .tflite files the page runs in the browser (LiteRT.js takes no resizable
input), converted by the same export functions as every other .tflite file, at fixed sizes.

exported_models/web/ holds:
  arbitrary_transformer_HxW.tflite: "content" [1, H, W, 3], "style_vector" [1, 100] -> image;
  magenta26_HxW.tflite: "images" [1, H, W, 3], "style_weights" [1, 26] -> image;
  thumbnails/NAME.jpg and manifest.json (the sizes, the built-in styles and the paintings' style
    vectors), written by nst_tf.serve.site.write_manifest.
The style predictor ([1, 256, 256, 3]) is the shipped litert/style_predictor.tflite.

A picture is painted at the size whose aspect ratio is nearest, padded at the bottom and right
by reflection (as the network pads to a multiple of 4 itself) and cropped back.
"""

import os
import shutil
import tempfile

from nst_tf.export import arbitrary_pair, litert_files, tflite
from nst_tf.pretrained import lite_runner

FOLDER = "web"
# Longest sides: a photo is painted at PAINT_SIDE, a camera frame at CAMERA_SIDE.
PAINT_SIDE = 384
CAMERA_SIDE = 256
# Aspect ratios (long:short), each in both orientations.
ASPECTS = ((1, 1), (4, 3), (3, 2))
NETWORK = "magenta26"


def shapes(longest):
    """The (height, width) sizes at a longest side, sides multiples of 4."""
    found = set()
    for long, short in ASPECTS:
        side = round(longest * short / long / 4) * 4
        found |= {(longest, side), (side, longest)}
    return sorted(found)


def transformer_name(shape):
    return f"{lite_runner.TRANSFORMER}_{shape[0]}x{shape[1]}"


def network_name(shape):
    return f"{NETWORK}_{shape[0]}x{shape[1]}"


def export_transformers(folder, sides=(PAINT_SIDE, CAMERA_SIDE)):
    """Writes the arbitrary transformer at every size; returns dict file name -> bytes."""
    written = {}
    for shape in sorted({shape for side in sides for shape in shapes(side)}):
        with tempfile.TemporaryDirectory() as scratch:
            pair = arbitrary_pair.export_arbitrary_tflite(scratch, litert_files.QUANTIZE, size=shape)
            path = next(p for p in pair if os.path.basename(p).startswith(lite_runner.TRANSFORMER))
            name = f"{transformer_name(shape)}.tflite"
            shutil.move(path, os.path.join(folder, name))
            written[name] = pair[path]
    return written


def export_networks(folder, side=PAINT_SIDE):
    """Writes the 26-style network at every size of `side`; returns dict file name -> bytes."""
    from nst_tf.feedforward import model as feedforward

    style_model = feedforward.load_model(NETWORK)
    written = {}
    for shape in shapes(side):
        name = f"{network_name(shape)}.tflite"
        path = os.path.join(folder, name)
        written[name] = tflite.export_tflite(style_model, path, None, litert_files.QUANTIZE, shape)
    return written


def export_all(folder):
    """Writes the page's .tflite files into folder; returns dict file name -> bytes.

    nst_tf.serve.site.write_manifest then lists them for the page, with the thumbnails."""
    os.makedirs(folder, exist_ok=True)
    written = export_transformers(folder)
    written.update(export_networks(folder))
    return written
