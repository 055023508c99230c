"""Renders docs/semantic.jpg: semantic guidance against unguided transfer.

The launch pad photo (rocket.jpg of ../shared, SpaceX, public domain) in the style of Starry
Night: unguided, the painting's statistics land anywhere (the stars' yellow at the lights on the
ground); guided (`--label-map` + `--style-label-map`), sky goes to sky and the structures to the
cypress and the village. The label maps are made here: the photo's sky by its colour, the
painting's cypress and village by a polygon and a skyline drawn once by hand.

    NST_TF_VGG_WEIGHTS=../shared/weights/vgg16_hed_bsds500_notop.h5 python -m tools.gallery.gallery_semantic

The optimisations use the stand-in VGG16 (HED edge-detector weights, not ImageNet VGG): 256 px,
150 L-BFGS iterations, style weight 10.
"""

import argparse
import os
import sys

import cv2
import numpy as np

from nst_tf.io import image_io
from tools import REPOSITORY
from tools.gallery.controls_gallery import compose

REPO = REPOSITORY
CONTENT = os.path.join(REPO, "..", "shared", "images", "content", "rocket.jpg")
STYLE = os.path.join(REPO, "nst_tf", "samples", "starry_night.jpg")
SKY, GROUND = 1, 2
# Starry Night's cypress (x, y as fractions of the width and height) and its skyline: below it,
# the hills and the village.
CYPRESS = [(0.08, 1.0), (0.12, 0.55), (0.14, 0.30), (0.17, 0.08), (0.20, 0.05), (0.22, 0.25),
           (0.26, 0.55), (0.33, 0.80), (0.36, 1.0)]  # fmt: skip
SKYLINE = ([0, 0.35, 0.6, 0.8, 1.0], [0.80, 0.80, 0.78, 0.64, 0.60])


def photo_labels(photo):
    """The launch pad photo: sky where blue clearly dominates red, above the ground."""
    sky = photo[..., 2] - photo[..., 0] > 25
    sky[int(0.86 * photo.shape[0]) :] = False
    sky = cv2.morphologyEx(sky.astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    return np.where(sky > 0, SKY, GROUND).astype(np.float32)


def painting_labels(painting):
    """Starry Night: the cypress and everything below the skyline are ground, the rest sky."""
    height, width = painting.shape[:2]
    ground = np.zeros((height, width), np.uint8)
    cv2.fillPoly(ground, [(np.array(CYPRESS) * [width, height]).astype(np.int32)], 1)
    line = np.interp(np.arange(width) / width, *SKYLINE) * height
    ground |= (np.arange(height)[:, None] > line[None, :]).astype(np.uint8)
    return np.where(ground > 0, GROUND, SKY).astype(np.float32)


def overlay(image, labels):
    """The image with its ground region tinted red."""
    tinted = image.copy()
    ground = labels == GROUND
    tinted[ground] = 0.45 * tinted[ground] + 0.55 * np.array([230.0, 30.0, 30.0])
    return tinted


def main(argv=None):
    """Runs both optimisations and writes the sheet; returns the exit code."""
    import nst_tf

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--iterations", type=int, default=150)
    parser.add_argument("--cell", type=int, default=300)
    parser.add_argument("-o", "--output", default="docs/semantic.jpg")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    photo = image_io.resize_longest(image_io.load_image(CONTENT), args.size)
    painting = image_io.load_image(STYLE)
    labels, style_labels = photo_labels(photo), painting_labels(painting)
    settings = dict(iterations=args.iterations, vgg="vgg16", progress=True)
    unguided = nst_tf.stylize(photo, painting, **settings).image
    guided = nst_tf.stylize(
        photo, painting, label_map=labels, style_label_maps=[style_labels], **settings
    ).image
    rows = [[
        ("photo, ground in red", overlay(photo, labels)),
        ("painting, ground in red", overlay(painting, style_labels)),
        ("unguided", unguided),
        ("guided: sky to sky, ground to ground", guided),
    ]]  # fmt: skip
    image_io.save_image(args.output, compose(rows, args.cell))
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
