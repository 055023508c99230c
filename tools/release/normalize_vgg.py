"""Writes Gatys' normalised VGG (every filter's mean activation over a folder of images is 1).

The result loads like any weights file (`nst-tf stylize ... --vgg-weights FILE`); see
nst_tf/vgg_normalization.py for the method. Example, with the stand-in VGG16:

  nice -n 10 python -m tools.release.normalize_vgg --images ../shared/images/content --vgg vgg16 \
      --vgg-weights ../shared/weights/vgg16_hed_bsds500_notop.h5 -o vgg16_normalised.weights.h5
"""

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow is imported

from nst_tf.encoders import normalization as vgg_normalization
from nst_tf.errors import NstError


def main(argv=None):
    """Computes and writes the weights; returns the exit code (2 for an input error)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", required=True, help="folder of images to measure on")
    parser.add_argument("--vgg", choices=["vgg16", "vgg19"], default="vgg19")
    parser.add_argument("--vgg-weights", default="default", help="original weights file")
    parser.add_argument("--size", type=int, default=256, help="longest side images are resized to")
    parser.add_argument("-o", "--output", required=True, help="weights file (.weights.h5)")
    args = parser.parse_args(argv)
    try:
        means = vgg_normalization.write_normalized_weights(
            args.vgg, args.vgg_weights, args.images, args.size, args.output
        )
    except NstError as error:
        print(f"normalize_vgg: error: {error}", file=sys.stderr)
        return 2
    for name, mean in means.items():
        print(f"{name:14s} mean activation before: {mean.mean():10.4g} (channel median "
              f"{float(sorted(mean)[len(mean) // 2]):.4g})")  # fmt: skip
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
