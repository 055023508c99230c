"""Benchmark of trained-network inference: nst_tf against PyTorch's TransformerNet.

The same architecture on both sides (Johnson's network, see tools/compare/torch_transformer_net.py):
nst_tf's "standard" network through `StyleModel.stylize` (the path of `nst-tf stylize
--model`, with fused instance normalisation), the same network as saved in a TensorFlow graph
(StyleModel before the fused norm) and compiled by XLA, the shipped 26-style network magenta26
(smaller: not compared with PyTorch), and PyTorch's network in inference mode with 1 and with
2 threads. Random weights for the standard networks (speed does not depend on
them), batch 1, milliseconds per image: the median of `--repeats` calls after a warm-up call
(which, for XLA, compiles for the size; its seconds are reported apart).

Each configuration runs in its own subprocess; the sides take turns, `--rounds` times per size
in alternating order, so that a shared, loaded machine slows them alike; a configuration's
figure is the median over its rounds. torch comes from the Python running this script
(a virtual environment with torch that also sees TensorFlow, such as one made with
`python -m venv --system-site-packages`); nst_tf never imports it.

Run from the repository root:

    python -m tools.bench.bench_inference
    python -m tools.bench.bench_inference --sizes 64 --repeats 2 --rounds 1 \\
        --out /tmp/bench_inference.json
"""

import argparse
import os
import statistics
import sys
import time

from tools import benchmarks

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # before any TensorFlow import


SIZES = (256, 512, 1024)
TORCH_PARAMETERS = 1_679_235  # the standard network; magenta26 is smaller, so not compared
# (label, side, network, mode, threads): threads 0 leaves the library's default.
SIDES = (
    ("pytorch TransformerNet, 1 thread", "pytorch", "standard", "eager", 1),
    ("pytorch TransformerNet, 2 threads", "pytorch", "standard", "eager", 2),
    ("nst_tf standard, graph (before)", "nst_tf", "standard", "graph", 0),
    ("nst_tf standard, XLA", "nst_tf", "standard", "xla", 0),
    ("nst_tf standard, fused norm (kept)", "nst_tf", "standard", "fused", 0),
    ("nst_tf standard, fused norm, 1 thread", "nst_tf", "standard", "fused", 1),
    ("nst_tf magenta26, graph (before)", "nst_tf", "magenta26", "graph", 0),
    ("nst_tf magenta26, fused norm (kept)", "nst_tf", "magenta26", "fused", 0),
)


def parse_args(argv):
    """Parses the command line (argv without the program name)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=list(SIZES), help="image px")
    parser.add_argument("--repeats", type=int, default=3, help="timed calls per configuration")
    parser.add_argument("--rounds", type=int, default=2, help="turns of every side per size")
    parser.add_argument("--out", default="bench_results/bench_inference.json", help="JSON path")
    parser.add_argument("--sides", nargs="+", type=int, default=list(range(len(SIDES))),
                        help="which sides (indices into SIDES) to run")  # fmt: skip
    parser.add_argument("--one", type=int, metavar="INDEX", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if min(args.repeats, args.rounds, *args.sizes) < 1:
        parser.error("repeats, rounds and sizes must be positive")
    return args


def _time_calls(call, repeats):
    """(seconds of the first call, median seconds of `repeats` further calls)."""
    started = time.perf_counter()
    call()
    first = time.perf_counter() - started
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return first, statistics.median(times)


def pytorch_side(size, threads, repeats):
    import torch

    from tools.compare import torch_transformer_net

    torch.manual_seed(0)
    torch.set_num_threads(threads)
    network = torch_transformer_net.transformer_net()
    image = torch.rand(1, 3, size, size) * 255

    def call():
        with torch.inference_mode():
            return network(image).numpy()

    parameters = sum(p.numel() for p in network.parameters())
    return (*_time_calls(call, repeats), parameters)


def nst_tf_side(network, mode, size, threads, repeats):
    import tensorflow as tf

    if threads:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    import keras
    import numpy as np

    from nst_tf.feedforward import model as feedforward
    from nst_tf.feedforward import transformer

    if network == "standard":
        keras.utils.set_random_seed(0)
        model = transformer.build_transformer(1, "standard")
        style_model = feedforward.StyleModel(model, {"style_names": ["x"]}, "")
    else:
        style_model = feedforward.load_model(network)
        model = style_model.model
    image = np.random.default_rng(0).uniform(0, 255, (1, size, size, 3)).astype(np.float32)
    weights = style_model.style_weights()[None]
    if mode == "fused":  # the library's path
        call = lambda: style_model.stylize(image, weights[0])  # noqa: E731
    else:  # the network called as it is saved: StyleModel before the fused norm, or XLA
        inputs = [image, weights] if len(model.inputs) > 1 else [image]
        forward = tf.function(lambda *x: model(x if len(x) > 1 else x[0], training=False),
                              jit_compile=mode == "xla")  # fmt: skip
        call = lambda: forward(*inputs).numpy()  # noqa: E731
    return (*_time_calls(call, repeats), model.count_params())


def run_one(index, size, repeats):
    label, side, network, mode, threads = SIDES[index]
    if side == "pytorch":
        first, median, parameters = pytorch_side(size, threads, repeats)
    else:
        first, median, parameters = nst_tf_side(network, mode, size, threads, repeats)
    return {"side": label, "size": size, "first_call_s": first, "ms_per_image": 1000 * median,
            "parameters": parameters}  # fmt: skip


def summarise(label, size, runs):
    """One configuration's figures over its rounds."""
    failed = [run for run in runs if "error" in run]
    if failed:
        return {"side": label, "size": size, "error": failed[0]["error"]}
    return {
        "side": label,
        "size": size,
        "ms_per_image": statistics.median(run["ms_per_image"] for run in runs),
        "ms_per_round": [round(run["ms_per_image"], 1) for run in runs],
        "first_call_s": statistics.median(run["first_call_s"] for run in runs),
        "parameters": runs[0]["parameters"],
    }


