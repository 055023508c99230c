"""Closed-form photorealistic smoothing (Li et al. 2018, the second step of PhotoWCT).

A stylised image Y becomes R = (1 - a) (I - a S)^-1 Y, with S = D^-1 W the matting affinity W of
the content photo normalised by its degrees D: R is the image closest to Y (weighted by D)
among those that are locally affine functions of the photo's colours, with a trading closeness
for affinity. (Li et al. normalise symmetrically, D^-1/2 W D^-1/2; the two agree inside the
image, and this one keeps a constant image constant up to the border.) The sparse system is
solved once per image with a direct solver at a bounded working size; larger images get the
solution back at full size by guided upsampling (local affine colour models fitted at the working
size, interpolated, and applied to the full-size photo). No TensorFlow here.
"""

import math

import numpy as np
import scipy.ndimage
import scipy.sparse
import scipy.sparse.linalg

from nst_tf.errors import NstError
from nst_tf.io import image_io
from nst_tf.photoreal import matting

# Longest side at which the system is solved (sparse LU; its time grows fast with the side:
# tools/bench/bench_photoreal.py records it).
WORKING_SIZE = 256
# Strength 1 is PhotoWCT's setting: 1 - a = 1e-4 (their lambda).
STRONGEST = 1e-4
# Guided upsampling: radius of its windows (working-size pixels) and regulariser (colours in [0, 1]).
GUIDE_RADIUS = 2
GUIDE_EPSILON = 1e-4


def check_strength(strength):
    """Raises NstError unless `strength` is a number in [0, 1]."""
    if not (isinstance(strength, (int, float)) and math.isfinite(strength)):
        raise NstError(f"photo_smoothing must be a number in [0, 1], got {strength!r}")
    if not 0.0 <= strength <= 1.0:
        raise NstError(f"photo_smoothing must be in [0, 1], got {strength}")


def smoothing_weight(strength):
    """The weight a of the affinity for a strength in [0, 1]: 1 - a = 1e-4 ** strength."""
    return 1.0 - STRONGEST**strength


def photo_smooth(image, content, strength=1.0, working_size=WORKING_SIZE):
    """Makes a stylised image locally an affine recolouring of its content photo.

    Args:
      image: the stylised image, float array (height, width, 3) in [0, 255].
      content: the content photo (any size; resized to the image's), RGB in [0, 255].
      strength: in [0, 1]: 0 returns the image unchanged, 1 smooths as PhotoWCT does; the
        affinity weight a is 1 - 1e-4 ** strength.
      working_size: longest side at which the system is solved; larger images are solved
        there and upsampled with the photo as guide.

    Returns:
      float32 array like `image`, in [0, 255].

    Raises:
      NstError: strength outside [0, 1], working size < 3.
    """
    check_strength(strength)
    if working_size < matting.WINDOW:
        raise NstError(f"working_size must be at least {matting.WINDOW}, got {working_size}")
    image = np.asarray(image, np.float32)
    if strength == 0:
        return image.copy()
    shape = image.shape[:2]
    content = image_io.resize(np.asarray(content, np.float32), shape)
    if max(shape) <= working_size:
        return np.clip(_solve(image, content, strength), 0.0, 255.0).astype(np.float32)
    small_shape = image_io.scaled_size(*shape, working_size)
    small_content = image_io.resize(content, small_shape)
    smoothed = _solve(image_io.resize(image, small_shape), small_content, strength)
    return np.clip(guided_upsample(smoothed, small_content, content), 0.0, 255.0).astype(np.float32)


def _solve(image, content, strength):
    """R = (1 - a)(D - a W)^-1 D Y at the image's size (float64, not clipped)."""
    affinity, degrees = matting.matting_affinity(content)
    weight = smoothing_weight(strength)
    system = (scipy.sparse.diags(degrees) - weight * affinity).tocsc()
    # The system is symmetric: this ordering needs about half the time of the default one.
    factors = scipy.sparse.linalg.splu(
        system, permc_spec="MMD_AT_PLUS_A", options={"SymmetricMode": True}
    )
    right = (1.0 - weight) * degrees[:, None] * np.asarray(image, np.float64).reshape(-1, 3)
    return factors.solve(right).reshape(image.shape)


def guided_upsample(result, guide, full_guide, radius=GUIDE_RADIUS, epsilon=GUIDE_EPSILON):
    """`result` taken to the size of `full_guide` as local affine functions of the guide's colours.

    Fits, in every (2 radius + 1)^2 window of the small guide, the affine map of its colours that
    best gives `result` (He et al.'s guided filter), averages the maps over the windows holding
    each pixel, interpolates them to full size and applies them to `full_guide`.

    Args:
      result: array (h, w, 3) in [0, 255].
      guide: the photo at (h, w), RGB in [0, 255].
      full_guide: the photo at full size (H, W, 3).

    Returns:
      float64 array (H, W, 3), not clipped.
    """
    guide = np.asarray(guide, np.float64) / 255.0
    result = np.asarray(result, np.float64) / 255.0
    size = 2 * radius + 1

    def box(values):
        return scipy.ndimage.uniform_filter(values, size=(size, size, 1), mode="reflect")

    mean_guide, mean_result = box(guide), box(result)
    products = [box(guide[..., i : i + 1] * guide) for i in range(3)]
    covariance = np.stack(products, axis=-2) - mean_guide[..., :, None] * mean_guide[..., None, :]
    cross = [box(guide[..., i : i + 1] * result) for i in range(3)]
    cross = np.stack(cross, axis=-2) - mean_guide[..., :, None] * mean_result[..., None, :]
    slopes = np.linalg.solve(covariance + epsilon * np.eye(3), cross)  # (h, w, 3 in, 3 out)
    offsets = mean_result - np.einsum("hwi,hwio->hwo", mean_guide, slopes)
    height, width = full_guide.shape[:2]
    slopes = _resize_channels(box(slopes.reshape(*slopes.shape[:2], 9)), (height, width))
    offsets = _resize_channels(box(offsets), (height, width))
    full = np.asarray(full_guide, np.float64) / 255.0
    upsampled = np.einsum("hwi,hwio->hwo", full, slopes.reshape(height, width, 3, 3)) + offsets
    return upsampled * 255.0


def _resize_channels(values, shape):
    """Bilinear resize of an (h, w, channels) float array to `shape`."""
    zoom = (shape[0] / values.shape[0], shape[1] / values.shape[1], 1)
    resized = scipy.ndimage.zoom(values, zoom, order=1, mode="nearest", grid_mode=True)
    return resized[: shape[0], : shape[1]]
