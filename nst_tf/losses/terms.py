"""The terms of the objective besides style: content and total variation, and their weighted sum.

Each loss layer returns a scalar averaged over the batch, so the same layers serve the
optimisation of one image and the training of a feed-forward network on batches.
"""

import keras
from keras import ops

from nst_tf import defaults


def per_layer_weights(layer_weights, count):
    """Per-layer weights as a list of floats; None means 1/count each."""
    if layer_weights is None:
        return [1.0 / count] * count
    layer_weights = [float(w) for w in layer_weights]
    if len(layer_weights) != count:
        raise ValueError(f"got {len(layer_weights)} layer weights for {count} layers")
    return layer_weights


@keras.saving.register_keras_serializable(package="nst_tf")
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
        weights = per_layer_weights(self.layer_weights, len(features))
        total = 0.0
        for weight, feature, target in zip(weights, features, targets):
            total += weight * ops.mean(ops.square(feature - target))
        return total

    def get_config(self):
        return {**super().get_config(), "layer_weights": self.layer_weights}


@keras.saving.register_keras_serializable(package="nst_tf")
class TotalVariation(keras.layers.Layer):
    """Total variation of images: mean absolute ("l1") or squared ("squared") neighbour differences.

    The vertical and horizontal terms are each averaged over their positions and added.

    Args:
      mode: "l1" or "squared".
    """

    MODES = defaults.TV_MODES

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


def weighted_total(terms, weights):
    """The weighted terms and their sum: the one objective of optimisation and of training.

    Args:
      terms: dict of unweighted scalar losses ("content", "style", "tv").
      weights: dict with a weight per term.

    Returns:
      dict with the weighted terms and their sum under "total".
    """
    weighted = {name: weights[name] * value for name, value in terms.items()}
    return {"total": sum(weighted.values()), **weighted}


def matting_loss(images, laplacian):
    """Luan et al.'s photorealism regulariser: sum over colour channels of V_c^T L V_c.

    Zero when the image is locally an affine function of the photo whose matting Laplacian L
    is (nst_tf.photoreal.matting). The product L V is a gather and a segment sum over L's
    entries, which XLA compiles (tf.sparse's matmul it does not).

    Args:
      images: tensor (1, height, width, 3), colours in [0, 1].
      laplacian: tf.SparseTensor (pixels, pixels), pixels in row-major order.

    Returns:
      scalar tensor.
    """
    flat = ops.reshape(images, (-1, 3))
    rows, cols = laplacian.indices[:, 0], laplacian.indices[:, 1]
    spread = laplacian.values[:, None] * ops.take(flat, cols, axis=0)
    product = ops.segment_sum(spread, rows, num_segments=ops.shape(flat)[0])
    return ops.sum(flat * product)
