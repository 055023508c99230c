"""Magenta's arbitrary stylisation pair (style predictor and transformer) exported: a SavedModel
for TF Serving and two TFLite files for LiteRT (nst_tf.pretrained.lite_runner.LiteArbitraryModel
runs them).

The SavedModel (plain TensorFlow, BASE/VERSION/) has two signatures:
  serving_default: content uint8 [batch, height, width, 3], style uint8 [1 or batch, h, w, 3]
    (each of any size) and strength float32 [] -> "stylized" uint8 like the content;
  encoded: content and style JPEG/PNG bytes (string scalars), strength -> "stylized_jpeg".
As nst_tf.pretrained.fast does in one pass: the style is read at 256 x 256, its vector is
interpolated with the content's own (strength * style + (1 - strength) * content), and the
transformer paints the content at its own size.

The TFLite files, float32 RGB in [0, 255] in and out (also for int8, quantised inside):
  style_predictor_{quantize}.tflite: [1, 256, 256, 3] -> style vector [1, 100];
  arbitrary_transformer_{quantize}.tflite: [1, height, width, 3] and [1, 100] -> [1, h, w, 3].
"""

import os

import tensorflow as tf

from nst_tf.export import delegable, saved_model, tflite
from nst_tf.io import files, image_io
from nst_tf.pretrained import lite_runner
from nst_tf.pretrained.sizes import STYLE_SIZE


def _networks(predictor, transformer):
    """The given networks, or the shipped ones where None."""
    from nst_tf.pretrained import networks

    return (
        networks.style_predictor() if predictor is None else predictor,
        networks.arbitrary_transformer() if transformer is None else transformer,
    )


def export_arbitrary_saved_model(base_dir, version=None, predictor=None, transformer=None):
    """Writes the pair as one SavedModel in TF Serving's layout, atomically.

    Args:
      base_dir: the model's base path; the export goes to base_dir/VERSION.
      version: positive integer; default one more than the newest version there.
      predictor, transformer: Keras networks (see nst_tf.pretrained.arbitrary); None: shipped.

    Returns:
      the path of the version folder.

    Raises:
      NstError: a version that exists already or is not positive; shipped weights missing.
    """
    predictor, transformer = _networks(predictor, transformer)

    def vectors(images):
        # As image_io.resize reads a style: antialiased Lanczos, rounded to 8 bits.
        square = tf.image.resize(images, (STYLE_SIZE, STYLE_SIZE), "lanczos3", antialias=True)
        return predictor(tf.round(tf.clip_by_value(square, 0, 255)) / 255.0, training=False)

    def serve_images(content, style, strength):
        content = tf.cast(content, tf.float32)
        mixed = strength * vectors(tf.cast(style, tf.float32)) + (1.0 - strength) * vectors(content)
        painted = transformer([content / 255.0, mixed], training=False)
        return {"stylized": saved_model.to_uint8(painted * 255.0)}

    def serve_encoded(content, style, strength):
        content, style = saved_model.decode_image(content), saved_model.decode_image(style)
        painted = serve_images(content[None], style[None], strength)["stylized"][0]
        return {"stylized_jpeg": saved_model.encode_jpeg(painted)}

    pair = ("content", "style")
    images = [tf.TensorSpec((None, None, None, 3), tf.uint8, name=name) for name in pair]
    encoded = [tf.TensorSpec((), tf.string, name=name) for name in pair]
    strength = [tf.TensorSpec((), tf.float32, name="strength")]
    endpoints = {
        "serving_default": (serve_images, images + strength),
        "encoded": (serve_encoded, encoded + strength),
    }
    return saved_model.write_version([predictor, transformer], base_dir, version, endpoints)


def export_arbitrary_tflite(
    folder,
    quantize="none",
    size=tflite.DEFAULT_TFLITE_SIZE,
    representative=None,
    predictor=None,
    transformer=None,
):
    """Converts the pair to two TFLite files in a folder, written atomically.

    Args:
      folder: destination (created if missing).
      quantize: one of tflite.QUANTIZATIONS.
      size: (height, width) of the transformer's input, or None for any size.
      representative: for int8, float images (height, width, 3) in [0, 255]: the predictor is
        calibrated on them at 256 x 256, the transformer on each (resized to `size`) paired
        with the style vector of the next one.
      predictor, transformer: Keras networks; None: the shipped ones.

    Returns:
      dict path -> size in bytes, predictor first.

    Raises:
      NstError: an unknown quantisation, int8 without representative images, a bad size.
    """
    tflite.check_request(quantize, representative, size)
    predictor, transformer = _networks(predictor, transformer)
    calibration = representative if quantize == "int8" else []
    styles = [image_io.resize(image, (STYLE_SIZE, STYLE_SIZE)) for image in calibration]
    vectors = [predictor(style[None] / 255.0, training=False).numpy() for style in styles]
    contents = [image_io.resize(image, size) if size else image for image in calibration]
    content_shape = (1, *size, 3) if size else (1, None, None, 3)
    vector_size = int(predictor.outputs[0].shape[-1])
    transformer = delegable.delegable_copy(transformer, quantize)

    def transform(content, style_vector):
        return 255.0 * transformer([content / 255.0, style_vector], training=False)

    conversions = (
        (
            lite_runner.PREDICTOR,
            predictor,
            predictor_function(predictor),
            [PREDICTOR_INPUT],
            [{"style_image": style[None]} for style in styles],
        ),
        (
            lite_runner.TRANSFORMER,
            transformer,
            transform,
            [
                tf.TensorSpec(content_shape, tf.float32, "content"),
                tf.TensorSpec((1, vector_size), tf.float32, "style_vector"),
            ],
            [
                {"content": content[None], "style_vector": vectors[(i + 1) % len(vectors)]}
                for i, content in enumerate(contents)
            ],
        ),
    )
    written = {}
    for name, model, function, signature, samples in conversions:
        flatbuffer = tflite.convert([model], function, signature, quantize, samples, False)
        path = os.path.join(folder, f"{name}_{quantize}.tflite")
        files.write_atomically(path, lambda f, data=flatbuffer: f.write(data))
        written[path] = len(flatbuffer)
    return written


# The predictor's input in its TFLite files: a square style image in [0, 255].
PREDICTOR_INPUT = tf.TensorSpec((1, STYLE_SIZE, STYLE_SIZE, 3), tf.float32, "style_image")


def predictor_function(predictor):
    """The function the predictor's TFLite files are converted from: PREDICTOR_INPUT ->
    {"style_vector": (1, 100)}."""
    return lambda style_image: {"style_vector": predictor(style_image / 255.0, training=False)}
