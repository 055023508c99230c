"""The perceptual loss of feed-forward training (Johnson et al. 2016), for one or several styles.

Content: VGG feature distance between the stylised batch and its input. Style: Gram matrix
distance to the style image(s), whose Gram matrices are computed once. Plus total variation.
Composed by nst_tf.losses.perceptual, as the pixel optimisation's is.
"""

import tensorflow as tf

from nst_tf import defaults
from nst_tf.io import image_io as image_io
from nst_tf.losses.gram import GramMatrix
from nst_tf.losses.perceptual import PerceptualTerms
from nst_tf.losses.style import GramLoss


class PerceptualLoss:
    """Weighted content + style + total variation loss of stylised batches.

    Args:
      loss_network: model returning a dict of named activations (networks.build_loss_network)
        that has every layer of content_layers and style_layers.
      styles: list of style images (height, width, 3) in [0, 255], one per style of the network.
      style_size: longest side the style images are resized to before their Gram matrices are
        taken.
      content_weight, style_weight, tv_weight: loss weights.
      content_layers, style_layers: layer names.
    """

    def __init__(
        self,
        loss_network,
        styles,
        style_size,
        content_weight,
        style_weight,
        tv_weight,
        content_layers=defaults.FEEDFORWARD_CONTENT_LAYERS,
        style_layers=defaults.FEEDFORWARD_STYLE_LAYERS,
    ):
        self.loss_network = loss_network
        weights = {"content": content_weight, "style": style_weight, "tv": tv_weight}
        self.perceptual = PerceptualTerms(
            content_layers, style_layers, GramLoss(), "squared", weights
        )
        gram = GramMatrix()
        per_style = []
        for style in styles:
            resized = image_io.resize_longest(style, style_size)
            features = loss_network(tf.constant(resized[None]))
            per_style.append([gram(features[name]) for name in self.perceptual.style_layers])
        # One (num_styles, channels, channels) tensor per layer, gathered per sample.
        self.target_grams = [
            tf.constant(tf.concat([grams[i] for grams in per_style], axis=0))
            for i in range(len(self.perceptual.style_layers))
        ]

    def __call__(self, stylised, contents, style_indices):
        """The losses of a batch.

        Args:
          stylised: the network's output (batch, height, width, 3) in [0, 255].
          contents: its input, same shape.
          style_indices: int (batch,) index of each sample's style.

        Returns:
          dict of scalar tensors "total", "content", "style", "tv" (the weighted terms).
        """
        batch = tf.shape(stylised)[0]
        both = self.loss_network(tf.concat([stylised, contents], axis=0))
        layers = self.perceptual.content_layers
        content_targets = [tf.stop_gradient(both[name][batch:]) for name in layers]
        features = {name: both[name][:batch] for name in [*layers, *self.perceptual.style_layers]}
        style_targets = [tf.gather(grams, style_indices) for grams in self.target_grams]
        return self.perceptual(stylised, features, content_targets, [(1.0, style_targets, None)])
