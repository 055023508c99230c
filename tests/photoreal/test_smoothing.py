"""The closed-form smoothing (PhotoWCT) and the photorealism metrics on tiny images."""

import numpy as np
import pytest
from support import gradient_image, stripes_image

from nst_tf import metrics
from nst_tf.errors import NstError
from nst_tf.photoreal import matting, smoothing


@pytest.fixture
def photo():
    rng = np.random.default_rng(5)
    return np.clip(gradient_image(24) + rng.normal(0, 15, (24, 24, 3)), 0, 255).astype(np.float32)


@pytest.fixture
def painted(photo):
    """The photo recoloured and overlaid with a painted texture."""
    return np.clip(255.0 - photo * 0.8 + (stripes_image(24) - 127.5) * 0.4, 0, 255)


def test_strength_zero_is_identity_and_a_constant_image_stays_constant(photo, painted):
    np.testing.assert_array_equal(smoothing.photo_smooth(painted, photo, 0.0), painted)
    flat = np.full((24, 24, 3), [30.0, 100.0, 200.0], np.float32)
    np.testing.assert_allclose(smoothing.photo_smooth(flat, photo, 1.0), flat, atol=1e-3)


def test_smoothing_removes_the_texture_but_keeps_the_recoloring(photo, painted):
    laplacian = matting.matting_laplacian(photo)
    smoothed = smoothing.photo_smooth(painted, photo, 1.0)
    assert smoothed.shape == painted.shape and smoothed.dtype == np.float32
    assert matting.matting_cost(smoothed, laplacian) < 0.05 * matting.matting_cost(
        painted, laplacian
    )
    half = smoothing.photo_smooth(painted, photo, 0.5)
    assert matting.matting_cost(smoothed, laplacian) < matting.matting_cost(half, laplacian)
    # the colours moved with the painting: far from the photo's, close to the painted mean
    assert abs(smoothed.mean() - painted.mean()) < 5.0 < abs(smoothed.mean() - photo.mean())


def test_large_images_are_solved_at_the_working_size_and_upsampled(photo, painted):
    big_photo = np.kron(photo, np.ones((3, 3, 1)))
    big = np.kron(painted, np.ones((3, 3, 1))).astype(np.float32)
    smoothed = smoothing.photo_smooth(big, big_photo, 1.0, working_size=24)
    direct = smoothing.photo_smooth(painted, photo, 1.0)
    assert smoothed.shape == (72, 72, 3)
    assert np.abs(smoothed[1::3, 1::3] - direct).mean() < 6.0
    flat = np.full((72, 72, 3), 90.0, np.float32)
    np.testing.assert_allclose(smoothing.photo_smooth(flat, big_photo, 1.0, 24), flat, atol=0.5)


@pytest.mark.parametrize("strength", [-0.1, 1.5, float("nan"), "1"])
def test_bad_strengths_are_refused(photo, strength):
    with pytest.raises(NstError, match="photo_smoothing"):
        smoothing.photo_smooth(photo, photo, strength)


def test_metrics_rank_structure_and_color(photo, painted):
    assert metrics.structure_kept(photo, photo) == pytest.approx(1.0)
    assert metrics.structure_kept(painted, photo) < 0.9
    assert metrics.color_distance(photo, photo) == pytest.approx(0.0, abs=1e-7)
    assert metrics.color_distance(photo * [0.3, 0.3, 1.0], photo) > 0.5
