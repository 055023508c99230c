"""The matting Laplacian of a photo (Levin, Lischinski & Weiss 2008), as Luan et al. 2017 use it.

Within every 3x3 window of the photo, an image that is an affine function of the photo's colours
costs nothing under the Laplacian L: `sum_c V_c^T L V_c` measures how far V is from being
locally an affine recolouring of the photo. L = D - W, with W the matting affinity and D its
degrees (the number of windows holding each pixel). No TensorFlow here.
"""

import numpy as np
import scipy.sparse

# Luan et al.'s regulariser on the window covariance, for colours in [0, 1] (Levin et al.'s
# epsilon divided by the window's pixel count, as their code does).
EPSILON = 1e-7
WINDOW = 3


def _window_indices(height, width):
    """Flat pixel indices of every full 3x3 window: (windows, 9)."""
    index = np.arange(height * width).reshape(height, width)
    rows, cols = height - WINDOW + 1, width - WINDOW + 1
    blocks = [index[dy : dy + rows, dx : dx + cols] for dy in range(WINDOW) for dx in range(WINDOW)]
    return np.stack(blocks, axis=-1).reshape(-1, WINDOW * WINDOW)


def _window_affinities(photo, epsilon):
    """Every full 3x3 window's pixel indices (windows, 9) and affinities (windows, 9, 9)."""
    height, width = photo.shape[:2]
    if height < WINDOW or width < WINDOW:
        raise ValueError(f"the matting Laplacian needs at least 3x3 px, got {width}x{height}")
    colors = np.asarray(photo, np.float64).reshape(-1, 3) / 255.0
    windows = _window_indices(height, width)
    size = windows.shape[1]
    pixels = colors[windows]  # (windows, 9, 3)
    centred = pixels - pixels.mean(axis=1, keepdims=True)
    covariance = np.einsum("wki,wkj->wij", centred, centred) / size
    inverse = np.linalg.inv(covariance + (epsilon / size) * np.eye(3))
    values = (1.0 + np.einsum("wki,wij,wlj->wkl", centred, inverse, centred)) / size
    return windows, values


def _window_sum(windows, values, count):
    """The (count, count) CSR matrix summing each window's 9x9 block; its pattern depends only
    on the image's size (no entry is dropped, even if it sums to zero)."""
    size = windows.shape[1]
    rows = np.repeat(windows, size, axis=1).ravel()
    cols = np.tile(windows, (1, size)).ravel()
    return scipy.sparse.csr_matrix((values.ravel(), (rows, cols)), shape=(count, count))


def matting_affinity(photo, epsilon=EPSILON):
    """The matting affinity W of a photo and the degree of each pixel.

    Args:
      photo: array (height, width, 3), RGB in [0, 255]; at least 3x3.
      epsilon: regulariser of each window's colour covariance (colours in [0, 1]).

    Returns:
      (W, degrees): W a symmetric scipy.sparse CSR matrix (pixels, pixels), float64, whose rows
      sum to the degrees; degrees a float64 vector (pixels,), the windows holding each pixel.
    """
    windows, values = _window_affinities(photo, epsilon)
    count = photo.shape[0] * photo.shape[1]
    degrees = np.bincount(windows.ravel(), minlength=count).astype(np.float64)
    return _window_sum(windows, values, count), degrees


def matting_laplacian(photo, epsilon=EPSILON):
    """The matting Laplacian L = D - W of a photo: symmetric, positive semi-definite, rows sum
    to zero; scipy.sparse CSR (pixels, pixels), float64, pixels in row-major order. Photos of
    one size give matrices of one sparsity pattern (entries in the same order).

    Args:
      photo: array (height, width, 3), RGB in [0, 255]; at least 3x3.
      epsilon: see `matting_affinity`.
    """
    windows, values = _window_affinities(photo, epsilon)
    count = photo.shape[0] * photo.shape[1]
    return _window_sum(windows, np.eye(windows.shape[1]) - values, count)


def matting_cost(image, laplacian):
    """sum over colour channels of V_c^T L V_c for an image in [0, 255] taken to [0, 1]."""
    flat = np.asarray(image, np.float64).reshape(-1, 3) / 255.0
    return float(np.sum(flat * (laplacian @ flat)))
