"""The transformation network: sizes, padding and normalisation against numpy, styles, saving."""

import keras
import numpy as np
import pytest
from support import distinct_style_norms

from nst_tf.errors import NstError
from nst_tf.feedforward import model as feedforward
from nst_tf.feedforward import network_layers, shipped, transformer


@pytest.fixture(scope="module")
def small_model():
    keras.utils.set_random_seed(1)
    return transformer.build_transformer(1, "small")


@pytest.fixture(scope="module")
def three_style_model():
    keras.utils.set_random_seed(2)
    return distinct_style_norms(transformer.build_transformer(3, "small"))


@pytest.mark.parametrize("height,width", [(8, 8), (33, 17), (64, 48), (31, 65)])
def test_output_has_the_input_size_and_pixel_range(small_model, height, width):
    images = np.random.default_rng(0).uniform(0, 255, (2, height, width, 3)).astype(np.float32)
    output = small_model(images).numpy()
    assert output.shape == (2, height, width, 3)
    assert output.min() >= 0 and output.max() <= 255


def test_variants_differ_in_size():
    standard = transformer.build_transformer(1, "standard").count_params()
    small = transformer.build_transformer(1, "small").count_params()
    # Johnson's network has about 1.7 M parameters; the small one a sixth of that.
    assert 1.6e6 < standard < 1.8e6
    assert small < standard / 5


def test_reflection_pad_matches_numpy():
    images = np.random.default_rng(0).normal(size=(2, 5, 6, 3)).astype(np.float32)
    padded = network_layers.ReflectionPad(2)(images).numpy()
    np.testing.assert_array_equal(
        padded, np.pad(images, [(0, 0), (2, 2), (2, 2), (0, 0)], mode="reflect")
    )


def test_pad_to_multiple_and_crop_round_trip():
    images = np.random.default_rng(0).normal(size=(1, 9, 14, 3)).astype(np.float32)
    padded = network_layers.PadToMultiple(4)(images).numpy()
    assert padded.shape == (1, 12, 16, 3)
    np.testing.assert_array_equal(padded[:, :9, :14], images)
    np.testing.assert_array_equal(network_layers.CropLike()(padded, images).numpy(), images)


def test_instance_normalization_matches_numpy():
    features = np.random.default_rng(0).normal(3, 2, size=(2, 6, 5, 4)).astype(np.float32)
    layer = network_layers.InstanceNormalization(epsilon=1e-3)
    layer.build(features.shape)
    layer.scale.assign(np.full((1, 4), 2.0, np.float32))
    layer.shift.assign(np.full((1, 4), 0.5, np.float32))
    mean = features.mean(axis=(1, 2), keepdims=True)
    variance = features.var(axis=(1, 2), keepdims=True)
    expected = (features - mean) / np.sqrt(variance + 1e-3) * 2.0 + 0.5
    np.testing.assert_allclose(layer(features).numpy(), expected, rtol=1e-5, atol=1e-5)


def test_instance_normalization_takes_one_epsilon_per_channel():
    features = np.random.default_rng(1).normal(0, 0.05, size=(1, 5, 6, 3)).astype(np.float32)
    epsilon = [1e-3, 1e-2, 1.0]
    layer = network_layers.InstanceNormalization(epsilon=epsilon)
    centered = features - features.mean(axis=(1, 2), keepdims=True)
    expected = centered / np.sqrt(features.var(axis=(1, 2), keepdims=True) + np.array(epsilon))
    np.testing.assert_allclose(layer(features).numpy(), expected, rtol=1e-4, atol=1e-6)
    assert network_layers.InstanceNormalization.from_config(layer.get_config()).epsilon == epsilon


def test_to_pixels_clips_logits_within_a_tenth_of_a_grey_level():
    logits = np.array([-100.0, -4.5, -1.0, 0.0, 0.3, 3.9, 100.0], np.float32)
    pixels = network_layers.ToPixels()(logits).numpy()
    np.testing.assert_allclose(pixels, (np.tanh(logits) + 1) * 127.5, atol=0.09)
    assert pixels[0] == pixels[1] and pixels[-1] > 254.9


def test_conditional_normalization_blends_scales_and_shifts():
    features = np.random.default_rng(1).normal(size=(1, 4, 4, 2)).astype(np.float32)
    layer = network_layers.InstanceNormalization(num_styles=2)
    layer.build([features.shape, (1, 2)])
    layer.scale.assign(np.array([[1.0, 2.0], [3.0, 4.0]], np.float32))
    layer.shift.assign(np.array([[0.0, 1.0], [-1.0, 0.0]], np.float32))
    unit = network_layers.InstanceNormalization()(features).numpy()  # scale 1, shift 0
    blended = layer([features, np.array([[0.25, 0.75]], np.float32)]).numpy()
    expected = unit * np.array([2.5, 3.5]) + np.array([-0.75, 0.25])
    np.testing.assert_allclose(blended, expected, rtol=1e-5, atol=1e-5)


