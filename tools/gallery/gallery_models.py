"""Renders a grid of a trained style network's output: content rows x style columns.

The first row shows the style images the network was trained on (from its metadata), the first
column the content images; a last column shows an equal blend of all styles when the network
has several. Reuses the layout of tools/gallery/gallery.py.

The README's feed-forward gallery (docs/gallery_feedforward.jpg) was made with:
  python -m tools.gallery.gallery_models --model exported_models/styles3.keras \
      --content nst_tf/samples/chelsea.jpg nst_tf/samples/astronaut.jpg nst_tf/samples/coffee.jpg \
      --size 384 --cell 200 --caption "..." -o docs/gallery_feedforward.jpg
"""

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow is imported


from nst_tf.errors import NstError
from nst_tf.feedforward import model as feedforward
from nst_tf.io import image_io as images
from tools import REPOSITORY
from tools.gallery import gallery


def parse_args(argv=None):
    """Parses the command line (argv without the program name)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="A .keras network or a training run folder.")
    parser.add_argument("--content", nargs="+", required=True, metavar="PATH", help="Row images.")
    parser.add_argument("--size", type=gallery._positive_int, default=384, help="Result side, px.")
    parser.add_argument("--cell", type=gallery._positive_int, default=200, help="Cell side, px.")
    parser.add_argument("--caption", default="", help="Text under the grid.")
    parser.add_argument("-o", "--output", required=True, help="Output image.")
    return parser.parse_args(argv)


def main(argv=None):
    """Renders the grid; returns 0, or 2 for an input error."""
    args = parse_args(argv)
    started = time.perf_counter()
    try:
        images.check_writable_image_path(args.output)
        style_model = feedforward.load_model(args.model)
        names = style_model.style_names
        header = [None]
        samples = os.path.join(REPOSITORY, "nst_tf", "samples")
        for path in style_model.metadata.get("styles", []):
            # Shipped networks name their styles by file name only: look among the samples.
            path = path if os.path.isfile(path) else os.path.join(samples, os.path.basename(path))
            header.append(images.load_image(path) if os.path.isfile(path) else None)
        choices = [style_model.style_weights(i) for i in range(len(names))]
        if len(names) > 1:
            choices.append(style_model.style_weights(blend=[1.0] * len(names)))
        rows = [header]
        for path in args.content:
            content = images.resize_longest(images.load_image(path), args.size)
            rows.append([content, *(style_model.stylize(content[None], w)[0] for w in choices)])
        images.save_image(args.output, gallery.compose(rows, args.cell, args.caption))
    except NstError as error:
        print(f"gallery_models: error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {args.output} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
