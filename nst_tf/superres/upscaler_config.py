"""The settings of a super-resolution training run, checked without TensorFlow."""

import dataclasses
import os

from nst_tf import defaults
from nst_tf.errors import NstError
from nst_tf.feedforward.training_config import TFDS_PREFIX

# Factors `nst-tf upscale` offers; networks are trained for TRAINED_FACTORS (x8 is the x4
# network followed by a bicubic x2, see nst_tf.superres.upscaling).
FACTORS = (4, 8)
TRAINED_FACTORS = (4,)
LOSSES = ("perceptual", "pixel")
# relu2_2 of VGG16, as Johnson et al. used for super-resolution.
FEATURE_LAYER = "block2_conv2"
# Output pixels above which an image must go through tiles (the x4 network's last stages hold
# about 1.2 GB of activations at 16 megapixels).
MAX_UNTILED_OUTPUT_PIXELS = 16_000_000
# Input pixels neighbouring tiles overlap by (feathered at the output scale).
TILE_OVERLAP = 8
MIN_SIDE = 4


def check_factor(factor, allowed=FACTORS):
    """Raises NstError unless `factor` is one of `allowed`."""
    if factor not in allowed:
        raise NstError(
            f"unsupported factor {factor}: choose one of {', '.join(str(f) for f in allowed)}"
        )


def check_upscale(shape, factor, tile=None):
    """Raises NstError for a factor not offered, an image too small, one too large to upscale
    without tiles, or tiles too small.

    Args:
      shape: the image's (height, width, ...).
      factor: the upscaling factor asked for.
      tile: tile side in input px, or None for one pass.
    """
    check_factor(factor)
    height, width = shape[:2]
    if min(height, width) < MIN_SIDE:
        raise NstError(f"image of {width}x{height} px is too small: at least {MIN_SIDE} px a side")
    output_pixels = height * width * factor * factor
    if tile is None and output_pixels > MAX_UNTILED_OUTPUT_PIXELS:
        raise NstError(
            f"the x{factor} result of {width}x{height} px ({output_pixels / 1e6:.0f} MP) is too "
            f"large to compute in one pass (over {MAX_UNTILED_OUTPUT_PIXELS / 1e6:.0f} MP): "
            "use tiles (--tile)"
        )
    if tile is not None and tile <= 2 * TILE_OVERLAP:
        raise NstError(f"tile must be above {2 * TILE_OVERLAP} px, got {tile}")


@dataclasses.dataclass
class UpscaleConfig:
    """Settings of a super-resolution training run (saved as run.json).

    Attributes:
      data: image folder or "tfds:NAME[:SPLIT]".
      factor: upscaling factor (one of TRAINED_FACTORS).
      loss: "perceptual" (relu2_2 feature distance plus pixel_weight times the pixel MSE) or
        "pixel" (pixel MSE only: the comparison network).
      steps: total optimiser steps.
      batch_size: crops per step.
      crop_size: side of the high-resolution training crops, px (divisible by factor).
      pool_size: shorter side the photos are resized to before cropping, px.
      width, residual_blocks: the network (nst_tf.superres.upscaler_network.build_upscaler).
      vgg, vgg_weights: the loss network.
      pixel_weight: weight of the pixel MSE (on the 0-255 scale) beside the feature distance.
      learning_rate: Adam's learning rate.
      checkpoint_every, log_every: steps between checkpoints and between loss records.
      seed: seed of initialisation, shuffling and cropping.
    """

    data: str
    factor: int = 4
    loss: str = "perceptual"
    steps: int = 2000
    batch_size: int = 8
    crop_size: int = 72
    pool_size: int = 256
    width: int = 32
    residual_blocks: int = 4
    vgg: str = "vgg16"
    vgg_weights: object = defaults.DEFAULT_WEIGHTS
    pixel_weight: float = 0.1
    learning_rate: float = 1e-3
    checkpoint_every: int = 50
    log_every: int = 10
    seed: int = 0

    def validate(self):
        """Raises NstError for settings that cannot work."""
        check_factor(self.factor, TRAINED_FACTORS)
        if self.loss not in LOSSES:
            raise NstError(f"unknown loss {self.loss!r}: choose one of {', '.join(LOSSES)}")
        if self.crop_size % self.factor or self.crop_size // self.factor < 4:
            raise NstError(
                f"crop_size {self.crop_size} must divide by the factor {self.factor} and give "
                "at least 4 px at low resolution"
            )
        if self.pool_size < self.crop_size:
            raise NstError(f"pool_size {self.pool_size} is below crop_size {self.crop_size}")
        if not self.data.startswith(TFDS_PREFIX) and not os.path.isdir(self.data):
            raise NstError(f"training data folder not found: {self.data}")
