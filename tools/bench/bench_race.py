"""Race to the same picture: nst_tf's optimisation against PyTorch on nst_tf's own objective.

At each size (longest side) four sides run one after the other, each in its own subprocess, on
the same images and loss-network weights:

  torch_lbfgs   `torch.optim.LBFGS(line_search_fn="strong_wolfe")` as people use it: pixels
                unbounded, the saved image clamped to [0, 255]
  scipy_lbfgsb  SciPy's L-BFGS-B on torch gradients (float64 on SciPy's side), pixels in [0, 255]
  nst_tf        `nst_tf.stylize` (its L-BFGS; the loss network in its default precision,
                bfloat16 on CPUs with AVX512-BF16), images taken through `on_iteration`
  nst_tf_float32  the same in float32 with XLA (the previous default), to show what bfloat16
                changes in speed and in the evaluator's verdict

The torch sides compute nst_tf's objective exactly (`TorchObjective`): VGG16 with max pooling
and the h5 weights, caffe preprocessing, nst_tf's default layers, Gram matrices divided by the
positions, mean squared differences, 1/number of layers each; content weight 1, style weight
0.01, no total variation; every side starts from the content image. Every side records its image
every N iterations as a saved file holds it (clipped to [0, 255], rounded to 8 bits) with the
wall time since it started working (loss network loaded, targets, compilation, optimisation).

One evaluator, nst_tf's `Objective` in TensorFlow float32, scores every recorded image; the
torch objective scores them too, as a parity check. The report gives, for each side, the
objective against time, the time to reach the best PyTorch side's final objective, the ratio
nst_tf / best PyTorch, and one bare loss evaluation (forward + backward) of each framework.

torch is imported only by this benchmark (tools/compare/race_sides.py; install it in a benchmark
environment: nst_tf never needs it). Run from the repository root, with nothing else running (about 45 minutes):

    python -m tools.bench.bench_race
    python -m tools.bench.bench_race --quick      # 64 px, a few iterations: a smoke run
"""

import argparse
import importlib.metadata
import os
import statistics
import sys
import tempfile
import time

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # before any TensorFlow import

import numpy as np

from tools import benchmarks
from tools.compare import race_sides

REPO = benchmarks.REPOSITORY
SHARED = os.path.join(REPO, "..", "shared")
SIDES = ("torch_lbfgs", "scipy_lbfgsb", "nst_tf", "nst_tf_float32")
NST_TF_PRECISIONS = {"nst_tf": "auto", "nst_tf_float32": "float32"}
TORCH_SIDES = SIDES[:2]


