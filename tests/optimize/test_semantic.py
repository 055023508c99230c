"""Semantic guidance: label maps on both images, matched by value (Gatys et al. 2017)."""

import numpy as np
import pytest
import tensorflow as tf
from support import gradient_image

from nst_tf.errors import NstError
from nst_tf.losses import style as style_losses
from nst_tf.optimize import image_optimization
from nst_tf.optimize.style_controls import semantic_regions


def halves(shape, first, second, axis):
    """A label map of `shape` whose first half (rows if axis 0, columns if 1) is `first`."""
    labels = np.full(shape, second, np.float32)
    if axis == 0:
        labels[: shape[0] // 2] = first
    else:
        labels[:, : shape[1] // 2] = first
    return labels


def test_regions_match_by_value_and_share_labels_by_blend():
    content = halves((8, 8), 10, 20, axis=0)
    style_a = halves((6, 4), 10, 20, axis=1)
    style_b = np.full((5, 5), 20, np.float32)
    indices, weights, content_masks, style_masks = semantic_regions(
        content, [style_a, style_b], [0.25, 0.75], (8, 8), [(6, 4), (5, 5)]
    )
    assert indices == [0, 0, 1]  # label 10: style a only; label 20: both
    np.testing.assert_allclose(weights, [1.0, 0.25, 0.75])
    np.testing.assert_array_equal(content_masks[0][:4], 1)
    np.testing.assert_array_equal(content_masks[0][4:], 0)
    np.testing.assert_array_equal(style_masks[0][:, :2], 1)
    np.testing.assert_array_equal(style_masks[2], 1)


@pytest.mark.parametrize(
    "style_maps, shapes, message",
    [
        ([np.full((6, 6), 10.0)], [(6, 6)], "label 20 of the label map is in no style label map"),
        ([np.full((6, 6), 10.0)], [(6, 7)], "but its style image is 7x6 px"),
        ([np.full((6, 6), 10.0)] * 2, [(6, 6)], "got 2 style label map(s) for 1 style image(s)"),
    ],
)
def test_label_maps_that_do_not_correspond_are_refused(style_maps, shapes, message):
    with pytest.raises(NstError, match=message.replace("(", r"\(").replace(")", r"\)")):
        semantic_regions(halves((8, 8), 10, 20, 0), style_maps, [1.0] * len(shapes), (8, 8), shapes)


def test_gram_targets_from_a_style_region_are_the_guided_gram_of_that_region():
    rng = np.random.default_rng(0)
    feature = tf.constant(rng.normal(size=(1, 4, 6, 3)).astype(np.float32))
    positions = np.zeros((1, 4, 6, 1), np.float32)
    positions[:, :, :2] = 1.0
    (target,) = style_losses.GramLoss().targets([feature], None, [tf.constant(positions)])
    region = feature.numpy()[0, :, :2].reshape(-1, 3)
    np.testing.assert_allclose(target.numpy()[0], region.T @ region / len(region), rtol=1e-5)
    with pytest.raises(ValueError, match="cannot take targets from style regions"):
        style_losses.MrfLoss().targets([feature], None, [tf.constant(positions)])


@pytest.mark.slow
def test_each_region_takes_the_color_of_the_matching_style_region(random_network):
    # Style: red left half (label 1), blue right half (label 2). Content: label 2 on top,
    # label 1 below. Guided, the top turns blue and the bottom red; unguided, both mix.
    style = np.zeros((48, 48, 3), np.float32)
    style[:, :24, 0] = 230.0
    style[:, 24:, 2] = 230.0
    style += np.random.default_rng(0).uniform(0, 25, style.shape).astype(np.float32)
    content_labels = halves((48, 48), 2, 1, axis=0)
    style_labels = halves((48, 48), 1, 2, axis=1)
    common = dict(loss_network=random_network, iterations=40, content_weight=0.0,
                  tv_weight=0.0, style_weight=1e3, xla=False, progress=False)  # fmt: skip
    guided = image_optimization.stylize(gradient_image(), style, label_map=content_labels,
                              style_label_maps=[style_labels], **common).image  # fmt: skip
    unguided = image_optimization.stylize(gradient_image(), style, **common).image

    def blueness(image):
        return image[..., 2].mean() - image[..., 0].mean()

    top, bottom = (slice(4, 20), slice(None)), (slice(28, 44), slice(None))
    assert blueness(guided[top]) > 40 and blueness(guided[bottom]) < -40
    assert abs(blueness(unguided[top]) - blueness(unguided[bottom])) < 0.5 * abs(
        blueness(guided[top]) - blueness(guided[bottom])
    )
