"""VGG loss networks: Keras models that map RGB images to named VGG activations.

The models take RGB images in [0, 255] (any height and width) and do the caffe-style
preprocessing of `keras.applications` inside (RGB to BGR, minus the ImageNet mean), so callers
never handle it. They stop at the deepest requested layer.
"""

import os

import keras

from nst_tf.defaults import DEFAULT_WEIGHTS, WEIGHTS_ENV_VAR
from nst_tf.encoders import precision as precisions
from nst_tf.encoders import vgg_layers
from nst_tf.errors import NstError

APPLICATIONS = {
    "vgg16": keras.applications.VGG16,
    "vgg19": keras.applications.VGG19,
}
_IMAGENET_MEAN_BGR = (103.939, 116.779, 123.68)


def resolve_weights(weights):
    """Turns a weights choice into what `keras.applications` takes.

    Args:
      weights: "default" (the file named by $NST_TF_VGG_WEIGHTS if set, else "imagenet"),
        "imagenet", None (random, for tests), or a path to a weights file.

    Returns:
      "imagenet", None, or an existing file path.

    Raises:
      NstError: a named file does not exist.
    """
    if weights == DEFAULT_WEIGHTS:
        weights = os.environ.get(WEIGHTS_ENV_VAR) or "imagenet"
    if weights is None or weights == "imagenet":
        return weights
    path = os.path.expanduser(os.fspath(weights))
    if not os.path.isfile(path):
        raise NstError(f"VGG weights file not found: {path}")
    return path


class CaffePreprocess(keras.layers.Layer):
    """RGB in [0, 255] to BGR minus the ImageNet channel means (Keras' "caffe" mode)."""

    def call(self, images):
        bgr = keras.ops.flip(images, axis=-1)
        return bgr - keras.ops.convert_to_tensor(_IMAGENET_MEAN_BGR, dtype=images.dtype)


def build_loss_network(
    layers, arch="vgg19", weights=DEFAULT_WEIGHTS, pooling="max", precision="float32"
):
    """Builds a frozen VGG feature extractor returning the named activations.

    Args:
      layers: layer names such as "block4_conv2".
      arch: "vgg19" or "vgg16".
      weights: see `resolve_weights`.
      pooling: "max" (as trained) or "avg" (as Gatys et al. used for synthesis).
      precision: "float32", "bfloat16" (the convolutions compute in bfloat16, the weights and the
        outputs stay float32) or "auto" (see nst_tf.encoders.precision.resolve).

    Returns:
      keras.Model mapping (batch, height, width, 3) RGB in [0, 255] to a dict name -> float32
      activation.

    Raises:
      NstError: unknown arch, layer, pooling or precision; missing or unfitting weights; ImageNet
        weights that cannot be downloaded.
    """
    layers = list(dict.fromkeys(layers))
    vgg_layers.check_layers(arch, layers)  # checks the arch too
    if pooling not in vgg_layers.POOLINGS:
        raise NstError(
            f"unknown pooling {pooling!r}: choose one of {', '.join(vgg_layers.POOLINGS)}"
        )
    policy = "mixed_bfloat16" if precisions.resolve(precision) == "bfloat16" else None
    body = load_vgg_body(arch, weights)

    images = keras.Input(shape=(None, None, 3), name="rgb_0_255")
    x = CaffePreprocess(name="caffe_preprocess")(images)
    outputs = {}
    for layer in body.layers[1:]:
        if pooling == "avg" and isinstance(layer, keras.layers.MaxPooling2D):
            layer = keras.layers.AveragePooling2D(pool_size=2, strides=2, name=layer.name)
        if policy:
            layer = with_dtype_policy(layer, policy)
        x = layer(x)
        if layer.name in layers:
            outputs[layer.name] = x if x.dtype == "float32" else to_float32(x, layer.name)
        if len(outputs) == len(layers):
            break
    model = keras.Model(images, outputs, name=f"{arch}_{pooling}_features")
    model.trainable = False
    return model


def with_dtype_policy(layer, policy):
    """A copy of a Keras layer (config and weights) that computes under another dtype policy."""
    copy = type(layer).from_config({**layer.get_config(), "dtype": policy})
    if layer.weights:
        copy.build(layer.input.shape)
        copy.set_weights(layer.get_weights())
    return copy


def to_float32(x, name):
    """The activation `x` cast to float32 (a layer, so the Keras model holds it)."""
    return keras.layers.Activation("linear", dtype="float32", name=f"{name}_float32")(x)


def load_vgg_body(arch, weights=DEFAULT_WEIGHTS):
    """The `keras.applications` VGG body (no top, any input size), or a one-line NstError.

    Args:
      arch: "vgg16" or "vgg19".
      weights: a weights choice, see resolve_weights.
    """
    vgg_layers.check_arch(arch)
    weights = resolve_weights(weights)
    try:
        return APPLICATIONS[arch](include_top=False, weights=weights, input_shape=(None, None, 3))
    except Exception as error:  # noqa: BLE001 - Keras raises bare Exception when a download fails
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        if weights == "imagenet":
            raise NstError(
                f"cannot get the ImageNet {arch} weights ({reason}); when offline, pass a local "
                f"weights file as vgg_weights (a path) or the environment variable {WEIGHTS_ENV_VAR}"
            ) from None
        raise NstError(f"weights file {weights} does not fit {arch}: {reason}") from None
