"""Style loss layers (guided Gram, moments, MRF, style swap) against numpy references."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from nst_tf.losses import style as style_losses
from nst_tf.losses.style import StyleLoss


@pytest.fixture
def rng():
    return np.random.default_rng(11)


def features(rng, *shape):
    return rng.normal(size=(1, *shape)).astype(np.float32)


def numpy_patches(feature, k):
    """All k x k patches of (1, h, w, c), row-major: (h - k + 1, w - k + 1, k * k * c)."""
    _, height, width, _ = feature.shape
    return np.array([
        [feature[0, y : y + k, x : x + k, :].ravel() for x in range(width - k + 1)]
        for y in range(height - k + 1)
    ], dtype=np.float64)  # fmt: skip


def numpy_nearest(generated_patches, style_patches):
    """Index of the style patch of highest normalised cross-correlation, per generated patch."""
    unit = style_patches / np.linalg.norm(style_patches, axis=-1, keepdims=True)
    return np.argmax(generated_patches @ unit.T, axis=-1)


def test_gram_loss_guided_by_weights_matches_numpy(rng):
    feature = features(rng, 6, 5, 4)
    target = rng.normal(size=(1, 4, 4)).astype(np.float32)
    mask = rng.uniform(0, 1, (1, 6, 5, 1)).astype(np.float32)
    masked = (feature * mask).reshape(30, 4).astype(np.float64)
    gram = masked.T @ masked / np.sum(mask.astype(np.float64) ** 2)
    expected = np.mean((gram - target[0]) ** 2)
    loss = style_losses.GramLoss()
    assert float(loss([feature], [target], [mask])) == pytest.approx(expected, rel=1e-4)


def test_gram_loss_without_weights_equals_style_loss(rng):
    feats = [features(rng, 6, 6, 3), features(rng, 3, 3, 5)]
    styles = [features(rng, 8, 8, 3), features(rng, 4, 4, 5)]
    loss = style_losses.GramLoss([0.3, 2.0])
    targets = loss.targets(styles)
    reference = StyleLoss([0.3, 2.0])(feats, targets)
    assert float(loss(feats, targets)) == pytest.approx(float(reference), rel=1e-6)


def test_a_full_mask_changes_nothing(rng):
    feats, styles = [features(rng, 6, 6, 3)], [features(rng, 8, 8, 3)]
    ones = [np.ones((1, 6, 6, 1), np.float32)]
    for name in style_losses.STYLE_LOSSES:
        loss = style_losses.make_style_loss(name)
        targets = loss.targets(styles, feats)
        assert float(loss(feats, targets, ones)) == pytest.approx(
            float(loss(feats, targets)), rel=1e-4
        ), name


def test_moments_loss_matches_numpy(rng):
    feature, style = features(rng, 5, 6, 3), features(rng, 7, 4, 3) * 2 + 1
    mask = rng.uniform(0, 1, (1, 5, 6, 1)).astype(np.float32)
    weights = mask.reshape(-1, 1).astype(np.float64)
    flat = feature.reshape(-1, 3).astype(np.float64)
    mean = (flat * weights).sum(0) / weights.sum()
    std = np.sqrt(((flat - mean) ** 2 * weights).sum(0) / weights.sum())
    style_flat = style.reshape(-1, 3)
    expected = np.mean((mean - style_flat.mean(0)) ** 2) + np.mean((std - style_flat.std(0)) ** 2)
    loss = style_losses.MomentsLoss()
    value = float(loss([feature], loss.targets([style]), [mask]))
    assert value == pytest.approx(expected, rel=1e-4)


def test_mrf_loss_matches_numpy(rng):
    feature, style = features(rng, 6, 7, 3), features(rng, 5, 6, 3)
    generated, patches = numpy_patches(feature, 3), numpy_patches(style, 3).reshape(-1, 27)
    nearest = numpy_nearest(generated, patches)
    squared = np.mean((generated - patches[nearest]) ** 2, axis=-1)  # (4, 5)
    loss = style_losses.MrfLoss()
    targets = loss.targets([style])
    assert float(loss([feature], targets)) == pytest.approx(squared.mean(), rel=1e-4)
    mask = rng.uniform(0, 1, (1, 6, 7, 1)).astype(np.float32)
    centres = mask[0, 1:5, 1:6, 0]
    expected = np.sum(squared * centres) / centres.sum()
    assert float(loss([feature], targets, [mask])) == pytest.approx(expected, rel=1e-4)
    assert float(loss([style], targets)) == pytest.approx(0.0, abs=1e-6)  # its own patches


def test_mrf_gradient_pulls_towards_matched_patches(rng):
    feature, style = tf.constant(features(rng, 6, 6, 3)), features(rng, 6, 6, 3)
    loss = style_losses.MrfLoss()
    targets = loss.targets([style])
    with tf.GradientTape() as tape:
        tape.watch(feature)
        value = loss([feature], targets)
    gradient = tape.gradient(value, feature)
    step = feature - 0.5 * gradient / tf.reduce_max(tf.abs(gradient))
    assert float(loss([step], targets)) < float(value)


def test_style_swap_matches_numpy(rng):
    content, style = features(rng, 5, 6, 2), features(rng, 6, 5, 2)
    k = 3
    patches = numpy_patches(style, k).reshape(-1, k * k * 2)
    nearest = numpy_nearest(numpy_patches(content, k), patches)
    summed = np.zeros((5, 6, 2))
    counts = np.zeros((5, 6, 1))
    for y in range(3):
        for x in range(4):
            summed[y : y + k, x : x + k] += patches[nearest[y, x]].reshape(k, k, 2)
            counts[y : y + k, x : x + k] += 1
    expected = summed / counts
    loss = style_losses.StyleSwapLoss()
    (target,) = loss.targets([style], [content])
    np.testing.assert_allclose(np.asarray(target)[0], expected, rtol=1e-4, atol=1e-5)
    generated = features(rng, 5, 6, 2)
    value = float(loss([generated], [target]))
    assert value == pytest.approx(np.mean((generated[0] - expected) ** 2), rel=1e-4)
    # Swapping the style with itself gives the style back.
    (itself,) = loss.targets([style], [style])
    np.testing.assert_allclose(np.asarray(itself), style, rtol=1e-4, atol=1e-5)


def test_style_swap_needs_content(rng):
    with pytest.raises(ValueError, match="content"):
        style_losses.StyleSwapLoss().targets([features(rng, 4, 4, 2)])


@pytest.mark.parametrize("name", list(style_losses.STYLE_LOSSES))
def test_config_round_trip(name, rng):
    """A loss rebuilt from its config keeps its layer weights and computes the same value."""
    layer = style_losses.make_style_loss(name, layer_weights=[0.5, 2.0])
    config = layer.get_config()
    assert config["layer_weights"] == [0.5, 2.0]
    clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert type(clone) is type(layer)
    style = [features(rng, 6, 6, 3), features(rng, 4, 4, 5)]
    generated = [features(rng, 6, 6, 3), features(rng, 4, 4, 5)]
    content = generated if layer.needs_content else None
    targets = layer.targets(style, content)
    expected = float(layer(generated, targets))
    assert float(clone(generated, targets)) == pytest.approx(expected, rel=1e-5)
    unweighted = style_losses.make_style_loss(name)
    assert float(unweighted(generated, targets)) != pytest.approx(expected, rel=1e-3)
