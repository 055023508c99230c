"""Loss networks: layer outputs, truncation, pooling, preprocessing and weight loading."""

import h5py
import keras
import numpy as np
import pytest

from nst_tf import defaults
from nst_tf.encoders import vgg as networks
from nst_tf.encoders import vgg_layers
from nst_tf.errors import NstError


@pytest.fixture(scope="module")
def vgg16_two_layers():
    keras.utils.set_random_seed(1)
    return networks.build_loss_network(["block1_conv2", "block3_conv1"], "vgg16", weights=None)


def test_outputs_are_named_and_downsampled(vgg16_two_layers):
    outputs = vgg16_two_layers(np.zeros((2, 40, 24, 3), np.float32))
    assert set(outputs) == {"block1_conv2", "block3_conv1"}
    assert tuple(outputs["block1_conv2"].shape) == (2, 40, 24, 64)
    assert tuple(outputs["block3_conv1"].shape) == (2, 10, 6, 256)


def test_network_stops_at_deepest_requested_layer(vgg16_two_layers):
    names = [layer.name for layer in vgg16_two_layers.layers]
    assert names[-1] == "block3_conv1"
    assert "block3_conv2" not in names
    assert not vgg16_two_layers.trainable_weights


def test_preprocessing_matches_keras_caffe_mode():
    rgb = np.random.default_rng(0).uniform(0, 255, (1, 5, 5, 3)).astype(np.float32)
    ours = np.asarray(networks.CaffePreprocess()(rgb))
    theirs = keras.applications.vgg19.preprocess_input(rgb.copy())
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-4)


def test_features_equal_keras_vgg_on_preprocessed_input():
    keras.utils.set_random_seed(2)
    ours = networks.build_loss_network(["block2_conv1"], "vgg19", weights=None)
    reference = keras.applications.VGG19(include_top=False, weights=None)
    for layer in ours.layers:
        if layer.weights:
            reference.get_layer(layer.name).set_weights(layer.get_weights())
    probe = keras.Model(reference.input, reference.get_layer("block2_conv1").output)
    rgb = np.random.default_rng(1).uniform(0, 255, (1, 32, 32, 3)).astype(np.float32)
    expected = probe(keras.applications.vgg19.preprocess_input(rgb.copy()))
    np.testing.assert_allclose(ours(rgb)["block2_conv1"], expected, rtol=1e-4, atol=1e-3)


def test_average_pooling_replaces_max_pooling():
    layers = ["block1_conv2", "block2_conv1"]
    model = networks.build_loss_network(layers, "vgg16", weights=None, pooling="avg")
    pools = [layer for layer in model.layers if "pool" in layer.name]
    assert pools and all(isinstance(p, keras.layers.AveragePooling2D) for p in pools)
    # block2_conv1 sees the 2x2 average of block1_conv2's output.
    image = np.random.default_rng(3).uniform(0, 255, (1, 8, 8, 3)).astype(np.float32)
    outputs = model(image)
    pooled = np.asarray(outputs["block1_conv2"]).reshape(1, 4, 2, 4, 2, 64).mean(axis=(2, 4))
    conv = model.get_layer("block2_conv1")
    np.testing.assert_allclose(outputs["block2_conv1"], conv(pooled), rtol=1e-4, atol=1e-3)


def test_unknown_layer_names_are_refused():
    with pytest.raises(NstError, match="unknown vgg16 layer.*block4_conv4"):
        networks.build_loss_network(["block1_conv1", "block4_conv4"], "vgg16", weights=None)
    with pytest.raises(NstError, match="unknown loss network"):
        networks.build_loss_network(["block1_conv1"], "vgg11", weights=None)
    with pytest.raises(NstError, match="unknown pooling"):
        networks.build_loss_network(["block1_conv1"], "vgg16", weights=None, pooling="min")


def test_min_image_side_follows_pooling_depth():
    assert vgg_layers.min_image_side(["block1_conv1"]) == 1
    assert vgg_layers.min_image_side(["block1_conv1", "block4_conv2"]) == 8
    assert vgg_layers.min_image_side(["block5_conv1"]) == 16
    assert vgg_layers.min_image_side(["block5_pool"]) == 32


