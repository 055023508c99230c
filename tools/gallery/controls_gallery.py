"""Renders before/after images of the perceptual controls (issue 5) as one labelled sheet.

Each row is one control: the input images, plain Gatys transfer ("before") and the result with
the control ("after"), all with the same size, iterations and loss network. Cells are cached in
--cache-dir by their label, so a rerun only computes missing cells.

The README's docs/controls.jpg (re-encoded at JPEG quality 82) was made with the stand-in VGG16
(HED edge-detector weights, not ImageNet VGG), niced, in the background, in about 27 minutes:

  nice -n 10 python -m tools.gallery.controls_gallery --size 192 --iterations 100 \
      --vgg-weights ../shared/weights/vgg16_hed_bsds500_notop.h5 \
      --cache-dir /tmp/controls_cells -o docs/controls.jpg
"""

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow is imported

import numpy as np
from PIL import Image, ImageDraw

import nst_tf
from nst_tf.io import image_io as images
from tools import REPOSITORY
from tools.gallery.gallery import GAP, WHITE, fit_cell

REPO = REPOSITORY

SAMPLES = os.path.join(REPO, "nst_tf", "samples")
LABEL_HEIGHT = 14


def rows_of_cells(content, style, second_style, mask):
    """The sheet's rows: lists of (label, input image array or stylize keyword arguments)."""
    before = ("Gatys (before)", {"style": style})
    return [
        [
            ("content", content),
            ("style", style),
            before,
            ("--preserve-colors luminance", {"style": style, "preserve_colors": "luminance"}),
            ("--preserve-colors histogram", {"style": style, "preserve_colors": "histogram"}),
        ],
        [
            ("style 2", second_style),
            ("style 2 alone", {"style": second_style}),
            ("--style-blend 0.5,0.5", {"style": [style, second_style], "style_blend": [0.5, 0.5]}),
            ("--style-blend 0.8,0.2", {"style": [style, second_style], "style_blend": [0.8, 0.2]}),
        ],
        [
            before,
            ("--style-loss mrf", {"style": style, "style_loss": "mrf"}),
            ("--style-loss swap", {"style": style, "style_loss": "swap"}),
            ("--style-loss moments", {"style": style, "style_loss": "moments"}),
        ],
        [
            ("mask (white: style)", mask),
            ("--masks: left styled", {"style": style, "masks": [mask]}),
            ("--scales 3 (pyramid)", {"style": style, "scales": 3}),
            ("--preset photorealistic", {"style": style, "preset": "photorealistic"}),
        ],
    ]


def parse_args(argv=None):
    """Parses the command line.

    Returns:
      argparse.Namespace.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", default=os.path.join(SAMPLES, "chelsea.jpg"))
    parser.add_argument("--style", default=os.path.join(SAMPLES, "starry_night.jpg"))
    parser.add_argument("--second-style", default=os.path.join(SAMPLES, "the_scream.jpg"))
    parser.add_argument("--size", type=int, default=192, help="longest side of each result, px")
    parser.add_argument("--iterations", type=int, default=100, help="L-BFGS iterations per cell")
    parser.add_argument("--vgg", choices=["vgg16", "vgg19"], default="vgg16")
    parser.add_argument("--vgg-weights", default="default", help="weights file, or none (random)")
    parser.add_argument("--cell", type=int, default=192, help="side of the square cells, px")
    parser.add_argument("--cache-dir", help="folder of cached cells (one per setting)")
    parser.add_argument("-o", "--output", required=True, help="output image (.jpg or .png)")
    return parser.parse_args(argv)


def render_cell(label, source, content, options, cache_dir):
    """An input image as it is, or the stylised content (cached by label).

    Returns:
      image array (height, width, 3).
    """
    if not isinstance(source, dict):
        return source
    cached = None
    if cache_dir:
        cached = os.path.join(cache_dir, label.replace(" ", "_").replace("/", "-") + ".png")
        if os.path.isfile(cached):
            return images.load_image(cached)
    started = time.perf_counter()
    image = nst_tf.stylize(content, progress=False, **options, **source).image
    print(f"{label}: {time.perf_counter() - started:.0f} s", flush=True)
    if cached:
        images.save_image(cached, image)
    return image


def compose(rows, cell):
    """Lays out labelled cells, one row per control, on white.

    Args:
      rows: list of rows, each a list of (label, image array).
      cell: side of a square cell, px.

    Returns:
      uint8 array.
    """
    columns = max(len(row) for row in rows)
    pitch = cell + LABEL_HEIGHT + GAP
    sheet = Image.new("RGB", (GAP + columns * (cell + GAP), GAP + len(rows) * pitch), WHITE)
    draw = ImageDraw.Draw(sheet)
    for r, row in enumerate(rows):
        for c, (label, image) in enumerate(row):
            x, y = GAP + c * (cell + GAP), GAP + r * pitch
            sheet.paste(fit_cell(image, cell), (x, y))
            draw.rectangle((x - 1, y - 1, x + cell, y + cell), outline=(200, 200, 200))
            draw.text((x, y + cell + 1), label, fill=(0, 0, 0))
    return np.asarray(sheet)


def main(argv=None):
    """Renders the sheet; returns the exit code."""
    args = parse_args(argv)
    images.check_writable_image_path(args.output)
    content = images.resize_longest(images.load_image(args.content), args.size)
    style = images.load_image(args.style)
    second_style = images.load_image(args.second_style)
    mask = np.zeros(content.shape[:2], np.float32)
    mask[:, : content.shape[1] // 2] = 255.0
    weights = None if args.vgg_weights == "none" else args.vgg_weights
    network = nst_tf.build_loss_network(
        ["block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block4_conv2",
         "block5_conv1"], args.vgg, weights,
    )  # fmt: skip
    options = {"iterations": args.iterations, "vgg": args.vgg, "loss_network": network}
    started = time.perf_counter()
    rows = [
        [(label, render_cell(label, source, content, options, args.cache_dir))
         for label, source in row]
        for row in rows_of_cells(content, style, second_style, np.repeat(mask[..., None], 3, -1))
    ]  # fmt: skip
    images.save_image(args.output, compose(rows, args.cell))
    print(f"wrote {args.output} in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
