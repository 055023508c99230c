"""Trained style networks without TensorFlow: their metadata and style choice, the engine that
runs them (nst_tf.engine_choice), and folders of images through them.

A network is stored as NAME.keras with NAME.json beside it (its style names and how it was
trained); a training run folder holds model.keras and model.json. The shipped multi-style
networks also exist as .tflite files that LiteRT runs (nst_tf.feedforward.lite_model).
"""

import json
import os

import numpy as np

from nst_tf import blending, engine_choice
from nst_tf.errors import NstError
from nst_tf.feedforward import shipped
from nst_tf.io import files, image_io


class StyleNetwork:
    """A trained network's styles; subclasses add `stylize` on an engine.

    Attributes:
      metadata: dict from the .json file ("style_names", "steps", ...).
      path: the .keras file.
    """

    def __init__(self, metadata, path):
        self.metadata = metadata
        self.path = path

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
            weights[self.style_index(key)] += weight
        return np.asarray(blending.blend_weights(weights, len(names)), np.float32)

    def style_index(self, style):
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


def checked_batch(batch):
    """A batch as float32, or NstError when its images are below image_io.MIN_SIDE a side."""
    batch = np.asarray(batch, np.float32)
    image_io.check_min_side(batch.shape[1:3], "image")
    return batch


def read_metadata(path, count, style=None):
    """The .json beside a network's .keras file, checked against its number of styles.

    Args:
      path: the .keras file.
      count: how many styles the network has.
      style: the style asked for by name, if any (becomes "default_style").

    Raises:
      NstError: the file names another number of styles.
    """
    metadata_path = os.path.splitext(path)[0] + ".json"
    metadata = {}
    if os.path.isfile(metadata_path):
        with open(metadata_path) as f:
            metadata = json.load(f)
    metadata.setdefault("style_names", [f"style{i}" for i in range(count)])
    if style is not None:
        metadata["default_style"] = style
    if len(metadata["style_names"]) != count:
        raise NstError(
            f"{metadata_path} names {len(metadata['style_names'])} styles, the model has {count}"
        )
    return metadata


def load_style_network(reference, engine="auto"):
    """Loads a trained network on an engine.

    Args:
      reference: a .keras file, a training run folder, or a shipped network or style (see
        nst_tf.feedforward.shipped.model_reference).
      engine: "litert" runs a shipped network's .tflite file (no TensorFlow), "tensorflow" the
        Keras network; "auto" chooses (see nst_tf.engine_choice). Networks of your own run on
        TensorFlow.

    Returns:
      a StyleNetwork with `stylize(batch, style_weights)`.

    Raises:
      NstError: not a model, or the LiteRT engine asked for a network of your own.
    """
    path, _ = shipped.model_reference(reference)
    name = os.path.splitext(os.path.basename(path))[0]
    own = path not in shipped.shipped_models().values() or not shipped.has_tflite([name])
    needs = "a .keras network of your own" if own else None
    if engine_choice.choose(engine, True, needs) == "litert":
        from nst_tf.feedforward import lite_model

        return lite_model.load_shipped(reference)
    from nst_tf import tf_startup

    tf_startup.import_tensorflow_quietly()
    from nst_tf.feedforward import model

    return model.load_model(reference)


def stylize_folder(
    style_model, style_weights, in_dir, out_dir, size=None, batch_size=4, progress=True
):
    """Stylises every image under a folder (recursive) into another, same relative paths.

    Images of the same size after resizing go through the network together in batches.

    Args:
      style_model: a StyleNetwork (Keras or LiteRT).
      style_weights: from StyleNetwork.style_weights.
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
