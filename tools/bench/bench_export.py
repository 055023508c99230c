"""Benchmark of exported style networks: latency, file size and parity with Keras.

For one trained network it measures the milliseconds per image (batch 1, median of repeats)
of the Keras model (`StyleModel.stylize`), the SavedModel's serving_default signature (uint8)
at several sizes, and TFLite float32 / float16 / dynamic / int8 run with LiteRT
(XNNPACK, 2 threads) at the fixed TFLite size; the export's size on disk; and the PSNR of each
export against the Keras model on the bundled sample photos. Each export runs in its own
subprocess, so its peak resident memory is its own.

Run from the repository root:

    python -m tools.bench.bench_export --model runs/starry
    python -m tools.bench.bench_export --model runs/x --sizes 64 --tflite-size 64x64 --repeats 2 \\
        --out /tmp/bench_export.json
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

from tools import benchmarks

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # before any TensorFlow import


REPO = benchmarks.REPOSITORY
TFLITE_KINDS = ("none", "float16", "dynamic", "int8")


def parse_args(argv):
    """Parses the command line (argv without the program name)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="A .keras network or a training run folder")
    parser.add_argument("--model-style", default=None, help="Style to export (default: first)")
    parser.add_argument("--sizes", nargs="+", type=int, default=[256, 512, 1024], help="px")
    parser.add_argument("--tflite-size", default="384x384", help="TFLite input HxW")
    parser.add_argument(
        "--representative-data",
        default=os.path.join(REPO, "..", "shared", "images", "train"),
        help="int8 calibration photos (not the measured ones)",
    )
    parser.add_argument("--repeats", type=int, default=5, help="timed calls per measurement")
    parser.add_argument("--out", default="bench_results/bench_export.json", help="JSON path")
    parser.add_argument("--one", nargs=1, metavar="KIND", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _median_ms(function, repeats):
    function()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def _photos(size):
    from nst_tf.io import image_io as images

    paths = [os.path.join(REPO, "nst_tf", "samples", name) for name in benchmarks.PARITY_PHOTOS]
    return [images.resize(images.load_image(path), size) for path in paths]


def run_one(kind, args):
    """Measures one export kind: "keras", "saved_model" or a TFLite quantisation."""
    import numpy as np
    import tensorflow as tf

    from nst_tf.export import parity, saved_model, tflite
    from nst_tf.feedforward import lite_model
    from nst_tf.feedforward import model as feedforward
    from nst_tf.io import image_io as images

    style_model = feedforward.load_model(args.model)
    weights = style_model.style_weights(args.model_style)
    height, width = (int(v) for v in args.tflite_size.lower().split("x"))
    result = {"kind": kind}
    if kind == "keras":
        for size in args.sizes:
            image = _photos((size, size))[0][None]
            result[f"ms_{size}"] = _median_ms(
                lambda image=image: style_model.stylize(image, weights), args.repeats
            )
        result["bytes"] = os.path.getsize(style_model.path)
    elif kind == "saved_model":
        with tempfile.TemporaryDirectory() as folder:
            path = saved_model.export_saved_model(style_model, os.path.join(folder, "m"), weights)
            serve = tf.saved_model.load(path).signatures["serving_default"]
            for size in args.sizes:
                image = tf.constant(images.to_uint8(_photos((size, size))[0])[None])
                result[f"ms_{size}"] = _median_ms(
                    lambda image=image: serve(images=image), args.repeats
                )
            photos = _photos((height, width))
            outputs = [serve(images=tf.constant(images.to_uint8(p)[None]))["stylized"][0].numpy()
                       for p in photos]  # fmt: skip
            expected = [style_model.stylize(images.to_uint8(p)[None].astype(np.float32), weights)[0]
                        for p in photos]  # fmt: skip
            result["psnr_db"] = min(parity.psnr(e, o) for e, o in zip(expected, outputs))
            result["bytes"] = benchmarks.folder_bytes(path)
    else:
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "m.tflite")
            representative = None
            if kind == "int8":
                representative = tflite.calibration_images(args.representative_data)
            result["bytes"] = tflite.export_tflite(
                style_model, path, weights, kind, (height, width), representative
            )
            lite = lite_model.LiteStyleModel(path, threads=2)
            photos = _photos((height, width))
            result[f"ms_{height}x{width}"] = _median_ms(
                lambda: lite.stylize(photos[0]), args.repeats
            )
            result["psnr_db"] = min(
                parity.psnr(style_model.stylize(p[None], weights)[0], lite.stylize(p))
                for p in photos
            )
    result["peak_rss_mib"] = benchmarks.peak_rss_mib()
    return result


def format_table(results, sizes, tflite_size):
    header = ("export", *(f"{s} px ms" for s in sizes), f"{tflite_size} ms", "MB", "PSNR dB",
              "peak MiB")  # fmt: skip
    rows = []
    for r in results:
        if "error" in r:
            rows.append((r["kind"], "failed: " + r["error"]))
            continue
        cells = [f"{r[f'ms_{s}']:.0f}" if f"ms_{s}" in r else "" for s in sizes]
        cells.append(f"{r[f'ms_{tflite_size}']:.0f}" if f"ms_{tflite_size}" in r else "")
        psnr = f"{r['psnr_db']:.1f}" if "psnr_db" in r else "(reference)"
        rows.append((r["kind"], *cells, f"{r['bytes'] / 1e6:.2f}", psnr,
                     f"{r['peak_rss_mib']:.0f}"))  # fmt: skip
    return benchmarks.format_table(header, rows)


def main(argv=None):
    """Runs the benchmark (or, with `--one`, one export kind) and reports it."""
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    if args.one:
        benchmarks.print_result(run_one(args.one[0], args))
        return 0
    report = benchmarks.Report({k: v for k, v in vars(args).items() if k != "one"})
    results = []
    for kind in ("keras", "saved_model", *TFLITE_KINDS):
        print(f"running {kind} ...", file=sys.stderr, flush=True)
        results.append(benchmarks.run_subprocess(__file__, [*argv, "--one", kind], {"kind": kind}))
    print(format_table(results, args.sizes, args.tflite_size.lower()))
    report.write(args.out, results)
    return 1 if any("error" in r for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
