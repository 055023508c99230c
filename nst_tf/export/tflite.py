"""TFLite export for LiteRT (nst_tf.feedforward.lite_model.LiteStyleModel runs the
files).

TFLite models take float32 RGB in [0, 255], [1, height, width, 3], at a fixed size (or any size
with `size=None`, where the runtime allows), quantised as none (float32), float16, dynamic
(8-bit weights) or int8 (full integer: uint8 input and output, int8 inside, calibrated on
representative images; the network is first channel-equalised, see nst_tf.export.equalization).
A multi-style network takes its style weights baked in, or as a second input "style_weights"
float32 [1, num_styles] (int8 then keeps float32 input and output: the converter would make the
weights uint8 too).
"""

import os
import tempfile

import numpy as np
import tensorflow as tf

from nst_tf.errors import NstError
from nst_tf.export import delegable, equalization, graphs
from nst_tf.feedforward import transformer
from nst_tf.io import files, image_io

QUANTIZATIONS = ("none", "float16", "dynamic", "int8")
DEFAULT_TFLITE_SIZE = (384, 384)
# Representative images that calibrate int8 ranges (min/max): with 16 or 32, photos unlike them
# (a brick wall) lost parity with Keras; 64 kept every sample close (tools/bench/bench_export.py,
# bench_results/bench_export.json). Each adds to the conversion time.
CALIBRATION_IMAGES = 64


def calibration_images(folder, count=CALIBRATION_IMAGES):
    """Up to `count` images spread evenly over a folder (sorted paths), for integer quantisation.

    Args:
      folder: image folder (searched recursively).
      count: how many images at most.

    Returns:
      list of float32 images (height, width, 3) in [0, 255].

    Raises:
      NstError: no readable image in the folder.
    """
    paths = files.list_image_files(folder)
    chosen = paths[:: max(1, len(paths) // count)][:count]
    return [image_io.load_image(path) for path in chosen]


def check_request(quantize, representative, size):
    """Raises NstError for an unknown quantisation, int8 without images, or a size below 8x8."""
    if quantize not in QUANTIZATIONS:
        raise NstError(
            f"unknown quantisation {quantize!r}: choose one of {', '.join(QUANTIZATIONS)}"
        )
    if quantize == "int8" and not representative:
        raise NstError(f"{quantize} quantisation needs representative images (representative_data)")
    if size is not None and min(size) < 8:
        raise NstError(f"the TFLite input size must be at least 8x8, got {size[0]}x{size[1]}")


def export_tflite(
    style_model,
    path,
    style_weights=None,
    quantize="none",
    size=DEFAULT_TFLITE_SIZE,
    representative=None,
):
    """Converts the network to a TFLite flatbuffer, written atomically.

    Args:
      style_model: feedforward.StyleModel.
      path: output .tflite file.
      style_weights: the style (or blend) to bake in; None makes a multi-style network's style
        weights a second input (int8 calibration then cycles through the styles one by one, with
        float32 input and output).
      quantize: one of QUANTIZATIONS.
      size: (height, width) of the input, or None for any size.
      representative: for int8, a list of float images (height, width, 3) in [0, 255]; they
        are resized to `size` (or used as they are when size is None).

    Returns:
      the size of the file in bytes.

    Raises:
      NstError: an unknown quantisation, int8 without representative images, a bad size.
    """
    check_request(quantize, representative, size)
    network, images = style_model.model, []
    num_styles = transformer.num_styles(network)
    weighted = style_weights is None and len(network.inputs) > 1
    if style_weights is None and not weighted:
        style_weights = style_model.style_weights()
    if quantize == "int8":
        images = [image_io.resize(image, size) if size else image for image in representative]
        measured = np.full(num_styles, 1.0 / num_styles) if weighted else style_weights
        network = equalization.equalized_copy(network, measured, images)
    network = delegable.delegable_copy(network, quantize)
    image_spec = tf.TensorSpec((1, *size, 3) if size else (1, None, None, 3), tf.float32, "images")
    if weighted:
        function = graphs.stylize_weighted(network)
        signature = [image_spec, tf.TensorSpec((1, num_styles), tf.float32, "style_weights")]
        one_hot = np.eye(num_styles, dtype=np.float32)
        samples = [
            {"images": image[None], "style_weights": one_hot[i % num_styles][None]}
            for i, image in enumerate(images)
        ]
    else:
        function, signature = graphs.stylize_float(network, style_weights), [image_spec]
        samples = [{"images": image[None]} for image in images]
    # The converter makes every input uint8 or none: with a weights input, int8 keeps float io.
    flatbuffer = convert([network], function, signature, quantize, samples, not weighted)
    files.write_atomically(path, lambda f: f.write(flatbuffer))
    return len(flatbuffer)


def convert(models, function, signature, quantize, samples, integer_io=True):
    """Converts a function of Keras networks to a TFLite flatbuffer.

    Args:
      models: the networks `function` calls.
      function: TensorFlow function of the inputs in `signature`.
      signature: list of named tf.TensorSpec.
      quantize: one of QUANTIZATIONS.
      samples: for int8, calibration inputs: dicts input name -> float array with a batch of 1.
      integer_io: for int8, uint8 input and output (else float32, quantised inside).

    Returns:
      the flatbuffer (bytes).

    Raises:
      NstError: the converter failed.
    """
    with tempfile.TemporaryDirectory() as folder:
        # Through a SavedModel, the converter freezes the weights into constants.
        saved = os.path.join(folder, "saved_model")
        graphs.write_archive(models, saved, {"serving_default": (function, signature)})
        converter = tf.lite.TFLiteConverter.from_saved_model(saved)
        if quantize != "none":
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
        if quantize == "float16":
            converter.target_spec.supported_types = [tf.float16]
        if quantize == "int8":
            converter.representative_dataset = lambda: (
                {name: np.asarray(value, np.float32) for name, value in sample.items()}
                for sample in samples
            )
            converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
            if integer_io:
                converter.inference_input_type = tf.uint8
                converter.inference_output_type = tf.uint8
        try:
            return converter.convert()
        except Exception as error:  # noqa: BLE001 - the converter raises several types
            text = str(error).strip()
            reason = text.splitlines()[0] if text else type(error).__name__
            raise NstError(f"TFLite conversion failed: {reason[:200]}") from None
