"""Export of the pretrained one-pass networks: multi-style networks with the style weights as an
input, and Magenta's arbitrary stylisation pair (SavedModel and TFLite), on tiny random
stand-ins for the signatures and on the shipped weights for parity against Keras."""

import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf
from support import SAMPLES, SHARED, run_python

from nst_tf.errors import NstError
from nst_tf.export import arbitrary_pair, parity, tflite
from nst_tf.feedforward import lite_model
from nst_tf.feedforward import model as feedforward
from nst_tf.io import image_io
from nst_tf.pretrained import lite_runner, networks

TRAIN_PHOTOS = SHARED / "images" / "train"
PHOTOS = ("chelsea", "astronaut", "coffee")
PAINTINGS = ("starry_night", "the_scream")
PARITY_SIZE = (384, 384)
VECTOR = 100


def _shipped_weights_present():
    try:
        networks.weights_path(networks.PREDICTOR_FILE)
        networks.weights_path(networks.TRANSFORMER_FILE)
    except NstError:
        return False
    return True


needs_shipped = pytest.mark.skipif(
    not _shipped_weights_present(),
    reason="exported_models/magenta/*.weights.h5 absent (tools/release/import_magenta.py writes them)",
)


def sample(name, size=None):
    image = image_io.load_image(SAMPLES / f"{name}.jpg")
    return image_io.resize(image, size) if size else image


def relative_error(vector, reference):
    return float(np.linalg.norm(vector - reference) / np.linalg.norm(reference))


@pytest.fixture(scope="module")
def stand_ins():
    """A tiny predictor and transformer with the contract of nst_tf.pretrained.arbitrary's."""
    keras.utils.set_random_seed(1)
    style = keras.Input((None, None, 3))
    x = keras.layers.Conv2D(4, 3, strides=4, activation="relu")(style)
    predictor = keras.Model(style, keras.layers.Dense(VECTOR)(keras.layers.GlobalAvgPool2D()(x)))
    content, vector = keras.Input((None, None, 3)), keras.Input((VECTOR,))
    shift = keras.layers.Dense(3)(vector)
    painted = keras.layers.Conv2D(3, 3, padding="same")(content) + shift[:, None, None, :]
    return predictor, keras.Model([content, vector], keras.ops.sigmoid(painted))


def keras_stylize(predictor, transformer_model, content, style, strength=1.0):
    """What the exports compute, in Keras: 0-255 images in and out."""

    def vector(image):
        return predictor(image_io.resize(image, (256, 256))[None] / 255.0).numpy()

    mixed = strength * vector(style) + (1.0 - strength) * vector(content)
    return transformer_model([content[None] / 255.0, mixed]).numpy()[0] * 255.0


def test_bad_requests_are_one_line_errors(tmp_path):
    with pytest.raises(NstError, match="needs representative images"):
        arbitrary_pair.export_arbitrary_tflite(tmp_path, "int8", predictor=1, transformer=1)
    with pytest.raises(NstError, match="unknown quantisation"):
        arbitrary_pair.export_arbitrary_tflite(tmp_path, "int4", predictor=1, transformer=1)
    with pytest.raises(NstError, match="at least 8x8"):
        arbitrary_pair.export_arbitrary_tflite(tmp_path, size=(4, 64), predictor=1, transformer=1)
    with pytest.raises(NstError, match="no style_predictor_\\*.tflite"):
        lite_runner.LiteArbitraryModel(tmp_path)
    (tmp_path / "style_predictor_none.tflite").write_bytes(b"nope")
    (tmp_path / "arbitrary_transformer_none.tflite").write_bytes(b"nope")
    with pytest.raises(NstError, match="not a TFLite model"):
        lite_runner.LiteArbitraryModel(tmp_path)
    with pytest.raises(NstError, match="no style_predictor_int8"):
        lite_runner.LiteArbitraryModel(tmp_path, quantize="int8")


