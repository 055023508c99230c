"""How several styles share one result: blend weights, per-style scales and region masks.

No TensorFlow here, so the command line checks these before TensorFlow loads.
"""

import math
import os

import numpy as np

from nst_tf import blending
from nst_tf.errors import NstError
from nst_tf.io import image_io as images


def blend_weights(weights, count):
    """Blend weights of `count` style images, normalised to sum to 1 (see nst_tf.blending)."""
    return blending.blend_weights(weights, count, "style image(s)")


def style_scales(scales, count):
    """One style scale per style: a number (or a list of one) for all, or one per style.

    Raises:
      NstError: wrong count or a scale that is not positive.
    """
    scales = [float(s) for s in np.atleast_1d(scales)]
    if len(scales) == 1:
        scales *= count
    if len(scales) != count:
        raise NstError(f"got {len(scales)} style scales for {count} style image(s)")
    for scale in scales:
        if not (math.isfinite(scale) and scale > 0):
            raise NstError(f"style scale must be positive, got {scale}")
    return scales


def load_masks(masks, count, content_shape):
    """Region masks in [0, 1], one per style, from mask images or arrays.

    A mask is white where its style applies and black where it does not; grey blends.

    Args:
      masks: list of paths or arrays ((height, width) or (height, width, 3) in [0, 255]).
      count: number of styles.
      content_shape: (height, width) of the content image as given.

    Returns:
      list of float32 arrays (height, width).

    Raises:
      NstError: unreadable files, wrong count, or a size other than the content's.
    """
    if len(masks) != count:
        raise NstError(f"got {len(masks)} mask(s) for {count} style image(s): give one per style")
    loaded = [_as_grey(mask, "mask") / 255.0 for mask in masks]
    for mask, source in zip(loaded, masks):
        _check_mask_size(mask, source, content_shape)
    return loaded


def masks_from_label_map(label_map, count, content_shape):
    """One mask per style from a label map: pixel value 0 is no style, k is style k (1-based).

    Args:
      label_map: path or array (grey values, or RGB whose first channel is read).
      count: number of styles.
      content_shape: (height, width) of the content image as given.

    Returns:
      list of float32 arrays (height, width) with values 0 or 1.

    Raises:
      NstError: unreadable file, size other than the content's, or labels above `count`.
    """
    labels = np.rint(_as_grey(label_map, "label map", first_channel=True)).astype(int)
    _check_mask_size(labels, label_map, content_shape, "label map")
    highest = int(labels.max())
    if highest > count:
        raise NstError(
            f"the label map has label {highest} but there are {count} style image(s): "
            f"labels are 0 (no style) and 1-{count}"
        )
    return [(labels == k).astype(np.float32) for k in range(1, count + 1)]


def semantic_regions(label_map, style_label_maps, blend, content_shape, style_shapes):
    """Semantic guidance (Gatys et al. 2017; Champandard 2016): each labelled region of the
    content takes the style statistics of the same-labelled regions of the style images.

    Args:
      label_map: the content's label map (path or array of its size): any grey values, each a
        region (0 included).
      style_label_maps: one label map per style image, of that image's size, with the same values.
      blend: one weight per style image (summing to 1).
      content_shape: (height, width) of the content image as given.
      style_shapes: (height, width) of each style image as given.

    Returns:
      (style_indices, weights, content_masks, style_masks): one entry per (label, style image
      that has the label): the style image's index, its share of the label (its blend weight,
      renormalised over the style images that have the label), and the label's masks (float32,
      0 or 1) on the content and on that style image.

    Raises:
      NstError: unreadable maps, wrong count or sizes, or a content label that no style label
        map has.
    """
    if len(style_label_maps) != len(style_shapes):
        raise NstError(
            f"got {len(style_label_maps)} style label map(s) for {len(style_shapes)} style "
            "image(s): give one per style"
        )
    labels = np.rint(_as_grey(label_map, "label map", first_channel=True)).astype(int)
    _check_mask_size(labels, label_map, content_shape, "label map")
    style_labels = []
    for source, shape in zip(style_label_maps, style_shapes):
        loaded = np.rint(_as_grey(source, "style label map", first_channel=True)).astype(int)
        _check_mask_size(loaded, source, shape, "style label map", "its style image")
        style_labels.append(loaded)
    indices, weights, content_masks, style_masks = [], [], [], []
    for label in np.unique(labels):
        having = [i for i, found in enumerate(style_labels) if np.any(found == label)]
        if not having:
            raise NstError(
                f"label {label} of the label map is in no style label map: label the matching "
                "region of a style image with the same value"
            )
        total = sum(blend[i] for i in having)
        for i in having:
            indices.append(i)
            weights.append(blend[i] / total if total else 1.0 / len(having))
            content_masks.append((labels == label).astype(np.float32))
            style_masks.append((style_labels[i] == label).astype(np.float32))
    return indices, weights, content_masks, style_masks


def _as_grey(image, name, first_channel=False):
    """A path or array as a float32 (height, width) array in [0, 255]."""
    if isinstance(image, (str, os.PathLike)):
        image = images.load_image(image)
    image = np.asarray(image, np.float32)
    if image.ndim == 3 and image.shape[-1] == 3:
        image = image[..., 0] if first_channel else image.mean(axis=-1)
    if image.ndim != 2:
        raise NstError(f"a {name} must be (height, width) or (height, width, 3), got {image.shape}")
    return image


def _check_mask_size(mask, source, shape, name="mask", image="the content image"):
    if mask.shape != tuple(shape):
        where = f" {source}" if isinstance(source, (str, os.PathLike)) else ""
        raise NstError(
            f"{name}{where} is {mask.shape[1]}x{mask.shape[0]} px but {image} is "
            f"{shape[1]}x{shape[0]} px: give it that size"
        )
