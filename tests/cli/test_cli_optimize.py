"""The nst-tf command line: end to end on tiny images, and every bad input as a one-line error."""

from pathlib import Path

import numpy as np
import pytest
from cli_helpers import TINY, expect_usage_error, run_cli
from PIL import Image
from support import gradient_image, stripes_image

from nst_tf.cli import main as cli


@pytest.fixture
def inputs(tmp_path):
    content = tmp_path / "content.png"
    style = tmp_path / "style.jpg"
    Image.fromarray(gradient_image(64).astype(np.uint8)).save(content)
    Image.fromarray(stripes_image(64).astype(np.uint8)).save(style, quality=95)
    return str(content), str(style)


@pytest.mark.slow
def test_stylize_end_to_end(tmp_path, inputs):
    output = tmp_path / "out" / "result.jpg"
    plot = tmp_path / "losses.png"
    done = run_cli(
        "stylize", *inputs, "-o", str(output), *TINY, "--vgg", "vgg16", "--save-every", "2",
        "--loss-plot", str(plot), "--optimizer", "adam", "--init", "noise", "--pooling", "avg",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("schedule: 48x48 whole; estimated peak ")
    assert "wrote" in done.stdout
    assert done.stderr == ""  # no TensorFlow chatter, no progress bar with --quiet
    with Image.open(output) as image:
        assert image.size == (48, 48) and image.format == "JPEG"
    assert (tmp_path / "out" / "result_0002.jpg").is_file()
    with Image.open(plot) as image:
        assert image.format == "PNG"


@pytest.mark.slow
def test_texture_end_to_end(tmp_path, inputs):
    output = tmp_path / "texture.png"
    done = run_cli("texture", inputs[1], "-o", str(output), *TINY, "--style-layers",
                   "block1_conv1,block2_conv1,block3_conv1", "--noxla")  # fmt: skip
    assert done.returncode == 0, done.stderr
    with Image.open(output) as image:
        assert image.size == (48, 48)


@pytest.mark.slow
def test_progress_bar_shows_losses(tmp_path, inputs, capsys):
    code = cli.main(["nst-tf", "stylize", *inputs, "-o", str(tmp_path / "o.png"),
                     *TINY[:-1], "--iterations", "2"])  # fmt: skip
    assert code == 0
    err = capsys.readouterr().err
    assert "2/2" in err and "style=" in err


def test_help_lists_commands_and_flags(capsys):
    assert cli.main(["nst-tf", "--help"]) == 0
    assert "stylize" in capsys.readouterr().out
    assert cli.main(["nst-tf", "stylize", "--help"]) == 0
    out = capsys.readouterr().out
    for flag in ("--size", "--iterations", "--optimizer", "--vgg-weights", "--pooling", "--init",
                 "--seed", "--content-weight", "--style-weight", "--tv-weight", "--content-layers",
                 "--style-layers", "--style-scale", "--save-every", "--loss-plot"):  # fmt: skip
        assert flag in out


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--size", "0"], "--size"),
        (["--size", "-3"], "--size"),
        (["--iterations", "0"], "--iterations"),
        (["--optimizer", "sgd"], "--optimizer"),
        (["--vgg", "vgg11"], "--vgg"),
        (["--style-layers", "block1_conv1,block7_conv1"], "block7_conv1"),
        (["--content-layers", "relu4_2"], "relu4_2"),
        (["--style-layer-weights", "1,x,1,1,1"], "must be numbers"),
        (["--style-layer-weights", "1,1"], "2 style layer weights for 5"),
        (["--size", "8"], "too small"),
        (["--size", "300000"], "GiB"),
        (["--size", "100000", "--max-memory", "4G"], "does not fit in 4.0 GiB even in tiles"),
        (["--max-memory", "100M"], "below the"),
        (["--max-memory", "lots"], "such as 8G"),
        (["--tile-size", "100"], "too small for the receptive field"),
        (["--tile-size", "320", "--style-loss", "mrf"], "needs tiles"),
        (["--vgg-weights", "/nonexistent/vgg.h5"], "weights file not found"),
        (["--loss-plot", "plot.txt"], "cannot write plot"),
        (["--bogus", "1"], "bogus"),
        (["--seed", "-1"], "--seed"),
        (["--style-layers="], "no style layers"),
        (["--style-weight", "nan"], "finite"),
        (["--precision", "half"], "--precision"),
    ],
)
def test_bad_flags(capsys, tmp_path, inputs, extra, message):
    expect_usage_error(
        capsys, ["stylize", *inputs, "-o", str(tmp_path / "o.png"), *TINY, *extra], message
    )


def test_bad_files(capsys, tmp_path, inputs):
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    text = tmp_path / "notes.png"
    text.write_text("hello")
    truncated = tmp_path / "cut.png"
    truncated.write_bytes(Path(inputs[0]).read_bytes()[:200])
    out = str(tmp_path / "o.png")
    expect_usage_error(capsys, ["stylize", "missing.jpg", inputs[1], "-o", out], "not found")
    expect_usage_error(capsys, ["stylize", inputs[0], str(empty), "-o", out], "empty")
    expect_usage_error(capsys, ["stylize", str(text), inputs[1], "-o", out], "not an image")
    expect_usage_error(capsys, ["stylize", str(truncated), inputs[1], "-o", out], "cannot decode")
    expect_usage_error(capsys, ["stylize", *inputs, "-o", str(tmp_path / "o.gifx")], "endings")
    expect_usage_error(capsys, ["stylize", *inputs, "-o", str(tmp_path)], "endings")
    (tmp_path / "dir.png").mkdir()
    expect_usage_error(capsys, ["stylize", *inputs, "-o", str(tmp_path / "dir.png")], "folder")
    expect_usage_error(
        capsys, ["stylize", str(tmp_path), inputs[1], "-o", out], "--model or --fast"
    )
    expect_usage_error(capsys, ["stylize", *inputs], "--output")
    expect_usage_error(capsys, ["stylize", inputs[0], "-o", out], "missing STYLE")
    expect_usage_error(capsys, ["texture", "-o", out], "takes the argument(s) STYLE..., got 0")
    expect_usage_error(capsys, ["paint", *inputs], "unknown command")
    expect_usage_error(capsys, ["texture", inputs[1], "-o", out, "--init", "content"], "--init")
    assert not (tmp_path / "o.png").exists()


