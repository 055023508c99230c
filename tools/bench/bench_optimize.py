"""Benchmark of `nst_tf.stylize` against a bare forward+backward of the loss network.

For each loss network and square image size it measures the time of one bare forward+backward
pass of the VGG loss network (default content + style layers, random weights), the seconds per
iteration of L-BFGS and Adam in `stylize` (tracing and first calls excluded), their ratios to
the bare pass compiled as the library compiles it, with XLA (target: at most 1.10) and the peak resident memory. Each configuration runs in its
own subprocess so that the peak memory is its own.

Run from the repository root (quietly: it is CPU-bound and takes minutes at 512 px):

    python -m tools.bench.bench_optimize                        # vgg19, vgg16 at 256 and 512 px
    python -m tools.bench.bench_optimize --sizes 64 --iterations 3 --out /tmp/bench_small.json
"""

import argparse
import os
import statistics
import sys
import time

from tools import benchmarks

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # before any TensorFlow import


ARCHS = ("vgg19", "vgg16")
SIZES = (256, 512)
TARGET_RATIO = 1.10


def parse_args(argv):
    """Parses the command line.

    Args:
      argv: arguments without the program name.

    Returns:
      argparse.Namespace.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archs", nargs="+", default=list(ARCHS), choices=ARCHS)
    parser.add_argument("--sizes", nargs="+", type=int, default=list(SIZES), help="square px")
    parser.add_argument("--iterations", type=int, default=10, help="iterations of each optimizer")
    parser.add_argument("--repeats", type=int, default=5, help="timed calls of the bare pass")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random images")
    parser.add_argument("--out", default="bench_results/bench_optimize.json", help="JSON path")
    parser.add_argument("--one", nargs=2, metavar=("ARCH", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.iterations < 2:
        parser.error("--iterations must be at least 2 (the first iteration is not timed)")
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    return args


def bare_pass_seconds(network, size, repeats, jit_compile):
    """Median time of one forward+backward pass of the loss network w.r.t. the input image.

    Args:
      network: keras.Model returning a dict of activations.
      size: side of the square image in px.
      repeats: number of timed calls after one warm-up (tracing) call.
      jit_compile: compile with XLA, as the library's objective is.

    Returns:
      seconds, a float.
    """
    import tensorflow as tf

    @tf.function(
        input_signature=[tf.TensorSpec((1, size, size, 3), tf.float32)], jit_compile=jit_compile
    )
    def forward_backward(image):
        with tf.GradientTape() as tape:
            tape.watch(image)
            total = tf.add_n([tf.reduce_sum(output) for output in network(image).values()])
        return tape.gradient(total, image)

    image = tf.random.uniform((1, size, size, 3), 0.0, 255.0, seed=0)
    forward_backward(image).numpy()  # trace and warm up
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        forward_backward(image).numpy()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def seconds_per_iteration(history):
    """Seconds per iteration from the entry of iteration 1 to the last entry of a history.

    Args:
      history: `StylizeResult.history`, dicts with "iteration" and "seconds".

    Returns:
      (seconds per iteration, number of iterations in the span, seconds of the span).
    """
    first = next(entry for entry in history if entry["iteration"] == 1)
    last = history[-1]
    iterations = last["iteration"] - first["iteration"]
    if iterations < 1:
        raise RuntimeError(f"history too short to time: {history}")
    span = last["seconds"] - first["seconds"]
    return span / iterations, iterations, span


def run_one(arch, size, iterations, repeats, seed):
    """Measures one (network, size) configuration in this process.

    Args:
      arch: "vgg19" or "vgg16".
      size: side of the square images in px.
      iterations: iterations of each optimizer.
      repeats: timed calls of the bare pass.
      seed: seed of the random content and style images.

    Returns:
      dict of measurements (JSON-serialisable).
    """
    import numpy as np
    import tensorflow as tf

    from nst_tf import defaults
    from nst_tf.encoders import vgg as networks
    from nst_tf.optimize.image_optimization import stylize

    layers = list(dict.fromkeys(defaults.CONTENT_LAYERS + defaults.STYLE_LAYERS))
    network = networks.build_loss_network(layers, arch, weights=None)
    rng = np.random.default_rng(seed)
    content = rng.uniform(0.0, 255.0, (size, size, 3)).astype(np.float32)
    style = rng.uniform(0.0, 255.0, (size, size, 3)).astype(np.float32)

    result = {"network": arch, "size": size, "iterations": iterations, "repeats": repeats}
    # The floor: the same compiler as the library (XLA); the plain graph pass for reference.
    result["bare_s"] = bare_pass_seconds(network, size, repeats, jit_compile=True)
    result["bare_graph_s"] = bare_pass_seconds(network, size, repeats, jit_compile=False)
    options = {"iterations": iterations, "loss_network": network, "progress": False}

    lbfgs = stylize(content, style, optimizer="lbfgs", **options)
    per_it, span_its, _ = seconds_per_iteration(lbfgs.history)
    result.update(lbfgs_s_per_it=per_it, lbfgs_timed_iterations=span_its)
    first = next(entry for entry in lbfgs.history if entry["iteration"] == 1)
    result["lbfgs_evals_per_it"] = (
        lbfgs.history[-1]["evaluations"] - first["evaluations"]
    ) / span_its

    adam = stylize(content, style, optimizer="adam", **options)
    per_it, span_its, _ = seconds_per_iteration(adam.history)
    result.update(adam_s_per_it=per_it, adam_timed_iterations=span_its)
    # The last Adam entry comes from a separate eager evaluation after the last step, whose first
    # call instantiates the function once more; this figure leaves it out (None if too short).
    if len(adam.history) > 3:
        steps, _, _ = seconds_per_iteration(adam.history[:-1])
        result["adam_s_per_step_without_final_eval"] = steps

    result["ratio_lbfgs"] = result["lbfgs_s_per_it"] / result["bare_s"]
    result["ratio_adam"] = result["adam_s_per_it"] / result["bare_s"]
    result["peak_rss_mib"] = benchmarks.peak_rss_mib()
    result["tensorflow"] = tf.__version__
    result["devices"] = [device.name for device in tf.config.list_logical_devices()]
    return result


def run_subprocess(arch, size, args):
    """Runs one configuration in a fresh Python process (`--one ARCH SIZE`)."""
    arguments = ["--one", arch, str(size), "--iterations", str(args.iterations)]
    arguments += ["--repeats", str(args.repeats), "--seed", str(args.seed)]
    return benchmarks.run_subprocess(__file__, arguments, {"network": arch, "size": size})


def format_table(results):
    """The results as a plain-text table.

    Args:
      results: list of result dicts.

    Returns:
      str.
    """
    header = (
        "network",
        "size",
        "bare XLA s",
        "bare graph s",
        "L-BFGS s/it",
        "evals/it",
        "ratio",
        "Adam s/it",
        "ratio",
        "peak MiB",
    )
    rows = []
    for result in results:
        if "error" in result:
            rows.append((result["network"], str(result["size"]), "failed: " + result["error"]))
            continue
        rows.append(
            (
                result["network"],
                str(result["size"]),
                f"{result['bare_s']:.3f}",
                f"{result['bare_graph_s']:.3f}",
                f"{result['lbfgs_s_per_it']:.3f}",
                f"{result['lbfgs_evals_per_it']:.2f}",
                f"{result['ratio_lbfgs']:.2f}",
                f"{result['adam_s_per_it']:.3f}",
                f"{result['ratio_adam']:.2f}",
                f"{result['peak_rss_mib']:.0f}",
            )
        )
    return benchmarks.format_table(header, rows)


def main(argv=None):
    """Runs the benchmark (or, with `--one`, one configuration) and reports it.

    Args:
      argv: arguments without the program name; default sys.argv[1:].

    Returns:
      exit status: 0, or 1 if any configuration failed.
    """
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.one:
        arch, size = args.one
        result = run_one(arch, int(size), args.iterations, args.repeats, args.seed)
        benchmarks.print_result(result)
        return 0

    report = benchmarks.Report(
        {
            "iterations": args.iterations,
            "repeats": args.repeats,
            "seed": args.seed,
            "target_ratio": TARGET_RATIO,
        }
    )
    results = []
    for arch in args.archs:
        for size in args.sizes:
            print(f"running {arch} at {size}x{size} px ...", file=sys.stderr, flush=True)
            results.append(run_subprocess(arch, size, args))
    print(format_table(results))
    report.write(args.out, results)
    return 1 if any("error" in result for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
