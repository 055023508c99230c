"""The .tflite files nst_tf ships for its LiteRT runtime, converted from the Keras networks
(which stay the source of truth): Magenta's arbitrary pair, the pair's tile networks, the
shipped multi-style networks and the x4 upscaler.

Every file takes float32 RGB in [0, 255] at any height x width (batch 1) and gives the same:
  style_predictor: "style_image" [1, 256, 256, 3] -> "style_vector" [1, 100];
  the transformer's stages (nst_tf.pretrained.stage_networks describes their inputs and
    outputs, nst_tf.pretrained.staged_painting runs them): arbitrary_contract,
    arbitrary_residuals, arbitrary_expand_moments, arbitrary_expand;
  arbitrary_moments: "content", "style_vector" -> "moment_00" ... (every instance norm's mean
    and variance, in nst_tf.pretrained.arbitrary.NORMALIZED_CONVS order);
  arbitrary_transformer_moments: "content", "style_vector", "moment_00" ... -> image;
  NAME (a shipped multi-style network): "images", "style_weights" [1, num_styles] -> image;
  upscale_x4: "images" -> image four times larger.
"""

import functools
import os

import numpy as np
import tensorflow as tf

from nst_tf.export import arbitrary_pair, delegable, parity, tflite
from nst_tf.feedforward import shipped
from nst_tf.io import files, image_io
from nst_tf.pretrained import lite_runner, staged_painting
from nst_tf.pretrained.sizes import STYLE_VECTOR_SIZE
from nst_tf.superres import upscaling

# Weights stored as float16 (computed in float32): half the bytes, parity with Keras kept (the
# manifest of exported_models/litert records it per file).
QUANTIZE = "float16"
# The transformer's last two convolutions have 8-bit weights, their activations quantised as they
# run (XNNPACK's integer kernels): twice as fast, and still far above the parity asked of the
# files. The contraction and the residual blocks lose too much that way.
STAGE_QUANTIZE = {
    "contract": QUANTIZE,
    "residuals": QUANTIZE,
    "expand_moments": "dynamic",
    "expand": "dynamic",
}
# The sides of the stages' inputs are multiples of these: the expansion's, half of a multiple of
# 4. The contraction pads its own.
STAGE_INPUT_MULTIPLE = {"contract": 1, "residuals": 1, "expand_moments": 2, "expand": 2}
ANY_IMAGE = (1, None, None, 3)


def moment_names(count):
    """The names of the moments' inputs and outputs."""
    return [f"moment_{i:02d}" for i in range(count)]


def export_arbitrary_files(folder):
    """Writes the arbitrary pair (the transformer as its stages) and its tile networks; returns
    dict file name -> bytes."""
    from nst_tf.pretrained import networks

    predictor = networks.style_predictor()
    function = arbitrary_pair.predictor_function(predictor)
    written = {
        f"{lite_runner.PREDICTOR}.tflite": write(
            folder, lite_runner.PREDICTOR, [predictor], function, [arbitrary_pair.PREDICTOR_INPUT]
        )
    }
    written.update(export_transformer_stages(folder, networks.arbitrary_transformer()))
    moments = delegable.delegable_copy(networks.moments_model())
    tiled = delegable.delegable_copy(networks.arbitrary_transformer(given_moments=True))
    names = moment_names(len(moments.outputs))
    content = tf.TensorSpec(ANY_IMAGE, tf.float32, "content")
    vector = tf.TensorSpec((1, STYLE_VECTOR_SIZE), tf.float32, "style_vector")
    moment_specs = [
        tf.TensorSpec((1, 1, 1, output.shape[-1]), tf.float32, name)
        for output, name in zip(moments.outputs, names)
    ]

    def measure(image, style_vector):
        return dict(zip(names, moments([image / 255.0, style_vector], training=False)))

    def paint_tile(image, style_vector, *given):
        return 255.0 * tiled([image / 255.0, style_vector, *given], training=False)

    for name, model, function, signature in (
        ("arbitrary_moments", moments, measure, [content, vector]),
        ("arbitrary_transformer_moments", tiled, paint_tile, [content, vector, *moment_specs]),
    ):
        written[f"{name}.tflite"] = write(folder, name, [model], function, signature)
    return written


def export_transformer_stages(folder, transformer):
    """Writes the stages of the arbitrary transformer (nst_tf.pretrained.sizes.STAGES), each
    quantised as STAGE_QUANTIZE says; returns dict file name -> bytes."""
    from nst_tf.pretrained import stage_networks

    stages = {
        name: delegable.delegable_copy(
            model, STAGE_QUANTIZE[name], STAGE_INPUT_MULTIPLE[name], banded=name == "contract"
        )
        for name, model in stage_networks.transformer_stages(transformer).items()
    }

    def features(model):
        return tf.TensorSpec((1, None, None, model.inputs[0].shape[-1]), tf.float32, "features")

    vector = tf.TensorSpec((1, STYLE_VECTOR_SIZE), tf.float32, "style_vector")
    moments = [
        tf.TensorSpec(stages["expand"].inputs[2].shape, tf.float32, "mean"),
        tf.TensorSpec(stages["expand"].inputs[3].shape, tf.float32, "variance"),
    ]
    signatures = {
        "contract": [tf.TensorSpec(ANY_IMAGE, tf.float32, "content")],
        "residuals": [features(stages["residuals"]), vector],
        "expand_moments": [features(stages["expand_moments"])],
        "expand": [features(stages["expand"]), vector, *moments],
    }
    written = {}
    for name, function in stage_functions(stages).items():
        file_name = lite_runner.STAGE_FILES[name]
        written[f"{file_name}.tflite"] = write(
            folder, file_name, [stages[name]], function, signatures[name], STAGE_QUANTIZE[name]
        )
    return written


