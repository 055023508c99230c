"""Exporting trained style networks: SavedModel for TF Serving, and TFLite for LiteRT.

The SavedModel holds plain TensorFlow graphs (it loads without nst_tf) with two signatures:
  serving_default: uint8 images [batch, height, width, 3] of any size -> "stylized", the same
    shape and dtype;
  encoded: JPEG/PNG bytes, tf.string [batch] -> "stylized_jpeg", JPEG bytes, as web clients send
    and expect.
It is written in TF Serving's layout, BASE/VERSION/. A multi-style network is exported with one
style, or a blend, baked in.

TFLite models take float32 RGB in [0, 255], [1, height, width, 3], at a fixed size (or any size
with `size=None`, where the runtime allows), quantised as none (float32), float16, dynamic
(8-bit weights) or int8 (full integer: uint8 input and output, int8 inside, calibrated on
representative images; the network is first channel-equalised, see nst_tf.export.equalization).
"""

import contextlib
import os
import shutil
import tempfile

import keras
import numpy as np
import tensorflow as tf

from nst_tf.feedforward import data
from nst_tf.export import equalization
from nst_tf.io import image_io as image_io
from nst_tf.errors import NstError

QUANTIZATIONS = ("none", "float16", "dynamic", "int8")
DEFAULT_TFLITE_SIZE = (384, 384)
# Representative images that calibrate int8 ranges (min/max): with 16 or 32, photos unlike them
# (a brick wall) fell to 21-25 dB against Keras; with 64, all samples were >= 28 dB. Each costs
# about 2 s of conversion at 384x384 on 2 cores.
CALIBRATION_IMAGES = 64
_JPEG_QUALITY = 95


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
    files = data.list_image_files(folder)
    chosen = files[:: max(1, len(files) // count)][:count]
    return [image_io.load_image(path) for path in chosen]


def _stylize_float(model, style_weights):
    """A function from image batches (any real dtype, 0-255) to float32 stylised batches."""
    weights = tf.constant(np.asarray(style_weights, np.float32)[None])

    def stylize(batch):
        batch = tf.cast(batch, tf.float32)
        if len(model.inputs) == 1:
            return model(batch, training=False)
        return model([batch, tf.repeat(weights, tf.shape(batch)[0], axis=0)], training=False)

    return stylize


def _write_archive(model, path, endpoints):
    """Writes a SavedModel of `model`'s variables with the given endpoints (Keras ExportArchive).

    Args:
      model: the Keras network (its variables are tracked and saved).
      path: destination folder.
      endpoints: dict name -> (function, input_signature).
    """
    archive = keras.export.ExportArchive()
    archive.track(model)
    for name, (function, signature) in endpoints.items():
        archive.add_endpoint(name, function, input_signature=signature)
    archive.write_out(path, verbose=False)


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
        raise NstError(f"{target} exists already: choose another --version")
    stylize = _stylize_float(style_model.model, style_weights)

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
    with _atomic_folder(target) as temporary:
        _write_archive(style_model.model, temporary, endpoints)
    return target


def _next_version(base_dir):
    if not os.path.isdir(base_dir):
        return 1
    versions = [int(name) for name in os.listdir(base_dir) if name.isdigit()]
    return max(versions, default=0) + 1


@contextlib.contextmanager
def _atomic_folder(target):
    """Yields a path beside `target` to write a folder to; renames it to `target` on success only.

    Raises:
      NstError: the parent folder cannot be created.
    """
    parent = os.path.dirname(os.path.abspath(target))
    try:
        os.makedirs(parent, exist_ok=True)
    except OSError as error:
        raise NstError(f"cannot write {target}: {error.strerror}") from None
    temporary = os.path.join(parent, f".tmp-export-{os.getpid()}-{os.path.basename(target)}")
    try:
        yield temporary
        os.replace(temporary, target)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


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
        raise NstError(
            f"{quantize} quantisation needs representative images (--representative-data DIR)"
        )
    if size is not None and min(size) < 8:
        raise NstError(f"the TFLite input size must be at least 8x8, got {size[0]}x{size[1]}")
    network, samples = style_model.model, []
    if quantize == "int8":
        samples = [image_io.resize(image, size) if size else image for image in representative]
        network = equalization.equalized_copy(network, style_weights, samples)
    shape = (1, *size, 3) if size else (1, None, None, 3)
    stylize = _stylize_float(network, style_weights)
    endpoint = {"serving_default": (stylize, [tf.TensorSpec(shape, tf.float32, name="images")])}
    with tempfile.TemporaryDirectory() as folder:
        # Through a SavedModel, the converter freezes the weights into constants.
        saved = os.path.join(folder, "saved_model")
        _write_archive(network, saved, endpoint)
        converter = tf.lite.TFLiteConverter.from_saved_model(saved)
        flatbuffer = _convert(converter, quantize, samples)
    image_io.write_atomically(path, lambda f: f.write(flatbuffer))
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


def psnr(reference, test):
    """Peak signal-to-noise ratio of two images in [0, 255], dB (inf when equal)."""
    mse = np.mean((np.asarray(reference, np.float64) - np.asarray(test, np.float64)) ** 2)
    return float("inf") if mse == 0 else float(10 * np.log10(255.0**2 / mse))
