"""The image measures of the tests, the exports' parity and the benchmarks, in one place: PSNR,
SSIM, and how photorealistic a transfer is (structure kept from the content, color taken from
the style), and the sharpness that blur lowers.

Images are float arrays (height, width, 3), RGB in [0, 255]; no TensorFlow here.
"""

import numpy as np
import scipy.ndimage

from nst_tf.io import image_io

# SSIM (Wang et al. 2004): Gaussian window of deviation 1.5 px, constants for a range of 1.
SSIM_SIGMA = 1.5
SSIM_C1, SSIM_C2 = 0.01**2, 0.03**2
HISTOGRAM_BINS = 8


def psnr(reference, test):
    """Peak signal-to-noise ratio of two images in [0, 255], dB (inf when equal)."""
    mse = np.mean((np.asarray(reference, np.float64) - np.asarray(test, np.float64)) ** 2)
    return float("inf") if mse == 0 else float(10 * np.log10(255.0**2 / mse))


def luminance_edges(image):
    """Sobel gradient magnitude of the luminance (ITU-R 601), scaled to [0, 1]."""
    luminance = np.asarray(image, np.float64) @ np.array([0.299, 0.587, 0.114]) / 255.0
    down = scipy.ndimage.sobel(luminance, axis=0, mode="reflect")
    across = scipy.ndimage.sobel(luminance, axis=1, mode="reflect")
    return np.hypot(down, across) / (4.0 * np.sqrt(2.0))


def ssim(first, second):
    """Mean structural similarity of two grey images of one size, values in [0, 1]."""

    def blur(values):
        return scipy.ndimage.gaussian_filter(values, SSIM_SIGMA, truncate=3.5)

    mean_a, mean_b = blur(first), blur(second)
    var_a = blur(first * first) - mean_a**2
    var_b = blur(second * second) - mean_b**2
    covariance = blur(first * second) - mean_a * mean_b
    similarity = ((2 * mean_a * mean_b + SSIM_C1) * (2 * covariance + SSIM_C2)) / (
        (mean_a**2 + mean_b**2 + SSIM_C1) * (var_a + var_b + SSIM_C2)
    )
    return float(similarity.mean())


def structure_kept(result, content):
    """SSIM of the result's luminance edges against the content's (1: every edge in place).

    The content is compared at the result's size.
    """
    content = image_io.resize(np.asarray(content, np.float32), np.shape(result)[:2])
    return ssim(luminance_edges(result), luminance_edges(content))


def color_histogram(image, bins=HISTOGRAM_BINS):
    """Joint RGB histogram with `bins` per channel, normalised to sum 1 (flat vector)."""
    colors = np.clip(np.asarray(image, np.float64).reshape(-1, 3), 0.0, 255.0)
    counts, _ = np.histogramdd(colors, bins=bins, range=[(0.0, 256.0)] * 3)
    return counts.ravel() / counts.sum()


def color_distance(result, style):
    """Hellinger distance of the joint colour histograms (0: same colors, 1: none shared)."""
    overlap = np.sum(np.sqrt(color_histogram(result) * color_histogram(style)))
    return float(np.sqrt(max(0.0, 1.0 - overlap)))


def sharpness(frames):
    """Mean absolute difference between neighbouring pixels (grey) of frames (count, height,
    width, 3): what blur lowers."""
    grey = np.asarray(frames, np.float32).mean(axis=-1)
    return float(np.abs(np.diff(grey, axis=1)).mean() + np.abs(np.diff(grey, axis=2)).mean())