def format_table(results):
    header = ("side", "size", "ms/image", "rounds ms", "vs best PyTorch", "first call s", "params")
    best_torch = {}
    for r in results:
        if r["side"].startswith("pytorch") and "error" not in r:
            best = best_torch.get(r["size"], float("inf"))
            best_torch[r["size"]] = min(best, r["ms_per_image"])
    rows = []
    for r in results:
        cells = (r["side"], str(r["size"]))
        if "error" in r:
            rows.append((*cells, "failed: " + r["error"]))
            continue
        same_network = r["parameters"] == TORCH_PARAMETERS
        speedup = best_torch.get(r["size"], float("nan")) / r["ms_per_image"]
        rows.append((*cells, f"{r['ms_per_image']:.0f}",
                     " ".join(f"{ms:.0f}" for ms in r["ms_per_round"]), f"{speedup:.2f}x" if same_network else "",
                     f"{r['first_call_s']:.1f}", f"{r['parameters']:,}"))  # fmt: skip
    return benchmarks.format_table(header, rows)


def main(argv=None):
    """Runs the benchmark (or, with `--one`, one configuration) and reports it."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.one is not None:
        benchmarks.print_result(run_one(args.one, args.size, args.repeats))
        return 0
    report = benchmarks.Report(
        {
            "repeats": args.repeats,
            "rounds": args.rounds,
            "batch": 1,
            "machine_note": "shared machine, other jobs running: see load averages",
        }  # fmt: skip
    )
    results, loads = [], []
    for size in args.sizes:
        runs = {index: [] for index in args.sides}
        for round_index in range(args.rounds):
            order = list(args.sides)
            for index in order if round_index % 2 == 0 else reversed(order):
                print(f"{SIDES[index][0]} at {size} px, round {round_index + 1} ...",
                      file=sys.stderr, flush=True)  # fmt: skip
                loads.append(os.getloadavg()[0])
                arguments = ["--one", str(index), "--size", str(size), "--repeats",
                             str(args.repeats)]  # fmt: skip
                runs[index].append(
                    benchmarks.run_subprocess(__file__, arguments, {"side": SIDES[index][0]})
                )
        results += [summarise(SIDES[i][0], size, runs[i]) for i in args.sides]
    report.settings["load_average_1min"] = {"min": min(loads), "max": max(loads),
                                            "median": statistics.median(loads)}  # fmt: skip
    print(format_table(results))
    print(f"1-minute load average during the runs (2 cores, shared machine): "
          f"{min(loads):.1f} to {max(loads):.1f}, median {statistics.median(loads):.1f}")  # fmt: skip
    report.write(args.out, results)
    return 1 if any("error" in r for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
