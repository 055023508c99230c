"""The TensorFlow functions both exports are written from."""

import keras
import numpy as np
import tensorflow as tf


def stylize_weighted(model):
    """A function from image batches (any real dtype, 0-255) and style weights (batch,
    num_styles) to float32 stylised batches, for a multi-style network."""

    def stylize(batch, style_weights):
        inputs = [tf.cast(batch, tf.float32), tf.cast(style_weights, tf.float32)]
        return model(inputs, training=False)

    return stylize


def stylize_float(model, style_weights):
    """A function from image batches (any real dtype, 0-255) to float32 stylised batches, with
    the style weights (ignored for a single-style network) baked in."""
    weights = tf.constant(np.asarray(style_weights, np.float32)[None])
    weighted = stylize_weighted(model)

    def stylize(batch):
        if len(model.inputs) == 1:
            return model(tf.cast(batch, tf.float32), training=False)
        return weighted(batch, tf.repeat(weights, tf.shape(batch)[0], axis=0))

    return stylize


def write_archive(models, path, endpoints):
    """Writes a SavedModel of the networks' variables with the given endpoints (ExportArchive).

    Args:
      models: list of the Keras networks the endpoints call (their variables are saved).
      path: destination folder.
      endpoints: dict name -> (function, input_signature).
    """
    archive = keras.export.ExportArchive()
    for model in models:
        archive.track(model)
    for name, (function, signature) in endpoints.items():
        archive.add_endpoint(name, function, input_signature=signature)
    archive.write_out(path, verbose=False)
