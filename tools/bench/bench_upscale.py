"""Benchmark of x4 super-resolution: the perceptual-loss network against bicubic and against the
pixel-loss network of the same architecture, on held-out photos.

The photos are the HELD_OUT files of ../shared/images/train (BSDS500), which the shipped
networks never saw: each is cut to a multiple of 4, shrunk x4 (bicubic, antialiased, as in
training) and upscaled back by each method. Measured against the original: PSNR and SSIM
(RGB, 0-255) and the feature distance, the mean squared difference of relu2_2 (block2_conv2)
activations of the stand-in VGG16 (HED edge-detector weights, not ImageNet) — the very layer
the perceptual network was trained on. Speed: milliseconds per megapixel of output of each
network on a 256x256 input (1024x1024 out), the median of 3 runs after a warm-up, on the
machine it ran on (the 2-core VM was shared with other jobs). It also writes the gallery crop
docs/upscale.jpg (low resolution, bicubic, pixel-loss network, perceptual network, original) of
a bundled photo (nst_tf/samples/chelsea.jpg, CC0; the BSDS500 photos may not be published).

`--training-folder DIR` instead writes DIR: links to the training photos minus HELD_OUT, the
--data the shipped networks were trained on.

Run from the repository root, niced (114 s of wall time on the shared 2-core VM at a load
average of 15):

    nice -n 10 python -m tools.bench.bench_upscale
"""

import argparse
import os
import statistics
import sys
import time

from tools import benchmarks

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow is imported


PHOTOS = os.path.join(os.path.dirname(benchmarks.REPOSITORY), "shared", "images", "train")
VGG_WEIGHTS = os.path.join(
    os.path.dirname(benchmarks.REPOSITORY), "shared", "weights", "vgg16_hed_bsds500_notop.h5"
)
SHIPPED = os.path.join(benchmarks.REPOSITORY, "exported_models", "superres")
# Every 15th photo of the sorted folder: 20 photos never used in training.
HELD_OUT = (
    "100075 108005 12003 138032 15004 16052 175032 187071 20008 22090 "
    "238011 25098 277095 301007 33039 370036 41033 55067 66039 8049"
).split()
FACTOR = 4
METHODS = ("bicubic", "pixel-loss net", "perceptual net")
# The gallery crop: (bundled photo, top, left, side) at high resolution.
GALLERY_CROP = (
    os.path.join(benchmarks.REPOSITORY, "nst_tf", "samples", "chelsea.jpg"),
    60,
    150,
    160,
)


