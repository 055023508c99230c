"""The feed-forward perceptual loss against a numpy reference on a random-weight VGG16."""

import keras
import numpy as np
import pytest
from support import gradient_image, stripes_image

from nst_tf import defaults
from nst_tf.encoders import vgg as networks
from nst_tf.feedforward.perceptual_loss import PerceptualLoss
from nst_tf.io import image_io as images

LAYERS = [*defaults.FEEDFORWARD_CONTENT_LAYERS, *defaults.FEEDFORWARD_STYLE_LAYERS]


@pytest.fixture(scope="module")
def vgg16():
    keras.utils.set_random_seed(0)
    return networks.build_loss_network(LAYERS, "vgg16", weights=None)


def _gram(features):
    flat = features.reshape(-1, features.shape[-1]).astype(np.float64)
    return flat.T @ flat / flat.shape[0]


def test_matches_a_numpy_reference_per_sample_style(vgg16):
    styles = [stripes_image(40), 255.0 - gradient_image(32)]
    loss = PerceptualLoss(
        vgg16, styles, style_size=32, content_weight=2.0, style_weight=0.5, tv_weight=0.25
    )
    rng = np.random.default_rng(0)
    contents = rng.uniform(0, 255, (2, 32, 32, 3)).astype(np.float32)
    stylised = np.clip(contents + rng.normal(0, 30, contents.shape), 0, 255).astype(np.float32)
    indices = np.array([1, 0], np.int32)
    got = {name: float(value) for name, value in loss(stylised, contents, indices).items()}

    out = {k: v.numpy() for k, v in vgg16(stylised).items()}
    ref = {k: v.numpy() for k, v in vgg16(contents).items()}
    style_feats = []
    for style in styles:
        # style_size=32: the 40 px stripes are resized to 32 px, the 32 px ramp stays.
        style_feats.append(
            {k: v.numpy() for k, v in vgg16(images.resize_longest(style, 32)[None]).items()}
        )
    content = np.mean((out["block3_conv3"] - ref["block3_conv3"]) ** 2)
    style = 0.0
    for name in defaults.FEEDFORWARD_STYLE_LAYERS:
        per_sample = [
            np.mean((_gram(out[name][i]) - _gram(style_feats[indices[i]][name][0])) ** 2)
            for i in range(2)
        ]
        style += np.mean(per_sample) / 4
    tv = np.mean(np.diff(stylised, axis=1) ** 2) + np.mean(np.diff(stylised, axis=2) ** 2)
    np.testing.assert_allclose(got["content"], 2.0 * content, rtol=1e-4)
    np.testing.assert_allclose(got["style"], 0.5 * style, rtol=1e-3)
    np.testing.assert_allclose(got["tv"], 0.25 * tv, rtol=1e-4)
    np.testing.assert_allclose(got["total"], got["content"] + got["style"] + got["tv"], rtol=1e-5)


def test_no_content_loss_for_the_identity_and_style_targets_computed_once(vgg16):
    loss = PerceptualLoss(vgg16, [stripes_image(32)], 32, 1.0, 1.0, 0.0)
    targets = [t.numpy().copy() for t in loss.target_grams]
    image = gradient_image(32)[None]
    parts = loss(image, image, np.zeros(1, np.int32))
    assert float(parts["content"]) < 1e-6 and float(parts["style"]) > 0
    loss(image * 0.5, image, np.zeros(1, np.int32))
    for before, after in zip(targets, loss.target_grams):
        np.testing.assert_array_equal(before, after.numpy())
