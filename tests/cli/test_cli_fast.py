"""`nst-tf stylize CONTENT STYLE --fast` and `--init fast`: end to end and bad input."""

import numpy as np
import pytest
from cli_helpers import TINY, expect_usage_error, run_cli
from PIL import Image
from support import SAMPLES

from nst_tf import colors

CHELSEA, STARRY, SCREAM = (
    str(SAMPLES / f"{n}.jpg") for n in ("chelsea", "starry_night", "the_scream")
)


def read(path):
    return np.asarray(Image.open(path).convert("RGB"), np.float32)


@pytest.mark.slow
def test_fast_paints_at_the_content_size_with_blends_and_colors(tmp_path):
    out = tmp_path / "out.jpg"
    done = run_cli("stylize", CHELSEA, STARRY, "--fast", "-o", str(out), "--quiet")
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stdout
    painted, photo = read(out), read(CHELSEA)
    assert painted.shape == photo.shape
    assert np.abs(painted - photo).mean() > 20

    kept = tmp_path / "kept.png"
    done = run_cli("stylize", CHELSEA, STARRY, SCREAM, "--fast", "--style-blend", "3,1",
                   "--strength", "0.6", "--preserve-colors", "luminance", "--size", "200",
                   "-o", str(kept), "--quiet")  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = read(kept)
    assert result.shape == (133, 200, 3)
    small = np.asarray(Image.open(CHELSEA).convert("RGB").resize((200, 133)), np.float32)
    chroma = colors.rgb_to_yiq(result)[..., 1:] - colors.rgb_to_yiq(small)[..., 1:]
    assert np.abs(chroma).mean() < 3  # the content's colours


@pytest.mark.slow
def test_init_fast_starts_the_optimisation_from_the_one_pass_result(tmp_path):
    out = tmp_path / "refined.png"
    done = run_cli("stylize", CHELSEA, STARRY, "--init", "fast", *TINY, "--iterations", "1",
                   "-o", str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    refined, photo = (
        read(out),
        np.asarray(Image.open(CHELSEA).convert("RGB").resize((48, 32), Image.LANCZOS), np.float32),
    )
    assert refined.shape == (32, 48, 3)
    assert np.abs(refined - photo).mean() > 15  # a painting, not the photo


@pytest.mark.parametrize(
    "arguments, message",
    [
        ([CHELSEA, "setup.py", "--fast"], "setup.py"),
        ([CHELSEA, STARRY, "--fast", "--strength", "1.5"], "--strength must be in [0, 1]"),
        ([CHELSEA, STARRY, "--fast", "--strength", "-0.1"], "--strength must be in [0, 1]"),
        ([CHELSEA, STARRY, "--fast", "--style-blend", "a,b"], "--style-blend must be numbers"),
        ([CHELSEA, STARRY, "--fast", "--style-blend", "1,2"], "2 weight(s) for 1 style"),
        ([CHELSEA, "--fast"], "--fast needs a style image"),
        ([CHELSEA, STARRY, "--fast", "--style-size", "4"], "--style-size must be at least"),
        ([CHELSEA, "--model", "magenta26:99"], "no style '99'"),
        ([CHELSEA, "--model", "magenta26", "--model-style", "3:0.5,x"], "3:0.5,x"),
        ([CHELSEA, "--model", "nosuchnet"], "model not found"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(capsys, tmp_path, arguments, message):
    out = tmp_path / "out.jpg"
    expect_usage_error(capsys, ["stylize", *arguments, "-o", str(out)], message)
    assert not out.exists()


def test_tiny_images_and_engines_a_request_cannot_use_are_refused(capsys, tmp_path):
    tiny, own, out = tmp_path / "tiny.png", tmp_path / "own.keras", str(tmp_path / "out.jpg")
    Image.new("RGB", (1, 1)).save(tiny)
    own.write_bytes(b"a network of the user's")
    for arguments, message in [
        ([CHELSEA, str(tiny), "--fast"], "style image is 1x1 px; it needs at least 16 px"),
        ([str(tiny), STARRY, "--fast"], "content image is 1x1 px; it needs at least 16 px"),
        ([str(tiny), "--model", "magenta26:7"], "image is 1x1 px; it needs at least 16 px"),
        ([CHELSEA, "--model", str(own), "--engine", "litert"], "cannot run a .keras network"),
        ([CHELSEA, STARRY, "--fast", "--engine", "gpu"], "--engine"),
        ([CHELSEA, STARRY, "--engine", "litert"], "--engine applies to --fast and --model"),
    ]:
        expect_usage_error(capsys, ["stylize", *arguments, "-o", out], message)
    assert not (tmp_path / "out.jpg").exists()


@pytest.mark.slow
def test_a_folder_is_painted_skipping_bad_files_and_resuming(tmp_path):
    photos, out = tmp_path / "photos", tmp_path / "out"
    (photos / "nested").mkdir(parents=True)
    Image.open(CHELSEA).resize((96, 64)).save(photos / "cat.png")
    Image.open(SCREAM).resize((48, 64)).save(photos / "nested" / "scream.jpg")
    (photos / "notes.jpg").write_text("not an image")
    done = run_cli("stylize", str(photos), STARRY, "--fast", "-o", str(out), "--quiet")
    assert done.returncode == 0, done.stderr
    assert "wrote 2 images" in done.stdout and "1 unreadable" in done.stdout
    assert read(out / "cat.png").shape == (64, 96, 3)
    assert read(out / "nested" / "scream.jpg").shape == (64, 48, 3)

    (out / "cat.png").unlink()  # as if the run had been killed before it
    kept = (out / "nested" / "scream.jpg").stat().st_mtime_ns
    done = run_cli("stylize", str(photos), STARRY, "--fast", "-o", str(out), "--quiet")
    assert "wrote 1 images" in done.stdout and "1 there already" in done.stdout
    assert (out / "cat.png").is_file() and (
        out / "nested" / "scream.jpg"
    ).stat().st_mtime_ns == kept


@pytest.mark.slow
def test_a_video_is_painted_frame_by_frame_with_flow_smoothing_and_keeps_its_sound(tmp_path):
    import subprocess

    import imageio.v2 as imageio
    import imageio_ffmpeg

    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    clip, out = tmp_path / "clip.mp4", tmp_path / "out.mp4"
    subprocess.run(
        [ffmpeg, "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=96x64:rate=5",
         "-f", "lavfi", "-i", "sine=frequency=440", "-t", "1", "-pix_fmt", "yuv420p",
         "-c:a", "aac", str(clip)],
        check=True,
    )  # fmt: skip
    done = run_cli("stylize", str(clip), STARRY, "--fast", "-o", str(out), "--quiet")
    assert done.returncode == 0, done.stderr
    assert "5 frames" in done.stdout
    frames = imageio.mimread(out)
    assert len(frames) == 5 and frames[0].shape == (64, 96, 3)
    source = imageio.mimread(clip)[0].astype(np.float32)
    assert np.abs(frames[0].astype(np.float32) - source).mean() > 15
    probe = subprocess.run([ffmpeg, "-i", str(out)], capture_output=True, text=True, check=False)
    assert "Audio: aac" in probe.stderr  # the sound came along
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4", "out.mp4"]
    done = run_cli("stylize", str(clip), STARRY, "--fast", "-o", str(tmp_path / "x.png"))
    assert done.returncode == 2 and "a video goes to a video file" in done.stderr
