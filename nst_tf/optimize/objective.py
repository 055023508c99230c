"""The objective of the pixel optimisation: content, style and total variation of one image."""

import numpy as np
import tensorflow as tf

from nst_tf.losses import style as style_losses
from nst_tf.losses.terms import ContentLoss, TotalVariation, weighted_total


class Objective:
    """The weighted sum of content, style and total variation losses of one image, with its gradient.

    The style term is the blend-weighted sum over the style images of the chosen style loss
    (nst_tf.losses.style), each restricted to its region mask if masks are given. Targets
    (content features, style statistics) are computed once, here; `set_content` swaps the content
    targets for another image of the same shape (a tile's).
    `losses_and_gradient` is a `tf.function` with a fixed input signature, traced once.

    Args:
      loss_network: model returning a dict of named activations (see encoders.vgg).
      options: Options (layers, loss weights, style loss, total variation mode, xla).
      shape: (height, width) of the image being optimised.
      content: content image (height, width, 3), or None for texture synthesis.
      styles: list of style images (any size, 3 channels).
      blend: one weight per style image.
      masks: None, or one region mask per style image ((height, width), any size, values in
        [0, 1]); each is averaged down to every style layer's resolution (needs the content).
    """

    def __init__(self, loss_network, options, shape, content, styles, blend, masks=None):
        self.loss_network = loss_network
        self.content_layers = list(options.content_layers) if content is not None else []
        self.style_layers = options.resolved_style_layers()
        self.weights = {
            "content": float(options.content_weight),
            "style": float(options.style_weight),
            "tv": float(options.tv_weight),
        }
        self.content_loss = ContentLoss()
        self.style_loss = style_losses.make_style_loss(
            options.style_loss, options.style_layer_weights
        )
        self.total_variation = TotalVariation(options.tv_mode)
        self.content_targets = []
        content_style_features = None
        if content is not None:
            content_features = loss_network(content[None])
            self.content_targets = [
                tf.Variable(content_features[name], trainable=False) for name in self.content_layers
            ]
            content_style_features = [content_features[name] for name in self.style_layers]
        masks = [None] * len(styles) if masks is None else masks
        self.style_terms = []
        for weight, image, mask in zip(blend, styles, masks):
            features = loss_network(image[None])
            targets = self.style_loss.targets(
                [features[name] for name in self.style_layers], content_style_features
            )
            positions = None if mask is None else layer_masks(mask, content_style_features)
            self.style_terms.append(
                (float(weight), tf.nest.map_structure(tf.constant, targets), positions)
            )
        spec = tf.TensorSpec((1, *shape, 3), tf.float32)
        # XLA fuses the VGG backward pass: 25% faster at 512 px on a 2-core CPU (tools/bench_optimize.py).
        self.losses_and_gradient = tf.function(
            self._losses_and_gradient, input_signature=[spec], jit_compile=options.xla
        )

    def set_content(self, content):
        """Replaces the content targets by those of another content image of the same shape
        (the next tile's), without tracing again."""
        features = self.loss_network(content[None])
        for target, name in zip(self.content_targets, self.content_layers):
            target.assign(features[name])

    def losses(self, image):
        """Weighted losses of a batch of one image.

        Args:
          image: tensor (1, height, width, 3), RGB in [0, 255].

        Returns:
          dict with scalar tensors "total", "content", "style", "tv".
        """
        features = self.loss_network(image)
        style_features = [features[name] for name in self.style_layers]
        style = 0.0
        for weight, targets, positions in self.style_terms:
            if weight:
                style += weight * self.style_loss(style_features, targets, positions)
        content = (
            self.content_loss(
                [features[name] for name in self.content_layers], self.content_targets
            )
            if self.content_layers
            else tf.constant(0.0)
        )
        terms = {"content": content, "style": style, "tv": self.total_variation(image)}
        return weighted_total(terms, self.weights)

    def _losses_and_gradient(self, image):
        with tf.GradientTape() as tape:
            tape.watch(image)
            parts = self.losses(image)
        return parts, tape.gradient(parts["total"], image)


def layer_masks(mask, layer_features):
    """A mask (height, width) averaged down to each layer's resolution: (1, h, w, 1) tensors."""
    mask = tf.constant(np.asarray(mask, np.float32)[None, :, :, None])
    return [
        tf.image.resize(mask, tf.shape(feature)[1:3], method="area") for feature in layer_features
    ]
