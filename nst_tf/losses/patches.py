"""Patch-based style losses: MRF (Li & Wand 2016) and style swap (Chen & Schmidt 2016)."""

import keras
import tensorflow as tf

from nst_tf.losses.layerwise import EPSILON, LayerwiseStyleLoss


class PatchLoss(LayerwiseStyleLoss):
    """Base of the patch losses: square patches of `patch_size` activations, stride 1.

    Args:
      patch_size: side of the patches, in positions of each layer.
      layer_weights: see LayerwiseStyleLoss.
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
        normalised = patches / (norms + EPSILON)
        return tf.transpose(patches, (1, 2, 3, 0)), tf.transpose(normalised, (1, 2, 3, 0))

    def best_matches(self, feature, normalised):
        """Index of the style patch with the highest normalised cross-correlation with each patch
        of `feature` (1, h, w, c): (1, h - k + 1, w - k + 1) int, no gradient."""
        scores = tf.nn.conv2d(tf.stop_gradient(feature), normalised, 1, "VALID")
        return tf.argmax(scores, axis=-1, output_type=tf.int32)

    def get_config(self):
        return {**super().get_config(), "patch_size": self.patch_size}


@keras.saving.register_keras_serializable(package="nst_tf")
class MrfLoss(PatchLoss):
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
        return tf.reduce_sum(squared * weights) / (tf.reduce_sum(weights) + EPSILON)


@keras.saving.register_keras_serializable(package="nst_tf")
class StyleSwapLoss(PatchLoss):
    """Style swap (Chen & Schmidt 2016): the target is the content's activations with every patch
    swapped for its best-matching style patch (overlaps averaged); the loss is the mean squared
    difference to that target, which reconstructs the swapped activations by optimisation.
    Needs the content; use it at one layer (block3_conv1, as the paper's relu3_1)."""

    needs_content = True

    def targets(self, style_features, content_features=None, style_positions=None):
        if content_features is None:
            raise ValueError("style swap needs the content image's activations")
        if style_positions is not None:
            raise ValueError("StyleSwapLoss cannot take targets from style regions")
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
            (tf.reduce_sum(positions) + EPSILON) * tf.cast(tf.shape(feature)[-1], feature.dtype)
        )
