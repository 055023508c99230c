"""Glyph guidance: which images look like text, the glyph mask and its signed distance."""

import numpy as np
from support import gradient_image

from nst_tf.analogy import guidance


def text_image(width=40):
    """White page, a black 10x16 bar: one 'glyph'."""
    image = np.full((24, width, 3), 255.0, np.float32)
    image[4:20, 10:20] = 0.0
    return image


def test_text_is_recognised_and_a_photo_like_ramp_is_not():
    assert guidance.looks_like_text(text_image())
    assert not guidance.looks_like_text(gradient_image())
    assert guidance.uses_text_guidance("auto", text_image(), text_image())
    assert not guidance.uses_text_guidance("auto", text_image(), gradient_image())
    assert guidance.uses_text_guidance("text", gradient_image())
    assert not guidance.uses_text_guidance("none", text_image())


def test_glyph_mask_is_the_minority_tone_whichever_the_polarity():
    mask = guidance.glyph_mask(text_image())
    np.testing.assert_array_equal(guidance.glyph_mask(255.0 - text_image()), mask)
    assert mask.sum() == 10 * 16 and mask[10, 15]


def test_signed_distance_counts_pixels_to_the_glyph_edge():
    channels = guidance.text_channels(text_image(64))
    distance = channels[..., 1] * guidance.DISTANCE_UNIT
    assert distance[12, 14] == 5.0  # inside: 5 px to the nearest background pixel (column 20)
    assert distance[12, 7] == -3.0  # outside: 3 px to the glyph's first column (10)
    assert channels[..., 1].min() == -guidance.DISTANCE_CLIP