def test_offline_imagenet_is_one_line_error(capsys, monkeypatch, tmp_path, inputs):
    def offline(*args, **kwargs):
        raise Exception("URL fetch failure on https://example/vgg19.h5: Name not known")  # noqa: TRY002

    monkeypatch.setattr("keras.src.utils.file_utils.get_file", offline)
    monkeypatch.delenv("NST_TF_VGG_WEIGHTS", raising=False)
    expect_usage_error(
        capsys, ["stylize", *inputs, "-o", str(tmp_path / "o.png"), "--size", "32"], "--vgg-weights"
    )


def test_weights_from_environment(capsys, monkeypatch, tmp_path, inputs):
    monkeypatch.setenv("NST_TF_VGG_WEIGHTS", str(tmp_path / "env_weights.h5"))
    expect_usage_error(
        capsys, ["stylize", *inputs, "-o", str(tmp_path / "o.png")], "env_weights.h5"
    )


def test_out_of_memory_is_one_line_error(capsys, monkeypatch, tmp_path, inputs):
    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr("nst_tf.optimize.run.run_optimization", exhausted)
    expect_usage_error(capsys, ["stylize", *inputs, "-o", str(tmp_path / "o.png")], "memory")


@pytest.fixture
def clip(tmp_path):
    """A 3-frame clip of a panning ramp."""
    import imageio.v2 as imageio

    path = tmp_path / "clip.mp4"
    frames = [np.roll(gradient_image(48), 2 * i, axis=1).astype(np.uint8) for i in range(3)]
    imageio.mimwrite(path, frames, fps=5, macro_block_size=1)
    return str(path)


@pytest.mark.slow
def test_stylize_a_video_by_optimisation(tmp_path, inputs, clip):
    import imageio.v2 as imageio

    out = tmp_path / "styled.mp4"
    done = run_cli("stylize", clip, inputs[1], "-o", str(out), *TINY, "--temporal-weight", "2",
                   "--first-frame-iterations", "4")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stdout and "3 frames" in done.stdout
    frames = imageio.mimread(out)
    assert len(frames) == 3 and frames[0].shape == (48, 48, 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4", "content.png", "style.jpg",
                                                          "styled.mp4"]  # fmt: skip


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--temporal-smoothing", "0.5"], "--temporal-smoothing applies to --model and --fast"),
        (["--scales", "2"], "pyramid levels (scales > 1) apply to single images"),
        (["--style-loss", "swap"], "style swap loss apply to single images"),
        (["-o", "{tmp}/out.jpg"], "a video goes to a video file"),
    ],
)
def test_bad_video_options(capsys, tmp_path, inputs, clip, extra, message):
    output = ["-o", str(tmp_path / "out.mp4")] if "-o" not in extra else []
    extra = [item.replace("{tmp}", str(tmp_path)) for item in extra]
    expect_usage_error(capsys, ["stylize", clip, inputs[1], *output, *TINY, *extra], message)
    assert not list(tmp_path.glob("out*"))


def test_video_flags_on_an_image_and_optimising_a_folder_are_refused(capsys, tmp_path, inputs):
    out = str(tmp_path / "out.jpg")
    expect_usage_error(capsys, ["stylize", *inputs, "-o", out, "--temporal-weight", "1", *TINY],
                       "--temporal-weight applies to videos")  # fmt: skip
    expect_usage_error(capsys, ["stylize", str(tmp_path), inputs[1], "-o", str(tmp_path / "d"),
                                *TINY], "a folder of photos goes through --model or --fast")  # fmt: skip


def test_an_image_under_16_px_a_side_is_refused_on_the_command_line(capsys, tmp_path, inputs):
    pixel = tmp_path / "pixel.png"
    Image.fromarray(np.zeros((1, 1, 3), np.uint8)).save(pixel)
    out = str(tmp_path / "o.png")
    expect_usage_error(capsys, ["stylize", str(pixel), inputs[1], "-o", out, *TINY],
                       "the content image is 1x1 px; it needs at least 16 px a side")  # fmt: skip
    expect_usage_error(capsys, ["stylize", inputs[0], str(pixel), "-o", out, *TINY],
                       "the style image is 1x1 px; it needs at least 16 px a side")  # fmt: skip
    expect_usage_error(capsys, ["texture", str(pixel), "-o", out, *TINY], "at least 16 px a side")
    assert not (tmp_path / "o.png").exists()


def test_video_frames_under_16_px_a_side_are_refused(capsys, tmp_path, inputs):
    import imageio.v2 as imageio

    clip = tmp_path / "small.mp4"
    imageio.mimwrite(clip, [gradient_image(8).astype(np.uint8)] * 2, fps=5, macro_block_size=1)
    out = str(tmp_path / "out.mp4")
    expect_usage_error(capsys, ["stylize", str(clip), inputs[1], "-o", out, *TINY],
                       "the video's frame is 8x8 px; it needs at least 16 px a side")  # fmt: skip
    assert not (tmp_path / "out.mp4").exists()
