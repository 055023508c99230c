"""Instance norms written for LiteRT's XNNPACK delegate (see nst_tf.export.delegable): the
variance as the mean of squares less the squared mean, the normalisation as one multiply and one
add, so that fewer full-size temporaries are alive at once. Each computes what its Keras layer
does."""

import keras
import tensorflow as tf


class OneScanMoments(keras.layers.Layer):
    """InstanceMoments without a centred copy of the features: [mean, mean of squares less the
    squared mean]."""

    def call(self, features):
        mean = tf.reduce_mean(features, axis=(1, 2), keepdims=True)
        squares = tf.reduce_mean(tf.square(features), axis=(1, 2), keepdims=True)
        return [mean, tf.maximum(squares - tf.square(mean), 0.0)]


class OneScanInstanceNormalization(keras.layers.Layer):
    """An InstanceNormalization (its weights) whose variance is the mean of squares less the
    squared mean.

    Args:
      layer: the InstanceNormalization.
    """

    def __init__(self, layer, **kwargs):
        super().__init__(name=f"{layer.name}_one_scan", **kwargs)
        self.layer = layer

    def call(self, inputs):
        features, scale, shift = self.layer.features_scale_shift(inputs)
        mean, variance = OneScanMoments()(features)
        gain = scale * tf.math.rsqrt(variance + tf.cast(self.layer.epsilon, features.dtype))
        return features * gain + (shift - mean * gain)


class AffineStyleNormalization(keras.layers.Layer):
    """StyleNormalization as one multiply and one add of the features.

    Args:
      epsilon: added to the variance.
    """

    def __init__(self, epsilon, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = float(epsilon)

    def call(self, inputs):
        features, mean, variance, shift, scale = inputs
        gain = scale[:, None, None, :] * tf.math.rsqrt(variance + self.epsilon)
        return features * gain + (shift[:, None, None, :] - mean * gain)
