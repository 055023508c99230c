"""The delegable copies' rewritten convolutions and norms compute what the Keras layers do."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from nst_tf.export import delegable, delegable_norms
from nst_tf.feedforward.network_layers import InstanceNormalization
from nst_tf.pretrained.layers import InstanceMoments, StyleNormalization


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
    def factor(kernel, channels_in, filters, multiple, extra, banded=False):
        conv = keras.layers.Conv2D(filters, kernel)
        return delegable._block_factor(conv, channels_in, multiple, extra, banded)

    assert factor(9, 3, 8, 4, 8) == delegable.LARGE_BLOCK  # few channels: blocks of 4
    assert factor(9, 3, 8, 4, 8, banded=True) == delegable.BLOCK  # unless on bands
    assert factor(9, 3, 32, 4, 8) == delegable.BLOCK
    assert factor(9, 8, 3, 2, 8) == delegable.BLOCK  # sides even, not multiples of 4
    assert factor(5, 3, 8, 4, 4) == delegable.BLOCK
    assert factor(3, 16, 8, 4, 2) == delegable.BLOCK
    assert factor(3, 16, 32, 4, 2) is None
    assert factor(9, 3, 32, 1, 0) is None


def test_one_scan_norms_match_the_layers():
    features = tf.random.normal([2, 9, 7, 5], mean=3.0, stddev=2.0)
    mean, variance = InstanceMoments()(features)
    one_mean, one_variance = delegable_norms.OneScanMoments()(features)
    np.testing.assert_allclose(one_mean, mean, rtol=1e-5)
    np.testing.assert_allclose(one_variance, variance, rtol=1e-4)
    shift, scale = tf.random.normal([2, 5]), tf.random.normal([2, 5])
    inputs = [features, mean, variance, shift, scale]
    np.testing.assert_allclose(
        delegable_norms.AffineStyleNormalization(1e-5)(inputs), StyleNormalization(1e-5)(inputs),
        atol=1e-4,
    )
    norm = InstanceNormalization(num_styles=3)
    style_weights = tf.constant([[0.2, 0.8, 0.0], [0.0, 0.0, 1.0]])
    norm.build([features.shape, style_weights.shape])
    norm.scale.assign(tf.random.normal([3, 5]))
    norm.shift.assign(tf.random.normal([3, 5]))
    expected = norm([features, style_weights])
    np.testing.assert_allclose(
        delegable_norms.OneScanInstanceNormalization(norm)([features, style_weights]), expected,
        atol=1e-4,
    )
