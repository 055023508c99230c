"""Where the colour functions used to live; they are in nst_tf.colors (the optimisation and the
one-pass networks share them), and this path keeps working."""

from nst_tf.colors import (
    combine_luminance,
    luminance_image,
    match_colors,
    match_luminance,
    rgb_to_yiq,
    yiq_to_rgb,
)

__all__ = [
    "combine_luminance",
    "luminance_image",
    "match_colors",
    "match_luminance",
    "rgb_to_yiq",
    "yiq_to_rgb",
]
