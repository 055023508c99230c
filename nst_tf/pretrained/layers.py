"""The layers of Magenta's arbitrary stylisation transformer that Keras lacks: the statistics of
an instance norm, and the normalisation whose scale and shift are predicted from the style
vector. Registered, so saved models load. Images are NHWC of any height and width.
"""

import keras
from keras import ops

_PACKAGE = "nst_tf"


@keras.saving.register_keras_serializable(package=_PACKAGE)
class InstanceMoments(keras.layers.Layer):
    """The mean and variance of each channel of each image over its positions.

    Returns [mean, variance], each (batch, 1, 1, channels).
    """

    def call(self, features):
        mean = ops.mean(features, axis=(1, 2), keepdims=True)
        centered = features - mean
        return [mean, ops.mean(centered * centered, axis=(1, 2), keepdims=True)]

    def compute_output_shape(self, input_shape):
        shape = (input_shape[0], 1, 1, input_shape[-1])
        return [shape, shape]


@keras.saving.register_keras_serializable(package=_PACKAGE)
class RowMoments(keras.layers.Layer):
    """Each row's sums over the width of the features and of their squares (for moments over
    several bands of rows). Returns [sums, squares], each (batch, height, 1, channels)."""

    def call(self, features):
        return [
            ops.sum(features, axis=2, keepdims=True),
            ops.sum(features * features, axis=2, keepdims=True),
        ]

    def compute_output_shape(self, input_shape):
        shape = (*input_shape[:2], 1, input_shape[-1])
        return [shape, shape]


@keras.saving.register_keras_serializable(package=_PACKAGE)
class StyleNormalization(keras.layers.Layer):
    """Normalises features with given moments, then scales and shifts them per image.

    Called with [features, mean, variance, shift, scale]: mean and variance (batch, 1, 1,
    channels), from InstanceMoments of the same features or given (tiles sharing a whole image's
    statistics); shift and scale (batch, channels), projections of the style vector.

    Args:
      epsilon: added to the variance.
    """

    def __init__(self, epsilon=1e-5, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = float(epsilon)

    def call(self, inputs):
        features, mean, variance, shift, scale = inputs
        gain = scale[:, None, None, :] * ops.rsqrt(variance + self.epsilon)
        return (features - mean) * gain + shift[:, None, None, :]

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}
