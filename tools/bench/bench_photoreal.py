"""Benchmark of photorealistic transfer: structure kept and colour taken, per method.

For each (content photo, style photo) pair of the bundled samples it measures, on the result:
structure kept, the SSIM of its luminance edges against the content's (1: every edge in place),
and colour taken, the Hellinger distance of its colour histogram to the style's (0: the style's
colours), with the seconds spent. Methods: the content itself (for reference); the old
`--preset photorealistic` (today's main before issue 15: init content, content weight 5,
histogram colour matching); the matting Laplacian term alone (the new preset without its
smoothing); the new preset (matting term, then the closed-form smoothing); the one-pass fast path,
and the fast path followed by the smoothing. Optimisations use L-BFGS on the loss network that
NST_TF_VGG_WEIGHTS names (the stand-in VGG16: HED edge-detector weights, not ImageNet VGG).
Result images are saved in --images for tools/gallery/gallery_photoreal.py.

Run from the repository root, niced (568 s of wall time at the defaults on the shared 2-core VM
with a load average of 10; four 60-iteration optimisations at 256 px):

    NST_TF_VGG_WEIGHTS=../shared/weights/vgg16_hed_bsds500_notop.h5 \\
        nice -n 10 python -m tools.bench.bench_photoreal
"""

import argparse
import os
import sys
import time

from tools import benchmarks

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow is imported


SAMPLES = os.path.join(benchmarks.REPOSITORY, "nst_tf", "samples")
# (content, style): bundled photos only (public domain or CC0).
PAIRS = (("astronaut", "coffee"), ("chelsea", "astronaut"))
# `--preset photorealistic` as it was before the matting term (main at 5a83b37).
OLD_PRESET = {"init": "content", "content_weight": 5.0, "preserve_colors": "histogram"}
METHODS = ("content", "old preset", "matting term", "new preset", "fast", "fast + smoothing")


def parse_args(argv):
    """Parses the command line (arguments without the program name)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=256, help="longest side of the results, px")
    parser.add_argument("--iterations", type=int, default=60, help="L-BFGS iterations")
    parser.add_argument("--vgg", default="vgg16", choices=("vgg16", "vgg19"))
    parser.add_argument("--images", default="/tmp/nst_photoreal", help="folder for the results")
    parser.add_argument("--out", default="bench_results/bench_photoreal.json", help="JSON path")
    args = parser.parse_args(argv)
    if args.size < 16 or args.iterations < 1:
        parser.error("--size must be at least 16 and --iterations at least 1")
    return args


def results_of_pair(content_name, style_name, args):
    """Runs every method on one pair; returns {method: (image, seconds)}."""
    import nst_tf
    from nst_tf.io import image_io
    from nst_tf.photoreal import smoothing

    content = image_io.resize_longest(
        image_io.load_image(os.path.join(SAMPLES, f"{content_name}.jpg")), args.size
    )
    style = image_io.load_image(os.path.join(SAMPLES, f"{style_name}.jpg"))
    common = {"iterations": args.iterations, "vgg": args.vgg, "progress": False}

    def timed(function, *arguments, **options):
        started = time.perf_counter()
        return function(*arguments, **options), time.perf_counter() - started

    old, old_seconds = timed(nst_tf.stylize, content, style, **OLD_PRESET, **common)
    term, term_seconds = timed(
        nst_tf.stylize, content, style, preset="photorealistic", photo_smoothing=0.0, **common
    )
    smoothed, smooth_seconds = timed(smoothing.photo_smooth, term.image, content, 1.0)
    fast, fast_seconds = timed(nst_tf.stylize_fast, content, style)
    fast_smoothed, fast_smooth_seconds = timed(smoothing.photo_smooth, fast, content, 1.0)
    return {
        "content": (content, 0.0),
        "old preset": (old.image, old_seconds),
        "matting term": (term.image, term_seconds),
        "new preset": (smoothed, term_seconds + smooth_seconds),
        "fast": (fast, fast_seconds),
        "fast + smoothing": (fast_smoothed, fast_seconds + fast_smooth_seconds),
    }


def image_path(folder, content_name, style_name, method):
    """Where a result image is saved: FOLDER/CONTENT-STYLE-METHOD.png."""
    return os.path.join(folder, f"{content_name}-{style_name}-{method.replace(' ', '_')}.png")


def main(argv=None):
    """Runs the benchmark, prints the table, writes the JSON report; returns the exit code."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    report = benchmarks.Report(vars(args))
    from nst_tf import metrics
    from nst_tf.io import image_io

    os.makedirs(args.images, exist_ok=True)
    rows, results = [], []
    for content_name, style_name in PAIRS:
        style = image_io.load_image(os.path.join(SAMPLES, f"{style_name}.jpg"))
        outcomes = results_of_pair(content_name, style_name, args)
        content = outcomes["content"][0]
        for method in METHODS:
            image, seconds = outcomes[method]
            image_io.save_image(image_path(args.images, content_name, style_name, method), image)
            result = {
                "content": content_name,
                "style": style_name,
                "method": method,
                "structure_kept": round(metrics.structure_kept(image, content), 3),
                "color_distance": round(metrics.color_distance(image, style), 3),
                "seconds": round(seconds, 1),
            }
            results.append(result)
            rows.append(
                (
                    f"{content_name} x {style_name}",
                    method,
                    f"{result['structure_kept']:.3f}",
                    f"{result['color_distance']:.3f}",
                    f"{seconds:.1f}",
                )
            )
            print(*rows[-1], sep="  ", flush=True)
    header = ("pair", "method", "structure kept", "colour distance", "seconds")
    print(benchmarks.format_table(header, rows))
    report.write(args.out, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
