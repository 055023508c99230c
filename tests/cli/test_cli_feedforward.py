"""`nst-tf train` and `nst-tf stylize --model` end to end, temporal smoothing, bad input."""

import imageio.v2 as imageio
import keras
import numpy as np
import pytest
from cli_helpers import expect_usage_error, run_cli
from PIL import Image
from support import SAMPLES, gradient_image, stripes_image

from nst_tf.cli import main as cli
from nst_tf.feedforward import model as feedforward
from nst_tf.feedforward import transformer, video_stylization


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    """An (untrained) two-style network saved as the library saves trained ones."""
    keras.utils.set_random_seed(0)
    path = str(tmp_path_factory.mktemp("model") / "two.keras")
    feedforward.save_model(
        transformer.build_transformer(2, "small"), path, {"style_names": ["waves", "ramp"]}
    )
    return path


@pytest.mark.slow
def test_stylize_an_image_a_folder_and_a_video_with_a_model(tmp_path, model_path):
    image = tmp_path / "photo.png"
    Image.fromarray(gradient_image(60).astype(np.uint8)).save(image)
    done = run_cli("stylize", str(image), "--model", model_path, "-o", str(tmp_path / "out.jpg"),
                   "--model-style", "ramp", "--size", "45", "--quiet")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert Image.open(tmp_path / "out.jpg").size == (45, 45)

    photos = tmp_path / "photos"
    (photos / "nested").mkdir(parents=True)
    Image.fromarray(gradient_image(40).astype(np.uint8)).save(photos / "a.png")
    Image.fromarray(stripes_image(40).astype(np.uint8)).save(photos / "nested" / "b.jpg")
    Image.fromarray(stripes_image(24).astype(np.uint8)).save(photos / "c.png")
    done = run_cli("stylize", str(photos), "--model", model_path, "-o", str(tmp_path / "styled"),
                   "--style-blend", "1,1", "--batch-size", "2", "--quiet")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "wrote 3 images" in done.stdout
    assert Image.open(tmp_path / "styled" / "nested" / "b.jpg").size == (40, 40)
    assert Image.open(tmp_path / "styled" / "c.png").size == (24, 24)

    clip = tmp_path / "clip.mp4"
    frames = [np.roll(gradient_image(32), 3 * i, axis=1).astype(np.uint8) for i in range(6)]
    imageio.mimwrite(clip, frames, fps=5, macro_block_size=1)
    done = run_cli("stylize", str(clip), "--model", model_path, "-o", str(tmp_path / "o.mp4"),
                   "--temporal-smoothing", "0.5", "--quiet")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "6 frames" in done.stdout
    written = imageio.mimread(tmp_path / "o.mp4")
    assert len(written) == 6 and written[0].shape == (32, 32, 3)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp")]


def test_smoothing_keeps_still_regions_and_follows_moving_ones():
    previous_content = np.zeros((2, 2, 3), np.float32)
    content = previous_content.copy()
    content[0] = 200.0  # the top row changed a lot, the bottom row not at all
    previous_result = np.full((2, 2, 3), 100.0, np.float32)
    stylised = np.full((2, 2, 3), 200.0, np.float32)
    out = video_stylization.smooth(stylised, previous_result, content, previous_content, 0.8)
    np.testing.assert_allclose(out[1], 0.2 * 200 + 0.8 * 100)
    np.testing.assert_allclose(out[0], 200.0, atol=1e-3)
    np.testing.assert_array_equal(
        video_stylization.smooth(stylised, None, content, None, 0.8), stylised
    )


