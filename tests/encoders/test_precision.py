"""The loss network's number format: CPU detection, the bfloat16 network, the objective on it."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from nst_tf import defaults
from nst_tf.encoders import precision
from nst_tf.encoders import vgg as networks
from nst_tf.errors import NstError
from nst_tf.optimize.objective import Objective
from nst_tf.optimize.options import Options

LAYERS = list(defaults.STYLE_LAYERS[:3]) + ["block3_conv2"]


def cpuinfo(tmp_path, flags):
    path = tmp_path / "cpuinfo"
    path.write_text(f"processor\t: 0\nflags\t\t: fpu sse2 {flags}\n\nprocessor\t: 1\n")
    return str(path)


@pytest.mark.parametrize(
    "flags, native", [("avx512f avx512_bf16", True), ("amx_bf16 amx_tile", True), ("avx2", False)]
)
def test_native_bfloat16_is_read_from_the_cpu_flags(tmp_path, flags, native):
    assert precision.cpu_has_native_bfloat16(cpuinfo(tmp_path, flags)) is native


def test_auto_follows_the_cpu(tmp_path):
    assert precision.resolve("auto", cpuinfo(tmp_path, "avx2 avx512f")) == "float32"
    assert precision.resolve("auto", cpuinfo(tmp_path, "avx512_bf16")) == "bfloat16"  # no GPU here
    assert precision.resolve("auto", cpuinfo(tmp_path, "avx512_bf16"), gpu=True) == "float32"
    assert precision.resolve("auto", str(tmp_path / "missing")) == "float32"
    assert precision.resolve("float32", cpuinfo(tmp_path, "avx512_bf16")) == "float32"
    assert precision.resolve("bfloat16", cpuinfo(tmp_path, "avx2")) == "bfloat16"


def test_unknown_precision_is_one_line_error():
    with pytest.raises(NstError, match="unknown precision 'half': choose one of auto, float32"):
        networks.build_loss_network(LAYERS, "vgg16", weights=None, precision="half")
    with pytest.raises(NstError, match="unknown precision 'fp16'"):
        Options(precision="fp16").validate()


@pytest.fixture(scope="module")
def twin_networks():
    """The same random VGG16 weights, once in float32 and once computing in bfloat16."""
    keras.utils.set_random_seed(4)
    full = networks.build_loss_network(LAYERS, "vgg16", weights=None)
    keras.utils.set_random_seed(4)
    half = networks.build_loss_network(LAYERS, "vgg16", weights=None, precision="bfloat16")
    for layer in full.layers:
        if layer.weights:
            half.get_layer(layer.name).set_weights(layer.get_weights())
    return full, half


def test_bfloat16_network_computes_in_bfloat16_and_returns_float32(twin_networks):
    full, half = twin_networks
    assert (precision.of_model(full), precision.of_model(half)) == ("float32", "bfloat16")
    assert half.get_layer("block2_conv1").compute_dtype == "bfloat16"
    assert half.get_layer("block2_conv1").kernel.dtype == "float32"
    image = np.random.default_rng(0).uniform(0, 255, (1, 40, 40, 3)).astype(np.float32)
    expected, outputs = full(image), half(image)
    assert set(outputs) == set(LAYERS)
    for name in LAYERS:
        assert outputs[name].dtype == tf.float32
        scale = np.abs(expected[name]).max()
        error = np.abs(np.asarray(outputs[name]) - np.asarray(expected[name])).max() / scale
        assert 1e-4 < error < 0.03, name  # bfloat16 rounding: visible, and small


def test_objective_on_bfloat16_matches_float32(twin_networks, content_image, style_image):
    options = Options(content_layers=("block3_conv2",), style_layers=LAYERS[:3])
    results = []
    for network in twin_networks:
        objective = Objective(network, options, content_image.shape[:2], content_image,
                              [style_image], [1.0])  # fmt: skip
        start = tf.constant(np.clip(content_image + 40.0, 0, 255)[None])
        parts, gradient = objective.losses_and_gradient(start)
        results.append((float(parts["total"]), np.ravel(gradient)))
    (total, gradient), (total_half, gradient_half) = results
    assert total_half == pytest.approx(total, rel=0.03)
    cosine = gradient @ gradient_half / np.linalg.norm(gradient) / np.linalg.norm(gradient_half)
    assert cosine > 0.99
