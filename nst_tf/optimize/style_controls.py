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


def _check_mask_size(mask, source, content_shape, name="mask"):
    if mask.shape != tuple(content_shape):
        where = f" {source}" if isinstance(source, (str, os.PathLike)) else ""
        raise NstError(
            f"{name}{where} is {mask.shape[1]}x{mask.shape[0]} px but the content image is "
            f"{content_shape[1]}x{content_shape[0]} px: give it the content's size"
        )
