"""`nst-tf batch --dask-scheduler` on a real dask.distributed cluster on 127.0.0.1 (a `dask
scheduler` and two `dask worker` processes, ended by the fixtures): bad inputs become dead
letters, a worker killed mid-run loses nothing and duplicates nothing, the scheduler gone is a
one-line error, a re-run writes nothing new."""

import json
import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from PIL import Image
from support import REPO, run_python

pytest.importorskip("distributed")

BAD = {"truncated.jpg", "notes.jpg", "pixel.png"}
PORTS = {"shared": 8833, "doomed": 8835}


class Cluster:
    """A scheduler and workers as subprocesses (workers without a nanny, so a killed one stays
    dead), seeing this repository's nst_tf."""

    def __init__(self, port):
        self.address = f"tcp://127.0.0.1:{port}"
        self.port = port
        self.env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}  # fmt: skip
        self.scheduler = None
        self.workers = {}

    def _start(self, *arguments):
        return subprocess.Popen(
            [sys.executable, "-m", "dask", *arguments], env=self.env, cwd=REPO,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip

    def start(self, workers=2):
        self.scheduler = self._start(
            "scheduler", "--host", "127.0.0.1", "--port", str(self.port), "--no-dashboard"
        )
        for _ in range(workers):
            self.add_worker()
        self.wait_for_workers(workers)
        return self

    def add_worker(self):
        name = f"w{len(self.workers)}"
        self.workers[name] = self._start(
            "worker", self.address, "--name", name, "--nthreads", "1", "--no-nanny",
            "--no-dashboard", "--host", "127.0.0.1", "--death-timeout", "60",
        )  # fmt: skip
        return name

    def client(self):
        from dask import distributed

        return distributed.Client(self.address, timeout=60, set_as_default=False)

    def wait_for_workers(self, count):
        with self.client() as client:
            client.wait_for_workers(count, timeout=120)

    def kill(self, process):
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    def stop(self):
        """Ends the workers, then the scheduler: SIGTERM, SIGKILL after 5 s."""
        for group in (list(self.workers.values()), [self.scheduler]):
            running = [p for p in group if p is not None and p.poll() is None]
            for process in running:
                process.terminate()
            deadline = time.monotonic() + 5
            for process in running:
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    self.kill(process)


@pytest.fixture(scope="module")
def cluster(request):
    started = Cluster(PORTS["shared"])
    request.addfinalizer(started.stop)
    return started.start()


def make_inputs(folder, count, size, bad=True):
    """`count` inputs: photos-like pictures of two sizes, the last three bad ones if `bad`."""
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    good = count - 3 if bad else count
    for i in range(good):
        height = size if i % 3 else size * 3 // 4  # a second size, batched apart
        image = rng.integers(0, 256, (height, size, 3), dtype=np.uint8)
        image[:, : size // 2] //= 2
        Image.fromarray(image).save(folder / f"{i:02d}.{'png' if i % 4 == 0 else 'jpg'}")
    if bad:
        whole = (folder / "01.jpg").read_bytes()
        (folder / "truncated.jpg").write_bytes(whole[: len(whole) // 2])
        (folder / "notes.jpg").write_text("not a picture")
        Image.fromarray(np.zeros((1, 1, 3), np.uint8)).save(folder / "pixel.png")
    return sorted(p.name for p in folder.iterdir() if p.name not in BAD)


def batch(inputs, out, address, *extra, wait=True):
    command = [
        sys.executable, "-m", "nst_tf", "batch", f"{inputs}/*", "-o", str(out),
        "--model", "magenta26:7", "--dask-scheduler", address, *extra,
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    if not wait:
        return process
    stdout, stderr = process.communicate(timeout=300)
    return process.returncode, stdout, stderr


def outputs(out):
    """The outputs in a folder (not the hidden temporary files of writes under way)."""
    return sorted(
        p.name for p in out.iterdir() if p.suffix in (".jpg", ".png") and p.name[0] != "."
    )


def check_complete(out, names, inputs, size=None, temporary_left=False):
    """Every output decodes whole, at its input's size (longest side `size` if given); no
    temporary file left unless a worker may have been stopped while writing one."""
    for name in names:
        with Image.open(out / name) as image:
            image.load()
            with Image.open(inputs / name) as original:
                expected = original.size
            if size:
                scale = size / max(expected)
                expected = tuple(round(side * scale) for side in expected)
            assert image.size == expected, name
    if not temporary_left:
        assert not [p for p in out.iterdir() if p.name.startswith(".tmp")]


class Watcher(threading.Thread):
    """Records the inode each output has when first seen, every 20 ms: an output replaced by a
    second write would show a second inode."""

    def __init__(self, folder):
        super().__init__(daemon=True)
        self.folder, self.seen, self.stopped = folder, {}, threading.Event()

    def run(self):
        while not self.stopped.is_set():
            for entry in os.scandir(self.folder) if self.folder.exists() else ():
                if not entry.name.startswith("."):
                    self.seen.setdefault(entry.name, entry.inode())
            time.sleep(0.02)


@pytest.mark.slow
def test_thirty_inputs_three_bad_each_good_output_once_at_its_size(cluster, tmp_path):
    inputs, out = tmp_path / "in", tmp_path / "out"
    good = make_inputs(inputs, 30, 64)
    code, stdout, stderr = batch(inputs, out, cluster.address, "--size", "48")
    assert code == 0, stderr[-2000:]
    assert outputs(out) == good and len(good) == 27
    check_complete(out, good, inputs, size=48)
    letters = [json.loads(line) for line in (out / "failed.jsonl").read_text().splitlines()]
    reasons = {os.path.basename(letter["input"]): letter["reason"] for letter in letters}
    assert sorted(reasons) == sorted(BAD)
    assert "truncated" in reasons["truncated.jpg"]
    assert "not an image" in reasons["notes.jpg"]
    assert "1x1 px" in reasons["pixel.png"]
    assert "wrote 27 images" in stdout and "(0 there already, 3 failed" in stdout
    before = {name: (out / name).stat().st_mtime_ns for name in good}
    code, stdout, stderr = batch(inputs, out, cluster.address, "--size", "48")
    assert code == 0, stderr[-2000:]
    assert "wrote 0 images" in stdout and "(27 there already, 3 failed" in stdout
    assert {name: (out / name).stat().st_mtime_ns for name in good} == before


@pytest.mark.slow
def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(cluster, tmp_path):
    inputs, out = tmp_path / "in", tmp_path / "out"
    good = make_inputs(inputs, 30, 256, bad=False)
    watcher = Watcher(out)
    watcher.start()
    process = batch(inputs, out, cluster.address, "--batch-size", "2", wait=False)
    with cluster.client() as client:
        deadline = time.monotonic() + 240
        while not (out.exists() and len(outputs(out)) >= 2) and time.monotonic() < deadline:
            time.sleep(0.02)
        busy = {info["name"] for address, info in client.scheduler_info()["workers"].items()
                if client.processing().get(address)}  # fmt: skip
        victim = min(busy) if busy else "w0"
        written_before = len(outputs(out))
        cluster.kill(cluster.workers[victim])
    _, stderr = process.communicate(timeout=300)
    watcher.stopped.set()
    watcher.join()
    assert process.returncode == 0, stderr[-2000:]
    assert written_before < len(good), "the run ended before the kill"
    assert outputs(out) == good
    check_complete(out, good, inputs)
    for name in good:  # each output is the file first put there: none written twice
        assert (out / name).stat().st_ino == watcher.seen[name], name
    code, stdout, stderr = batch(inputs, out, cluster.address)
    assert code == 0 and "wrote 0 images" in stdout and "(30 there already" in stdout
    cluster.add_worker()  # the cluster has two workers again for what follows


@pytest.mark.slow
def test_the_scheduler_gone_is_a_one_line_error_and_written_outputs_stay(tmp_path):
    inputs, out = tmp_path / "in", tmp_path / "out"
    good = make_inputs(inputs, 30, 256, bad=False)
    doomed = Cluster(PORTS["doomed"])
    try:
        doomed.start()
        process = batch(inputs, out, doomed.address, "--batch-size", "2", wait=False)
        deadline = time.monotonic() + 240
        while not (out.exists() and len(outputs(out)) >= 2) and time.monotonic() < deadline:
            time.sleep(0.05)
        doomed.kill(doomed.scheduler)
        _, stderr = process.communicate(timeout=120)
    finally:
        doomed.stop()
    assert process.returncode == 2, stderr[-2000:]
    assert stderr.count("\n") == 1 and "lost the Dask scheduler" in stderr, stderr
    written = outputs(out)
    assert 2 <= len(written) < len(good)
    check_complete(out, written, inputs, temporary_left=True)  # the workers were stopped after


def test_an_unreachable_scheduler_is_a_one_line_error(tmp_path):
    inputs = tmp_path / "in"
    make_inputs(inputs, 4, 32, bad=False)
    code, _, stderr = batch(inputs, tmp_path / "out", "tcp://127.0.0.1:8839")
    assert code == 2 and stderr.count("\n") == 1, stderr
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:8839" in stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--dask-scheduler", "tcp://h:1", "--runner=DirectRunner"], "do not apply with --dask"),
        (["--runner=apache_beam.runners.dask.dask_runner.DaskRunner"], "use --dask-scheduler"),
    ],
)
def test_beam_options_and_beams_dask_runner_are_refused(tmp_path, arguments, message):
    make_inputs(tmp_path / "in", 1, 32, bad=False)
    script = (
        "import sys\nfrom nst_tf.cli import main\nsys.exit(main.main(['nst-tf', *sys.argv[1:]]))"
    )
    completed = run_python(script, "batch", f"{tmp_path}/in/*", "-o", tmp_path / "out",
                           "--model", "magenta26:7", *arguments)  # fmt: skip
    assert completed.returncode == 2, completed.stderr
    assert completed.stderr.count("\n") == 1 and message in completed.stderr