def stage_functions(stages):
    """The transformer's stages as the functions nst_tf.pretrained.staged_painting.paint calls
    (named tensors in, a dict of named tensors out; the content in [0, 255]).

    Args:
      stages: dict stage -> keras.Model, as nst_tf.pretrained.stage_networks.transformer_stages
        gives them.
    """

    def contract(content):
        return {"features": stages["contract"](content / 255.0, training=False)}

    def residuals(features, style_vector):
        return {"features": stages["residuals"]([features, style_vector], training=False)}

    def expand_moments(features):
        return dict(zip(("sums", "squares"), stages["expand_moments"](features, training=False)))

    def expand(features, style_vector, mean, variance):
        return stages["expand"]([features, style_vector, mean, variance], training=False)

    return {
        "contract": contract,
        "residuals": residuals,
        "expand_moments": expand_moments,
        "expand": expand,
    }


def export_style_network(folder, name):
    """Writes a shipped multi-style network (style weights as an input); returns its bytes."""
    from nst_tf.feedforward import model as feedforward

    path = os.path.join(folder, f"{name}.tflite")
    return tflite.export_tflite(feedforward.load_model(name), path, None, QUANTIZE, size=None)


def export_upscaler(folder, name):
    """Writes the shipped upscaler; returns its bytes."""
    network = upscaling.load_upscaler(engine="tensorflow").model
    signature = [tf.TensorSpec(ANY_IMAGE, tf.float32, "images")]
    return write(folder, name, [network], lambda images: network(images, training=False), signature)


def write(folder, name, models, function, signature, quantize=QUANTIZE):
    """Converts one function to folder/NAME.tflite atomically; returns its bytes."""
    flatbuffer = tflite.convert(models, function, signature, quantize, [], False)
    files.write_atomically(os.path.join(folder, f"{name}.tflite"), lambda f: f.write(flatbuffer))
    return len(flatbuffer)


def export_all(folder):
    """Writes every shipped .tflite file into folder; returns dict file name -> bytes."""
    os.makedirs(folder, exist_ok=True)
    written = export_arbitrary_files(folder)
    for name in shipped.shipped_models():
        written[f"{name}.tflite"] = export_style_network(folder, name)
    written[f"{upscaling.SHIPPED_NAME}.tflite"] = export_upscaler(folder, upscaling.SHIPPED_NAME)
    return written


def keras_parity_db(folder, name, image):
    """PSNR (dB) of a shipped file's images against its Keras network's on one photo.

    Files whose output is not an image are judged by the image they lead to: the predictor's
    vector painted by the Keras transformer, the moments normalising the Keras tile network.

    Args:
      folder: where the .tflite files are.
      name: file name without ".tflite".
      image: float array (height, width, 3) in [0, 255] (the upscaler's input; others' content).
    """
    from nst_tf.pretrained import keras_runner
    from nst_tf.pretrained.sizes import STYLE_SIZE

    lite = _lite_network(os.path.join(folder, f"{name}.tflite"))
    keras_pair = keras_runner.shipped_pair()
    square = image_io.resize(image, (STYLE_SIZE, STYLE_SIZE))
    vector = keras_pair.style_vector(square)

    def only(outputs):
        return next(iter(outputs.values()))[0]

    if name == lite_runner.PREDICTOR:
        lite_vector = only(lite(style_image=square[None]))
        reference, test = keras_pair.paint(image, vector), keras_pair.paint(image, lite_vector)
    elif name in lite_runner.STAGE_FILES.values():
        reference = keras_pair.paint(image, vector)
        functions = _keras_stage_functions()
        stage = next(key for key, value in lite_runner.STAGE_FILES.items() if value == name)
        mixed = {**functions, stage: lite}
        test = staged_painting.paint(mixed.get, image, vector)
    elif name == lite_runner.MOMENTS:
        outputs = lite(content=image[None], style_vector=vector[None])
        lite_moments = [outputs[key] for key in sorted(outputs)]
        reference = keras_pair.paint_with_moments(image, vector, keras_pair.moments(image, vector))
        test = keras_pair.paint_with_moments(image, vector, lite_moments)
    elif name == lite_runner.TILE_TRANSFORMER:
        moments = keras_pair.moments(image, vector)
        reference = keras_pair.paint_with_moments(image, vector, moments)
        given = dict(zip(moment_names(len(moments)), moments))
        test = only(lite(content=image[None], style_vector=vector[None], **given))
    elif name == upscaling.SHIPPED_NAME:
        reference = _keras_upscaler().upscale(image)
        test = only(lite(images=image[None]))
    else:
        style_model = _keras_style_model(name)
        weights = style_model.style_weights()
        reference = style_model.stylize(image[None], weights)[0]
        test = only(lite(images=image[None], style_weights=weights[None]))
    return parity.psnr(np.clip(reference, 0, 255), np.clip(test, 0, 255))


@functools.cache
def _lite_network(path):
    from nst_tf.lite import interpreter

    return interpreter.Network(path)


@functools.cache
def _keras_stage_functions():
    from nst_tf.pretrained import networks, stage_networks

    functions = stage_functions(stage_networks.transformer_stages(networks.arbitrary_transformer()))
    return {name: _numpy_outputs(function) for name, function in functions.items()}


def _numpy_outputs(function):
    return lambda **inputs: {name: np.asarray(value) for name, value in function(**inputs).items()}


@functools.cache
def _keras_upscaler():
    return upscaling.load_upscaler(engine="tensorflow")


@functools.cache
def _keras_style_model(name):
    from nst_tf.feedforward import model as feedforward

    return feedforward.load_model(name)
