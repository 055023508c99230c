"""Magenta's arbitrary pair on LiteRT: the shipped .tflite files, the transformer as its stages
(images as float arrays in [0, 255], as nst_tf.pretrained.fast hands them over), and the pair as
`nst-tf export arbitrary --format tflite` wrote it."""

import functools
import glob
import os

import numpy as np

from nst_tf.errors import NstError
from nst_tf.feedforward import shipped
from nst_tf.io import image_io
from nst_tf.lite import interpreter
from nst_tf.pretrained import staged_painting
from nst_tf.pretrained.sizes import STAGES, STYLE_SIZE

# The shipped .tflite files of the pair (the transformer as its stages) and its tile networks
# (see nst_tf.export.litert_files).
PREDICTOR = "style_predictor"
STAGE_FILES = {stage: f"arbitrary_{stage}" for stage in STAGES}
MOMENTS = "arbitrary_moments"
TILE_TRANSFORMER = "arbitrary_transformer_moments"
FILES = (PREDICTOR, *STAGE_FILES.values(), MOMENTS, TILE_TRANSFORMER)
# The name of the transformer's file in a pair that `nst-tf export arbitrary` writes.
TRANSFORMER = "arbitrary_transformer"


class LiteArbitrary:
    """The pair and its tile networks (nst_tf.export.litert_files describes them).

    Until the first image is painted, the predictor and each stage of the transformer are loaded
    for one use (a command painting one image holds one network's memory at a time, and the next
    reuses it); from then on they stay loaded (a process painting many pays their loading and
    first-call set-up once).
    """

    def __init__(self):
        self._kept = None

    def style_vector(self, square):
        """The style vector (100,) of a square style image."""
        outputs = self._network(PREDICTOR)(style_image=square[None])
        return next(iter(outputs.values()))[0]

    def paint(self, image, vector):
        """The transformer on one image with one style vector, stage by stage."""
        painted = staged_painting.paint(
            lambda stage: self._network(STAGE_FILES[stage]), image, vector
        )
        if self._kept is None:
            self._kept = {}
        return painted

    def _network(self, name):
        if self._kept is None:
            return shipped.load_tflite(name)
        if name not in self._kept:
            self._kept[name] = shipped.load_tflite(name)
        return self._kept[name]

    def moments(self, image, vector):
        """Each instance norm's mean and variance on one image, for tile_painter."""
        # Loaded for each image: its memory, at the size of a large image's overview, goes with it.
        outputs = shipped.load_tflite(MOMENTS)(content=image[None], style_vector=vector[None])
        return [outputs[name] for name in sorted(outputs)]

    def tile_painter(self, vector, moments):
        """A function tile -> the transformer on it, normalised with the given moments.

        The network is loaded for each image: its memory goes with the function.
        """
        network = shipped.load_tflite(TILE_TRANSFORMER)
        names = sorted(name for name in network.inputs if name.startswith("moment_"))
        given = dict(zip(names, moments))

        def paint_tile(tile):
            outputs = network(content=tile[None], style_vector=vector[None], **given)
            return next(iter(outputs.values()))[0]

        return paint_tile


@functools.cache
def shipped_pair():
    """The shipped pair on LiteRT, one per process."""
    return LiteArbitrary()


class LiteArbitraryModel:
    """The TFLite pair run with the LiteRT interpreter (XNNPACK on the CPU).

    Args:
      source: a folder holding one style_predictor_*.tflite and one
        arbitrary_transformer_*.tflite (or pick them with `quantize`), or their two paths.
      threads: CPU threads.
      quantize: in a folder, the files of this quantisation.

    Raises:
      NstError: the files are missing, ambiguous or not TFLite models.
    """

    def __init__(self, source, threads=interpreter.DEFAULT_THREADS, quantize=None):
        if isinstance(source, (str, os.PathLike)):
            names = (PREDICTOR, TRANSFORMER)
            paths = [find_export(source, name, quantize) for name in names]
        else:
            paths = list(source)
        self.predictor = interpreter.open_interpreter(paths[0], threads)
        self.transformer = interpreter.open_interpreter(paths[1], threads)
        inputs = self.transformer.get_input_details()
        self.content_input = next(details for details in inputs if len(details["shape"]) == 4)
        self.vector_input = next(details for details in inputs if len(details["shape"]) == 2)

    @property
    def size(self):
        """(height, width) of the transformer's input, or None if it takes any size."""
        return interpreter.fixed_size(self.content_input)

    def style_vector(self, image):
        """The style vector (100,) of a float image (height, width, 3) in [0, 255]."""
        square = image_io.resize(np.asarray(image, np.float32), (STYLE_SIZE, STYLE_SIZE))
        details = self.predictor.get_input_details()[0]
        return interpreter.invoke(self.predictor, [(details, square[None])])[0]

    def paint(self, content, vector):
        """The transformer on one image (resized to the model's size if it has one, and back).

        Returns:
          float32 array like `content`, in [0, 255].
        """
        original = content.shape[:2]
        if self.size and tuple(original) != self.size:
            content = image_io.resize(content, self.size)
        feeds = [
            (self.content_input, np.asarray(content, np.float32)[None]),
            (self.vector_input, np.asarray(vector, np.float32)[None]),
        ]
        result = np.clip(interpreter.invoke(self.transformer, feeds)[0], 0, 255)
        return image_io.resize(result, original) if result.shape[:2] != tuple(original) else result

    def stylize(self, content, style, strength=1.0):
        """Stylises one photo with one painting.

        Args:
          content, style: float arrays (height, width, 3) in [0, 255].
          strength: in [0, 1]; below 1 the style vector is interpolated with the content's own.

        Returns:
          float32 array like `content`, in [0, 255].

        Raises:
          NstError: a strength out of [0, 1].
        """
        if not 0.0 <= strength <= 1.0:
            raise NstError(f"strength must be in [0, 1], got {strength}")
        vector = self.style_vector(style)
        if strength < 1.0:
            vector = strength * vector + (1.0 - strength) * self.style_vector(content)
        return self.paint(content, vector)


def find_export(folder, name, quantize):
    """The one file name_{quantize or *}.tflite in folder; NstError if none or several."""
    found = sorted(glob.glob(os.path.join(glob.escape(os.fspath(folder)), f"{name}_*.tflite")))
    if quantize is not None:
        found = [path for path in found if path.endswith(f"_{quantize}.tflite")]
    if len(found) != 1:
        which = "no" if not found else "several"
        raise NstError(
            f"{which} {name}_{quantize or '*'}.tflite in {folder}: export the pair there, "
            "or choose the quantisation or the two files"
        )
    return found[0]
