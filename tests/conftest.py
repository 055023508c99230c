"""Shared fixtures: a random-weight loss network, small synthetic images, the shared folder."""

import os
import pathlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import pytest

from nst_tf import defaults
from nst_tf.encoders import vgg as networks

REPO = pathlib.Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
STAND_IN_WEIGHTS = SHARED / "weights" / "vgg16_hed_bsds500_notop.h5"
SAMPLES = REPO / "nst_tf" / "samples"


def gradient_image(size=48):
    """A smooth colour ramp: a content image with large-scale structure."""
    yy, xx = np.mgrid[0:size, 0:size] * (255.0 / (size - 1))
    return np.stack([xx, yy, (xx + yy) / 2], axis=-1).astype(np.float32)


def stripes_image(size=48):
    """Coloured waves of several frequencies: a style image with strong texture statistics."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    channels = [np.sin(xx * 1.3), np.sin(yy * 0.9), np.cos((xx + yy) * 0.7)]
    return np.stack([127.5 + 120.0 * c for c in channels], axis=-1).astype(np.float32)


@pytest.fixture(scope="session")
def random_network():
    """VGG19 with seeded random weights, outputting the default content and style layers."""
    keras.utils.set_random_seed(0)
    layers = list(defaults.STYLE_LAYERS) + list(defaults.CONTENT_LAYERS)
    return networks.build_loss_network(layers, "vgg19", weights=None)


@pytest.fixture
def content_image():
    return gradient_image()


@pytest.fixture
def style_image():
    return stripes_image()


@pytest.fixture(scope="session")
def stand_in_weights():
    """Path of the pretrained stand-in VGG16 weights; skips when ../shared is absent."""
    if not STAND_IN_WEIGHTS.is_file():
        pytest.skip("../shared/weights is not beside the repository")
    return str(STAND_IN_WEIGHTS)


def distinct_style_norms(model, seed=0):
    """Gives every conditional instance norm distinct per-style scales and shifts, as training
    would leave them (a new network's are all 1 and 0); returns the model."""
    from nst_tf.feedforward import layers

    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if isinstance(layer, layers.InstanceNormalization):
            layer.scale.assign(rng.uniform(0.5, 1.5, layer.scale.shape).astype(np.float32))
            layer.shift.assign(rng.normal(0, 0.3, layer.shift.shape).astype(np.float32))
    return model


def run_python(script, *arguments):
    """Runs a Python snippet in a fresh interpreter (nothing imported yet); returns the result."""
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-c", script, *map(str, arguments)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
