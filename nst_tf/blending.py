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


def parse_style_mix(text):
    """A style choice as written on the command line: one style ("7", "starry_night") or a mix
    "3:0.5,12:0.5" (style by index or name, colon, weight).

    Returns:
      list of (style, weight) pairs; one style alone has weight 1.

    Raises:
      NstError: a part without a style, or a weight that is not a number.
    """
    parts = [part.strip() for part in str(text).split(",")]
    if len(parts) == 1 and ":" not in parts[0]:
        if not parts[0]:
            raise NstError("empty style choice")
        return [(parts[0], 1.0)]
    mix = []
    for part in parts:
        style, colon, weight = part.rpartition(":")
        if not colon or not style:
            raise NstError(f"cannot read the style mix {text!r}: write STYLE:WEIGHT,STYLE:WEIGHT")
        try:
            mix.append((style, float(weight)))
        except ValueError:
            raise NstError(
                f"cannot read the style mix {text!r}: {weight!r} is not a number"
            ) from None
    return mix
