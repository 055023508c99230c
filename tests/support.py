"""What the tests share besides fixtures: paths and small synthetic images.

Imported as `from support import ...` (not from conftest: with several conftest.py files, the
name `conftest` means whichever pytest imported last).
"""

import pathlib

import numpy as np

REPO = pathlib.Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
STAND_IN_WEIGHTS = SHARED / "weights" / "vgg16_hed_bsds500_notop.h5"
SAMPLES = REPO / "nst_tf" / "samples"


def gradient_image(size=48):
    """A smooth colour ramp: a content image with large-scale structure."""
    yy, xx = np.mgrid[0:size, 0:size] * (255.0 / (size - 1))
    return np.stack([xx, yy, (xx + yy) / 2], axis=-1).astype(np.float32)


def stripes_image(size=48):
    """Coloured waves of several frequencies: a style image with strong texture statistics."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    channels = [np.sin(xx * 1.3), np.sin(yy * 0.9), np.cos((xx + yy) * 0.7)]
    return np.stack([127.5 + 120.0 * c for c in channels], axis=-1).astype(np.float32)


def distinct_style_norms(model, seed=0):
    """Gives every conditional instance norm distinct per-style scales and shifts, as training
    would leave them (a new network's are all 1 and 0); returns the model."""
    from nst_tf.feedforward import network_layers

    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if isinstance(layer, network_layers.InstanceNormalization):
            layer.scale.assign(rng.uniform(0.5, 1.5, layer.scale.shape).astype(np.float32))
            layer.shift.assign(rng.normal(0, 0.3, layer.shift.shape).astype(np.float32))
    return model


def run_python(script, *arguments):
    """Runs a Python snippet in a fresh interpreter (nothing imported yet); returns the result."""
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-c", script, *map(str, arguments)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
