"""`--photorealism-weight` and `--photo-smoothing` of `nst-tf stylize`: the optimisation, the fast
path and a trained network on tiny images, and bad values (exit code 2)."""

import numpy as np
import pytest
from cli_helpers import TINY, expect_usage_error
from PIL import Image
from support import SAMPLES, gradient_image, stripes_image

from nst_tf.cli import main as cli
from nst_tf.photoreal import matting

STYLE = str(SAMPLES / "starry_night.jpg")


@pytest.fixture
def photo(tmp_path):
    """A 48 px colour ramp with noise (a tiny photo) and its path."""
    rng = np.random.default_rng(0)
    image = np.clip(gradient_image(48) + rng.normal(0, 12, (48, 48, 3)), 0, 255).astype(np.uint8)
    path = tmp_path / "photo.png"
    Image.fromarray(image).save(path)
    return str(path)


def cost(path, photo):
    """The matting cost of an image under the photo's Laplacian."""
    content = np.asarray(Image.open(photo), np.float32)
    return matting.matting_cost(np.asarray(Image.open(path), np.float32),
                                matting.matting_laplacian(content))  # fmt: skip


@pytest.mark.slow
def test_both_flags_on_a_tiny_optimisation(tmp_path, photo):
    style = tmp_path / "style.png"
    Image.fromarray(stripes_image(48).astype(np.uint8)).save(style)
    plain, photoreal = str(tmp_path / "plain.png"), str(tmp_path / "photo.png")
    common = ["stylize", photo, str(style), *TINY, "--noxla", "--style-weight", "1000"]
    assert cli.main(["nst-tf", *common, "-o", plain]) == 0
    assert cli.main(["nst-tf", *common, "-o", photoreal, "--photorealism-weight", "1e4",
                     "--photo-smoothing", "1"]) == 0  # fmt: skip
    assert cost(photoreal, photo) < 0.2 * cost(plain, photo)


@pytest.mark.slow
@pytest.mark.parametrize("one_pass", [["--fast", STYLE], ["--model", "starry_night"]])
def test_smoothing_after_one_pass(tmp_path, photo, one_pass):
    plain, smoothed = str(tmp_path / "plain.png"), str(tmp_path / "smooth.png")
    for out, extra in ((plain, []), (smoothed, ["--photo-smoothing", "1"])):
        arguments = ["nst-tf", "stylize", photo, *one_pass, "-o", out, "--quiet", *extra]
        assert cli.main(arguments) == 0
    assert np.asarray(Image.open(smoothed)).shape == (48, 48, 3)
    assert cost(smoothed, photo) < 0.2 * cost(plain, photo)


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--photo-smoothing", "1.5"], "--photo-smoothing must be in [0, 1], got 1.5"),
        (["--photo-smoothing", "nan"], "--photo-smoothing must be a number in [0, 1]"),
        (["--photorealism-weight", "-1"], "--photorealism-weight"),
        (["--fast", "--photo-smoothing", "-0.5"], "--photo-smoothing must be in [0, 1]"),
        (["--fast", "--photorealism-weight", "10"], "after --fast or --model use"),
        (["--fast", "--preset", "photorealistic"], "--preset belongs to the optimisation"),
    ],
)
def test_bad_values_are_one_line_errors(capsys, tmp_path, photo, arguments, message):
    out = str(tmp_path / "o.png")
    expect_usage_error(capsys, ["stylize", photo, STYLE, "-o", out, *arguments], message)


def test_smoothing_needs_a_single_image(capsys, tmp_path, photo):
    folder = tmp_path / "photos"
    folder.mkdir()
    Image.open(photo).save(folder / "a.png")
    expect_usage_error(capsys, ["stylize", str(folder), "--model", "starry_night", "-o",
                                str(tmp_path / "out"), "--photo-smoothing", "1"],
                       "--photo-smoothing works on single images, not on a folder")  # fmt: skip