def parse_args(argv):
    """Parses the command line (argv without the program name)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", default=os.path.join(SHARED, "images/content/tubingen.jpg"))
    parser.add_argument("--style", default=os.path.join(SHARED, "images/style/starry_night.jpg"))
    parser.add_argument(
        "--vgg-weights", default=os.path.join(SHARED, "weights/vgg16_hed_bsds500_notop.h5")
    )
    parser.add_argument("--sizes", nargs="+", type=int, default=[256, 512], help="longest side")
    parser.add_argument("--torch-iterations", type=int, default=150)
    parser.add_argument("--nst-iterations", type=int, default=300)
    parser.add_argument("--nst-scales", type=int, default=1, help="nst_tf's pyramid levels")
    parser.add_argument("--record-every", type=int, default=5, help="iterations between images")
    parser.add_argument("--repeats", type=int, default=5, help="timed bare loss evaluations")
    parser.add_argument("--quick", action="store_true", help="64 px, 10/20 iterations")
    parser.add_argument("--out", help="JSON path (default bench_results/bench_race.json)")
    parser.add_argument("--one", nargs=2, metavar=("JOB", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.torch_iterations, args.nst_iterations = [64], 10, 20
        args.record_every, args.repeats = 2, 2
    if args.out is None:
        quick = os.path.join(tempfile.gettempdir(), "bench_race_quick.json")
        args.out = quick if args.quick else "bench_results/bench_race.json"
    numbers = (args.torch_iterations, args.nst_iterations, args.record_every, args.repeats)
    if min(*numbers, *args.sizes) < 1:
        parser.error("sizes, iterations, --record-every and --repeats must be positive")
    return args


def run_side(side, folder, args):
    """Runs one side on the inputs in `folder`, saves its images there, returns its facts."""
    inputs = dict(np.load(os.path.join(folder, "inputs.npz")))
    if side in NST_TF_PRECISIONS:
        from nst_tf.tf_startup import import_tensorflow_quietly

        import_tensorflow_quietly()  # before the clock: imports are not part of the race
        recording, evaluations, own_loss, bare = race_sides.run_nst_tf(
            inputs, args, NST_TF_PRECISIONS[side]
        )
    else:
        recording, evaluations, own_loss, bare = race_sides.run_torch(side, inputs, args)
    np.savez(os.path.join(folder, f"{side}.npz"), images=np.stack(recording.images))
    bare()  # warm-up (nst_tf: compiles the objective again, as a new tf.function)
    times = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        bare()
        times.append(time.perf_counter() - started)
    return {
        "side": side,
        "evaluations": evaluations,
        "own_final_loss": own_loss,
        "bare_evaluation_s": statistics.median(times),
        "peak_rss_mib": round(benchmarks.peak_rss_mib()),
        "records": recording.entries,
    }


def score(scorer, folder, args):
    """Objectives of every recorded image of every side in `folder`.

    Args:
      scorer: "nst_tf" (the evaluator: nst_tf's Objective, TensorFlow float32) or "torch"
        (TorchObjective, the parity check).

    Returns:
      dict side -> list of floats, one per recorded image.
    """
    inputs = dict(np.load(os.path.join(folder, "inputs.npz")))
    if scorer == "nst_tf":
        import tensorflow as tf

        objective = race_sides.nst_tf_objective(inputs, args.vgg_weights, False, "float32")
        losses = tf.function(objective.losses)

        def evaluate(image):
            return float(losses(tf.constant(image[None]))["total"])
    else:
        import torch

        objective = race_sides.TorchObjective(args.vgg_weights, inputs["content"], inputs["style"])

        def evaluate(image):
            with torch.no_grad():
                return float(objective(torch.from_numpy(image)))

    scores = {}
    for side in SIDES:
        images = np.load(os.path.join(folder, f"{side}.npz"))["images"].astype(np.float32)
        scores[side] = [evaluate(image) for image in images]
    return scores


def prepare_inputs(folder, size, args):
    """Content and style at `size` (longest side) as nst_tf resizes them, in folder/inputs.npz.

    The style's longest side equals the result's (nst_tf's style_scale 1), so nst_tf resizes
    neither again and every side sees the same pixels.
    """
    from nst_tf.io import image_io

    content = image_io.resize_longest(image_io.load_image(args.content), size)
    style = image_io.resize_longest(image_io.load_image(args.style), size)
    os.makedirs(folder, exist_ok=True)
    np.savez(os.path.join(folder, "inputs.npz"), content=content, style=style)
    return content.shape[:2]


def time_to(records, target):
    """Seconds of the first record whose objective is at most `target`, or None."""
    return next((r["seconds"] for r in records if r["objective"] <= target), None)


def summarise(size, shape, sides, scores, parity):
    """One size's results: each side's records scored, the target, time to it, the ratios."""
    for side, result in sides.items():
        for record, value, check in zip(result["records"], scores[side], parity[side]):
            record["objective"], record["torch_objective"] = value, check
        first, last = result["records"][1], result["records"][-1]
        spent = last["evaluations"] - first["evaluations"]
        result["final_objective"] = last["objective"]
        result["seconds"] = last["seconds"]
        result["iterations"] = last["iteration"]
        result["seconds_per_evaluation_in_run"] = (
            (last["seconds"] - first["seconds"]) / spent if spent else None
        )
    best = min(TORCH_SIDES, key=lambda side: sides[side]["final_objective"])
    target = sides[best]["final_objective"]
    for result in sides.values():
        result["seconds_to_target"] = time_to(result["records"], target)
    nst, torch_time = sides["nst_tf"]["seconds_to_target"], sides[best]["seconds_to_target"]
    bare_torch = min(sides[side]["bare_evaluation_s"] for side in TORCH_SIDES)
    checked = [
        abs(r["torch_objective"] - r["objective"]) / abs(r["objective"])
        for result in sides.values()
        for r in result["records"]
    ]
    return {
        "size": size,
        "shape": list(shape),
        "target_side": best,
        "target_objective": target,
        "time_ratio_nst_tf_over_best_torch": None if nst is None else nst / torch_time,
        "bare_evaluation_ratio_nst_tf_over_torch": sides["nst_tf"]["bare_evaluation_s"]
        / bare_torch,
        "parity_max_relative_difference": max(checked),
        "sides": sides,
    }


def format_seconds(value):
    """Seconds to the target as a table cell."""
    return "not reached" if value is None else f"{value:.1f}"


def summary_table(results):
    """Per size and side: the work, the time, the scored final image, the time to the target."""
    header = ("size", "side", "iterations", "evaluations", "seconds", "s/eval in run",
              "bare eval s", "final objective", "own final loss", "reaches target at s")  # fmt: skip
    rows = []
    for r in results:
        for side, s in r["sides"].items():
            per_eval = s["seconds_per_evaluation_in_run"]
            rows.append((
                str(r["size"]), side, str(s["iterations"]), str(s["evaluations"]),
                f"{s['seconds']:.1f}", f"{per_eval:.3f}" if per_eval else "",
                f"{s['bare_evaluation_s']:.3f}", f"{s['final_objective']:.4g}",
                f"{s['own_final_loss']:.4g}", format_seconds(s["seconds_to_target"]),
            ))  # fmt: skip
    return benchmarks.format_table(header, rows)


def curve_table(result):
    """One size: the evaluator's objective of each side's image against seconds, by iteration."""
    sides = result["sides"]
    by_side = {side: {r["iteration"]: r for r in s["records"]} for side, s in sides.items()}
    iterations = sorted({i for records in by_side.values() for i in records})
    header = ["iteration"] + [f"{side} {what}" for side in sides for what in ("s", "objective")]
    rows = []
    for i in iterations:
        row = [str(i)]
        for records in by_side.values():
            record = records.get(i)
            row += (
                [f"{record['seconds']:.1f}", f"{record['objective']:.4g}"] if record else ["", ""]
            )
        rows.append(tuple(row))
    return benchmarks.format_table(header, rows)


def conclusions(result):
    """One size's target, time ratio, evaluation cost ratio and parity as sentences."""
    nst = result["sides"]["nst_tf"]
    ratio = result["time_ratio_nst_tf_over_best_torch"]
    reach = (
        f"nst_tf reaches it at {nst['seconds_to_target']:.1f} s: nst_tf / best PyTorch = "
        f"{ratio:.2f} (speed-up {1 / ratio:.2f}x)"
        if ratio is not None
        else "nst_tf does not reach it"
    )
    float32 = result["sides"]["nst_tf_float32"]["seconds_to_target"]
    return (
        f"{result['size']} px: target {result['target_objective']:.4g} (final image of "
        f"{result['target_side']}); {reach}; in float32 with XLA at "
        f"{format_seconds(float32)} s; one bare evaluation nst_tf / torch = "
        f"{result['bare_evaluation_ratio_nst_tf_over_torch']:.2f}; torch objective vs the "
        f"evaluator on every image: max relative difference "
        f"{result['parity_max_relative_difference']:.1e}"
    )


def main(argv=None):
    """Runs the race (or, with `--one`, one side or one scoring) and reports it."""
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    if args.one:
        job, folder = args.one
        if job in SIDES:
            benchmarks.print_result(run_side(job, folder, args))
        else:
            benchmarks.print_result(score(job.removeprefix("score_"), folder, args))
        return 0
    settings = {key: value for key, value in vars(args).items() if key not in ("one", "out")}
    settings.update(
        torch=importlib.metadata.version("torch"),
        loss_network="vgg16, max pooling, stand-in weights: HED edge detector (BSDS500), "
        "not ImageNet",
        objective=f"content weight {race_sides.CONTENT_WEIGHT}, style weight {race_sides.STYLE_WEIGHT}, no TV, "
        "nst_tf's default layers, from the content image",
        evaluator="nst_tf's Objective, TensorFlow float32, on the images as saved (8 bits)",
    )
    report = benchmarks.Report(settings)
    load = os.getloadavg()[0]
    if load >= 0.7:  # torch's OpenMP threads slow down many times over on a busy CPU
        print(
            f"warning: 1-minute load {load:.2f}: the timings need an idle machine", file=sys.stderr
        )
    results = []
    with tempfile.TemporaryDirectory(prefix="bench_race_") as work:
        for size in args.sizes:
            folder = os.path.join(work, str(size))
            shape = prepare_inputs(folder, size, args)
            sides = {}
            for job in (*SIDES, "score_nst_tf", "score_torch"):
                print(f"{size} px: {job} ...", file=sys.stderr, flush=True)
                sides[job] = benchmarks.run_subprocess(
                    __file__, [*argv, "--one", job, folder], {"side": job}
                )
            failed = [r for r in sides.values() if "error" in r]
            if failed:
                print(f"{size} px: {failed[0]['side']} failed: {failed[0]['error']}")
                return 1
            scores, parity = sides.pop("score_nst_tf"), sides.pop("score_torch")
            results.append(summarise(size, shape, sides, scores, parity))
            print(curve_table(results[-1]), flush=True)
    print(summary_table(results))
    for result in results:
        print(conclusions(result))
    report.write(args.out, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
