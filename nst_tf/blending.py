"""Blend weights: how much of each style a result takes (no TensorFlow here)."""

import math

from nst_tf.errors import NstError


def blend_weights(weights, count, noun="styles"):
    """Blend weights of `count` styles, normalised to sum to 1.

    Args:
      weights: one non-negative number per style, or None for equal weights.
      count: number of styles.
      noun: what is blended, as error messages name it ("styles", "style image(s)").

    Returns:
      list of floats.

    Raises:
      NstError: wrong count, negative or non-finite weights, or a sum that is not positive.
    """
    if weights is None:
        return [1.0 / count] * count
    weights = [float(w) for w in weights]
    if len(weights) != count:
        raise NstError(f"got {len(weights)} blend weights for {count} {noun}")
    if not all(math.isfinite(w) and w >= 0 for w in weights):
        raise NstError(f"blend weights must be finite numbers >= 0, got {weights}")
    total = sum(weights)
    if not total > 0:
        raise NstError(f"blend weights must sum to a positive number, got {weights}")
    return [w / total for w in weights]
