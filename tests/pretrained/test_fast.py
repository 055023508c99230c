"""The one-pass fast path with the shipped arbitrary network: strength, blends, strokes, tiles."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from support import REPO, SAMPLES

from nst_tf import colors
from nst_tf.errors import NstError
from nst_tf.export import parity
from nst_tf.io import image_io

pytestmark = pytest.mark.slow
fast = pytest.importorskip("nst_tf.pretrained.fast")


def sample(name, size=None):
    image = image_io.load_image(SAMPLES / f"{name}.jpg")
    return image_io.resize_longest(image, size) if size else image


@pytest.fixture(scope="module")
def photo():
    return sample("chelsea")


def test_strength_moves_between_the_content_look_and_the_painting(photo):
    style = sample("starry_night")
    full = fast.stylize_fast(photo, style)
    half = fast.stylize_fast(photo, style, strength=0.5)
    none = fast.stylize_fast(photo, style, strength=0.0)
    assert full.shape == photo.shape and full.dtype == np.float32
    assert 0.0 <= full.min() and full.max() <= 255.0
    distance = [np.abs(image - photo).mean() for image in (none, half, full)]
    assert distance[0] < distance[1] < distance[2]


def test_a_blend_lies_between_its_styles(photo):
    styles = [sample("starry_night"), sample("the_scream")]
    vectors = [fast.style_vector(style) for style in styles]
    blended = fast.blended_style_vector(styles, [3, 1])
    np.testing.assert_allclose(blended, 0.75 * vectors[0] + 0.25 * vectors[1], atol=1e-5)
    with pytest.raises(NstError, match="weights"):
        fast.stylize_fast(photo, styles, style_blend=[1, 2, 3])


def test_luminance_keeps_the_content_colors_and_histogram_recolors_the_style(photo):
    style = sample("the_scream")
    kept = fast.stylize_fast(photo, style, preserve_colors="luminance")
    chroma = colors.rgb_to_yiq(kept)[..., 1:] - colors.rgb_to_yiq(photo)[..., 1:]
    assert np.abs(chroma).mean() < 2
    matched = fast.stylize_fast(photo, style, preserve_colors="histogram")
    plain = fast.stylize_fast(photo, style)
    assert (
        np.abs(matched.mean((0, 1)) - photo.mean((0, 1))).sum()
        < np.abs(plain.mean((0, 1)) - photo.mean((0, 1))).sum()
    )


def test_many_photos_share_one_paintings_vector(photo, tmp_path, monkeypatch):
    styles = [sample("starry_night"), sample("the_scream")]
    shared = fast.shared_paintings_vector(styles, style_blend=[3, 1], strength=0.5)
    np.testing.assert_array_equal(shared, fast.blended_style_vector(styles, [3, 1]))
    small = image_io.resize_longest(photo, 96)
    np.testing.assert_array_equal(
        fast.stylize_fast(small, styles, style_blend=[3, 1], strength=0.5, paintings_vector=shared),
        fast.stylize_fast(small, styles, style_blend=[3, 1], strength=0.5),
    )
    assert fast.shared_paintings_vector(styles, preserve_colors="histogram") is None
    with pytest.raises(NstError, match="histogram"):
        fast.stylize_fast(small, styles, preserve_colors="histogram", paintings_vector=shared)
    with pytest.raises(NstError, match="style image"):
        fast.shared_paintings_vector(np.zeros((8, 8, 3), np.float32))

    # A folder of three photos reads each painting once, not once per photo.
    for name in ("a", "b", "c"):
        image_io.save_image(tmp_path / "in" / f"{name}.png", small)
    read = []
    monkeypatch.setattr(fast, "style_vector", lambda *a, **k: read.append(1) or shared)
    report = fast.stylize_fast_folder(tmp_path / "in", tmp_path / "out", styles, progress=False)
    assert len(report["written"]) == 3 and len(read) == len(styles)


def test_working_size_sets_the_stroke_size_at_any_output_size():
    photo, style = sample("astronaut", 1024), sample("starry_night")
    native = fast.stylize_fast(photo, style, working_size=None)
    coarse = fast.stylize_fast(photo, style, working_size=256)
    assert native.shape == coarse.shape == photo.shape

    def detail(image):  # energy of the finest scale: the sharpness of the result
        return np.abs(np.diff(image, axis=1)).mean()

    # Strokes painted at 256 px are larger, yet the full-resolution pass keeps the result sharp.
    small = image_io.resize_longest
    assert parity.psnr(small(coarse, 256), small(native, 256)) < 20
    assert detail(coarse) > 0.6 * detail(native)


def test_tiles_with_global_statistics_match_the_whole_image():
    photo, style = sample("coffee"), sample("woman_with_hat")
    photo = image_io.resize(photo, (512, 768))
    whole = fast.stylize_fast(photo, style, working_size=None)
    tiled = fast.stylize_fast(photo, style, working_size=None, tile_size=384)
    assert parity.psnr(whole, tiled) >= 32


def test_out_of_range_values_are_refused(photo):
    style = sample("shipwreck")
    for arguments, message in [
        ({"strength": 1.5}, "strength must be in"),
        ({"tile_size": 200}, "tile_size must be more than"),
        ({"preserve_colors": "sepia"}, "preserve_colors must be one of"),
        ({"working_size": 3}, "working_size must be at least"),
    ]:
        with pytest.raises(NstError, match=message):
            fast.stylize_fast(photo, style, **arguments)
    with pytest.raises(NstError, match="content image is 8x8 px; it needs at least 16 px"):
        fast.stylize_fast(photo[:8, :8], style)
    with pytest.raises(NstError, match="style image is 1x1 px; it needs at least 16 px"):
        fast.stylize_fast(photo, style[:1, :1])


PEAK_MEMORY = textwrap.dedent(
    """
    import sys
    import numpy as np
    from nst_tf.pretrained import fast
    rng = np.random.default_rng(0)
    small = rng.uniform(0, 255, (40, 60, 3)).astype(np.float32)
    photo = np.kron(small, np.ones((100, 100, 1), np.float32))  # 6000 x 4000, blocky
    style = rng.uniform(0, 255, (256, 256, 3)).astype(np.float32)
    result = fast.stylize_fast(photo, style)
    assert result.shape == (4000, 6000, 3)
    from nst_tf import engine_choice
    from nst_tf.feedforward import shipped
    from nst_tf.pretrained import lite_runner
    print("engine", engine_choice.choose("auto", shipped.has_tflite(lite_runner.FILES)))
    # VmHWM, not ru_maxrss: Linux keeps ru_maxrss across execve, so it starts at the parent's.
    with open("/proc/self/status") as status:
        peak_kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
    print(peak_kib / 2**20)
    """
)


def test_a_6000_by_4000_photo_paints_within_4_gib():
    # A clean environment: the measured process inherits nothing the test run set up.
    environment = {name: os.environ[name] for name in ("PATH", "HOME") if name in os.environ}
    done = subprocess.run(
        [sys.executable, "-c", PEAK_MEMORY], cwd=REPO, capture_output=True, text=True,
        timeout=600, check=False, env={**environment, "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    peak_gib = float(done.stdout.strip().splitlines()[-1])
    print(f"6000x4000: peak memory {peak_gib:.2f} GiB; {done.stdout.splitlines()[-2]}")
    assert peak_gib < 4.0
