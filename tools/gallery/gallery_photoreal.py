"""Renders the before/after sheet of photorealistic transfer from tools/bench/bench_photoreal.py's images.

One row per (content, style) pair of the benchmark: the content photo, the style photo, the old
`--preset photorealistic`, the new one (matting Laplacian term and closed-form smoothing) and the
fast path followed by the smoothing. Run the benchmark first (its --images folder is read here):

    NST_TF_VGG_WEIGHTS=../shared/weights/vgg16_hed_bsds500_notop.h5 \\
        nice -n 10 python -m tools.bench.bench_photoreal
    python -m tools.gallery.gallery_photoreal -o docs/photorealistic.jpg

The optimisations behind docs/photorealistic.jpg used the stand-in VGG16 (HED edge-detector
weights, not ImageNet VGG), 256 px, 60 L-BFGS iterations.
"""

import argparse
import os
import sys

from nst_tf.errors import NstError
from nst_tf.io import image_io
from tools.bench import bench_photoreal
from tools.gallery.controls_gallery import compose

METHODS = ("old preset", "new preset", "fast + smoothing")


def main(argv=None):
    """Composes the sheet; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", default="/tmp/nst_photoreal", help="the benchmark's images")
    parser.add_argument("--cell", type=int, default=220, help="side of a cell, px")
    parser.add_argument("-o", "--output", default="docs/photorealistic.jpg")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    rows = []
    try:
        for content, style in bench_photoreal.PAIRS:
            row = [
                (f"content: {content}", _load(args.images, content, style, "content")),
                (
                    f"style photo: {style}",
                    image_io.load_image(os.path.join(bench_photoreal.SAMPLES, f"{style}.jpg")),
                ),
            ]
            row += [(method, _load(args.images, content, style, method)) for method in METHODS]
            rows.append(row)
        image_io.save_image(args.output, compose(rows, args.cell))
    except NstError as error:
        print(f"gallery_photoreal: {error}", file=sys.stderr)
        return 2
    print(f"wrote {args.output}")
    return 0


def _load(folder, content, style, method):
    """One of the benchmark's result images."""
    path = bench_photoreal.image_path(folder, content, style, method)
    if not os.path.isfile(path):
        raise NstError(f"missing {path}: run tools/bench/bench_photoreal.py first")
    return image_io.load_image(path)


if __name__ == "__main__":
    sys.exit(main())
