"""The inference path of StyleModel (fused normalisation) against the plain Keras call."""

import os

import numpy as np
import pytest
from support import distinct_style_norms, gradient_image, stripes_image

from nst_tf.feedforward import inference, network_layers, transformer
from nst_tf.feedforward import model as feedforward
from nst_tf.io import image_io

SAMPLES = os.path.join(os.path.dirname(feedforward.__file__), os.pardir, "samples")
PARITY_PHOTOS = ("chelsea.jpg", "astronaut.jpg", "coffee.jpg", "brick.jpg", "shipwreck.jpg")


def test_fused_stylize_equals_the_keras_call_at_two_sizes_and_batches():
    network = distinct_style_norms(transformer.build_transformer(3, "small"))
    style_model = feedforward.StyleModel(network, {"style_names": ["a", "b", "c"]}, "")
    weights = style_model.style_weights("b")
    for image in (gradient_image(48), stripes_image(40)[:37]):  # a second, odd size
        for batch in (image[None], np.stack([image, image[::-1]])):  # fused, then portable
            fast = style_model.stylize(batch, weights)
            rows = np.repeat(weights[None], len(batch), axis=0)
            plain = network([batch, rows], training=False).numpy()
            assert fast.shape == batch.shape
            assert np.abs(fast - plain).max() < 1.0  # within one grey level of 255
            assert np.abs(fast - plain).mean() < 0.05
            assert fast.std() > 1.0  # a picture, not a constant that would match trivially


def test_inference_network_fuses_single_epsilon_norms_only():
    network = transformer.build_transformer(1, "small")
    fused = inference.inference_network(network)
    kinds = {type(layer) for layer in fused.layers}
    assert inference.FusedInstanceNormalization in kinds
    assert network_layers.InstanceNormalization not in kinds
    norm = next(x for x in network.layers if isinstance(x, network_layers.InstanceNormalization))
    norm.epsilon = [1e-3] * norm.scale.shape[-1]  # an export's per-channel epsilon
    kept = inference.inference_network(network).get_layer(norm.name)
    assert type(kept) is network_layers.InstanceNormalization


@pytest.mark.slow
@pytest.mark.parametrize("name", ["styles3", "magenta26"])
def test_shipped_networks_give_the_same_pictures_on_the_bundled_photos(name):
    style_model = feedforward.load_model(name)
    weights = style_model.style_weights()
    for photo in PARITY_PHOTOS:
        image = image_io.resize_longest(image_io.load_image(os.path.join(SAMPLES, photo)), 160)
        fast = style_model.stylize(image[None], weights)[0]
        inputs = [image[None], weights[None]] if len(style_model.model.inputs) > 1 else image[None]
        plain = style_model.model(inputs, training=False).numpy()[0]
        assert np.abs(fast - plain).max() < 1.0, photo  # within one grey level of 255