def test_export_command_one_line_errors(capsys, monkeypatch):
    from nst_tf.cli import main as cli

    for argv, message in [
        (["no_such_network", "-o", "x"], "model not found: no_such_network"),
        (["magenta26", "-o", "x", "--format", "tflite", "--size", "3by4"], "positive integers"),
        (["arbitrary", "-o", "x", "--format", "tflite", "--size", "0x5"], "positive integers"),
        (["magenta26", "-o", "x", "--format", "tflite", "--quantize", "int8"], "representative"),
        (["arbitrary", "-o", "x", "--format", "tflite", "--quantize", "int8"], "representative"),
        (["arbitrary", "-o", "x", "--model-style", "3"], "do not apply to 'arbitrary'"),
        (["arbitrary", "-o", "x.tflite", "--format", "tflite"], "give a folder"),
    ]:
        assert cli.main(["nst-tf", "export", *argv]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and message in err, err
    from nst_tf.feedforward import shipped

    monkeypatch.setattr(shipped, "SHIPPED_DIRS", ())
    assert cli.main(["nst-tf", "export", "arbitrary", "-o", "x"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "missing from this installation" in err, err


LOAD_WITHOUT_NST_TF = textwrap.dedent(
    """
    import sys
    sys.modules["nst_tf"] = None  # any import of nst_tf now fails
    import numpy as np, tensorflow as tf
    signatures = tf.saved_model.load(sys.argv[1]).signatures
    rng = np.random.default_rng(0)
    content = rng.integers(0, 256, (2, 21, 34, 3)).astype(np.uint8)
    style = rng.integers(0, 256, (1, 40, 30, 3)).astype(np.uint8)
    out = signatures["serving_default"](
        content=tf.constant(content), style=tf.constant(style), strength=tf.constant(0.5)
    )["stylized"]
    png = lambda image: tf.constant(tf.io.encode_png(image).numpy())
    jpeg = signatures["encoded"](content=png(content[0]), style=png(style[0]), strength=1.0)
    decoded = tf.io.decode_jpeg(jpeg["stylized_jpeg"])
    print("shapes", out.shape, out.dtype.name, decoded.shape)
    """
)


@pytest.mark.slow
def test_arbitrary_saved_model_signatures_and_values(tmp_path, stand_ins):
    predictor, transformer_model = stand_ins
    path = arbitrary_pair.export_arbitrary_saved_model(
        str(tmp_path / "arbitrary"), predictor=predictor, transformer=transformer_model
    )
    assert path == str(tmp_path / "arbitrary" / "1")
    done = run_python(LOAD_WITHOUT_NST_TF, path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "shapes (2, 21, 34, 3) uint8 (21, 34, 3)" in done.stdout

    serve = tf.saved_model.load(path).signatures["serving_default"]
    inputs = serve.structured_input_signature[1]
    assert {name: (spec.dtype, spec.shape.as_list()) for name, spec in inputs.items()} == {
        "content": (tf.uint8, [None, None, None, 3]),
        "style": (tf.uint8, [None, None, None, 3]),
        "strength": (tf.float32, []),
    }
    contents = [sample("chelsea", (48, 64)), sample("coffee", (48, 64))]
    styles = [sample("the_scream", (300, 240)), sample("starry_night", (300, 240))]
    for strength in (1.0, 0.3):
        # One style for both photos, then one style each (resized inside: any sizes).
        for style_batch in (styles[:1], styles):
            out = serve(
                content=tf.constant(np.stack([image_io.to_uint8(c) for c in contents])),
                style=tf.constant(np.stack([image_io.to_uint8(s) for s in style_batch])),
                strength=tf.constant(strength),
            )["stylized"].numpy()
            for index, content in enumerate(contents):
                style = style_batch[min(index, len(style_batch) - 1)]
                expected = keras_stylize(*stand_ins, content, style, strength)
                assert parity.psnr(expected, out[index]) >= 50


@pytest.mark.slow
def test_arbitrary_tflite_files_and_runner(tmp_path, stand_ins):
    predictor, transformer_model = stand_ins
    representative = [sample(name) for name in (*PHOTOS, *PAINTINGS)]
    for quantize in ("none", "int8"):
        written = arbitrary_pair.export_arbitrary_tflite(
            tmp_path, quantize, (40, 56), representative, predictor, transformer_model
        )
        names = [f"style_predictor_{quantize}.tflite", f"arbitrary_transformer_{quantize}.tflite"]
        assert list(written) == [str(tmp_path / name) for name in names]
        assert all(
            length == (tmp_path / n).stat().st_size for n, length in zip(names, written.values())
        )
    lite = lite_runner.LiteArbitraryModel(tmp_path, quantize="none")
    shapes = [d["shape"].tolist() for d in lite.transformer.get_input_details()]
    assert sorted(shapes) == [[1, 40, 56, 3], [1, VECTOR]] and lite.size == (40, 56)
    assert lite.predictor.get_input_details()[0]["shape"].tolist() == [1, 256, 256, 3]
    content, style = sample("coffee", (40, 56)), sample("starry_night")
    for strength in (1.0, 0.4):
        expected = keras_stylize(*stand_ins, content, style, strength)
        assert parity.psnr(expected, lite.stylize(content, style, strength)) >= 50
    with pytest.raises(NstError, match="strength must be in"):
        lite.stylize(content, style, 1.5)
    int8 = lite_runner.LiteArbitraryModel(
        [tmp_path / "style_predictor_int8.tflite", tmp_path / "arbitrary_transformer_int8.tflite"]
    )
    content = sample("chelsea", (50, 70))
    result = int8.stylize(content, style)  # resized to 40x56 and back
    assert result.shape == (50, 70, 3)
    assert parity.psnr(keras_stylize(*stand_ins, content, style), result) >= 20
    with pytest.raises(NstError, match="several"):
        lite_runner.LiteArbitraryModel(tmp_path)


# Measured at 256x256, styles 0, 7, 13, 25 and an even blend: float16 74.1-83.8 dB; int8
# (equalisation skipped) 21.2-30.5 dB, where style 0 or 13 baked in (uint8 io, calibrated on
# that style alone) gave 29.6-31.7 and 22.6-23.6 dB.
@pytest.mark.parametrize("quantize,min_psnr", [("float16", 72), ("int8", 20)])
@pytest.mark.slow
def test_magenta26_tflite_with_style_weights_input_parity(tmp_path, quantize, min_psnr):
    if quantize == "int8" and not TRAIN_PHOTOS.is_dir():
        pytest.skip("needs ../shared/images/train to calibrate int8")
    style_model = feedforward.load_model("magenta26")
    path = tmp_path / f"magenta26_{quantize}.tflite"
    representative = tflite.calibration_images(str(TRAIN_PHOTOS)) if quantize == "int8" else None
    tflite.export_tflite(style_model, path, None, quantize, (256, 256), representative)
    lite = lite_model.LiteStyleModel(path)
    assert lite.num_styles == 26
    for photo in PHOTOS:
        image = sample(photo, (256, 256))
        for weights in [*np.eye(26, dtype=np.float32)[[0, 7, 13, 25]], np.full(26, 1 / 26)]:
            expected = style_model.stylize(image[None], weights)[0]
            value = parity.psnr(expected, lite.stylize(image, weights))
            which = f"style {weights.argmax()}" if weights.max() == 1 else "even blend"
            print(f"magenta26 TFLite {quantize} {photo} {which}: {value:.2f} dB")
            assert value >= min_psnr, (photo, weights)


@pytest.fixture(scope="module")
def shipped_pair():
    return networks.style_predictor(), networks.arbitrary_transformer()


def parity_pairs():
    """(photo name, painting name, photo at PARITY_SIZE, painting) for every pair."""
    return [
        (photo, painting, sample(photo, PARITY_SIZE), sample(painting))
        for photo in PHOTOS
        for painting in PAINTINGS
    ]


# Measured on the shipped weights at 384x384 (uint8 output, so about 58.9 dB at best).
@needs_shipped
@pytest.mark.slow
def test_shipped_arbitrary_saved_model_parity(tmp_path, shipped_pair):
    path = arbitrary_pair.export_arbitrary_saved_model(str(tmp_path / "magenta"))
    serve = tf.saved_model.load(path).signatures["serving_default"]
    for photo, painting, content, style in parity_pairs():
        for strength in (1.0, 0.5):
            out = serve(
                content=tf.constant(image_io.to_uint8(content)[None]),
                style=tf.constant(image_io.to_uint8(style)[None]),
                strength=tf.constant(strength),
            )["stylized"].numpy()[0]
            value = parity.psnr(keras_stylize(*shipped_pair, content, style, strength), out)
            print(f"SavedModel {photo} x {painting} strength {strength}: {value:.2f} dB")
            assert value >= 57, (photo, painting, strength)


# Per quantisation: largest predictor relative error, smallest transformer PSNR (dB, given the
# Keras style vector), smallest end-to-end PSNR.
TFLITE_LIMITS = {"float16": (0.012, 68.0, 42.0), "int8": (0.02, 24.5, 24.0)}


@needs_shipped
@pytest.mark.parametrize("quantize", ["float16", "int8"])
@pytest.mark.slow
def test_shipped_arbitrary_tflite_parity(tmp_path, shipped_pair, quantize):
    if quantize == "int8" and not TRAIN_PHOTOS.is_dir():
        pytest.skip("needs ../shared/images/train to calibrate int8")
    predictor, transformer_model = shipped_pair
    representative = tflite.calibration_images(str(TRAIN_PHOTOS)) if quantize == "int8" else None
    written = arbitrary_pair.export_arbitrary_tflite(tmp_path, quantize, PARITY_SIZE, representative)
    for path, length in written.items():
        print(f"{path.rsplit('/', 1)[-1]}: {length} bytes")
    lite = lite_runner.LiteArbitraryModel(tmp_path)
    max_error, min_transformer, min_end_to_end = TFLITE_LIMITS[quantize]
    for photo, painting, content, style in parity_pairs():
        vector = predictor(image_io.resize(style, (256, 256))[None] / 255.0).numpy()[0]
        expected = transformer_model([content[None] / 255.0, vector[None]]).numpy()[0] * 255
        error = relative_error(lite.style_vector(style), vector)
        painted = parity.psnr(expected, lite.paint(content, vector))
        end_to_end = parity.psnr(expected, lite.stylize(content, style))
        print(
            f"TFLite {quantize} {photo} x {painting}: predictor relative error {error:.4f}, "
            f"transformer {painted:.2f} dB, end to end {end_to_end:.2f} dB"
        )
        assert error <= max_error and painted >= min_transformer, (photo, painting)
        assert end_to_end >= min_end_to_end, (photo, painting)


def run_cli(*argv):
    return subprocess.run(
        [sys.executable, "-m", "nst_tf", "export", *argv],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


@pytest.mark.slow
def test_export_command_shipped_multi_style_network(tmp_path):
    done = run_cli("magenta26", "-o", str(tmp_path / "serving"))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "style weights as an input" in done.stdout
    serve = tf.saved_model.load(str(tmp_path / "serving" / "1")).signatures["serving_default"]
    assert serve.structured_input_signature[1]["style_weights"].shape.as_list() == [None, 26]
    done = run_cli(
        "magenta26:7", "-o", str(tmp_path / "lite"), "--format", "tflite", "--size", "32x32"
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lite = lite_model.LiteStyleModel(tmp_path / "lite" / "style_07_none.tflite")
    assert lite.num_styles is None and lite.size == (32, 32)


@needs_shipped
@pytest.mark.slow
def test_export_command_arbitrary(tmp_path):
    done = run_cli(
        "arbitrary", "-o", str(tmp_path), "--format", "tflite", "--quantize", "float16",
        "--size", "64x96",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    lite = lite_runner.LiteArbitraryModel(tmp_path)
    assert lite.size == (64, 96)
    assert lite.stylize(sample("chelsea", (64, 96)), sample("the_scream")).shape == (64, 96, 3)
