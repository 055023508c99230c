"""`nst-tf upscale` and `nst-tf train-upscale` as a user runs them, and their input errors."""

import os

import keras
import numpy as np
import pytest
from cli_helpers import expect_usage_error, run_cli
from support import gradient_image, stripes_image

from nst_tf.feedforward import model as feedforward
from nst_tf.io import image_io
from nst_tf.superres import upscaler_network


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "photo.png"
    image_io.save_image(path, stripes_image(24))
    return str(path)


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--factor", "3"], "unsupported factor 3: choose one of 4, 8"),
        (["--factor", "2"], "unsupported factor 2"),
        (["-o", "{tmp}/out.txt"], "cannot write image"),
        ([], "missing --output"),
    ],
)
def test_upscale_rejects_bad_requests_and_writes_nothing(
    capsys, tmp_path, photo, arguments, message
):
    arguments = [a.replace("{tmp}", str(tmp_path)) for a in arguments]
    if "-o" not in arguments and "missing" not in message:
        arguments += ["-o", str(tmp_path / "out.png")]
    expect_usage_error(capsys, ["upscale", photo, *arguments], message)
    assert sorted(os.listdir(tmp_path)) == ["photo.png"]


def test_upscale_rejects_missing_non_image_and_too_large_inputs(capsys, tmp_path):
    out = str(tmp_path / "out.png")
    expect_usage_error(capsys, ["upscale", str(tmp_path / "none.png"), "-o", out], "not found")
    (tmp_path / "notes.jpg").write_text("not an image")
    expect_usage_error(capsys, ["upscale", str(tmp_path / "notes.jpg"), "-o", out], "not an image")
    image_io.save_image(tmp_path / "big.png", np.zeros((1001, 1000, 3), np.float32))
    expect_usage_error(capsys, ["upscale", str(tmp_path / "big.png"), "-o", out], "use tiles")
    assert not os.path.exists(out)


def test_train_upscale_rejects_factor_8_training(capsys, tmp_path):
    expect_usage_error(
        capsys,
        ["train-upscale", "--data", str(tmp_path), "--out", str(tmp_path / "r"), "--factor", "8"],
        "unsupported factor 8",
    )


@pytest.mark.slow
def test_train_then_upscale_end_to_end(tmp_path):
    photos = tmp_path / "photos"
    for index, image in enumerate((gradient_image(40), stripes_image(40))):
        image_io.save_image(photos / f"{index}.png", image)
    run = str(tmp_path / "run")
    common = ["--data", str(photos), "--out", run, "--crop-size", "16", "--pool-size", "32",
              "--batch-size", "2", "--width", "8", "--residual-blocks", "1",
              "--vgg-weights", "none", "--quiet"]  # fmt: skip
    assert run_cli("train-upscale", *common, "--steps", "2").returncode == 0
    resumed = run_cli("train-upscale", "--out", run, "--resume", "--steps", "3", "--quiet")
    assert resumed.returncode == 0 and "resuming from step 2" in resumed.stdout
    image_io.save_image(tmp_path / "small.png", stripes_image(20)[:, :12])
    for factor, size in (("4", (48, 80)), ("8", (96, 160))):
        out = tmp_path / f"x{factor}.png"
        done = run_cli("upscale", str(tmp_path / "small.png"), "-o", str(out), "--model", run,
                       "--factor", factor, "--quiet")  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert image_io.load_image(out).shape[:2] == (size[1], size[0])


def test_upscale_with_a_saved_network_in_process(tmp_path, photo, capsys):
    from nst_tf.cli import main as cli

    keras.utils.set_random_seed(0)
    model_path = str(tmp_path / "sr.keras")
    feedforward.save_model(
        upscaler_network.build_upscaler(4, 8, 1),
        model_path,
        {"kind": "super-resolution", "factor": 4},
    )
    out = tmp_path / "out.jpg"
    code = cli.main(["nst-tf", "upscale", photo, "-o", str(out), "--model", model_path, "--quiet"])
    assert code == 0, capsys.readouterr().err
    assert image_io.load_image(out).shape == (96, 96, 3)
