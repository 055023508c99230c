"""TFLite export for LiteRT, and a runner for the exported files.

TFLite models take float32 RGB in [0, 255], [1, height, width, 3], at a fixed size (or any size
with `size=None`, where the runtime allows), quantised as none (float32), float16, dynamic
(8-bit weights) or int8 (full integer: uint8 input and output, int8 inside, calibrated on
representative images; the network is first channel-equalised, see nst_tf.export.equalization).
"""

import os
import tempfile

import numpy as np
import tensorflow as tf

from nst_tf.errors import NstError
from nst_tf.export import equalization, graphs
from nst_tf.io import files, image_io

QUANTIZATIONS = ("none", "float16", "dynamic", "int8")
DEFAULT_TFLITE_SIZE = (384, 384)
# Representative images that calibrate int8 ranges (min/max): with 16 or 32, photos unlike them
# (a brick wall) fell to 21-25 dB against Keras; with 64, all samples were >= 28 dB. Each costs
# about 2 s of conversion at 384x384 on 2 cores.
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


def export_tflite(
    style_model, path, style_weights, quantize="none", size=DEFAULT_TFLITE_SIZE, representative=None
):
    """Converts the network to a TFLite flatbuffer, written atomically.

    Args:
      style_model: feedforward.StyleModel.
      path: output .tflite file.
      style_weights: the style (or blend) to bake in.
      quantize: one of QUANTIZATIONS.
      size: (height, width) of the input, or None for any size.
      representative: for int8, a list of float images (height, width, 3) in [0, 255]; they
        are resized to `size` (or used as they are when size is None).

    Returns:
      the size of the file in bytes.

    Raises:
      NstError: an unknown quantisation, int8 without representative images, a bad size.
    """
    if quantize not in QUANTIZATIONS:
        raise NstError(
            f"unknown quantisation {quantize!r}: choose one of {', '.join(QUANTIZATIONS)}"
        )
    if quantize == "int8" and not representative:
        raise NstError(f"{quantize} quantisation needs representative images (representative_data)")
    if size is not None and min(size) < 8:
        raise NstError(f"the TFLite input size must be at least 8x8, got {size[0]}x{size[1]}")
    network, samples = style_model.model, []
    if quantize == "int8":
        samples = [image_io.resize(image, size) if size else image for image in representative]
        network = equalization.equalized_copy(network, style_weights, samples)
    shape = (1, *size, 3) if size else (1, None, None, 3)
    stylize = graphs.stylize_float(network, style_weights)
    endpoint = {"serving_default": (stylize, [tf.TensorSpec(shape, tf.float32, name="images")])}
    with tempfile.TemporaryDirectory() as folder:
        # Through a SavedModel, the converter freezes the weights into constants.
        saved = os.path.join(folder, "saved_model")
        graphs.write_archive(network, saved, endpoint)
        converter = tf.lite.TFLiteConverter.from_saved_model(saved)
        flatbuffer = _convert(converter, quantize, samples)
    files.write_atomically(path, lambda f: f.write(flatbuffer))
    return len(flatbuffer)


def _convert(converter, quantize, samples):
    """Runs the TFLite converter with the quantisation settings; returns the flatbuffer."""
    if quantize != "none":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if quantize == "float16":
        converter.target_spec.supported_types = [tf.float16]
    if quantize == "int8":

        def representative_dataset():
            for image in samples:
                yield [np.asarray(image, np.float32)[None]]

        converter.representative_dataset = representative_dataset
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.uint8
        converter.inference_output_type = tf.uint8
    try:
        return converter.convert()
    except Exception as error:  # noqa: BLE001 - the converter raises several types
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise NstError(f"TFLite conversion failed: {reason[:200]}") from None


class LiteStyleModel:
    """A TFLite style network run with the LiteRT interpreter (XNNPACK on the CPU).

    Args:
      path: .tflite file.
      threads: CPU threads.
    """

    def __init__(self, path, threads=2):
        from ai_edge_litert.interpreter import Interpreter

        try:
            self.interpreter = Interpreter(model_path=os.fspath(path), num_threads=threads)
        except ValueError as error:
            raise NstError(f"not a TFLite model: {path} ({str(error).splitlines()[0]})") from None
        self.interpreter.allocate_tensors()
        self.input = self.interpreter.get_input_details()[0]
        self.output = self.interpreter.get_output_details()[0]

    @property
    def size(self):
        """(height, width) of the input, or None if the model takes any size."""
        signature = self.input["shape_signature"]
        return None if min(signature[1:3]) < 0 else tuple(int(s) for s in signature[1:3])

    def stylize(self, image):
        """Stylises one image (resized to the model's size if it has one, and back).

        Args:
          image: float array (height, width, 3) in [0, 255].

        Returns:
          float32 array of the input's shape, in [0, 255].
        """
        original = image.shape[:2]
        if self.size and tuple(original) != self.size:
            image = image_io.resize(image, self.size)
        batch = np.asarray(image, np.float32)[None]
        if self.size is None:
            self.interpreter.resize_tensor_input(self.input["index"], batch.shape)
            self.interpreter.allocate_tensors()
        self.interpreter.set_tensor(self.input["index"], _quantize(batch, self.input))
        self.interpreter.invoke()
        result = _dequantize(self.interpreter.get_tensor(self.output["index"]), self.output)[0]
        result = np.clip(result, 0, 255)
        return image_io.resize(result, original) if result.shape[:2] != tuple(original) else result


def _quantize(batch, details):
    if details["dtype"] == np.float32:
        return batch
    scale, zero_point = details["quantization"]
    info = np.iinfo(details["dtype"])
    return np.clip(np.round(batch / scale + zero_point), info.min, info.max).astype(
        details["dtype"]
    )


def _dequantize(values, details):
    if details["dtype"] == np.float32:
        return values
    scale, zero_point = details["quantization"]
    return (values.astype(np.float32) - zero_point) * scale
