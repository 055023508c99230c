"""Loss layers against numpy references."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from nst_tf.losses.gram import GramMatrix
from nst_tf.losses.style import StyleLoss
from nst_tf.losses.terms import ContentLoss, TotalVariation


def numpy_gram(features):
    batch, height, width, channels = features.shape
    flat = features.reshape(batch, height * width, channels).astype(np.float64)
    return np.einsum("bpc,bpd->bcd", flat, flat) / (height * width)


@pytest.fixture
def rng():
    return np.random.default_rng(7)


def test_gram_matrix_matches_numpy(rng):
    features = rng.normal(size=(2, 5, 7, 4)).astype(np.float32)
    gram = np.asarray(GramMatrix()(features))
    assert gram.shape == (2, 4, 4)
    np.testing.assert_allclose(gram, numpy_gram(features), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gram, np.transpose(gram, (0, 2, 1)), rtol=1e-6)


def test_gram_matrix_is_normalised_by_positions(rng):
    features = rng.normal(size=(1, 4, 4, 3)).astype(np.float32)
    tiled = np.tile(features, (1, 3, 2, 1))  # same statistics, six times the positions
    np.testing.assert_allclose(GramMatrix()(tiled), GramMatrix()(features), rtol=1e-5)


def test_style_loss_weights_layers_and_broadcasts_targets(rng):
    features = [rng.normal(size=(2, 6, 6, 3)), rng.normal(size=(2, 3, 3, 5))]
    features = [f.astype(np.float32) for f in features]
    targets = [numpy_gram(rng.normal(size=(1, 4, 4, c))).astype(np.float32) for c in (3, 5)]
    weights = [0.25, 2.0]
    expected = sum(
        w * np.mean((numpy_gram(f) - t) ** 2) for w, f, t in zip(weights, features, targets)
    )
    loss = float(StyleLoss(weights)(features, targets))
    np.testing.assert_allclose(loss, expected, rtol=1e-5)
    default = float(StyleLoss()(features, targets))
    expected_default = sum(np.mean((numpy_gram(f) - t) ** 2) / 2 for f, t in zip(features, targets))
    np.testing.assert_allclose(default, expected_default, rtol=1e-5)


def test_style_loss_is_zero_for_own_gram(rng):
    features = [rng.normal(size=(1, 8, 8, 4)).astype(np.float32)]
    assert float(StyleLoss()(features, [numpy_gram(features[0]).astype(np.float32)])) < 1e-9


def test_content_loss_is_weighted_mse(rng):
    features = [rng.normal(size=(1, 4, 5, 6)).astype(np.float32) for _ in range(2)]
    targets = [rng.normal(size=(1, 4, 5, 6)).astype(np.float32) for _ in range(2)]
    loss = float(ContentLoss([1.0, 3.0])(features, targets))
    expected = np.mean((features[0] - targets[0]) ** 2) + 3 * np.mean(
        (features[1] - targets[1]) ** 2
    )
    np.testing.assert_allclose(loss, expected, rtol=1e-5)


@pytest.mark.parametrize("mode", ["l1", "squared"])
def test_total_variation_matches_numpy(rng, mode):
    images = (rng.uniform(size=(2, 9, 11, 3)) * 255).astype(np.float32)
    down = np.diff(images.astype(np.float64), axis=1)
    right = np.diff(images.astype(np.float64), axis=2)
    penalty = np.abs if mode == "l1" else np.square
    expected = penalty(down).mean() + penalty(right).mean()
    np.testing.assert_allclose(float(TotalVariation(mode)(images)), expected, rtol=1e-5)


def test_total_variation_of_constant_image_is_zero():
    assert float(TotalVariation()(np.full((1, 8, 8, 3), 77.0, np.float32))) == 0.0


def test_total_variation_rejects_unknown_mode():
    with pytest.raises(ValueError, match="unknown total variation mode"):
        TotalVariation("l3")


@pytest.mark.parametrize(
    "layer", [StyleLoss([0.5, 2.0]), ContentLoss([2.0, 0.5]), TotalVariation("squared")]
)
def test_layers_survive_serialisation_with_their_settings(layer, rng):
    """A layer rebuilt from its serialised form computes what the original computes."""
    clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert type(clone) is type(layer) and clone is not layer
    if isinstance(layer, TotalVariation):
        images = rng.normal(size=(2, 6, 5, 3)).astype(np.float32)
        expected, got = layer(images), clone(images)
        assert float(got) != pytest.approx(float(TotalVariation("l1")(images)))
    else:
        features = [rng.normal(size=(1, 6, 5, 4)).astype(np.float32) for _ in range(2)]
        targets = [rng.normal(size=(1, 6, 5, 4)).astype(np.float32) for _ in range(2)]
        if isinstance(layer, StyleLoss):
            targets = [np.asarray(GramMatrix()(t)) for t in targets]
        expected, got = layer(features, targets), clone(features, targets)
        equal_weights = type(layer)()(features, targets)
        assert float(got) != pytest.approx(float(equal_weights))  # the weights were kept
    assert float(got) == pytest.approx(float(expected), rel=1e-6)


def test_gram_gradient_matches_automatic_differentiation(rng):
    features = tf.constant(rng.normal(size=(2, 5, 6, 4)).astype(np.float32))
    upstream = tf.constant(rng.normal(size=(2, 4, 4)).astype(np.float32))  # not symmetric
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(features)
        ours = tf.reduce_sum(GramMatrix()(features) * upstream)
        reference = tf.reduce_sum(tf.einsum("bijc,bijd->bcd", features, features) / 30.0 * upstream)
    np.testing.assert_allclose(ours, reference, rtol=1e-5)
    np.testing.assert_allclose(
        tape.gradient(ours, features), tape.gradient(reference, features), rtol=1e-4, atol=1e-5
    )
