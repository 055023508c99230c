"""Style networks on LiteRT: the shipped multi-style networks (their .tflite files take the style
weights as an input) with the same style choice as the Keras networks, and any file
`nst-tf export --format tflite` wrote."""

import os

import numpy as np

from nst_tf.errors import NstError
from nst_tf.feedforward import shipped, styles
from nst_tf.io import image_io
from nst_tf.lite import interpreter


class LiteStyleNetwork(styles.StyleNetwork):
    """A shipped network's .tflite file with its metadata.

    Args:
      name: the shipped network (its .tflite file is litert/NAME.tflite).
      metadata, path: as StyleNetwork (path: its .keras file).
    """

    def __init__(self, name, metadata, path):
        super().__init__(metadata, path)
        self.network = shipped.tflite_network(name)

    def stylize(self, batch, style_weights):
        """Stylises a batch of same-size images, one at a time.

        Args:
          batch: float array (batch, height, width, 3) in [0, 255]; sides >= MIN_SIDE.
          style_weights: array (num_styles,) from `style_weights`.

        Returns:
          float32 array of the same shape, in [0, 255].
        """
        batch = styles.checked_batch(batch)
        weights = np.asarray(style_weights, np.float32)[None]
        painted = [
            next(iter(self.network(images=image[None], style_weights=weights).values()))[0]
            for image in batch
        ]
        return np.clip(np.stack(painted), 0.0, 255.0)


def load_shipped(reference):
    """A shipped network (NAME, NAME:STYLE or a style's name) on LiteRT."""
    path, style = shipped.model_reference(reference)
    name = os.path.splitext(os.path.basename(path))[0]
    count = int(shipped.tflite_network(name).input_shape("style_weights")[-1])
    return LiteStyleNetwork(name, styles.read_metadata(path, count, style), path)


class LiteStyleModel:
    """A TFLite style network run with the LiteRT interpreter (XNNPACK on the CPU).

    Args:
      path: .tflite file.
      threads: CPU threads.
    """

    def __init__(self, path, threads=interpreter.DEFAULT_THREADS):
        self.interpreter = interpreter.open_interpreter(path, threads)
        inputs = self.interpreter.get_input_details()
        self.input = next(details for details in inputs if len(details["shape"]) == 4)
        self.weights_input = next((d for d in inputs if len(d["shape"]) == 2), None)

    @property
    def size(self):
        """(height, width) of the input, or None if the model takes any size."""
        return interpreter.fixed_size(self.input)

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
        result = np.clip(interpreter.invoke(self.interpreter, feeds)[0], 0, 255)
        return image_io.resize(result, original) if result.shape[:2] != tuple(original) else result