def parse_args(argv):
    """Parses the command line (arguments without the program name)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", default=PHOTOS, help="folder holding the HELD_OUT photos")
    parser.add_argument(
        "--perceptual", default=os.path.join(SHIPPED, "upscale_x4.keras"), help=".keras network"
    )
    parser.add_argument(
        "--pixel", default=os.path.join(SHIPPED, "upscale_x4_pixel.keras"), help=".keras network"
    )
    parser.add_argument("--vgg-weights", default=VGG_WEIGHTS, help="loss network weights")
    parser.add_argument("--gallery", default="docs/upscale.jpg", help="gallery crop path")
    parser.add_argument("--out", default="bench_results/bench_upscale.json", help="JSON path")
    parser.add_argument("--training-folder", help="write the training folder here and stop")
    return parser.parse_args(argv)


def write_training_folder(photos, folder):
    """Links every photo of `photos` except HELD_OUT into `folder`; returns how many."""
    os.makedirs(folder, exist_ok=True)
    count = 0
    for name in sorted(os.listdir(photos)):
        if os.path.splitext(name)[0] not in HELD_OUT:
            os.symlink(os.path.abspath(os.path.join(photos, name)), os.path.join(folder, name))
            count += 1
    return count


def held_out_photos(folder):
    """The HELD_OUT photos, cut to a multiple of FACTOR: {name: float32 (h, w, 3)}."""
    from nst_tf.io import files, image_io

    paths = {os.path.splitext(os.path.basename(p))[0]: p for p in files.list_image_files(folder)}
    photos = {}
    for name in HELD_OUT:
        image = image_io.load_image(paths[name])
        height, width = (side - side % FACTOR for side in image.shape[:2])
        photos[name] = image[:height, :width]
    return photos


def milliseconds_per_megapixel(upscaler):
    """Median ms per output megapixel of the network on a 256x256 input (3 runs after one)."""
    import numpy as np

    image = np.random.default_rng(0).uniform(0, 255, (256, 256, 3)).astype(np.float32)
    upscaler.upscale(image, FACTOR)
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        upscaler.upscale(image, FACTOR)
        runs.append(time.perf_counter() - started)
    return 1000 * statistics.median(runs) / (256 * FACTOR * 256 * FACTOR / 1e6)


def upscaled(photo, networks):
    """The photo shrunk x FACTOR ("low") and brought back by each method: {name: image}."""
    import numpy as np
    import tensorflow as tf

    from nst_tf.superres import upscaler_input

    low = upscaler_input.downscale(tf.constant(photo[None]), FACTOR).numpy()[0]
    bicubic = tf.image.resize(low[None], photo.shape[:2], method="bicubic").numpy()[0]
    versions = {"low": low, "bicubic": np.clip(bicubic, 0, 255)}
    versions.update({method: net.upscale(low, FACTOR) for method, net in networks.items()})
    return versions


def gallery(networks, path):
    """Writes the gallery crop: low resolution (nearest), each method, original; labelled."""
    import numpy as np
    from PIL import Image, ImageDraw

    from nst_tf.io import image_io

    source, top, left, side = GALLERY_CROP
    photo = image_io.load_image(source)
    photo = photo[
        : photo.shape[0] - photo.shape[0] % FACTOR, : photo.shape[1] - photo.shape[1] % FACTOR
    ]
    versions = upscaled(photo, networks)
    low_side = side // FACTOR
    low = versions["low"][top // FACTOR :][:low_side, left // FACTOR :][:, :low_side]
    panels = [("low resolution", np.repeat(np.repeat(low, FACTOR, 0), FACTOR, 1))]
    panels += [
        (method, versions[method][top : top + side, left : left + side]) for method in METHODS
    ]
    panels.append(("original", photo[top : top + side, left : left + side]))
    scale = 2  # shown at 2x (nearest) so single pixels stay visible
    cells = []
    for label, panel in panels:
        cell = Image.fromarray(image_io.to_uint8(panel)).resize(
            (side * scale, side * scale), Image.NEAREST
        )
        canvas = Image.new("RGB", (side * scale, side * scale + 18), "white")
        canvas.paste(cell, (0, 18))
        ImageDraw.Draw(canvas).text((4, 3), label, fill="black")
        cells.append(np.asarray(canvas))
    gap = np.full((cells[0].shape[0], 6, 3), 255, np.uint8)
    row = np.concatenate([part for cell in cells for part in (cell, gap)][:-1], axis=1)
    image_io.save_image(path, row)


def main(argv):
    """Runs the benchmark, prints the table, writes the JSON report; returns the exit code."""
    args = parse_args(argv)
    if args.training_folder:
        print(f"linked {write_training_folder(args.photos, args.training_folder)} photos")
        return 0
    report = benchmarks.Report(vars(args))
    import numpy as np
    import tensorflow as tf

    from nst_tf.encoders import vgg
    from nst_tf.superres import upscaling
    from nst_tf.superres.upscaler_config import FEATURE_LAYER

    photos = held_out_photos(args.photos)
    networks = {
        "pixel-loss net": upscaling.load_upscaler(args.pixel),
        "perceptual net": upscaling.load_upscaler(args.perceptual),
    }
    loss_network = vgg.build_loss_network([FEATURE_LAYER], "vgg16", weights=args.vgg_weights)
    outputs = {"low": {}, **{method: {} for method in METHODS}}
    for name, photo in photos.items():
        for method, image in upscaled(photo, networks).items():
            outputs[method][name] = image

    def measures(image, photo):
        pair = tf.constant(np.stack([image, photo]))
        features = loss_network(pair)[FEATURE_LAYER]
        return {
            "psnr": float(tf.image.psnr(pair[:1], pair[1:], 255.0)[0]),
            "ssim": float(tf.image.ssim(pair[:1], pair[1:], 255.0)[0]),
            "feature_distance": float(tf.reduce_mean(tf.square(features[0] - features[1]))),
        }

    results = {}
    for method in METHODS:
        per_photo = {name: measures(outputs[method][name], photos[name]) for name in photos}
        results[method] = {
            key: round(statistics.mean(m[key] for m in per_photo.values()), 4)
            for key in ("psnr", "ssim", "feature_distance")
        }
        results[method]["per_photo"] = per_photo
    bicubic_distance = results["bicubic"]["feature_distance"]
    for method in METHODS:
        results[method]["feature_distance_vs_bicubic"] = round(
            results[method]["feature_distance"] / bicubic_distance - 1, 4
        )
    for method, upscaler in networks.items():
        results[method]["ms_per_output_megapixel"] = round(milliseconds_per_megapixel(upscaler), 1)
        results[method]["steps"] = upscaler.metadata.get("steps")
    gallery(networks, args.gallery)
    header = ("x4 method", "PSNR dB", "SSIM", "relu2_2 dist", "vs bicubic", "ms/MP out")
    rows = [
        (
            method,
            f"{results[method]['psnr']:.2f}",
            f"{results[method]['ssim']:.4f}",
            f"{results[method]['feature_distance']:.1f}",
            f"{100 * results[method]['feature_distance_vs_bicubic']:+.1f} %",
            f"{results[method].get('ms_per_output_megapixel', float('nan')):.0f}",
        )
        for method in METHODS
    ]
    print(f"{len(photos)} held-out photos, x{FACTOR}")
    print(benchmarks.format_table(header, rows))
    report.write(args.out, results)
    print(f"wrote {args.gallery}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
