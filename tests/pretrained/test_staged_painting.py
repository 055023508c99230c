"""The arbitrary transformer run stage by stage: the bands tile the image, and the stages paint
what the whole network paints, in Keras exactly and on LiteRT within the files' parity."""

import numpy as np
import pytest
from support import SAMPLES

from nst_tf import metrics
from nst_tf.io import image_io
from nst_tf.pretrained import staged_painting


def test_windows_are_equal_see_their_margins_and_keep_rows_that_tile_the_whole():
    assert staged_painting.windows(100, 24, 8, 4) == [
        ((0, 40), (0, 24)),
        ((16, 56), (24, 48)),
        ((40, 80), (48, 72)),
        ((60, 100), (72, 100)),
    ]
    assert staged_painting.windows(36, 24, 8, 4) == [((0, 36), (0, 36))]
    for length, band, margin, multiple in ((1024, 256, 8, 4), (258, 30, 4, 2), (64, 5, 4, 4)):
        spans = staged_painting.windows(length, band, margin, multiple)
        kept = [rows for _, rows in spans]
        assert kept[0][0] == 0 and kept[-1][1] == length
        assert all(before[1] == after[0] for before, after in zip(kept, kept[1:]))
        assert len({last - first for (first, last), _ in spans}) == 1
        for (first, last), (start, end) in spans:
            assert first % multiple == 0 and start % multiple == 0
            assert start - first >= margin or first == 0
            assert last - end >= margin or last == length


def test_moments_over_bands_are_those_of_the_whole():
    rows = np.random.default_rng(0).normal(2.0, 3.0, (1, 10, 7, 3)).astype(np.float32)
    statistics = staged_painting.Moments(width=7)
    for start, end in ((0, 4), (4, 10)):
        band = rows[:, start:end]
        sums = {"sums": band.sum(axis=2, keepdims=True), "squares": (band**2).sum(2, keepdims=True)}
        statistics.add(sums, 0, end - start)
    moments = statistics.moments()
    np.testing.assert_allclose(moments["mean"].ravel(), rows.mean(axis=(0, 1, 2)), rtol=1e-5)
    np.testing.assert_allclose(moments["variance"].ravel(), rows.var(axis=(0, 1, 2)), rtol=1e-4)


def test_finished_is_the_norm_then_the_sigmoid_in_0_255():
    raw = np.array([[[0.0, 10.0, -1000.0], [2.0, 30.0, 1000.0]]], np.float32)
    statistics = staged_painting.Moments(width=2)
    statistics.add(
        {"sums": raw.sum(1, keepdims=True)[None], "squares": (raw**2).sum(1, keepdims=True)[None]},
        0,
        1,
    )
    scale, shift = np.array([1.0, 2.0, 1.0], np.float32), np.array([0.0, 0.0, 0.5], np.float32)
    painted = staged_painting.finished(raw.copy(), statistics, scale, shift)
    normalised = (raw - raw.mean((0, 1))) / np.sqrt(raw.var((0, 1)) + 1e-5) * scale + shift
    np.testing.assert_allclose(painted, 255.0 / (1.0 + np.exp(-normalised)), rtol=1e-5)
    assert np.isfinite(painted).all()


@pytest.mark.slow
def test_keras_stages_on_bands_paint_what_the_whole_transformer_paints():
    from nst_tf.export import litert_files
    from nst_tf.pretrained import keras_runner, networks, stage_networks

    functions = litert_files.stage_functions(
        stage_networks.transformer_stages(networks.arbitrary_transformer())
    )

    def open_stage(name):
        function = functions[name]
        return lambda **inputs: {key: np.asarray(v) for key, v in function(**inputs).items()}

    photo = image_io.resize(image_io.load_image(SAMPLES / "chelsea.jpg"), (70, 90))
    pair = keras_runner.shipped_pair()
    vector = pair.style_vector(image_io.resize(photo, (256, 256)))
    whole = pair.paint(photo, vector)
    staged = staged_painting.paint(open_stage, photo, vector, band_pixels=16 * 90)
    assert len(staged_painting.windows(72, 16, 8, 4)) == 4  # 70 rows padded to 72
    assert staged.shape == photo.shape
    assert np.abs(staged - whole).max() < 0.05


@pytest.mark.slow
def test_the_shipped_stages_paint_the_same_on_bands_as_in_one_band():
    from nst_tf.feedforward import shipped
    from nst_tf.pretrained import fast, lite_runner

    def open_stage(stage):
        return shipped.load_tflite(lite_runner.STAGE_FILES[stage])

    photo = image_io.resize(image_io.load_image(SAMPLES / "astronaut.jpg"), (301, 383))
    vector = fast.style_vector(image_io.load_image(SAMPLES / "starry_night.jpg"), engine="litert")
    one = staged_painting.paint(open_stage, photo, vector, band_pixels=10**7)
    banded = staged_painting.paint(open_stage, photo, vector, band_pixels=40 * 384)
    assert metrics.psnr(np.clip(banded, 0, 255), np.clip(one, 0, 255)) > 45.0
