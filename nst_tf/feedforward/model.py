"""Stylising with a trained transformation network: files, loading, style choice and batches.

A network is stored as NAME.keras with NAME.json beside it (its style names and how it was
trained); a training run folder holds model.keras and model.json.
"""

import json
import os

import keras
import numpy as np
import tensorflow as tf

from nst_tf import blending
from nst_tf.errors import NstError
from nst_tf.feedforward import inference, shipped, transformer
from nst_tf.feedforward.config import MIN_SIDE
from nst_tf.io import files, image_io


class StyleModel:
    """A loaded transformation network with its metadata.

    Attributes:
      model: the keras.Model.
      metadata: dict from the .json file ("style_names", "steps", ...).
      path: the .keras file.
    """

    def __init__(self, model, metadata, path):
        self.model = model
        self.metadata = metadata
        self.path = path
        network = inference.inference_network(model)
        images = tf.TensorSpec((None, None, None, 3), tf.float32)
        weights = tf.TensorSpec((None, transformer.num_styles(model)), tf.float32)
        # One graph for every image size: traced once, not per size or per call. Not compiled by
        # XLA: slower here on CPU (tools/bench_inference.py).
        self._forward = tf.function(
            lambda batch, style_weights: (
                network([batch, style_weights], training=False)
                if len(network.inputs) > 1
                else network(batch, training=False)
            ),
            input_signature=[images, weights],
        )

    @property
    def style_names(self):
        """Names of the network's styles, in the order of its style inputs."""
        return list(self.metadata["style_names"])

    def style_weights(self, style=None, blend=None):
        """The style input: one style by name or index, or a blend.

        Args:
          style: a style name or index, or a mix "3:0.5,12:0.5" (see blending.parse_style_mix);
            default: the style the model was asked for by name, if any, else the first.
          blend: weights, one per style (normalised to sum 1); excludes `style`.

        Returns:
          float32 array (num_styles,).

        Raises:
          NstError: unknown style, or blend weights that do not fit.
        """
        names = self.style_names
        if blend is not None:
            return np.asarray(blending.blend_weights(blend, len(names)), np.float32)
        style = self.metadata.get("default_style") if style is None else style
        if style is None:
            return np.eye(len(names), dtype=np.float32)[0]
        mix = blending.parse_style_mix(style)
        weights = np.zeros(len(names), np.float32)
        for key, weight in mix:
            weights[self._style_index(key)] += weight
        return np.asarray(blending.blend_weights(weights, len(names)), np.float32)

    def _style_index(self, style):
        """The index of a style given by name or index."""
        names = self.style_names
        if str(style) in names:
            return names.index(str(style))
        if str(style).isdigit() and int(style) < len(names):
            return int(style)
        raise NstError(
            f"the model has no style {style!r}: choose one of {', '.join(names)} "
            f"(or an index below {len(names)})"
        )

    def stylize(self, batch, style_weights):
        """Stylises a batch of same-size images.

        Args:
          batch: float array (batch, height, width, 3) in [0, 255]; sides >= MIN_SIDE.
          style_weights: array (num_styles,) from `style_weights`.

        Returns:
          float32 array of the same shape, in [0, 255].
        """
        batch = np.asarray(batch, np.float32)
        if min(batch.shape[1:3]) < MIN_SIDE:
            raise NstError(
                f"image of {batch.shape[2]}x{batch.shape[1]} px is too small: the network needs "
                f"at least {MIN_SIDE} px a side"
            )
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
    metadata_path = os.path.splitext(path)[0] + ".json"
    metadata = {}
    if os.path.isfile(metadata_path):
        with open(metadata_path) as f:
            metadata = json.load(f)
    count = transformer.num_styles(model)
    metadata.setdefault("style_names", [f"style{i}" for i in range(count)])
    if style is not None:
        metadata["default_style"] = style  # a shipped style asked for by name
    if len(metadata["style_names"]) != count:
        raise NstError(
            f"{metadata_path} names {len(metadata['style_names'])} styles, the model has {count}"
        )
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


def stylize_folder(
    style_model, style_weights, in_dir, out_dir, size=None, batch_size=4, progress=True
):
    """Stylises every image under a folder (recursive) into another, same relative paths.

    Images of the same size after resizing go through the network together in batches.

    Args:
      style_model: StyleModel.
      style_weights: from StyleModel.style_weights.
      in_dir, out_dir: folders; out_dir is created.
      size: longest side to resize to first (None: keep each image's size).
      batch_size: images per forward pass.
      progress: show a progress bar.

    Returns:
      list of the files written.
    """
    import tqdm

    paths = files.list_image_files(in_dir)
    groups = {}
    for path in paths:
        image = image_io.load_image(path)
        if size:
            image = image_io.resize_longest(image, size)
        groups.setdefault(image.shape, []).append((path, image))
    written = []
    with tqdm.tqdm(total=len(paths), disable=not progress, unit="image") as bar:
        for members in groups.values():
            for start in range(0, len(members), batch_size):
                chunk = members[start : start + batch_size]
                outputs = style_model.stylize(
                    np.stack([image for _, image in chunk]), style_weights
                )
                for (path, _), output in zip(chunk, outputs):
                    target = os.path.join(out_dir, os.path.relpath(path, in_dir))
                    image_io.save_image(target, output)
                    written.append(target)
                bar.update(len(chunk))
    return written
