"""The perceptual loss, composed once: content, style and total variation of images scored on
their loss-network features, weighted and summed. The pixel optimisation
(nst_tf.optimize.objective) and the training of one-pass networks
(nst_tf.feedforward.perceptual_loss) both score with it; each computes its own targets."""

import tensorflow as tf

from nst_tf.losses.terms import ContentLoss, TotalVariation, weighted_total


class PerceptualTerms:
    """Weighted content + style + total variation of a batch of images, plus any further terms.

    Args:
      content_layers: the content layers' names; none for a content term of 0 (textures).
      style_layers: the style layers' names.
      style_loss: a style loss layer with the interface of nst_tf.losses.layerwise.
      tv_mode: "l1" or "squared" (nst_tf.losses.terms.TotalVariation).
      weights: a weight per term: "content", "style", "tv" and each further term.
    """

    def __init__(self, content_layers, style_layers, style_loss, tv_mode, weights):
        self.content_layers = list(content_layers)
        self.style_layers = list(style_layers)
        self.style_loss = style_loss
        self.weights = dict(weights)
        self.content_loss = ContentLoss()
        self.total_variation = TotalVariation(tv_mode)

    def __call__(self, images, features, content_targets, style_targets, **further_terms):
        """The weighted terms and their sum.

        Args:
          images: the batch scored, (batch, height, width, 3) in [0, 255].
          features: its activations by layer name.
          content_targets: one tensor per content layer.
          style_targets: (weight, targets, position weights or None) per style image; the style
            term is the weighted sum of the style loss against each.
          further_terms: further unweighted scalar terms by name (photorealism, temporal).

        Returns:
          dict with the weighted terms and their sum under "total".
        """
        style_features = [features[name] for name in self.style_layers]
        style = 0.0
        for weight, targets, positions in style_targets:
            if weight:
                style += weight * self.style_loss(style_features, targets, positions)
        content = (
            self.content_loss([features[name] for name in self.content_layers], content_targets)
            if self.content_layers
            else tf.constant(0.0)
        )
        terms = {"content": content, "style": style, "tv": self.total_variation(images)}
        return weighted_total({**terms, **further_terms}, self.weights)
