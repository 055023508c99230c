"""Perceptual losses as Keras layers: Gram matrices, style, content and total variation.

Each loss layer returns a scalar averaged over the batch, so the same layers serve the
optimisation of one image and the training of a feed-forward network on batches.
"""

import keras
import tensorflow as tf
from keras import ops


def _per_layer_weights(layer_weights, count):
    """Per-layer weights as a list of floats; None means 1/count each."""
    if layer_weights is None:
        return [1.0 / count] * count
    layer_weights = [float(w) for w in layer_weights]
    if len(layer_weights) != count:
        raise ValueError(f"got {len(layer_weights)} layer weights for {count} layers")
    return layer_weights


class GramMatrix(keras.layers.Layer):
    """Gram matrix of feature maps, normalised by the number of positions.

    (batch, height, width, channels) -> (batch, channels, channels), G = F^T F / (height * width).
    Its gradient, F (U + U^T) / (height * width) for an upstream gradient U, is one matrix product
    instead of the two that automatic differentiation of F^T F would spend.
    """

    def call(self, features):
        return _gram(features)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1], input_shape[-1])


@tf.custom_gradient
def _gram(features):
    shape = tf.shape(features)
    positions = tf.cast(shape[1] * shape[2], features.dtype)
    flat = tf.reshape(features, (shape[0], shape[1] * shape[2], shape[3]))
    gram = tf.linalg.matmul(flat, flat, transpose_a=True) / positions

    def gradient(upstream):
        symmetric = upstream + tf.linalg.matrix_transpose(upstream)
        return tf.reshape(tf.linalg.matmul(flat, symmetric) / positions, shape)

    return gram, gradient


class StyleLoss(keras.layers.Layer):
    """Weighted sum over layers of the mean squared difference of Gram matrices.

    Call with `(features, target_grams)`: lists with one entry per style layer; targets of
    batch size 1 broadcast over the batch.

    Args:
      layer_weights: one weight per layer; default 1/number of layers each.
    """

    def __init__(self, layer_weights=None, **kwargs):
        super().__init__(**kwargs)
        self.layer_weights = None if layer_weights is None else [float(w) for w in layer_weights]
        self.gram = GramMatrix()

    def call(self, features, target_grams):
        weights = _per_layer_weights(self.layer_weights, len(features))
        total = 0.0
        for weight, feature, target in zip(weights, features, target_grams):
            total += weight * ops.mean(ops.square(self.gram(feature) - target))
        return total

    def get_config(self):
        return {**super().get_config(), "layer_weights": self.layer_weights}


class ContentLoss(keras.layers.Layer):
    """Weighted sum over layers of the mean squared difference of feature maps.

    Call with `(features, targets)`: lists with one entry per content layer.

    Args:
      layer_weights: one weight per layer; default 1/number of layers each.
    """

    def __init__(self, layer_weights=None, **kwargs):
        super().__init__(**kwargs)
        self.layer_weights = None if layer_weights is None else [float(w) for w in layer_weights]

    def call(self, features, targets):
        weights = _per_layer_weights(self.layer_weights, len(features))
        total = 0.0
        for weight, feature, target in zip(weights, features, targets):
            total += weight * ops.mean(ops.square(feature - target))
        return total

    def get_config(self):
        return {**super().get_config(), "layer_weights": self.layer_weights}


class TotalVariation(keras.layers.Layer):
    """Total variation of images: mean absolute ("l1") or squared ("squared") neighbour differences.

    The vertical and horizontal terms are each averaged over their positions and added.

    Args:
      mode: "l1" or "squared".
    """

    MODES = ("l1", "squared")

    def __init__(self, mode="l1", **kwargs):
        super().__init__(**kwargs)
        if mode not in self.MODES:
            raise ValueError(f"unknown total variation mode {mode!r}: choose one of {self.MODES}")
        self.mode = mode

    def call(self, images):
        down = images[:, 1:, :, :] - images[:, :-1, :, :]
        right = images[:, :, 1:, :] - images[:, :, :-1, :]
        penalty = ops.abs if self.mode == "l1" else ops.square
        return ops.mean(penalty(down)) + ops.mean(penalty(right))

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}
