"""TFLite export for LiteRT, and a runner for the exported files.

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
from nst_tf.export import equalization, graphs
from nst_tf.feedforward import transformer
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


def open_interpreter(path, threads=2):
    """A LiteRT interpreter (XNNPACK on the CPU) with its tensors allocated.

    Raises:
      NstError: not a TFLite file.
    """
    from ai_edge_litert.interpreter import Interpreter

    try:
        interpreter = Interpreter(model_path=os.fspath(path), num_threads=threads)
    except ValueError as error:
        raise NstError(f"not a TFLite model: {path} ({str(error).splitlines()[0]})") from None
    interpreter.allocate_tensors()
    return interpreter


def fixed_size(details):
    """(height, width) of an image input's details, or None if it takes any size."""
    signature = details["shape_signature"]
    return None if min(signature[1:3]) < 0 else tuple(int(s) for s in signature[1:3])


def invoke(interpreter, feeds):
    """Runs an interpreter once.

    Args:
      interpreter: from open_interpreter.
      feeds: list of (input details, float array): quantised as the input needs, and the input
        resized to the array's shape when it differs (resizable models).

    Returns:
      the first output, float32 (dequantised).
    """
    shapes = {d["index"]: tuple(d["shape"]) for d in interpreter.get_input_details()}
    resized = [(d, a) for d, a in feeds if shapes[d["index"]] != np.shape(a)]
    for details, array in resized:
        interpreter.resize_tensor_input(details["index"], np.shape(array))
    if resized:
        interpreter.allocate_tensors()
    for details, array in feeds:
        interpreter.set_tensor(details["index"], _quantize(np.asarray(array, np.float32), details))
    interpreter.invoke()
    output = interpreter.get_output_details()[0]
    return _dequantize(interpreter.get_tensor(output["index"]), output)


class LiteStyleModel:
    """A TFLite style network run with the LiteRT interpreter (XNNPACK on the CPU).

    Args:
      path: .tflite file.
      threads: CPU threads.
    """

    def __init__(self, path, threads=2):
        self.interpreter = open_interpreter(path, threads)
        inputs = self.interpreter.get_input_details()
        self.input = next(details for details in inputs if len(details["shape"]) == 4)
        self.weights_input = next((d for d in inputs if len(d["shape"]) == 2), None)

    @property
    def size(self):
        """(height, width) of the input, or None if the model takes any size."""
        return fixed_size(self.input)

    @property
    def num_styles(self):
        """The length of the style weights input, or None if the style is baked in."""
        return None if self.weights_input is None else int(self.weights_input["shape"][-1])

    def stylize(self, image, style_weights=None):
        """Stylises one image (resized to the model's size if it has one, and back).

        Args:
          image: float array (height, width, 3) in [0, 255].
          style_weights: (num_styles,) weights, for a model that takes them (and only then).

        Returns:
          float32 array of the input's shape, in [0, 255].

        Raises:
          NstError: style weights missing, not wanted, or of the wrong length.
        """
        if (style_weights is None) != (self.num_styles is None):
            wanted = f"{self.num_styles} style weights" if self.num_styles else "no style weights"
            raise NstError(f"this TFLite model takes {wanted}")
        original = image.shape[:2]
        if self.size and tuple(original) != self.size:
            image = image_io.resize(image, self.size)
        feeds = [(self.input, np.asarray(image, np.float32)[None])]
        if style_weights is not None:
            weights = np.asarray(style_weights, np.float32).reshape(1, -1)
            if weights.shape[1] != self.num_styles:
                raise NstError(f"this TFLite model takes {self.num_styles} style weights")
            feeds.append((self.weights_input, weights))
        result = np.clip(invoke(self.interpreter, feeds)[0], 0, 255)
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
