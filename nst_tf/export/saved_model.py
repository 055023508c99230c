"""SavedModel export for TF Serving.

The SavedModel holds plain TensorFlow graphs (it loads without nst_tf) with two signatures:
  serving_default: uint8 images [batch, height, width, 3] of any size -> "stylized", the same
    shape and dtype;
  encoded: JPEG/PNG bytes, tf.string [batch] -> "stylized_jpeg", JPEG bytes, as web clients send
    and expect.
A multi-style network is exported with one style, or a blend, baked in, or with the style
weights as a second input of both signatures, "style_weights" float32 [batch, num_styles].
It is written in TF Serving's layout, BASE/VERSION/.
"""

import os

import tensorflow as tf

from nst_tf.errors import NstError
from nst_tf.export import graphs
from nst_tf.feedforward import transformer
from nst_tf.io import files

JPEG_QUALITY = 95


def export_saved_model(style_model, base_dir, style_weights=None, version=None):
    """Writes a SavedModel in TF Serving's layout, atomically.

    Args:
      style_model: feedforward.StyleModel.
      base_dir: the model's base path; the export goes to base_dir/VERSION.
      style_weights: the style (or blend) to bake in, from StyleModel.style_weights; None makes
        a multi-style network's style weights an input (a single-style network needs none).
      version: positive integer; default one more than the newest version there.

    Returns:
      the path of the version folder.

    Raises:
      NstError: a version that exists already or is not positive, or a folder not writable.
    """
    model = style_model.model
    if style_weights is None and len(model.inputs) == 1:
        style_weights = style_model.style_weights()
    if style_weights is not None:
        stylize = graphs.stylize_float(model, style_weights)

        def serve_images(images):
            return {"stylized": to_uint8(stylize(images))}

        def serve_encoded(encoded_images):
            def one(data):
                return encode_jpeg(serve_images(decode_image(data)[None])["stylized"][0])

            return {"stylized_jpeg": tf.map_fn(one, encoded_images, fn_output_signature=tf.string)}

        extra = []
    else:
        weighted = graphs.stylize_weighted(model)

        def serve_images(images, style_weights):
            return {"stylized": to_uint8(weighted(images, style_weights))}

        def serve_encoded(encoded_images, style_weights):
            def one(pair):
                image = decode_image(pair[0])[None]
                return encode_jpeg(serve_images(image, pair[1][None])["stylized"][0])

            pairs = (encoded_images, style_weights)
            return {"stylized_jpeg": tf.map_fn(one, pairs, fn_output_signature=tf.string)}

        num_styles = transformer.num_styles(model)
        extra = [tf.TensorSpec((None, num_styles), tf.float32, name="style_weights")]
    endpoints = {
        "serving_default": (
            serve_images,
            [tf.TensorSpec((None, None, None, 3), tf.uint8, name="images"), *extra],
        ),
        "encoded": (
            serve_encoded,
            [tf.TensorSpec((None,), tf.string, name="encoded_images"), *extra],
        ),
    }
    return write_version([model], base_dir, version, endpoints)


def write_version(models, base_dir, version, endpoints):
    """Writes base_dir/VERSION atomically with graphs.write_archive; returns its path.

    Args:
      version: positive integer, or None for one more than the newest version there.

    Raises:
      NstError: a version that exists already or is not positive.
    """
    version = _next_version(base_dir) if version is None else int(version)
    if version < 1:
        raise NstError(f"the version must be a positive integer, got {version}")
    target = os.path.join(base_dir, str(version))
    if os.path.exists(target):
        raise NstError(f"{target} exists already: choose another version")
    with files.atomic_path(target) as temporary:
        graphs.write_archive(models, temporary, endpoints)
    return target


def to_uint8(images):
    """Float images in [0, 255] (clipped) rounded to uint8."""
    return tf.cast(tf.round(tf.clip_by_value(images, 0, 255)), tf.uint8)


def decode_image(data):
    """JPEG/PNG/BMP/GIF bytes (a scalar string) to a uint8 RGB image (height, width, 3)."""
    return tf.io.decode_image(data, channels=3, expand_animations=False)


def encode_jpeg(image):
    """A uint8 image (height, width, 3) to JPEG bytes."""
    return tf.io.encode_jpeg(image, quality=JPEG_QUALITY)


def _next_version(base_dir):
    if not os.path.isdir(base_dir):
        return 1
    versions = [int(name) for name in os.listdir(base_dir) if name.isdigit()]
    return max(versions, default=0) + 1
