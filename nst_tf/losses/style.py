"""Style losses as Keras layers, chosen by name: Gram (guided by masks), moments, MRF, style swap.

All share one interface, so the optimisation treats them alike:

  targets = loss.targets(style_features, content_features)   # once, from the style image
  value = loss(features, targets, position_weights)            # every evaluation

`style_features`, `content_features` and `features` are lists with one activation tensor
(1, height, width, channels) per style layer; `position_weights` is None or a list with one
(1, height, width, 1) tensor per layer that weights the positions of the generated image (the
guidance channels of Gatys et al. 2017: masks resized to each layer). Each layer's loss is
weighted by `layer_weights` (default 1/number of layers) and summed.
"""

import keras
import tensorflow as tf

from nst_tf.losses.core import _gram, _per_layer_weights

_EPSILON = 1e-8


class _LayerwiseStyleLoss(keras.layers.Layer):
    """Base: the weighted sum over layers of `layer_loss`.

    Args:
      layer_weights: one weight per layer; default 1/number of layers each.
    """

    needs_content = False

    def __init__(self, layer_weights=None, **kwargs):
        super().__init__(**kwargs)
        self.layer_weights = None if layer_weights is None else [float(w) for w in layer_weights]

    def targets(self, style_features, content_features=None):
        """Per-layer targets from the style (and content) activations.

        Args:
          style_features: list of (1, height, width, channels) style activations.
          content_features: list of content activations at the result's size, or None.

        Returns:
          list with one target per layer.
        """
        del content_features
        return [self.layer_target(feature) for feature in style_features]

    def call(self, features, targets, position_weights=None):
        weights = _per_layer_weights(self.layer_weights, len(features))
        if position_weights is None:
            position_weights = [None] * len(features)
        total = 0.0
        for weight, feature, target, positions in zip(weights, features, targets, position_weights):
            total += weight * self.layer_loss(feature, target, positions)
        return total

    def get_config(self):
        return {**super().get_config(), "layer_weights": self.layer_weights}


class GramLoss(_LayerwiseStyleLoss):
    """Mean squared difference of Gram matrices; with position weights T, the guided Gram matrix
    G = (T F)^T (T F) / sum(T^2) of Gatys et al. 2017. Unweighted, it equals losses.StyleLoss."""

    def layer_target(self, feature):
        return _gram(feature)

    def layer_loss(self, feature, target, positions):
        if positions is None:
            gram = _gram(feature)
        else:
            count = tf.cast(tf.shape(feature)[1] * tf.shape(feature)[2], feature.dtype)
            gram = _gram(feature * positions) * count / (tf.reduce_sum(positions**2) + _EPSILON)
        return tf.reduce_mean(tf.square(gram - target))


class MomentsLoss(_LayerwiseStyleLoss):
    """Squared differences of the per-channel mean and standard deviation over positions: the
    first two moments, the linear-kernel MMD view of style (Li et al. 2017)."""

    def layer_target(self, feature):
        return tf.stack(_moments(feature, None))

    def layer_loss(self, feature, target, positions):
        mean, std = _moments(feature, positions)
        return tf.reduce_mean(tf.square(mean - target[0])) + tf.reduce_mean(
            tf.square(std - target[1])
        )


def _moments(feature, positions):
    """Per-channel (weighted) mean and standard deviation of (1, h, w, c) activations: (c,), (c,)."""
    if positions is None:
        positions = tf.ones_like(feature[..., :1])
    total = tf.reduce_sum(positions) + _EPSILON
    mean = tf.reduce_sum(feature * positions, axis=(0, 1, 2)) / total
    variance = tf.reduce_sum(tf.square(feature - mean) * positions, axis=(0, 1, 2)) / total
    return mean, tf.sqrt(variance + _EPSILON)


