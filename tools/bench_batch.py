"""Throughput of batch stylisation on this machine: the Beam pipeline (`nst-tf batch`, the
DirectRunner in multi-process mode over the cores) against the one-process folder run
(`nst-tf stylize FOLDER --model ...`), same network and images; images per second and the
pipeline's overhead per image.

The images: photos of ../shared/images/train, centre-cropped and resized to SIDE x SIDE.

    nice python tools/bench_batch.py --images 200 --side 512
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import benchmarks

from nst_tf.io import files, image_io

TRAIN = os.path.join(os.path.dirname(benchmarks.REPOSITORY), "shared", "images", "train")


def parse_args(argv):
    """Parses the command line (argv without the program name)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--side", type=int, default=512)
    parser.add_argument("--model", default="magenta26:7")
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--out", default="bench_results/bench_batch.json")
    return parser.parse_args(argv)


def make_images(folder, count, side):
    """`count` photos as side x side JPEGs in `folder`."""
    photos = files.list_image_files(TRAIN)
    for index in range(count):
        image = image_io.load_image(photos[index % len(photos)])
        height, width = image.shape[:2]
        edge = min(height, width)
        top, left = (height - edge) // 2, (width - edge) // 2
        square = image_io.resize(image[top : top + edge, left : left + edge], (side, side))
        image_io.save_image(os.path.join(folder, f"{index:04d}.jpg"), square)


def timed(command):
    """Runs an nst-tf command; (wall seconds, its stdout)."""
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "nst_tf", *command], capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        raise SystemExit(f"{' '.join(command[:2])} failed: {completed.stderr[-2000:]}")
    return seconds, completed.stdout


def main(argv=None):
    """Runs both ways, prints the table, writes the JSON report."""
    args = parse_args(argv if argv is not None else sys.argv[1:])
    report = benchmarks.Report(vars(args))
    work = tempfile.mkdtemp(prefix="bench-batch-")
    try:
        inputs = os.path.join(work, "in")
        make_images(inputs, args.images, args.side)
        model = ["--model", args.model, "--batch-size", str(args.batch_size)]
        beam_seconds, beam_out = timed(
            ["batch", f"{inputs}/*.jpg", "-o", os.path.join(work, "beam"), *model]
        )
        folder_seconds, _ = timed(
            ["stylize", inputs, "-o", os.path.join(work, "folder"), "--quiet", *model]
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    network = float(re.search(r"([\d.]+) s in the network", beam_out).group(1))
    results = [
        {"way": "nst-tf batch (Beam, DirectRunner multi-process)", "seconds": beam_seconds,
         "network_seconds": network},
        {"way": "nst-tf stylize FOLDER (one process)", "seconds": folder_seconds},
    ]  # fmt: skip
    for result in results:
        result["images_per_second"] = args.images / result["seconds"]
    overhead_ms = 1000 * (beam_seconds - folder_seconds) / args.images
    rows = [(r["way"], f"{r['seconds']:.1f}", f"{r['images_per_second']:.2f}") for r in results]
    print(f"{args.images} images of {args.side}x{args.side} px, {args.model}, batches of "
          f"{args.batch_size}, {os.cpu_count()} cores")  # fmt: skip
    print(benchmarks.format_table(("way", "seconds", "images/s"), rows))
    print(f"Beam's overhead per image: {overhead_ms:+.0f} ms (of which the network: "
          f"{1000 * network / args.images:.0f} ms per image, summed over the workers)")  # fmt: skip
    report.write(args.out, {"runs": results, "overhead_ms_per_image": overhead_ms})
    return 0


if __name__ == "__main__":
    sys.exit(main())
