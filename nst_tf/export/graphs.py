"""The TensorFlow functions both exports are written from."""

import keras
import numpy as np
import tensorflow as tf


def stylize_float(model, style_weights):
    """A function from image batches (any real dtype, 0-255) to float32 stylised batches."""
    weights = tf.constant(np.asarray(style_weights, np.float32)[None])

    def stylize(batch):
        batch = tf.cast(batch, tf.float32)
        if len(model.inputs) == 1:
            return model(batch, training=False)
        return model([batch, tf.repeat(weights, tf.shape(batch)[0], axis=0)], training=False)

    return stylize


def write_archive(model, path, endpoints):
    """Writes a SavedModel of `model`'s variables with the given endpoints (Keras ExportArchive).

    Args:
      model: the Keras network (its variables are tracked and saved).
      path: destination folder.
      endpoints: dict name -> (function, input_signature).
    """
    archive = keras.export.ExportArchive()
    archive.track(model)
    for name, (function, signature) in endpoints.items():
        archive.add_endpoint(name, function, input_signature=signature)
    archive.write_out(path, verbose=False)
