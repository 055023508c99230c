"""Trained transformation networks on TensorFlow: loading, saving and batches (their style
choice and folders: nst_tf.feedforward.styles).
"""

import os

import keras
import numpy as np
import tensorflow as tf

from nst_tf.errors import NstError
from nst_tf.feedforward import inference, shipped, styles, transformer
from nst_tf.io import files


class StyleModel(styles.StyleNetwork):
    """A loaded transformation network on TensorFlow, with its metadata.

    Attributes:
      model: the keras.Model.
      metadata: dict from the .json file ("style_names", "steps", ...).
      path: the .keras file.
    """

    def __init__(self, model, metadata, path):
        super().__init__(metadata, path)
        self.model = model
        network = inference.inference_network(model)
        images = tf.TensorSpec((None, None, None, 3), tf.float32)
        weights = tf.TensorSpec((None, transformer.num_styles(model)), tf.float32)
        # One graph for every image size: traced once, not per size or per call. Not compiled by
        # XLA: slower here on CPU (tools/bench/bench_inference.py).
        self._forward = tf.function(
            lambda batch, style_weights: (
                network([batch, style_weights], training=False)
                if len(network.inputs) > 1
                else network(batch, training=False)
            ),
            input_signature=[images, weights],
        )

    def stylize(self, batch, style_weights):
        """Stylises a batch of same-size images.

        Args:
          batch: float array (batch, height, width, 3) in [0, 255]; sides >= MIN_SIDE.
          style_weights: array (num_styles,) from `style_weights`.

        Returns:
          float32 array of the same shape, in [0, 255].
        """
        batch = styles.checked_batch(batch)
        weights = np.repeat(np.asarray(style_weights, np.float32)[None], len(batch), axis=0)
        return self._forward(batch, weights).numpy()


def load_model(path):
    """Loads a transformation network.

    Args:
      path: a .keras file (with its .json beside it), a training run folder, or a shipped
        network (see model_reference).

    Returns:
      StyleModel.

    Raises:
      NstError: the path is not a model this library wrote.
    """
    path, style = shipped.model_reference(path)
    try:
        model = keras.saving.load_model(path, compile=False)
    except Exception as error:  # noqa: BLE001 - Keras raises many types for a bad file
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise NstError(f"not a model: cannot load {path} ({reason[:200]})") from None
    metadata = styles.read_metadata(path, transformer.num_styles(model), style)
    return StyleModel(model, metadata, path)


def save_model(model, path, metadata):
    """Writes a transformation network (.keras) and its metadata (.json beside it) atomically.

    Args:
      model: the network.
      path: destination ending in ".keras".
      metadata: JSON-serialisable dict; "style_names" names the styles.
    """
    with files.atomic_path(path) as temporary:
        model.save(temporary)
    files.write_json(os.path.splitext(path)[0] + ".json", metadata)
