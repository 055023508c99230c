"""Benchmark of feed-forward style networks: training throughput and inference latency.

For each transformer variant ("standard": Johnson's widths, 5 residual blocks; "small") it
measures training images per second at 256 px (batch 4, VGG16 perceptual loss, the training
step as `nst-tf train` compiles it, random weights: speed does not depend on them), and the
milliseconds per image of `StyleModel.stylize` (the path of `nst-tf stylize --model`) at 256,
512 and 1024 px, batch 1. Each configuration runs in its own subprocess, so its peak resident
memory is its own.

Run from the repository root:

    python -m tools.bench.bench_feedforward
    python -m tools.bench.bench_feedforward --variants small --train-size 64 --sizes 64 --steps 3 \\
        --out /tmp/bench_ff.json
"""

import argparse
import os
import statistics
import sys
import time

from tools import benchmarks

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # before any TensorFlow import


VARIANTS = ("standard", "small")
SIZES = (256, 512, 1024)


def parse_args(argv):
    """Parses the command line (argv without the program name)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    parser.add_argument("--sizes", nargs="+", type=int, default=list(SIZES), help="inference px")
    parser.add_argument("--train-size", type=int, default=256, help="training crop px")
    parser.add_argument("--batch-size", type=int, default=4, help="training batch")
    parser.add_argument("--steps", type=int, default=6, help="timed training steps")
    parser.add_argument("--repeats", type=int, default=5, help="timed inference calls")
    parser.add_argument("--out", default="bench_results/bench_feedforward.json", help="JSON path")
    parser.add_argument(
        "--one", nargs=3, metavar=("KIND", "VARIANT", "SIZE"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if min(args.steps, args.repeats, args.batch_size, *args.sizes, args.train_size) < 1:
        parser.error("steps, repeats, batch size and sizes must be positive")
    return args


def train_throughput(variant, size, batch_size, steps):
    """Training images per second of one variant (first step, with compilation, not timed)."""
    import keras
    import numpy as np
    import tensorflow as tf

    from nst_tf import defaults
    from nst_tf.encoders import vgg as networks
    from nst_tf.feedforward import training, transformer
    from nst_tf.feedforward.perceptual_loss import PerceptualLoss

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    loss_network = networks.build_loss_network(
        [*defaults.FEEDFORWARD_CONTENT_LAYERS, *defaults.FEEDFORWARD_STYLE_LAYERS], "vgg16", None
    )
    style = rng.uniform(0, 255, (size, size, 3)).astype(np.float32)
    loss = PerceptualLoss(loss_network, [style], size, 1.0, 1e-3, 1e-2)
    model = transformer.build_transformer(1, variant)
    optimizer = keras.optimizers.Adam(1e-3)
    optimizer.build(model.trainable_variables)
    step = training._make_step(model, optimizer, loss, tf.distribute.get_strategy(), 1, True)
    images = tf.constant(rng.uniform(0, 255, (batch_size, size, size, 3)).astype(np.float32))
    indices = tf.zeros((batch_size,), tf.int32)
    started = time.perf_counter()
    float(step(images, indices)["total"])
    first = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(steps):
        float(step(images, indices)["total"])
    seconds = (time.perf_counter() - started) / steps
    return {
        "first_step_s": first,
        "step_s": seconds,
        "images_per_s": batch_size / seconds,
        "parameters": model.count_params(),
    }


def inference_latency(variant, size, repeats):
    """Milliseconds per image (batch 1) through StyleModel.stylize, median of `repeats`."""
    import keras
    import numpy as np

    from nst_tf.feedforward import model as feedforward
    from nst_tf.feedforward import transformer

    keras.utils.set_random_seed(0)
    model = transformer.build_transformer(1, variant)
    style_model = feedforward.StyleModel(model, {"style_names": ["x"]}, "")
    image = np.random.default_rng(0).uniform(0, 255, (1, size, size, 3)).astype(np.float32)
    weights = style_model.style_weights()
    style_model.stylize(image, weights)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        style_model.stylize(image, weights)
        times.append(time.perf_counter() - started)
    return {"ms_per_image": 1000 * statistics.median(times), "parameters": model.count_params()}


def run_one(kind, variant, size, args):
    describe = {"kind": kind, "variant": variant, "size": size}
    if kind == "train":
        result = train_throughput(variant, size, args.batch_size, args.steps)
    else:
        result = inference_latency(variant, size, args.repeats)
    return {**describe, **result, "peak_rss_mib": benchmarks.peak_rss_mib()}


def format_table(results):
    header = ("kind", "variant", "size", "result", "first step s", "params", "peak MiB")
    rows = []
    for r in results:
        cells = (r["kind"], r["variant"], str(r["size"]))
        if "error" in r:
            rows.append((*cells, "failed: " + r["error"]))
        elif r["kind"] == "train":
            rows.append((*cells, f"{r['images_per_s']:.2f} img/s ({r['step_s']:.2f} s/step)",
                         f"{r['first_step_s']:.1f}", f"{r['parameters']:,}",
                         f"{r['peak_rss_mib']:.0f}"))  # fmt: skip
        else:
            rows.append((*cells, f"{r['ms_per_image']:.0f} ms/image", "",
                         f"{r['parameters']:,}", f"{r['peak_rss_mib']:.0f}"))  # fmt: skip
    return benchmarks.format_table(header, rows)


def main(argv=None):
    """Runs the benchmark (or, with `--one`, one configuration) and reports it."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.one:
        kind, variant, size = args.one
        benchmarks.print_result(run_one(kind, variant, int(size), args))
        return 0
    report = benchmarks.Report(
        {
            "train_size": args.train_size,
            "batch_size": args.batch_size,
            "steps": args.steps,
            "repeats": args.repeats,
            "loss_network": "vgg16 (random weights)",
        }
    )
    configurations = [("train", v, args.train_size) for v in args.variants]
    configurations += [("infer", v, s) for v in args.variants for s in args.sizes]
    results = []
    for kind, variant, size in configurations:
        print(f"running {kind} {variant} at {size} px ...", file=sys.stderr, flush=True)
        arguments = ["--one", kind, variant, str(size), "--steps", str(args.steps),
                     "--repeats", str(args.repeats), "--batch-size", str(args.batch_size)]  # fmt: skip
        results.append(
            benchmarks.run_subprocess(
                __file__, arguments, {"kind": kind, "variant": variant, "size": size}
            )
        )
    print(format_table(results))
    report.write(args.out, results)
    return 1 if any("error" in r for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
