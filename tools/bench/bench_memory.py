"""Benchmark of large images under a memory limit: the chosen schedule, its time and peak memory.

For each size, one `nst_tf.stylize` run in its own subprocess (so the peak resident memory is
its own) under `--max-memory`: the schedule it chose (pyramid levels, whole or tiled), the
estimated and the measured peak, the wall time (network building and tracing included) and the
final weighted losses. Whole-image runs under a generous limit check the memory model
(encoders.vgg_layers.estimate_memory_bytes). `--seams` writes a crop across tile boundaries of
the largest tiled result, to look at.

Run from the repository root, niced, in the background (the 4096 px run takes about half an
hour on 2 shared cores):

    nice -n 10 python -m tools.bench.bench_memory --sizes 1024 2048 4096 --iterations 2 --scales 3 \
        --max-memory 8G --seams docs/tiled_seams.jpg
    nice -n 10 python -m tools.bench.bench_memory --sizes 512 --iterations 20 --scales 1 \
        --max-memory 2.2G --tile-passes 1 --score --out /tmp/passes.json   # compare schedules
"""

import argparse
import os
import sys
import time

from tools import benchmarks

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # before any TensorFlow import


SEAM_CROP = 256  # px of the result around a point where tiles meet
SEAM_ZOOM = 2