def test_bad_input_is_a_one_line_error(capsys, tmp_path, model_path):
    photo = tmp_path / "p.png"
    Image.fromarray(gradient_image(16).astype(np.uint8)).save(photo)
    (tmp_path / "empty").mkdir()
    out = str(tmp_path / "o.png")
    style = str(SAMPLES / "starry_night.jpg")
    expect_usage_error(capsys, ["train", "--data", str(photo), "--out", out], "missing --style")
    expect_usage_error(capsys, ["train", "--style", style, "--out", out], "missing --data")
    expect_usage_error(capsys, ["train", "--style", str(photo), "--data", str(tmp_path / "empty"),
                                "--out", out], "no images")  # fmt: skip
    expect_usage_error(capsys, ["train", "--style", "nope.jpg", "--data", str(tmp_path),
                                "--out", out], "not found")  # fmt: skip
    expect_usage_error(capsys, ["stylize", str(photo), "--model", str(photo), "-o", out],
                       "not a model")  # fmt: skip
    expect_usage_error(capsys, ["stylize", str(photo), "--model", str(tmp_path / "empty"), "-o",
                                out], "without model.keras")  # fmt: skip
    expect_usage_error(capsys, ["stylize", str(photo), style, "--model", model_path, "-o", out],
                       "not both")  # fmt: skip
    expect_usage_error(capsys, ["stylize", str(photo), "--model", model_path, "-o", out,
                                "--model-style", "oils"], "no style 'oils'")  # fmt: skip
    expect_usage_error(capsys, ["stylize", str(photo), "--model", model_path, "-o", out,
                                "--style-blend", "1,x"], "must be numbers")  # fmt: skip
    expect_usage_error(capsys, ["stylize", str(photo), "--model", model_path, "-o", out,
                                "--style-blend", "1,2,3"], "3 blend weights for 2")  # fmt: skip
    expect_usage_error(capsys, ["stylize", str(tmp_path / "v.mp4"), "--model", model_path, "-o",
                                out], "content not found")  # fmt: skip
    (tmp_path / "v.mp4").write_bytes(b"not a video")
    expect_usage_error(capsys, ["stylize", str(tmp_path / "v.mp4"), "--model", model_path, "-o",
                                out], "video goes to a video file")  # fmt: skip
    expect_usage_error(capsys, ["stylize", str(tmp_path / "v.mp4"), "--model", model_path, "-o",
                                str(tmp_path / "o.mp4")], "cannot read video")  # fmt: skip
    assert not (tmp_path / "o.png").exists() and not (tmp_path / "o.mp4").exists()


def test_styles_lists_the_shipped_networks_and_writes_a_contact_sheet(tmp_path, capsys):
    assert cli.main(["nst-tf", "styles"]) == 0
    listing = capsys.readouterr().out
    assert "styles3:1  the_scream" in listing and "--fast" in listing
    assert "magenta26:7  style_07" in listing
    out = tmp_path / "sheet.png"
    argv = ["styles", "--sheet", str(SAMPLES / "chelsea.jpg"), "--model", "styles3", "--tile", "40"]
    assert cli.main(["nst-tf", *argv, "-o", str(out)]) == 0
    with Image.open(out) as sheet:
        assert sheet.size == (4 * 40, 27 + 18)  # photo + 3 styles, 40x27 cells over captions
        cells = np.asarray(sheet.convert("RGB"), np.float32)
    photo, first_style = cells[:27, :40], cells[:27, 40:80]
    assert np.abs(photo - first_style).mean() > 10  # the styles differ from the photo
    expect_usage_error(capsys, [*argv, "--model", "nosuch", "-o", str(out)], "model not found")


def test_listing_into_a_closed_pipe_ends_quietly():
    import os
    import subprocess
    import sys

    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line, as after `| head -0`
    done = subprocess.run(
        [sys.executable, "-m", "nst_tf", "styles"], stdout=write_end, stderr=subprocess.PIPE,
        timeout=60, check=False,
    )  # fmt: skip
    os.close(write_end)
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr


@pytest.mark.slow
def test_a_truncated_video_keeps_the_frames_decoded_and_warns_in_one_line(tmp_path, model_path):
    import subprocess

    import imageio_ffmpeg

    full, cut, out = tmp_path / "full.mp4", tmp_path / "cut.mp4", tmp_path / "out.mp4"
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-f", "lavfi", "-i",
         "testsrc=size=160x120:rate=10", "-t", "5", "-pix_fmt", "yuv420p", "-movflags",
         "+faststart", str(full)],
        check=True,
    )  # fmt: skip
    data = full.read_bytes()
    cut.write_bytes(data[: len(data) * 6 // 10])  # cut mid-stream
    done = run_cli("stylize", str(cut), "--model", model_path, "-o", str(out), "--quiet")
    assert done.returncode == 0, done.stderr
    written = int(done.stdout.split("(")[1].split()[0])
    assert 0 < written < 45 and len(imageio.mimread(out)) == written
    warning = [line for line in done.stderr.splitlines() if "warning" in line]
    assert len(warning) == 1 and "truncated" in warning[0] and "Traceback" not in done.stderr
