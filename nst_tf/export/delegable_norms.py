"""Instance norms written for LiteRT's XNNPACK delegate (see nst_tf.export.delegable): the
variance as the mean of squares less the squared mean, the normalisation as one multiply and one
add, so that fewer full-size temporaries are alive at once. Each computes what its Keras layer
does."""

import keras
import tensorflow as tf

from nst_tf.feedforward.network_layers import InstanceNormalization
from nst_tf.pretrained.layers import InstanceMoments, StyleNormalization


def one_scan_copy(layer):
    """The one-scan layer standing for a Keras instance-norm layer, or None for other layers."""
    if isinstance(layer, InstanceNormalization):
        return OneScanInstanceNormalization(layer)
    if isinstance(layer, InstanceMoments):
        return OneScanMoments(name=f"{layer.name}_one_scan")
    if isinstance(layer, StyleNormalization):
        return AffineStyleNormalization(layer.epsilon, name=f"{layer.name}_affine")
    return None


def one_scan_moments(features):
    """[mean, variance] of each channel over the positions, without a centred copy."""
    mean = tf.reduce_mean(features, axis=(1, 2), keepdims=True)
    squares = tf.reduce_mean(tf.square(features), axis=(1, 2), keepdims=True)
    return [mean, tf.maximum(squares - tf.square(mean), 0.0)]


def affine_normalized(features, mean, variance, scale, shift, epsilon):
    """(features - mean) / sqrt(variance + epsilon) * scale + shift as one multiply and one add."""
    gain = scale * tf.math.rsqrt(variance + tf.cast(epsilon, features.dtype))
    return features * gain + (shift - mean * gain)


class OneScanMoments(keras.layers.Layer):
    """InstanceMoments as one_scan_moments."""

    def call(self, features):
        return one_scan_moments(features)


class OneScanInstanceNormalization(keras.layers.Layer):
    """An InstanceNormalization (its weights) with one_scan_moments and affine_normalized.

    Args:
      layer: the InstanceNormalization.
    """

    def __init__(self, layer, **kwargs):
        super().__init__(name=f"{layer.name}_one_scan", **kwargs)
        self.layer = layer

    def call(self, inputs):
        features, scale, shift = self.layer.features_scale_shift(inputs)
        mean, variance = one_scan_moments(features)
        return affine_normalized(features, mean, variance, scale, shift, self.layer.epsilon)


class AffineStyleNormalization(keras.layers.Layer):
    """StyleNormalization as affine_normalized.

    Args:
      epsilon: added to the variance.
    """

    def __init__(self, epsilon, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = float(epsilon)

    def call(self, inputs):
        features, mean, variance, shift, scale = inputs
        return affine_normalized(
            features, mean, variance, scale[:, None, None, :], shift[:, None, None, :],
            self.epsilon,
        )
