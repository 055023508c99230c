"""Structure guidance for the matching: glyph shapes and their signed distance transform.

For text (Yang et al. 2017) where a patch lies relative to the glyph's edge decides its effect
(outline, glow, shadow), so the binarised glyphs and the signed distance to their edges join the
VGG features as extra channels.
"""

import numpy as np

GUIDANCE_CHOICES = ("auto", "text", "none")
# Signed distances are divided by this many pixels and clipped to +-DISTANCE_CLIP of that unit.
DISTANCE_UNIT = 8.0
DISTANCE_CLIP = 3.0
_TWO_TONE_SHARE = 0.85  # of pixels near the darkest or the lightest grey: "looks like text"
_MIN_CONTRAST = 64.0


def _grey(image):
    return np.asarray(image, np.float32).mean(axis=-1)


def looks_like_text(image):
    """Whether an RGB image in [0, 255] is nearly two-tone, as rendered text is."""
    grey = _grey(image)
    low, high = np.percentile(grey, (1, 99))
    if high - low < _MIN_CONTRAST:
        return False
    margin = 0.2 * (high - low)
    near = (np.abs(grey - low) < margin) | (np.abs(grey - high) < margin)
    return bool(near.mean() >= _TWO_TONE_SHARE)


def glyph_mask(image):
    """The glyphs of a text image: True on the minority tone after thresholding half-way between
    the darkest and lightest greys. (height, width) bool."""
    grey = _grey(image)
    low, high = np.percentile(grey, (1, 99))
    mask = grey > (low + high) / 2
    return ~mask if mask.mean() > 0.5 else mask


def signed_distance(mask):
    """Distance in pixels to the glyph edge: positive inside the glyphs, negative outside."""
    from scipy import ndimage

    return ndimage.distance_transform_edt(mask) - ndimage.distance_transform_edt(~mask)


def text_channels(image):
    """The guidance channels of a text image: glyph mask and scaled, clipped signed distance.

    Returns:
      float32 (height, width, 2).
    """
    mask = glyph_mask(image)
    distance = np.clip(signed_distance(mask) / DISTANCE_UNIT, -DISTANCE_CLIP, DISTANCE_CLIP)
    return np.stack([mask.astype(np.float32), distance.astype(np.float32)], axis=-1)


def uses_text_guidance(choice, *images):
    """Resolves --guidance: "text", "none", or "auto" (text when every image looks like text)."""
    if choice == "auto":
        return all(looks_like_text(image) for image in images)
    return choice == "text"
