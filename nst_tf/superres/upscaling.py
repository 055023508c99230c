"""Upscaling images with a trained super-resolution network, whole or in tiles.

A network is stored as NAME.keras with NAME.json beside it ("factor", how it was trained); the
shipped x4 network is exported_models/superres/upscale_x4.keras. Factor 8 is the x4 network
followed by a bicubic x2 (no x8 network is trained).
"""

import json
import os

import numpy as np
import tqdm

from nst_tf import engine_choice, tiling
from nst_tf.errors import NstError
from nst_tf.feedforward import shipped
from nst_tf.io import image_io
from nst_tf.superres.upscaler_config import TILE_OVERLAP, check_upscale

SHIPPED_NAME = "upscale_x4"


def shipped_upscaler_path():
    """The shipped x4 network's .keras file, or a one-line NstError when it is not installed."""
    path = shipped.find_file("superres", f"{SHIPPED_NAME}.keras")
    if path is not None:
        return path
    raise NstError(f"the shipped network {SHIPPED_NAME} is not installed: pass --model")


class Upscaler:
    """A loaded super-resolution network.

    Attributes:
      model: the keras.Model (low resolution in, network_factor times larger out), or None on
        the LiteRT engine.
      metadata: dict from the .json file ("factor", "training", ...).
      path: the .keras file.
      engine: "tensorflow" or "litert".
    """

    def __init__(self, model, metadata, path, forward=None):
        self.model = model
        self.metadata = metadata
        self.path = path
        self.network_factor = int(metadata.get("factor", 4))
        self.engine = "tensorflow" if forward is None else "litert"
        self._forward = forward or _traced(model)

    def upscale(self, image, factor=4, tile=None, progress=False):
        """Upscales one image.

        Args:
          image: float array (height, width, 3) in [0, 255].
          factor: 4, or 8 (the network, then a bicubic x2 for a x4 network).
          tile: side of the input tiles, px, for images too large for one pass; None: one pass.
          progress: show a progress bar over the tiles.

        Returns:
          float32 array (factor * height, factor * width, 3) in [0, 255].
        """
        image = np.asarray(image, np.float32)
        check_upscale(image.shape, factor, tile)
        if factor % self.network_factor:
            raise NstError(f"the network upscales x{self.network_factor}: cannot give x{factor}")
        if tile is None:
            result = self._forward(image[None])[0]
        else:
            result = self._tiled(image, tile, progress)
        if factor > self.network_factor:
            rest = factor // self.network_factor
            size = (result.shape[0] * rest, result.shape[1] * rest)
            result = image_io.resize_float(result, size)
        return np.clip(result, 0.0, 255.0)

    def _tiled(self, image, tile, progress):
        """The network's output computed tile by tile (overlapping, feathered)."""
        scale = self.network_factor
        height, width = image.shape[:2]
        total = np.zeros((height * scale, width * scale, 3), np.float32)
        weight_sum = np.zeros((height * scale, width * scale, 1), np.float32)
        rows = tiling.tile_spans(height, tile, TILE_OVERLAP)
        columns = tiling.tile_spans(width, tile, TILE_OVERLAP)
        ramp = TILE_OVERLAP * scale
        with tqdm.tqdm(total=len(rows) * len(columns), disable=not progress, unit="tile") as bar:
            for top, bottom in rows:
                row_weights = tiling.feather(height * scale, top * scale, bottom * scale, ramp)
                for left, right in columns:
                    column_weights = tiling.feather(
                        width * scale, left * scale, right * scale, ramp
                    )
                    weights = np.outer(row_weights, column_weights)[..., None]
                    piece = self._forward(image[None, top:bottom, left:right])[0]
                    total[top * scale : bottom * scale, left * scale : right * scale] += (
                        piece * weights
                    )
                    weight_sum[top * scale : bottom * scale, left * scale : right * scale] += (
                        weights
                    )
                    bar.update(1)
        return total / weight_sum


def _traced(model):
    """The network's forward pass as a function of float arrays, traced once for every size."""
    import tensorflow as tf

    forward = tf.function(
        lambda batch: model(batch, training=False),
        input_signature=[tf.TensorSpec((None, None, None, 3), tf.float32)],
    )
    return lambda batch: forward(np.asarray(batch, np.float32)).numpy()


def _lite_forward():
    """The shipped x4 network's .tflite file as a function of float arrays (batch 1)."""
    network = shipped.tflite_network(SHIPPED_NAME)
    return lambda batch: next(iter(network(images=batch).values()))


def load_upscaler(path=None, engine="auto"):
    """Loads a super-resolution network.

    Args:
      path: a .keras file (with its .json beside it), a training run folder, or None for the
        shipped x4 network.
      engine: "litert" runs the shipped network's .tflite file (no TensorFlow), "tensorflow"
        the Keras network; "auto" chooses (see nst_tf.engine_choice). A network of your own
        runs on TensorFlow.

    Returns:
      Upscaler.

    Raises:
      NstError: the path is not a super-resolution network this library wrote, or the LiteRT
        engine asked for a network of your own.
    """
    own = None if path is None else "a super-resolution network of your own"
    installed = shipped.has_tflite([SHIPPED_NAME])
    chosen = engine_choice.choose(engine, installed, own)
    if path is None:
        path = shipped_upscaler_path()
    elif os.path.isdir(path):
        path = os.path.join(path, "model.keras")
    if not os.path.isfile(path) or not path.endswith(".keras"):
        raise NstError(f"not a super-resolution network: {path} (expected a .keras file or run)")
    metadata_path = os.path.splitext(path)[0] + ".json"
    metadata = {}
    if os.path.isfile(metadata_path):
        with open(metadata_path) as f:
            metadata = json.load(f)
    if metadata.get("kind") != "super-resolution":
        raise NstError(f"not a super-resolution network: {metadata_path} does not describe one")
    if chosen == "litert":
        return Upscaler(None, metadata, path, _lite_forward())
    from nst_tf import tf_startup

    tf_startup.import_tensorflow_quietly()
    import keras

    from nst_tf.feedforward import network_layers  # noqa: F401 - registers the layers networks use

    try:
        model = keras.saving.load_model(path, compile=False)
    except Exception as error:  # noqa: BLE001 - Keras raises many types for a bad file
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise NstError(f"not a model: cannot load {path} ({reason[:200]})") from None
    return Upscaler(model, metadata, path)
