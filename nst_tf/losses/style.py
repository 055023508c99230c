"""Style losses as Keras layers, chosen by name: Gram (guided by masks), moments, MRF, style swap.

All share the interface of nst_tf.losses.layerwise.LayerwiseStyleLoss.
"""

import keras
import tensorflow as tf

from nst_tf.losses.gram import gram
from nst_tf.losses.layerwise import EPSILON, LayerwiseStyleLoss
from nst_tf.losses.patches import MrfLoss, StyleSwapLoss


@keras.saving.register_keras_serializable(package="nst_tf")
class GramLoss(LayerwiseStyleLoss):
    """Mean squared difference of Gram matrices; with position weights T, the guided Gram matrix
    G = (T F)^T (T F) / sum(T^2) of Gatys et al. 2017."""

    takes_style_regions = True

    def layer_target(self, feature, positions=None):
        return guided_gram(feature, positions)

    def layer_loss(self, feature, target, positions):
        return tf.reduce_mean(tf.square(guided_gram(feature, positions) - target))


def guided_gram(feature, positions):
    """The Gram matrix of (1, h, w, c) activations; with position weights T (1, h, w, 1), the
    guided Gram matrix (T F)^T (T F) / sum(T^2) of Gatys et al. 2017."""
    if positions is None:
        return gram(feature)
    count = tf.cast(tf.shape(feature)[1] * tf.shape(feature)[2], feature.dtype)
    return gram(feature * positions) * count / (tf.reduce_sum(positions**2) + EPSILON)


@keras.saving.register_keras_serializable(package="nst_tf")
class MomentsLoss(LayerwiseStyleLoss):
    """Squared differences of the per-channel mean and standard deviation over positions: the
    first two moments, the linear-kernel MMD view of style (Li et al. 2017)."""

    takes_style_regions = True

    def layer_target(self, feature, positions=None):
        return tf.stack(moments(feature, positions))

    def layer_loss(self, feature, target, positions):
        mean, std = moments(feature, positions)
        return tf.reduce_mean(tf.square(mean - target[0])) + tf.reduce_mean(
            tf.square(std - target[1])
        )


def moments(feature, positions):
    """Per-channel (weighted) mean and standard deviation of (1, h, w, c) activations: (c,), (c,)."""
    if positions is None:
        positions = tf.ones_like(feature[..., :1])
    total = tf.reduce_sum(positions) + EPSILON
    mean = tf.reduce_sum(feature * positions, axis=(0, 1, 2)) / total
    variance = tf.reduce_sum(tf.square(feature - mean) * positions, axis=(0, 1, 2)) / total
    return mean, tf.sqrt(variance + EPSILON)


# The name of the unguided Gram loss in earlier releases; the same layer.
StyleLoss = GramLoss

STYLE_LOSSES = {
    "gram": GramLoss,
    "mrf": MrfLoss,
    "swap": StyleSwapLoss,
    "moments": MomentsLoss,
}


def make_style_loss(name, layer_weights=None):
    """The style loss layer called `name` (a key of STYLE_LOSSES)."""
    return STYLE_LOSSES[name](layer_weights=layer_weights)
