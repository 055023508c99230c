"""The matting Laplacian (Levin et al. 2008) of tiny photos, and its loss in TensorFlow."""

import numpy as np
import pytest
import tensorflow as tf
from support import gradient_image, stripes_image

from nst_tf.losses.terms import matting_loss
from nst_tf.optimize.objective import sparse_entries
from nst_tf.photoreal import matting

# An invertible colour matrix and offset: an affine recolouring of a photo.
RECOLOR = np.array([[0.5, 0.2, 0.1], [0.0, 0.9, 0.3], [0.2, 0.0, 0.7]])


@pytest.fixture
def photo():
    """A 9x11 photo with colour noise, so every window's covariance is full rank."""
    rng = np.random.default_rng(3)
    return np.clip(gradient_image(11)[:9] + rng.normal(0, 20, (9, 11, 3)), 0, 255)


def test_laplacian_is_symmetric_positive_semidefinite_with_zero_row_sums(photo):
    laplacian = matting.matting_laplacian(photo)
    dense = laplacian.toarray()
    assert dense.shape == (99, 99)
    np.testing.assert_allclose(dense, dense.T, atol=1e-12)
    np.testing.assert_allclose(dense.sum(axis=1), 0.0, atol=1e-10)
    assert np.linalg.eigvalsh(dense).min() > -1e-9
    # each pixel is tied to its 5x5 neighbourhood only: a corner pixel to 3x3 of them
    assert np.count_nonzero(dense[0]) == 9 and np.count_nonzero(dense[4 * 11 + 5]) == 25


def test_an_affine_recoloring_costs_nothing_and_a_texture_does(photo):
    laplacian = matting.matting_laplacian(photo)
    recolored = photo @ RECOLOR.T + 30.0
    textured = recolored + stripes_image(11)[:9] * 0.2
    assert matting.matting_cost(recolored, laplacian) < 1e-4
    assert matting.matting_cost(textured, laplacian) > 1.0
    assert matting.matting_cost(photo, laplacian) < 1e-4


def test_too_small_a_photo_is_refused():
    with pytest.raises(ValueError, match="3x3"):
        matting.matting_laplacian(np.zeros((2, 5, 3)))


def test_loss_and_gradient_match_the_sparse_product(photo):
    laplacian = matting.matting_laplacian(photo)
    image = stripes_image(11)[:9]
    colors = tf.constant(image[None] / 255.0, tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(colors)
        loss = matting_loss(colors, tf.SparseTensor(*sparse_entries(laplacian), laplacian.shape))
    gradient = tape.gradient(loss, colors).numpy().reshape(-1, 3)
    np.testing.assert_allclose(float(loss), matting.matting_cost(image, laplacian), rtol=1e-4)
    expected = 2.0 * (laplacian @ (image.reshape(-1, 3) / 255.0))
    np.testing.assert_allclose(gradient, expected, rtol=1e-3, atol=1e-4)
