"""The delegable copies' rewritten convolutions compute what the Keras layers do."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from nst_tf.export import delegable


def test_space_to_depth_as_a_convolution_is_exact():
    images = tf.random.normal([1, 12, 8, 5])
    expected = tf.nn.space_to_depth(images, 4)
    np.testing.assert_array_equal(delegable.space_to_depth(images, 4), expected)


@pytest.mark.parametrize("kernel,factor", [(1, 2), (3, 2), (5, 4), (9, 2), (9, 4)])
def test_space_to_depth_conv_matches_the_convolution(kernel, factor):
    conv = keras.layers.Conv2D(7, kernel, activation="relu", bias_initializer="random_normal")
    images = tf.random.normal([1, 4 * factor + kernel - 1, 6 * factor + kernel - 1, 3])
    expected = conv(images)
    blocks = delegable.SpaceToDepthConv(conv, factor)(images)
    np.testing.assert_allclose(blocks, expected, atol=1e-5)


def test_block_factor_fits_the_kernel_and_sides():
    def factor(kernel, filters, multiple, extra):
        return delegable._block_factor(keras.layers.Conv2D(filters, kernel), multiple, extra)

    assert factor(9, 32, 4, 8) == delegable.BLOCK
    assert factor(3, 8, 4, 2) == delegable.BLOCK
    assert factor(3, 32, 4, 2) is None
    assert factor(9, 32, 1, 0) is None
