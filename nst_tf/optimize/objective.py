"""The objective of the pixel optimisation: content, style, total variation and, if weighted, the
photorealism of one image."""

import numpy as np
import tensorflow as tf

from nst_tf.encoders import precision
from nst_tf.losses import style as style_losses
from nst_tf.losses.perceptual import PerceptualTerms
from nst_tf.losses.terms import matting_loss
from nst_tf.photoreal import matting


class Objective:
    """The perceptual loss of one image (nst_tf.losses.perceptual) and its gradient.

    The style term is the blend-weighted sum over the style images of the chosen style loss
    (nst_tf.losses.style), each restricted to its region mask if masks are given. With a
    photorealism weight, the matting Laplacian of the content adds Luan et al.'s regulariser.
    Targets (content features, style statistics, the Laplacian) are computed once, here;
    `set_content` swaps the content targets for another image of the same shape (the next
    video frame's, the next tile's).
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
      style_masks: None, or one mask per style image ((height, width) of any size, values in
        [0, 1]) that restricts its style statistics to a region of it (semantic guidance; the
        style loss must take style regions).
      temporal_weight: weight of a temporal term (Ruder, Dosovitskiy & Brox 2016) for video: the
        mean squared difference, on the pixels of a mask, between the image and a target (the
        previous frame's result moved into this frame); see `set_temporal`. 0: no such term.

    For videos, one Objective serves every frame (traced once): `set_content` and
    `set_temporal` change its targets in place.
    """

    def __init__(
        self, loss_network, options, shape, content, styles, blend, masks=None, style_masks=None,
        temporal_weight=0.0,
    ):  # fmt: skip
        self.loss_network = loss_network
        self.content_layers = list(options.content_layers) if content is not None else []
        self.style_layers = options.resolved_style_layers()
        weights = {
            "content": float(options.content_weight),
            "style": float(options.style_weight),
            "tv": float(options.tv_weight),
            "photorealism": float(options.photorealism_weight),
        }
        self.laplacian = None  # (indices, values as a variable: set_content changes them)
        if content is not None and options.photorealism_weight:
            indices, values = sparse_entries(matting.matting_laplacian(content))
            self.laplacian = (tf.constant(indices), tf.Variable(values, trainable=False))
        if temporal_weight:
            weights["temporal"] = float(temporal_weight)
            self.temporal_target = tf.Variable(tf.zeros((1, *shape, 3)), trainable=False)
            self.temporal_mask = tf.Variable(tf.zeros((1, *shape, 1)), trainable=False)
        style_loss = style_losses.make_style_loss(options.style_loss, options.style_layer_weights)
        self.perceptual = PerceptualTerms(
            self.content_layers, self.style_layers, style_loss, options.tv_mode, weights
        )
        self.content_targets = []
        content_style_features = None
        if content is not None:
            content_features = loss_network(content[None])
            self.content_targets = [
                tf.Variable(content_features[name], trainable=False) for name in self.content_layers
            ]
            content_style_features = [content_features[name] for name in self.style_layers]
        masks = [None] * len(styles) if masks is None else masks
        style_masks = [None] * len(styles) if style_masks is None else style_masks
        self.style_terms = []
        for weight, image, mask, style_mask in zip(blend, styles, masks, style_masks):
            features = loss_network(image[None])
            style_features = [features[name] for name in self.style_layers]
            regions = None if style_mask is None else layer_masks(style_mask, style_features)
            targets = style_loss.targets(style_features, content_style_features, regions)
            positions = None if mask is None else layer_masks(mask, content_style_features)
            self.style_terms.append(
                (float(weight), tf.nest.map_structure(tf.constant, targets), positions)
            )
        spec = tf.TensorSpec((1, *shape, 3), tf.float32)
        # XLA fuses the VGG backward pass (faster; the README and tools/bench/bench_optimize.py measure it);
        # a bfloat16 network is faster on oneDNN's kernels, which XLA does not use.
        xla = options.xla and precision.of_model(loss_network) == "float32"
        self.losses_and_gradient = tf.function(
            self._losses_and_gradient, input_signature=[spec], jit_compile=xla
        )

    def set_content(self, content):
        """Makes `content` (height, width, 3), of the shape given, the content target; the style
        targets stay (a style loss that depends on the content keeps the first content's)."""
        features = self.loss_network(np.asarray(content, np.float32)[None])
        for target, name in zip(self.content_targets, self.content_layers):
            target.assign(features[name])
        if self.laplacian is not None:
            self.laplacian[1].assign(sparse_entries(matting.matting_laplacian(content))[1])

    def set_temporal(self, target, mask):
        """The temporal term's target image (height, width, 3) and its mask (height, width) of
        weights in [0, 1] (needs temporal_weight > 0)."""
        self.temporal_target.assign(np.asarray(target, np.float32)[None])
        self.temporal_mask.assign(np.asarray(mask, np.float32)[None, :, :, None])

    def losses(self, image):
        """Weighted losses of a batch of one image.

        Args:
          image: tensor (1, height, width, 3), RGB in [0, 255].

        Returns:
          dict with scalar tensors "total", "content", "style", "tv" (and "photorealism",
          "temporal" if it has those terms).
        """
        features = self.loss_network(image)
        further = {}
        if self.laplacian is not None:
            pixels = image.shape[1] * image.shape[2]
            laplacian = tf.SparseTensor(*self.laplacian, (pixels, pixels))
            further["photorealism"] = matting_loss(image / 255.0, laplacian)
        if "temporal" in self.perceptual.weights:
            difference = self.temporal_mask * tf.square(image - self.temporal_target)
            further["temporal"] = tf.reduce_mean(difference)
        return self.perceptual(image, features, self.content_targets, self.style_terms, **further)

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


def sparse_entries(matrix):
    """The entries of a scipy.sparse matrix in row-major order, as tf.SparseTensor takes them:
    (indices (entries, 2) int64, values (entries,) float32)."""
    matrix = matrix.tocoo()
    order = np.lexsort((matrix.col, matrix.row))
    indices = np.stack([matrix.row, matrix.col], axis=1).astype(np.int64)[order]
    return indices, matrix.data[order].astype(np.float32)
