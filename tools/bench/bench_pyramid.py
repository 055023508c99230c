"""Benchmark of the coarse-to-fine pyramid (`scales`) against single-scale optimisation.

Both configurations run the same number of L-BFGS iterations at full size; the pyramid spends
twice as many at each coarser level before (see nst_tf/pyramid.py). For each it records the
wall time of `nst_tf.stylize` (network building and tracing included), the peak resident
memory, and the final weighted style, content and total losses at full size. Each configuration
runs in its own subprocess so that the peak memory is its own.

Run from the repository root, niced (CPU-bound, about 15-25 minutes at 1024 px on 2 cores):

    nice -n 10 python -m tools.bench.bench_pyramid --size 1024 --iterations 20 --scales 3
    nice -n 10 python -m tools.bench.bench_pyramid --size 2048 --iterations 2 --scales 3 \
        --configs pyramid --out bench_results/bench_pyramid_2048.json   # shows 2048 px runs
"""

import argparse
import os
import sys
import time

from tools import benchmarks

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # before any TensorFlow import


CONFIGS = ("single", "pyramid")


def parse_args(argv):
    """Parses the command line.

    Args:
      argv: arguments without the program name.

    Returns:
      argparse.Namespace.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    benchmarks.add_image_flags(parser)
    parser.add_argument("--size", type=int, default=1024, help="longest side of the result, px")
    parser.add_argument("--iterations", type=int, default=20, help="L-BFGS iterations at full size")
    parser.add_argument("--scales", type=int, default=3, help="pyramid levels")
    parser.add_argument("--init", default="content", choices=["content", "noise"])
    parser.add_argument("--vgg", default="vgg16", choices=["vgg16", "vgg19"])
    benchmarks.add_vgg_weights_flag(parser)
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=CONFIGS)
    parser.add_argument("--out", default="bench_results/bench_pyramid.json", help="JSON path")
    parser.add_argument("--one", choices=CONFIGS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.scales < 2:
        parser.error("--scales must be at least 2 (1 is the single-scale run)")
    return args


def run_one(config, args):
    """Runs one configuration in this process.

    Args:
      config: "single" or "pyramid".
      args: the parsed arguments.

    Returns:
      dict of measurements (JSON-serialisable).
    """
    import nst_tf

    weights = None if args.vgg_weights == "none" else args.vgg_weights
    scales = args.scales if config == "pyramid" else 1
    started = time.perf_counter()
    result = nst_tf.stylize(
        args.content, args.style, size=args.size, iterations=args.iterations, scales=scales,
        init=args.init, vgg=args.vgg, vgg_weights=weights, progress=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    last = result.history[-1]
    top = [entry for entry in result.history if entry["level"] == last["level"]]
    height, width = result.image.shape[:2]
    stem = os.path.splitext(args.out)[0]
    nst_tf.save_image(f"{stem}_{config}.jpg", result.image)
    return {
        "config": config,
        "scales": scales,
        "size": [width, height],
        "iterations_per_level": [
            sum(1 for entry in result.history if entry["level"] == level) - 1
            for level in range(last["level"] + 1)
        ],
        "seconds": round(seconds, 1),
        "top_level_seconds": round(top[-1]["seconds"] - top[0]["seconds"], 1),
        "peak_rss_mib": round(benchmarks.peak_rss_mib()),
        "top_level_start": {name: top[0][name] for name in ("style", "content", "total")},
        "final": {name: last[name] for name in ("style", "content", "tv", "total")},
    }


def format_table(results):
    """The results as a plain-text table."""
    header = ("config", "size", "its/level", "seconds", "peak MiB", "style", "content", "total")
    rows = []
    for r in results:
        if "error" in r:
            rows.append((r["config"], "failed: " + r["error"]))
            continue
        rows.append((
            r["config"], "x".join(map(str, r["size"])), "/".join(map(str, r["iterations_per_level"])),
            f"{r['seconds']:.0f}", str(r["peak_rss_mib"]), f"{r['final']['style']:.4g}",
            f"{r['final']['content']:.4g}", f"{r['final']['total']:.4g}",
        ))  # fmt: skip
    return benchmarks.format_table(header, rows)


def main(argv=None):
    """Runs the benchmark (or, with `--one`, one configuration) and reports it.

    Returns:
      exit status: 0, or 1 if any configuration failed.
    """
    argv = sys.argv[1:] if argv is None else argv
    args, results = benchmarks.run_benchmark(
        __file__, argv, parse_args, run_one, "config", format_table
    )
    if results is None:
        return 0
    return 1 if any("error" in result for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