def parse_args(argv):
    """Parses the command line.

    Args:
      argv: arguments without the program name.

    Returns:
      argparse.Namespace.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    benchmarks.add_image_flags(parser)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1024, 2048, 4096])
    parser.add_argument("--iterations", type=int, default=2, help="L-BFGS iterations at full size")
    parser.add_argument("--scales", type=int, default=None, help="pyramid levels (default: auto)")
    parser.add_argument("--max-memory", default="8G", help="memory limit, such as 8G")
    parser.add_argument("--tile-passes", type=int, default=1)
    parser.add_argument("--vgg", default="vgg16", choices=["vgg16", "vgg19"])
    parser.add_argument(
        "--precision", default="auto", choices=["auto", "float32", "bfloat16"],
        help="the loss network's number format",
    )  # fmt: skip
    benchmarks.add_vgg_weights_flag(parser)
    parser.add_argument("--out", default="bench_results/bench_memory.json", help="JSON path")
    parser.add_argument("--images", default="/tmp/bench_memory", help="folder for the results")
    parser.add_argument("--seams", help="write a crop across tile boundaries here (.jpg)")
    parser.add_argument(
        "--score",
        action="store_true",
        help="also score each result whole (one objective for every schedule; sizes that fit)",
    )
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def run_one(size, args):
    """Runs one size in this process.

    Returns:
      dict of measurements (JSON-serialisable).
    """
    import nst_tf
    from nst_tf.encoders import precision

    weights = None if args.vgg_weights == "none" else args.vgg_weights
    started = time.perf_counter()
    result = nst_tf.stylize(
        args.content, args.style, size=size, iterations=args.iterations, scales=args.scales,
        max_memory=args.max_memory, tile_passes=args.tile_passes, vgg=args.vgg,
        vgg_weights=weights, progress=False, precision=args.precision,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    os.makedirs(args.images, exist_ok=True)
    image_path = os.path.join(args.images, f"bench_memory_{size}.png")
    nst_tf.save_image(image_path, result.image)
    schedule = result.schedule
    height, width = result.image.shape[:2]
    last = result.history[-1]
    scores = whole_image_losses(result.image, args, weights) if args.score else None
    return {
        "size": [width, height],
        "precision": precision.resolve(args.precision),
        "whole_image_losses": scores,
        "schedule": schedule.describe(),
        "levels": [
            {"shape": list(level.shape), "iterations": level.iterations, "tile": level.tile}
            for level in schedule.levels
        ],
        "overlap": schedule.overlap,
        "seconds": round(seconds, 1),
        "estimated_peak_mib": round(schedule.peak_bytes / 2**20),
        "peak_rss_mib": round(benchmarks.peak_rss_mib()),
        "evaluations": last["evaluations"],
        "final": {name: last[name] for name in ("style", "content", "tv", "total")},
        "image": image_path,
    }


def whole_image_losses(image, args, weights):
    """The weighted losses of a result as one image (the objective of an untiled run with the
    default options and the style at the result's size), to compare schedules."""
    import tensorflow as tf

    from nst_tf.encoders import vgg
    from nst_tf.io import image_io
    from nst_tf.optimize.objective import Objective
    from nst_tf.optimize.options import Options

    options = Options(vgg=args.vgg, vgg_weights=weights, xla=False)
    layers = options.resolved_style_layers() + list(options.content_layers)
    network = vgg.build_loss_network(layers, args.vgg, weights, options.pooling)
    shape = image.shape[:2]
    content = image_io.resize(image_io.load_image(args.content), shape)
    style = image_io.load_image(args.style)
    style = image_io.resize(style, image_io.scaled_size(*style.shape[:2], max(shape)))
    objective = Objective(network, options, shape, content, [style], [1.0])
    parts = objective.losses(tf.constant(image[None]))
    return {name: float(parts[name]) for name in ("style", "content", "tv", "total")}


def write_seam_crop(result, path):
    """Writes a crop of a tiled result centred on the corner of a tile, zoomed, with a
    caption naming the loss network; the tile borders are marked outside the crop."""
    import numpy as np
    from PIL import Image, ImageDraw

    from nst_tf import tiling
    from nst_tf.io import image_io

    level = result["levels"][-1]
    height, width = level["shape"]
    overlap = result["overlap"]
    image = image_io.load_image(result["image"])
    rows = tiling.tile_spans(height, level["tile"], overlap)
    columns = tiling.tile_spans(width, level["tile"], overlap)
    # Centred where the second tile on each axis begins: its weight rises from zero there.
    middle_y = rows[1][0] if len(rows) > 1 else height // 2
    middle_x = columns[1][0] if len(columns) > 1 else width // 2
    top = int(np.clip(middle_y - SEAM_CROP // 2, 0, height - SEAM_CROP))
    left = int(np.clip(middle_x - SEAM_CROP // 2, 0, width - SEAM_CROP))
    crop = Image.fromarray(image[top : top + SEAM_CROP, left : left + SEAM_CROP].astype(np.uint8))
    crop = crop.resize((SEAM_CROP * SEAM_ZOOM,) * 2, Image.NEAREST)
    margin, caption = 14, 40
    canvas = Image.new(
        "RGB", (crop.width + 2 * margin, crop.height + 2 * margin + caption), "white"
    )
    canvas.paste(crop, (margin, margin))
    draw = ImageDraw.Draw(canvas)
    for start, end in columns[1:]:  # tile borders: ticks above the crop
        for x in (start, columns[columns.index((start, end)) - 1][1]):
            if left <= x < left + SEAM_CROP:
                cx = margin + (x - left) * SEAM_ZOOM
                draw.line([(cx, 0), (cx, margin - 2)], fill="red", width=2)
    for start, end in rows[1:]:
        for y in (start, rows[rows.index((start, end)) - 1][1]):
            if top <= y < top + SEAM_CROP:
                cy = margin + (y - top) * SEAM_ZOOM
                draw.line([(0, cy), (margin - 2, cy)], fill="red", width=2)
    draw.text(
        (margin, crop.height + 2 * margin),
        f"{SEAM_CROP} px crop of the {width}x{height} result, {SEAM_ZOOM}x; red ticks: tile edges "
        f"(overlap {overlap} px)\nloss network: stand-in VGG16 (HED edge weights), not ImageNet",
        fill="black",
    )
    image_io.save_image(path, np.asarray(canvas))
    print(f"wrote {path}")


def format_table(results):
    """The results as a plain-text table."""
    header = ("size", "precision", "seconds", "peak MiB", "estimate MiB", "evals", "whole total",
              "schedule")  # fmt: skip
    rows = []
    for r in results:
        if "error" in r:
            rows.append((str(r["size"]), "failed: " + r["error"]))
            continue
        rows.append((
            "x".join(map(str, r["size"])), r.get("precision", "float32"), f"{r['seconds']:.0f}",
            str(r["peak_rss_mib"]),
            str(r["estimated_peak_mib"]), str(r["evaluations"]),
            f"{r['whole_image_losses']['total']:.4g}" if r.get("whole_image_losses") else "-",
            r["schedule"].removeprefix("schedule: ").split(";")[0],
        ))  # fmt: skip
    return benchmarks.format_table(header, rows)


def main(argv=None):
    """Runs the benchmark (or, with `--one`, one size) and reports it.

    Returns:
      exit status: 0, or 1 if any size failed.
    """
    argv = sys.argv[1:] if argv is None else argv
    args, results = benchmarks.run_benchmark(
        __file__, argv, parse_args, run_one, "size", format_table
    )
    if results is None:
        return 0
    tiled = [r for r in results if "error" not in r and r["levels"][-1]["tile"]]
    if args.seams and tiled:
        write_seam_crop(tiled[-1], args.seams)
    return 1 if any("error" in result for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
