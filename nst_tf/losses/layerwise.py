"""The base of the style losses: a weighted sum over layers of one loss per layer.

All share one interface, so the optimisation treats them alike:

  targets = loss.targets(style_features, content_features)   # once, from the style image
  value = loss(features, targets, position_weights)            # every evaluation

Losses that can take their targets from a region of the style image (`style_positions`, for
semantic guidance) say so with `takes_style_regions`.

`style_features`, `content_features` and `features` are lists with one activation tensor
(1, height, width, channels) per style layer; `position_weights` is None or a list with one
(1, height, width, 1) tensor per layer that weights the positions of the generated image (the
guidance channels of Gatys et al. 2017: masks resized to each layer). Each layer's loss is
weighted by `layer_weights` (default 1/number of layers) and summed.
"""

from keras import layers

from nst_tf.losses.terms import per_layer_weights

# Added to denominators that may be zero (empty masks, zero patches).
EPSILON = 1e-8


class LayerwiseStyleLoss(layers.Layer):
    """Base: the weighted sum over layers of `layer_loss`.

    Args:
      layer_weights: one weight per layer; default 1/number of layers each.
    """

    needs_content = False
    takes_style_regions = False

    def __init__(self, layer_weights=None, **kwargs):
        super().__init__(**kwargs)
        self.layer_weights = None if layer_weights is None else [float(w) for w in layer_weights]

    def targets(self, style_features, content_features=None, style_positions=None):
        """Per-layer targets from the style (and content) activations.

        Args:
          style_features: list of (1, height, width, channels) style activations.
          content_features: list of content activations at the result's size, or None.
          style_positions: None, or one (1, height, width, 1) weight tensor per layer that
            restricts the targets to a region of the style image (needs takes_style_regions).

        Returns:
          list with one target per layer.
        """
        del content_features
        if style_positions is None:
            return [self.layer_target(feature) for feature in style_features]
        if not self.takes_style_regions:
            raise ValueError(f"{type(self).__name__} cannot take targets from style regions")
        return [
            self.layer_target(feature, positions)
            for feature, positions in zip(style_features, style_positions)
        ]

    def call(self, features, targets, position_weights=None):
        weights = per_layer_weights(self.layer_weights, len(features))
        if position_weights is None:
            position_weights = [None] * len(features)
        total = 0.0
        for weight, feature, target, positions in zip(weights, features, targets, position_weights):
            total += weight * self.layer_loss(feature, target, positions)
        return total

    def get_config(self):
        return {**super().get_config(), "layer_weights": self.layer_weights}