def test_memory_estimate_grows_with_pixels():
    sides = [64, 128, 256, 512, 1024, 2048]
    estimates = [
        vgg_layers.estimate_memory_bytes("vgg19", ["block5_conv1"], side, side) for side in sides
    ]
    assert estimates == sorted(set(estimates))
    # block1 alone at 256 px: two 64-channel float32 maps, the fixed cost and the pixels' vectors.
    assert (
        vgg_layers.activation_bytes("vgg16", ["block1_conv2"], 256, 256) == 2 * 256 * 256 * 64 * 4
    )
    for precision in ("float32", "bfloat16"):
        assert vgg_layers.estimate_memory_bytes(
            "vgg16", ["block1_conv2"], 256, 256, precision
        ) == int(
            vgg_layers.FIXED_BYTES[precision]
            + vgg_layers.ACTIVATION_FACTOR[precision] * 2 * 256 * 256 * 64 * 4
            + vgg_layers.PIXEL_BYTES * 256 * 256
        )


def test_bfloat16_estimate_is_the_measured_peaks_with_a_margin():
    # Whole-image peaks of the stand-in VGG16 in bfloat16 (bench_results/
    # memory_calibration_bfloat16.json) and of the float32 run at 1280x853 px, in MiB.
    layers = list(defaults.STYLE_LAYERS) + list(defaults.CONTENT_LAYERS)
    for (height, width), peak in (((256, 384), 1011), ((512, 768), 1595), ((852, 1280), 2797)):
        estimate = vgg_layers.estimate_memory_bytes("vgg16", layers, height, width, "bfloat16")
        assert 1.0 < estimate / (peak * 2**20) < 1.1
    float32 = vgg_layers.estimate_memory_bytes("vgg16", layers, 853, 1280)
    assert 7183 * 0.99 < float32 / 2**20 < 7183 * 1.01


def test_receptive_field_of_the_deepest_layer():
    assert vgg_layers.receptive_field("vgg16", ["block1_conv1"]) == 3
    assert vgg_layers.receptive_field("vgg16", ["block1_conv1", "block2_conv1"]) == 10
    assert vgg_layers.receptive_field("vgg16", ["block5_conv1"]) == 132
    assert vgg_layers.receptive_field("vgg19", ["block5_conv1"]) == 156


def test_default_weights_follow_environment(monkeypatch, tmp_path):
    weights_file = tmp_path / "vgg.h5"
    weights_file.write_bytes(b"x")
    monkeypatch.delenv(networks.WEIGHTS_ENV_VAR, raising=False)
    assert networks.resolve_weights("default") == "imagenet"
    monkeypatch.setenv(networks.WEIGHTS_ENV_VAR, str(weights_file))
    assert networks.resolve_weights("default") == str(weights_file)
    assert networks.resolve_weights("imagenet") == "imagenet"
    assert networks.resolve_weights(None) is None


def test_missing_weights_file_is_one_line_error(tmp_path):
    with pytest.raises(NstError, match="VGG weights file not found") as error:
        networks.build_loss_network(["block1_conv1"], "vgg16", weights=str(tmp_path / "no.h5"))
    assert "\n" not in str(error.value)


def test_offline_imagenet_download_names_flag_and_env_var(monkeypatch):
    def offline(*args, **kwargs):
        raise Exception("URL fetch failure on https://example/vgg19.h5: None -- Name not known")  # noqa: TRY002 - as Keras does

    monkeypatch.setattr("keras.src.utils.file_utils.get_file", offline)
    with pytest.raises(NstError) as error:
        networks.build_loss_network(["block1_conv1"], "vgg19", weights="imagenet")
    message = str(error.value)
    assert "\n" not in message
    assert "vgg_weights" in message and networks.WEIGHTS_ENV_VAR in message


def test_stand_in_weights_load_into_vgg16(stand_in_weights):
    model = networks.build_loss_network(["block1_conv1", "block5_conv3"], "vgg16", stand_in_weights)
    with h5py.File(stand_in_weights, "r") as f:
        group = f["block5_conv3"]
        names = group.attrs["weight_names"]
        kernel = np.asarray(group[names[0]])
    np.testing.assert_array_equal(model.get_layer("block5_conv3").get_weights()[0], kernel)


def test_stand_in_weights_do_not_fit_vgg19(stand_in_weights):
    with pytest.raises(NstError, match="does not fit vgg19"):
        networks.build_loss_network(["block1_conv1"], "vgg19", stand_in_weights)
