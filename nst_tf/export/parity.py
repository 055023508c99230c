"""How close an export's images are to the Keras network's."""

import numpy as np


def psnr(reference, test):
    """Peak signal-to-noise ratio of two images in [0, 255], dB (inf when equal)."""
    mse = np.mean((np.asarray(reference, np.float64) - np.asarray(test, np.float64)) ** 2)
    return float("inf") if mse == 0 else float(10 * np.log10(255.0**2 / mse))
