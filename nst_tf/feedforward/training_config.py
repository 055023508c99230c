"""The settings of a training run, checked without TensorFlow (the command line checks them first)."""

import dataclasses
import os

from nst_tf import defaults
from nst_tf.errors import NstError
from nst_tf.io import files, image_io

VARIANTS = {
    # name: (channels of the first convolution, residual blocks)
    "standard": (32, 5),
    "small": (16, 3),
}
# Smallest side the transformer's reflection paddings allow.
MIN_SIDE = 8
DISTRIBUTIONS = ("none", "mirrored", "multiworker")
TFDS_PREFIX = "tfds:"


@dataclasses.dataclass
class TrainConfig:
    """Settings of a training run (saved as run.json).

    Attributes:
      styles: style image paths, one per style of the network.
      style_names: a name per style (default: the file names without ending).
      data: image folder or "tfds:NAME[:SPLIT]".
      steps: total optimiser steps.
      batch_size: images per step (global, across devices).
      image_size: side of the square training crops, px.
      style_size: longest side of the style images when their Gram matrices are taken.
      variant: transformer variant, "standard" or "small".
      vgg, vgg_weights: the loss network (VGG16 by default, as Johnson et al.).
      content_weight, style_weight, tv_weight: loss weights.
      learning_rate: Adam's learning rate.
      checkpoint_every: steps between checkpoints.
      log_every: steps between loss records (history.json, TensorBoard).
      distribute: "none", "mirrored" (tf.distribute.MirroredStrategy over the visible devices)
        or "multiworker" (MultiWorkerMirroredStrategy over the workers TF_CONFIG names).
      seed: seed of initialisation, shuffling and style choice.
      jit_compile: compile the training step with XLA (single device): faster steps after a
        compilation (see the README for measurements).
    """

    styles: list
    data: str
    style_names: list = None
    steps: int = 2000
    batch_size: int = 4
    image_size: int = 256
    style_size: int = 256
    variant: str = "standard"
    vgg: str = "vgg16"
    vgg_weights: object = defaults.DEFAULT_WEIGHTS
    content_weight: float = defaults.FEEDFORWARD_CONTENT_WEIGHT
    style_weight: float = defaults.FEEDFORWARD_STYLE_WEIGHT
    tv_weight: float = defaults.FEEDFORWARD_TV_WEIGHT
    learning_rate: float = defaults.FEEDFORWARD_LEARNING_RATE
    checkpoint_every: int = 200
    log_every: int = 10
    distribute: str = "none"
    seed: int = 0
    jit_compile: bool = True

    def __post_init__(self):
        self.styles = [os.fspath(path) for path in self.styles]
        if self.style_names is None:
            self.style_names = [os.path.splitext(os.path.basename(p))[0] for p in self.styles]

    def validate(self):
        """Raises NstError for settings out of range or files that cannot be used."""
        if not self.styles:
            raise NstError("no style image given: train needs at least one")
        if len(self.style_names) != len(self.styles):
            raise NstError(f"got {len(self.style_names)} style names for {len(self.styles)} styles")
        for name in ("steps", "batch_size", "image_size", "style_size", "checkpoint_every"):
            if getattr(self, name) < 1:
                raise NstError(f"{name} must be positive, got {getattr(self, name)}")
        if self.image_size < MIN_SIDE:
            raise NstError(f"image_size must be at least {MIN_SIDE} px")
        if not self.learning_rate > 0:
            raise NstError(f"learning_rate must be positive, got {self.learning_rate}")
        for name in ("content_weight", "style_weight", "tv_weight"):
            if not getattr(self, name) >= 0:
                raise NstError(f"{name} must be >= 0")
        if self.variant not in VARIANTS:
            raise NstError(f"unknown network variant {self.variant!r}")
        if self.distribute not in DISTRIBUTIONS:
            raise NstError(f"unknown distribution strategy {self.distribute!r}")
        for path in self.styles:
            image_io.check_image_file(path)  # decoded once, by training
        check_data_source(self.data)


def check_data_source(source):
    """Fails early (before TensorFlow work) on a data source that cannot be used.

    Args:
      source: a folder, or "tfds:NAME[:SPLIT]".

    Raises:
      NstError: missing folder or one without images.
    """
    if source.startswith(TFDS_PREFIX):
        if not source[len(TFDS_PREFIX) :].split(":")[0]:
            raise NstError(f"missing dataset name after {TFDS_PREFIX!r} in data {source}")
        return
    files.list_image_files(source)