def test_styles_are_selected_and_blended(three_style_model):
    image = np.random.default_rng(3).uniform(0, 255, (1, 24, 24, 3)).astype(np.float32)
    outputs = [
        three_style_model([image, np.eye(3, dtype=np.float32)[[i]]]).numpy() for i in range(3)
    ]
    assert np.abs(outputs[0] - outputs[1]).mean() > 1.0
    halfway = three_style_model([image, np.array([[0.5, 0.5, 0.0]], np.float32)]).numpy()
    # Blending is not linear in pixels, but it lands between the two styles.
    assert np.abs(halfway - outputs[0]).mean() < np.abs(outputs[1] - outputs[0]).mean()
    assert np.abs(halfway - outputs[1]).mean() < np.abs(outputs[1] - outputs[0]).mean()


def test_style_model_picks_styles_by_name_index_and_blend(three_style_model):
    style_model = feedforward.StyleModel(
        three_style_model, {"style_names": ["a", "b", "c"]}, "x.keras"
    )
    np.testing.assert_array_equal(style_model.style_weights("b"), [0, 1, 0])
    np.testing.assert_array_equal(style_model.style_weights("2"), [0, 0, 1])
    np.testing.assert_array_equal(style_model.style_weights(), [1, 0, 0])
    np.testing.assert_allclose(style_model.style_weights(blend=[3, 1, 0]), [0.75, 0.25, 0])
    with pytest.raises(NstError, match="no style 'd'"):
        style_model.style_weights("d")
    with pytest.raises(NstError, match="2 blend weights for 3 styles"):
        style_model.style_weights(blend=[1, 1])
    with pytest.raises(NstError, match="sum to a positive"):
        style_model.style_weights(blend=[0, 0, 0])
    with pytest.raises(NstError, match="image is 30x7 px; it needs at least 16 px"):
        style_model.stylize(np.zeros((1, 7, 30, 3)), style_model.style_weights())


def test_style_model_mixes_styles_written_as_name_or_index_with_weights(three_style_model):
    style_model = feedforward.StyleModel(
        three_style_model, {"style_names": ["a", "b", "c"]}, "x.keras"
    )
    np.testing.assert_allclose(style_model.style_weights("0:0.5,2:1.5"), [0.25, 0, 0.75])
    np.testing.assert_allclose(style_model.style_weights("b:1, c:1, b:2"), [0, 0.75, 0.25])
    for bad, message in [
        ("0:x", "not a number"),
        ("0:0.5,:1", "STYLE:WEIGHT"),
        ("a:-1,b:2", ">= 0"),
        ("a:0,b:0", "positive"),
        ("7:1", "no style '7'"),
    ]:
        with pytest.raises(NstError, match=message):
            style_model.style_weights(bad)


def test_save_and_load_round_trip(tmp_path, three_style_model):
    path = str(tmp_path / "net.keras")
    feedforward.save_model(three_style_model, path, {"style_names": ["a", "b", "c"], "steps": 7})
    loaded = feedforward.load_model(path)
    assert loaded.style_names == ["a", "b", "c"] and loaded.metadata["steps"] == 7
    image = np.random.default_rng(4).uniform(0, 255, (2, 20, 28, 3)).astype(np.float32)
    weights = np.array([0.2, 0.3, 0.5], np.float32)
    expected = three_style_model([image, np.repeat(weights[None], 2, axis=0)]).numpy()
    np.testing.assert_allclose(loaded.stylize(image, weights), expected, atol=1e-3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.json", "net.keras"]


def test_load_refuses_what_is_not_a_model(tmp_path):
    fake = tmp_path / "fake.keras"
    fake.write_bytes(b"not a zip")
    with pytest.raises(NstError, match="not a model: cannot load"):
        feedforward.load_model(fake)
    with pytest.raises(NstError, match="folder without model.keras"):
        feedforward.load_model(tmp_path)
    with pytest.raises(NstError, match="model not found"):
        feedforward.load_model(tmp_path / "missing.keras")


def test_shipped_networks_are_found_by_style_name(tmp_path, monkeypatch, three_style_model):
    feedforward.save_model(
        three_style_model, str(tmp_path / "shipped.keras"), {"style_names": ["a", "b", "c"]}
    )
    monkeypatch.setattr(shipped, "SHIPPED_DIRS", (str(tmp_path / "none"), str(tmp_path)))
    assert shipped.shipped_styles() == {name: str(tmp_path / "shipped.keras") for name in "abc"}
    loaded = feedforward.load_model("b")
    np.testing.assert_array_equal(loaded.style_weights(), [0, 1, 0])
    np.testing.assert_array_equal(loaded.style_weights("c"), [0, 0, 1])
    assert shipped.shipped_models() == {"shipped": str(tmp_path / "shipped.keras")}
    np.testing.assert_array_equal(feedforward.load_model("shipped").style_weights(), [1, 0, 0])
    np.testing.assert_allclose(feedforward.load_model("shipped:c").style_weights(), [0, 0, 1])
    mixed = feedforward.load_model("shipped:a:1,c:3").style_weights()
    np.testing.assert_allclose(mixed, [0.25, 0, 0.75])
    with pytest.raises(NstError, match=r"shipped network or style: shipped, a, b, c\)"):
        feedforward.load_model("d")
