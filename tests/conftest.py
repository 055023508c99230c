"""Shared fixtures: a random-weight loss network, small synthetic images, the shared folder."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import pytest
from support import STAND_IN_WEIGHTS, gradient_image, stripes_image

from nst_tf import defaults
from nst_tf.encoders import vgg as networks


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