class _PatchLoss(_LayerwiseStyleLoss):
    """Base of the patch losses: square patches of `patch_size` activations, stride 1.

    Args:
      patch_size: side of the patches, in positions of each layer.
      layer_weights: see _LayerwiseStyleLoss.
    """

    def __init__(self, patch_size=3, layer_weights=None, **kwargs):
        super().__init__(layer_weights, **kwargs)
        self.patch_size = int(patch_size)

    def style_patches(self, feature):
        """The style's patches (k, k, c, patches) and the same scaled to unit norm."""
        k = self.patch_size
        patches = tf.image.extract_patches(
            feature, [1, k, k, 1], [1, 1, 1, 1], [1, 1, 1, 1], "VALID"
        )
        patches = tf.reshape(patches, (-1, k, k, feature.shape[-1]))
        norms = tf.sqrt(tf.reduce_sum(tf.square(patches), axis=(1, 2, 3), keepdims=True))
        normalised = patches / (norms + _EPSILON)
        return tf.transpose(patches, (1, 2, 3, 0)), tf.transpose(normalised, (1, 2, 3, 0))

    def best_matches(self, feature, normalised):
        """Index of the style patch with the highest normalised cross-correlation with each patch
        of `feature` (1, h, w, c): (1, h - k + 1, w - k + 1) int, no gradient."""
        scores = tf.nn.conv2d(tf.stop_gradient(feature), normalised, 1, "VALID")
        return tf.argmax(scores, axis=-1, output_type=tf.int32)

    def get_config(self):
        return {**super().get_config(), "patch_size": self.patch_size}


class MrfLoss(_PatchLoss):
    """MRF loss (Li & Wand 2016): every patch of the generated activations is pulled towards its
    nearest style patch by normalised cross-correlation; mean squared patch difference."""

    def layer_target(self, feature):
        return self.style_patches(feature)

    def layer_loss(self, feature, target, positions):
        patches, normalised = target
        k = self.patch_size
        nearest = self.best_matches(feature, normalised)
        matched = tf.gather(tf.transpose(patches, (3, 0, 1, 2)), nearest)  # (1, h', w', k, k, c)
        height, width = tf.shape(nearest)[1], tf.shape(nearest)[2]
        squared = 0.0
        for dy in range(k):
            for dx in range(k):
                part = feature[:, dy : dy + height, dx : dx + width, :]
                squared += tf.reduce_mean(tf.square(part - matched[:, :, :, dy, dx, :]), axis=-1)
        squared /= k * k
        if positions is None:
            return tf.reduce_mean(squared)
        centre = k // 2
        weights = positions[:, centre : centre + height, centre : centre + width, 0]
        return tf.reduce_sum(squared * weights) / (tf.reduce_sum(weights) + _EPSILON)


class StyleSwapLoss(_PatchLoss):
    """Style swap (Chen & Schmidt 2016): the target is the content's activations with every patch
    swapped for its best-matching style patch (overlaps averaged); the loss is the mean squared
    difference to that target, which reconstructs the swapped activations by optimisation.
    Needs the content; use it at one layer (block3_conv1, as the paper's relu3_1)."""

    needs_content = True

    def targets(self, style_features, content_features=None):
        if content_features is None:
            raise ValueError("style swap needs the content image's activations")
        return [
            self.swapped(content, style) for content, style in zip(content_features, style_features)
        ]

    def swapped(self, content, style):
        """The content activations (1, h, w, c) with each patch replaced by its best style patch.

        Returns:
          tensor shaped like `content`.
        """
        patches, normalised = self.style_patches(style)
        nearest = self.best_matches(content, normalised)
        one_hot = tf.one_hot(nearest, tf.shape(patches)[-1], dtype=content.dtype)
        shape = tf.shape(content)
        summed = tf.nn.conv2d_transpose(one_hot, patches, shape, 1, "VALID")
        k = self.patch_size
        ones = tf.ones((k, k, 1, 1), content.dtype)
        counts = tf.nn.conv2d_transpose(
            tf.ones_like(one_hot[..., :1]), ones, tf.concat([shape[:3], [1]], 0), 1, "VALID"
        )
        return summed / counts

    def layer_loss(self, feature, target, positions):
        squared = tf.square(feature - target)
        if positions is None:
            return tf.reduce_mean(squared)
        return tf.reduce_sum(squared * positions) / (
            (tf.reduce_sum(positions) + _EPSILON) * tf.cast(tf.shape(feature)[-1], feature.dtype)
        )


STYLE_LOSSES = {
    "gram": GramLoss,
    "mrf": MrfLoss,
    "swap": StyleSwapLoss,
    "moments": MomentsLoss,
}


def make_style_loss(name, layer_weights=None):
    """The style loss layer called `name` (a key of STYLE_LOSSES)."""
    return STYLE_LOSSES[name](layer_weights=layer_weights)
