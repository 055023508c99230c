"""SavedModel export for TF Serving.

The SavedModel holds plain TensorFlow graphs (it loads without nst_tf) with two signatures:
  serving_default: uint8 images [batch, height, width, 3] of any size -> "stylized", the same
    shape and dtype;
  encoded: JPEG/PNG bytes, tf.string [batch] -> "stylized_jpeg", JPEG bytes, as web clients send
    and expect.
It is written in TF Serving's layout, BASE/VERSION/. A multi-style network is exported with one
style, or a blend, baked in.
"""

import os

import tensorflow as tf

from nst_tf.errors import NstError
from nst_tf.export import graphs
from nst_tf.io import files

_JPEG_QUALITY = 95


def export_saved_model(style_model, base_dir, style_weights, version=None):
    """Writes a SavedModel in TF Serving's layout, atomically.

    Args:
      style_model: feedforward.StyleModel.
      base_dir: the model's base path; the export goes to base_dir/VERSION.
      style_weights: the style (or blend) to bake in, from StyleModel.style_weights.
      version: positive integer; default one more than the newest version there.

    Returns:
      the path of the version folder.

    Raises:
      NstError: a version that exists already or is not positive, or a folder not writable.
    """
    version = _next_version(base_dir) if version is None else int(version)
    if version < 1:
        raise NstError(f"the version must be a positive integer, got {version}")
    target = os.path.join(base_dir, str(version))
    if os.path.exists(target):
        raise NstError(f"{target} exists already: choose another version")
    stylize = graphs.stylize_float(style_model.model, style_weights)

    def serve_images(images):
        return {"stylized": tf.cast(tf.round(tf.clip_by_value(stylize(images), 0, 255)), tf.uint8)}

    def serve_encoded(encoded_images):
        def one(data):
            image = tf.io.decode_image(data, channels=3, expand_animations=False)
            return tf.io.encode_jpeg(
                serve_images(image[None])["stylized"][0], quality=_JPEG_QUALITY
            )

        return {"stylized_jpeg": tf.map_fn(one, encoded_images, fn_output_signature=tf.string)}

    endpoints = {
        "serving_default": (
            serve_images,
            [tf.TensorSpec((None, None, None, 3), tf.uint8, name="images")],
        ),
        "encoded": (serve_encoded, [tf.TensorSpec((None,), tf.string, name="encoded_images")]),
    }
    with files.atomic_path(target) as temporary:
        graphs.write_archive(style_model.model, temporary, endpoints)
    return target


def _next_version(base_dir):
    if not os.path.isdir(base_dir):
        return 1
    versions = [int(name) for name in os.listdir(base_dir) if name.isdigit()]
    return max(versions, default=0) + 1
