"""Magenta's arbitrary pair on TensorFlow: the shipped Keras networks, each traced once for every
image size. Images are float arrays in [0, 255], as nst_tf.pretrained.fast hands them over."""

import functools

import tensorflow as tf

from nst_tf.pretrained import networks
from nst_tf.pretrained.sizes import STYLE_VECTOR_SIZE

_IMAGES = tf.TensorSpec((None, None, None, 3), tf.float32)
_VECTORS = tf.TensorSpec((None, STYLE_VECTOR_SIZE), tf.float32)


def _traced(model):
    """A model of [images, style vectors], traced once for every image size."""
    return tf.function(
        lambda images, vectors: model([images, vectors], training=False),
        input_signature=[_IMAGES, _VECTORS],
    )


class KerasArbitrary:
    """The pair and its tile networks, built on first use."""

    @functools.cached_property
    def _predict(self):
        model = networks.style_predictor()
        return tf.function(lambda images: model(images, training=False), input_signature=[_IMAGES])

    @functools.cached_property
    def _transform(self):
        return _traced(networks.arbitrary_transformer())

    @functools.cached_property
    def _moments(self):
        return _traced(networks.moments_model())

    @functools.cached_property
    def _transform_with_moments(self):
        model = networks.arbitrary_transformer(given_moments=True)
        return tf.function(lambda images, vectors, *moments: model([images, vectors, *moments]))

    def style_vector(self, square):
        """The style vector (100,) of a square style image."""
        return self._predict(square[None] / 255.0).numpy()[0]

    def paint(self, image, vector):
        """The transformer on one image with one style vector."""
        return self._transform(image[None] / 255.0, vector[None]).numpy()[0] * 255.0

    def moments(self, image, vector):
        """Each instance norm's mean and variance on one image, for tile_painter."""
        return [moment.numpy() for moment in self._moments(image[None] / 255.0, vector[None])]

    def tile_painter(self, vector, moments):
        """A function tile -> the transformer on it, normalised with the given moments."""
        return lambda tile: self.paint_with_moments(tile, vector, moments)

    def paint_with_moments(self, tile, vector, moments):
        """The transformer on a tile, normalised with the given moments."""
        painted = self._transform_with_moments(tile[None] / 255.0, vector[None], *moments)
        return painted.numpy()[0] * 255.0


@functools.cache
def shipped_pair():
    """The shipped pair on TensorFlow, one per process."""
    return KerasArbitrary()
