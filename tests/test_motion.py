"""Optical flow, warping and its reliability (nst_tf.motion), and flow smoothing of videos."""

import numpy as np
from support import SAMPLES

from nst_tf import motion
from nst_tf.feedforward import video_stylization
from nst_tf.io import image_io


def shifted_pair(dx=6, dy=3):
    """A photo and the same photo moved right by dx and down by dy pixels."""
    photo = image_io.resize(image_io.load_image(SAMPLES / "astronaut.jpg"), (200, 240))
    moved = np.roll(photo, (dy, dx), axis=(0, 1))
    return photo, moved


def test_flow_recovers_a_shift_and_warping_undoes_it():
    photo, moved = shifted_pair()
    flow = motion.optical_flow(photo, moved, accurate=True)
    inner = (slice(30, -30), slice(30, -30))
    np.testing.assert_allclose(np.median(flow[inner].reshape(-1, 2), axis=0), [-6, -3], atol=0.3)
    warped = motion.warp(photo, flow)
    assert np.abs(warped[inner] - moved[inner]).mean() < 3
    assert np.abs(photo[inner] - moved[inner]).mean() > 15


def test_reliability_fails_where_content_appears():
    photo, moved = shifted_pair(dx=12, dy=0)
    moved[:, :12] = 0  # content that was not in the first frame
    backward = motion.optical_flow(photo, moved)
    forward = motion.optical_flow(moved, photo)
    mask = motion.reliable(backward, forward)
    assert mask[40:-40, 60:-60].mean() > 0.9
    assert mask[40:-40, :8].mean() < mask[40:-40, 60:-60].mean()


def test_flow_smoothing_carries_the_previous_result_along_the_motion():
    photo, moved = shifted_pair()
    previous_result = np.random.default_rng(0).uniform(0, 255, photo.shape).astype(np.float32)
    fresh = np.full(photo.shape, 128.0, np.float32)
    out = video_stylization.flow_smooth(fresh, previous_result, moved, photo, 0.8)
    inner = (slice(40, -40), slice(40, -40))
    carried = np.roll(previous_result, (3, 6), axis=(0, 1))  # the previous result, moved along
    expected = 0.2 * fresh + 0.8 * carried
    assert np.abs(out[inner] - expected[inner]).mean() < 0.25 * np.abs(fresh - carried).mean()
    np.testing.assert_array_equal(
        video_stylization.flow_smooth(fresh, None, moved, None, 0.8), fresh
    )


def test_warping_error_is_zero_for_a_result_that_moves_with_the_content():
    photo, moved = shifted_pair()
    assert motion.warping_error(photo, moved, photo, moved) < 4  # interpolation, the wrapped edge
    flicker = np.random.default_rng(1).uniform(0, 255, photo.shape).astype(np.float32)
    assert motion.warping_error(photo, flicker, photo, moved) > 40
