"""Running .tflite files with LiteRT's interpreter (XNNPACK on the CPU), without TensorFlow."""

import os

import numpy as np

from nst_tf import tf_startup
from nst_tf.errors import NstError

DEFAULT_THREADS = 2


def open_interpreter(path, threads=DEFAULT_THREADS, allocate=True):
    """A LiteRT interpreter (XNNPACK on the CPU).

    Args:
      path: .tflite file.
      threads: CPU threads.
      allocate: allocate its tensors at the shapes the file gives (else call `allocated`
        before running it, once its inputs have their shapes).

    Raises:
      NstError: not a TFLite file.
    """
    from ai_edge_litert.interpreter import Interpreter

    try:
        interpreter = Interpreter(model_path=os.fspath(path), num_threads=threads)
        if allocate:
            allocated(interpreter)
    except ValueError as error:
        raise NstError(f"not a TFLite model: {path} ({str(error).splitlines()[0]})") from None
    return interpreter


def allocated(interpreter):
    """Allocates an interpreter's tensors (after a resize) and returns it."""
    with tf_startup.stderr_caught():  # "Created TensorFlow Lite XNNPACK delegate for CPU."
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
        allocated(interpreter)
    for details, array in feeds:
        interpreter.set_tensor(details["index"], quantized(np.asarray(array, np.float32), details))
    interpreter.invoke()
    output = interpreter.get_output_details()[0]
    return dequantized(interpreter.get_tensor(output["index"]), output)


def quantized(batch, details):
    """A float array as an input of these details takes it (unchanged for float32 inputs)."""
    if details["dtype"] == np.float32:
        return batch
    scale, zero_point = details["quantization"]
    info = np.iinfo(details["dtype"])
    return np.clip(np.round(batch / scale + zero_point), info.min, info.max).astype(
        details["dtype"]
    )


def dequantized(values, details):
    """An output of these details as float32."""
    if details["dtype"] == np.float32:
        return values
    scale, zero_point = details["quantization"]
    return (values.astype(np.float32) - zero_point) * scale


class Network:
    """One float32 .tflite file by its signature's names: named arrays in, named arrays out.

    Inputs are resized (and the tensors allocated) on the first call and when a shape changes.

    Args:
      path: .tflite file.
      threads: CPU threads.

    Raises:
      NstError: not a TFLite file.
    """

    def __init__(self, path, threads=DEFAULT_THREADS):
        self.path = os.fspath(path)
        self.interpreter = open_interpreter(path, threads, allocate=False)
        runner = self.interpreter.get_signature_runner()
        self._input_details = runner.get_input_details()
        self.inputs = {name: d["index"] for name, d in self._input_details.items()}
        self.outputs = {name: d["index"] for name, d in runner.get_output_details().items()}
        self._shapes = {index: None for index in self.inputs.values()}

    def input_shape(self, name):
        """The shape an input takes, -1 where any size goes."""
        return tuple(int(n) for n in self._input_details[name]["shape_signature"])

    def __call__(self, **arrays):
        """Runs the network once; returns dict output name -> float32 array (a copy)."""
        if set(arrays) != set(self.inputs):
            raise NstError(f"{self.path} takes {sorted(self.inputs)}, got {sorted(arrays)}")
        arrays = {name: np.ascontiguousarray(value, np.float32) for name, value in arrays.items()}
        changed = False
        for name, value in arrays.items():
            index = self.inputs[name]
            if self._shapes[index] != value.shape:
                self.interpreter.resize_tensor_input(index, value.shape)
                self._shapes[index] = value.shape
                changed = True
        if changed:
            allocated(self.interpreter)
        for name, value in arrays.items():
            self.interpreter.set_tensor(self.inputs[name], value)
        self.interpreter.invoke()
        return {name: self.interpreter.get_tensor(index) for name, index in self.outputs.items()}
