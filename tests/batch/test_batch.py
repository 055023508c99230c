"""Batch stylisation on Apache Beam (DirectRunner): every good input written, every bad one in
the dead-letter file, counts right; a re-run writes only what is missing."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image
from support import REPO, SAMPLES, gradient_image, run_python, stripes_image

pytest.importorskip("apache_beam")

from nst_tf.batch import job, naming, pipeline  # noqa: E402

IN_PROCESS = ["--direct_running_mode=in_memory"]
BAD = {"truncated.jpg", "notes.jpg", "pixel.png"}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """17 photos of two sizes (some in a subfolder) and 3 bad files: 20 inputs."""
    folder = tmp_path_factory.mktemp("photos")
    (folder / "trip").mkdir()
    for i in range(17):
        image = np.roll(gradient_image(64), 5 * i, axis=1) * 0.7 + stripes_image(64) * 0.3
        if i % 3 == 0:
            image = image[:40]  # 64x40: a second size, batched apart
        name = f"trip/{i:02d}.png" if i % 4 == 0 else f"{i:02d}.jpg"
        Image.fromarray(image.astype(np.uint8)).save(folder / name)
    whole = (folder / "01.jpg").read_bytes()
    (folder / "truncated.jpg").write_bytes(whole[: len(whole) // 2])
    (folder / "notes.jpg").write_text("not a picture")
    Image.fromarray(np.zeros((1, 1, 3), np.uint8)).save(folder / "pixel.png")
    return folder


def good_names(folder):
    names = [str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()]
    return sorted(name for name in names if name not in BAD)


@pytest.fixture(scope="module")
def first_run(inputs, tmp_path_factory):
    out = tmp_path_factory.mktemp("styled")
    report = job.stylize_batch(
        f"{inputs}/**", str(out), model="magenta26:7", size=32, pipeline_args=IN_PROCESS
    )
    return out, report


def test_good_inputs_are_written_and_bad_ones_are_dead_letters(inputs, first_run):
    out, report = first_run
    good = good_names(inputs)
    assert len(good) == 17
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*.*") if p.suffix != ".jsonl")
    assert written == good
    for name in good:
        with Image.open(out / name) as image:
            assert max(image.size) == 32
            assert image.size == ((32, 20) if image.size[1] < 32 else (32, 32))
    letters = [
        json.loads(line) for line in (out / naming.DEAD_LETTER_NAME).read_text().split("\n") if line
    ]
    assert sorted(os.path.basename(letter["input"]) for letter in letters) == sorted(BAD)
    reasons = {os.path.basename(letter["input"]): letter["reason"] for letter in letters}
    assert "truncated" in reasons["truncated.jpg"]
    assert "not an image" in reasons["notes.jpg"]
    assert "1x1 px" in reasons["pixel.png"]
    assert report["images_written"] == 17 and report["images_failed"] == 3
    assert report["images_kept"] == 0
    assert report["bytes_read"] == sum(p.stat().st_size for p in inputs.rglob("*") if p.is_file())
    assert report["bytes_written"] == sum(
        p.stat().st_size for p in out.rglob("*.*") if p.suffix != ".jsonl"
    )
    assert 2 <= report["batches"] < 17  # images of one size went through together


def test_a_rerun_writes_only_the_missing_outputs(inputs, first_run):
    out, _ = first_run
    missing = ["02.jpg", "trip/04.png", "03.jpg"]
    for name in missing:
        (out / name).unlink()
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.suffix in (".jpg", ".png")}
    report = job.stylize_batch(
        f"{inputs}/**", str(out), model="magenta26:7", size=32, pipeline_args=IN_PROCESS
    )
    assert (report["images_written"], report["images_kept"], report["images_failed"]) == (3, 14, 3)
    assert all((out / name).is_file() for name in missing)
    assert {p: p.stat().st_mtime_ns for p in before} == before
    assert not [p for p in out.rglob(".tmp*")]


def test_output_names_keep_the_path_below_the_glob():
    assert naming.glob_base("/data/photos/**/*.jpg") == "/data/photos/"
    assert naming.glob_base("gs://bucket/in/*.png") == "gs://bucket/in/"
    assert naming.output_path("/data/photos/a/b.jpg", "/data/photos/", "/out") == "/out/a/b.jpg"
    assert (
        naming.output_path("gs://b/in/x.gif", "gs://b/in/", "gs://b/out/") == "gs://b/out/x.gif.png"
    )


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["in/*", "--model", "magenta26"], "missing --output"),
        (["in/*", "-o", "out"], "give --model NAME, or --style IMAGE --fast"),
        (["in/*", "-o", "out", "--fast"], "--fast needs --style"),
        (["in/*", "-o", "out", "--model", "magenta26", "--fast", "--style", "x.jpg"], "not both"),
        (["in/*", "--runner", "DataflowRunner", "-o", "out", "--model", "m"], "--name=value"),
    ],
)
def test_argument_errors_need_neither_tensorflow_nor_beam(arguments, message):
    script = (
        "import sys\nfrom nst_tf.cli import main\ncode = main.main(['nst-tf', 'batch', *sys.argv[1:]])\n"
        "print(code, 'tensorflow' in sys.modules, 'apache_beam' in sys.modules)"
    )
    completed = run_python(script, *arguments)
    assert completed.stdout.split() == ["2", "False", "False"], completed.stderr
    assert completed.stderr.count("\n") == 1 and message in completed.stderr


def test_a_flag_that_beam_does_not_know_is_an_error_not_dropped():
    from nst_tf.errors import NstError

    with pytest.raises(NstError, match="unknown flag.*--sise"):
        pipeline.pipeline_options(["--sise=64", "--direct_num_workers=2"])
    options = pipeline.pipeline_options(["--direct_num_workers=3"]).get_all_options()
    assert options["direct_num_workers"] == 3
    assert options["direct_running_mode"] == "multi_processing"


@pytest.mark.slow
def test_the_command_runs_multi_process_by_default_with_fast_and_a_painting(inputs, tmp_path):
    out = tmp_path / "out"
    completed = subprocess.run(
        [sys.executable, "-m", "nst_tf", "batch", f"{inputs}/*.jpg", "-o", str(out), "--fast",
         "--style", str(SAMPLES / "the_scream.jpg"), "--size", "32", "--direct_num_workers=2"],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-2000:]
    good = [name for name in good_names(inputs) if "/" not in name and name.endswith(".jpg")]
    assert sorted(p.name for p in out.glob("*.jpg")) == good
    assert f"wrote {len(good)} images" in completed.stdout
    assert "2 failed" in completed.stdout  # truncated.jpg and notes.jpg


def test_a_painting_under_16_px_a_side_is_refused_before_the_pipeline(inputs, tmp_path):
    from nst_tf.errors import NstError

    tiny = tmp_path / "tiny.png"
    Image.fromarray(np.zeros((12, 40, 3), np.uint8)).save(tiny)
    with pytest.raises(NstError, match="the style image is 40x12 px; it needs at least 16 px"):
        job.stylize_batch(f"{inputs}/*.jpg", str(tmp_path / "out"), style=str(tiny))
    assert not (tmp_path / "out").exists()
