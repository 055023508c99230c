"""Renders a content x style grid of stylised images with `nst_tf.stylize`.

Rows are content images and columns style images; the first row shows the style images, the
first column the content images, and the top-left cell is blank. Each image is fit into a
square cell, aspect ratio kept, centred on white. An optional caption goes under the grid.

The README's gallery (docs/gallery.jpg, re-encoded at JPEG quality 82) was made with:
  python -m tools.gallery.gallery \
      --content nst_tf/samples/chelsea.jpg nst_tf/samples/astronaut.jpg \
      --style nst_tf/samples/starry_night.jpg nst_tf/samples/the_scream.jpg \
          nst_tf/samples/woman_with_hat.jpg \
      --size 256 --iterations 100 --vgg vgg16 \
      --vgg-weights ../shared/weights/vgg16_hed_bsds500_notop.h5 --cell 200 \
      --cache-dir /tmp/gallery_cells --caption "..." -o docs/gallery.jpg
"""

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow is imported

import numpy as np
from PIL import Image, ImageDraw

import nst_tf
from nst_tf import defaults
from nst_tf.encoders import vgg as networks
from nst_tf.errors import NstError
from nst_tf.io import image_io as images

GAP = 4  # white px between cells and around the grid
WHITE = (255, 255, 255)
BLACK = (0, 0, 0)


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def parse_args(argv=None):
    """Parses the command line.

    Args:
      argv: arguments without the program name; default sys.argv[1:].

    Returns:
      argparse.Namespace.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", nargs="+", required=True, metavar="PATH", help="Row images.")
    parser.add_argument("--style", nargs="+", required=True, metavar="PATH", help="Column images.")
    parser.add_argument(
        "--size", type=_positive_int, default=256, help="Longest side of each result, px."
    )
    parser.add_argument(
        "--iterations", type=_positive_int, default=150, help="Optimiser iterations per cell."
    )
    parser.add_argument("--vgg", choices=["vgg16", "vgg19"], default="vgg16", help="Loss network.")
    parser.add_argument(
        "--vgg-weights",
        default=defaults.DEFAULT_WEIGHTS,
        metavar="PATH",
        help=f"Loss network weights file (default: ${defaults.WEIGHTS_ENV_VAR}, else ImageNet).",
    )
    parser.add_argument(
        "--cell", type=_positive_int, default=192, help="Side of the square grid cells, px."
    )
    parser.add_argument("--caption", default="", help="A line of text under the grid.")
    parser.add_argument(
        "-o", "--output", required=True, help="Output image (.jpg or .png, written atomically)."
    )
    parser.add_argument(
        "--cache-dir",
        help="Save each stylised cell here as CONTENT-STEM__STYLE-STEM.png and reuse it if "
        "present (the name does not record the settings: use one folder per setting).",
    )
    return parser.parse_args(argv)


def _stem(path):
    return os.path.splitext(os.path.basename(path))[0]


def _check_unique_stems(kind, paths):
    """Raises NstError if two paths share a file stem (their cache files would clash)."""
    stems = [_stem(path) for path in paths]
    repeated = sorted({stem for stem in stems if stems.count(stem) > 1})
    if repeated:
        raise NstError(f"{kind} images share the file stem(s) {', '.join(repeated)}")


def stylized_cell(content, style, names, options, cache_dir):
    """Stylises one content image with one style image, or reads the cached result.

    Args:
      content, style: float32 arrays (height, width, 3) in [0, 255].
      names: (content stem, style stem), for the cache file name.
      options: keyword arguments of `nst_tf.stylize` besides the images.
      cache_dir: folder of cached results, or None.

    Returns:
      (image array, True if it came from the cache).
    """
    cached = os.path.join(cache_dir, "__".join(names) + ".png") if cache_dir else None
    if cached and os.path.isfile(cached):
        return images.load_image(cached), True
    image = nst_tf.stylize(content, style, progress=False, **options).image
    if cached:
        images.save_image(cached, image)
    return image, False


def fit_cell(image, cell):
    """Fits an image into a white square cell, aspect ratio kept, centred.

    Args:
      image: array (height, width, 3) in [0, 255].
      cell: side of the cell, px.

    Returns:
      PIL RGB image of cell x cell px.
    """
    fitted = Image.fromarray(images.to_uint8(images.resize_longest(image, cell)))
    canvas = Image.new("RGB", (cell, cell), WHITE)
    canvas.paste(fitted, ((cell - fitted.width) // 2, (cell - fitted.height) // 2))
    return canvas


def compose(rows, cell, caption):
    """Lays out cells in a grid on white, with an optional caption line under it.

    Args:
      rows: list of rows, each a list of arrays (height, width, 3) or None for a blank cell.
      cell: side of each cell, px.
      caption: text under the grid; "" for none.

    Returns:
      uint8 array (height, width, 3).
    """
    columns = max(len(row) for row in rows)
    width = GAP + columns * (cell + GAP)
    height = GAP + len(rows) * (cell + GAP)
    text_box = ImageDraw.Draw(Image.new("RGB", (1, 1))).textbbox((0, 0), caption)
    if caption:
        width = max(width, text_box[2] + 2 * GAP)
        height += text_box[3] + GAP
    sheet = Image.new("RGB", (width, height), WHITE)
    for r, row in enumerate(rows):
        for c, image in enumerate(row):
            if image is not None:
                sheet.paste(fit_cell(image, cell), (GAP + c * (cell + GAP), GAP + r * (cell + GAP)))
    if caption:
        ImageDraw.Draw(sheet).text((GAP, GAP + len(rows) * (cell + GAP)), caption, fill=BLACK)
    return np.asarray(sheet)


def main(argv=None):
    """Renders the gallery.

    Args:
      argv: arguments without the program name; default sys.argv[1:].

    Returns:
      the exit code: 0 on success, 2 for an input error, 130 when interrupted.
    """
    args = parse_args(argv)
    try:
        images.check_writable_image_path(args.output)
        if args.cache_dir:
            _check_unique_stems("content", args.content)
            _check_unique_stems("style", args.style)
        contents = [images.load_image(path) for path in args.content]
        styles = [images.load_image(path) for path in args.style]
        layers = [*defaults.STYLE_LAYERS, *defaults.CONTENT_LAYERS]
        options = {
            "size": args.size,
            "iterations": args.iterations,
            "vgg": args.vgg,
            "loss_network": networks.build_loss_network(layers, args.vgg, args.vgg_weights),
        }
        rows = [[None, *styles]]
        total = len(contents) * len(styles)
        started = time.perf_counter()
        for i, (content_path, content) in enumerate(zip(args.content, contents)):
            row = [content]
            for j, (style_path, style) in enumerate(zip(args.style, styles)):
                names = (_stem(content_path), _stem(style_path))
                cell_start = time.perf_counter()
                image, from_cache = stylized_cell(content, style, names, options, args.cache_dir)
                seconds = time.perf_counter() - cell_start
                print(
                    f"[{i * len(styles) + j + 1}/{total}] {names[0]} x {names[1]}: "
                    + ("cached" if from_cache else f"{seconds:.1f} s"),
                    flush=True,
                )
                row.append(image)
            rows.append(row)
        images.save_image(args.output, compose(rows, args.cell, args.caption))
    except NstError as error:
        print(f"gallery: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gallery: interrupted", file=sys.stderr)
        return 130
    print(f"wrote {args.output} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
