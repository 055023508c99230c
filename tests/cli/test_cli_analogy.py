"""`nst-tf analogy S S_STYLED T -o T_STYLED`: a tiny run, and bad input (exit code 2, no output)."""

import numpy as np
import pytest
from cli_helpers import expect_usage_error
from PIL import Image
from support import gradient_image, stripes_image

from nst_tf.cli import main as cli


def saved(tmp_path, name, image):
    path = tmp_path / name
    Image.fromarray(np.asarray(image, np.uint8)).save(path)
    return str(path)


@pytest.fixture
def images(tmp_path):
    """Paths of S, S' and T (32 px)."""
    return (
        saved(tmp_path, "s.png", gradient_image(32)),
        saved(tmp_path, "s_styled.png", stripes_image(32)),
        saved(tmp_path, "t.png", gradient_image(32)[::-1]),
    )


@pytest.mark.slow
def test_a_tiny_analogy_writes_the_result(tmp_path, images, capsys):
    output = tmp_path / "out.png"
    arguments = ["analogy", *images, "-o", str(output), "--vgg-weights", "none", "--size", "32"]
    assert cli.main(["nst-tf", *arguments, "--iterations", "2", "--quiet"]) == 0
    assert Image.open(output).size == (32, 32)
    assert "wrote" in capsys.readouterr().out


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda paths, tmp: (paths[0], saved(tmp, "big.png", stripes_image(40)), paths[2]),
         "S and S' must have the same size"),
        (lambda paths, tmp: (paths[0], paths[1], str(tmp / "missing.png")), "missing.png"),
        (lambda paths, tmp: (paths[0], paths[1], saved_text(tmp)), "not.png"),
    ],
)  # fmt: skip
def test_bad_images_stop_before_any_output(tmp_path, images, capsys, change, message):
    output = tmp_path / "out.png"
    arguments = ["analogy", *change(images, tmp_path), "-o", str(output)]
    expect_usage_error(capsys, arguments, message)
    assert not output.exists()


def saved_text(tmp_path):
    path = tmp_path / "not.png"
    path.write_text("not an image")
    return str(path)


def test_bad_output_and_flags(tmp_path, images, capsys):
    expect_usage_error(capsys, ["analogy", *images, "-o", str(tmp_path / "out.txt")], ".txt")
    expect_usage_error(capsys, ["analogy", *images], "--output")
    expect_usage_error(
        capsys, ["analogy", *images, "-o", "x.png", "--guidance", "glyphs"], "guidance"
    )
    expect_usage_error(capsys, ["analogy", *images[:2], "-o", "x.png"], "S S_STYLED T")
    assert not (tmp_path / "out.txt").exists()
