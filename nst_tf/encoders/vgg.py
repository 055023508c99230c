"""VGG loss networks: Keras models that map RGB images to named VGG activations.

The models take RGB images in [0, 255] (any height and width) and do the caffe-style
preprocessing of `keras.applications` inside (RGB to BGR, minus the ImageNet mean), so callers
never handle it. They stop at the deepest requested layer.
"""

import os

import keras

from nst_tf.defaults import DEFAULT_WEIGHTS, WEIGHTS_ENV_VAR
from nst_tf.errors import NstError

ARCHITECTURES = {
    "vgg16": keras.applications.VGG16,
    "vgg19": keras.applications.VGG19,
}
POOLINGS = ("max", "avg")

# Channels of each VGG block, and convolutions per block, for layer checks and memory estimates.
_BLOCK_CHANNELS = (64, 128, 256, 512, 512)
_CONVS_PER_BLOCK = {"vgg16": (2, 2, 3, 3, 3), "vgg19": (2, 2, 4, 4, 4)}
_IMAGENET_MEAN_BGR = (103.939, 116.779, 123.68)


def layer_names(arch):
    """All layer names of a VGG body (`blockI_convJ` and `blockI_pool`), in order.

    Args:
      arch: "vgg16" or "vgg19".

    Returns:
      list of names.
    """
    _check_arch(arch)
    names = []
    for block, convs in enumerate(_CONVS_PER_BLOCK[arch], start=1):
        names += [f"block{block}_conv{j}" for j in range(1, convs + 1)] + [f"block{block}_pool"]
    return names


def _check_arch(arch):
    if arch not in ARCHITECTURES:
        raise NstError(f"unknown loss network {arch!r}: choose one of {', '.join(ARCHITECTURES)}")


def check_layers(arch, layers):
    """Raises NstError if any name is not a layer of `arch`."""
    known = layer_names(arch)
    unknown = [name for name in layers if name not in known]
    if unknown:
        raise NstError(
            f"unknown {arch} layer(s) {', '.join(unknown)}: names look like block4_conv2 "
            f"(blocks 1-5, up to conv{max(_CONVS_PER_BLOCK[arch])} in {arch}, or blockI_pool)"
        )
    if not layers:
        raise NstError("no loss network layers were requested")


def _pooling_steps(layer):
    """How many times the image is halved before `layer`'s output (pool layers included)."""
    block = int(layer[len("block")])
    return block if layer.endswith("_pool") else block - 1


def min_image_side(layers):
    """The smallest image side (px) at which every layer in `layers` still has a position."""
    return 2 ** max(_pooling_steps(name) for name in layers)


def estimate_memory_bytes(arch, layers, height, width):
    """A rough upper estimate of the memory one forward+backward pass needs.

    Counts every activation up to the deepest requested layer in float32, times a factor for the
    gradients and the framework's temporaries (calibrated on this project's benchmark).

    Args:
      arch: "vgg16" or "vgg19".
      layers: requested layer names.
      height, width: image size.

    Returns:
      bytes, as an int.
    """
    names = layer_names(arch)
    deepest = max(names.index(name) for name in layers)
    floats = 0
    for name in names[: deepest + 1]:
        scale = 2 ** _pooling_steps(name)
        block = int(name[len("block")])
        floats += (height // scale) * (width // scale) * _BLOCK_CHANNELS[block - 1]
    return int(floats * 4 * 4)


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


def build_loss_network(layers, arch="vgg19", weights=DEFAULT_WEIGHTS, pooling="max"):
    """Builds a frozen VGG feature extractor returning the named activations.

    Args:
      layers: layer names such as "block4_conv2".
      arch: "vgg19" or "vgg16".
      weights: see `resolve_weights`.
      pooling: "max" (as trained) or "avg" (as Gatys et al. used for synthesis).

    Returns:
      keras.Model mapping (batch, height, width, 3) RGB in [0, 255] to a dict name -> activation.

    Raises:
      NstError: unknown arch, layer or pooling; missing or unfitting weights; ImageNet weights
        that cannot be downloaded.
    """
    layers = list(dict.fromkeys(layers))
    check_layers(arch, layers)  # checks the arch too
    if pooling not in POOLINGS:
        raise NstError(f"unknown pooling {pooling!r}: choose one of {', '.join(POOLINGS)}")
    body = _load_vgg_body(arch, resolve_weights(weights))

    images = keras.Input(shape=(None, None, 3), name="rgb_0_255")
    x = CaffePreprocess(name="caffe_preprocess")(images)
    outputs = {}
    for layer in body.layers[1:]:
        if pooling == "avg" and isinstance(layer, keras.layers.MaxPooling2D):
            layer = keras.layers.AveragePooling2D(pool_size=2, strides=2, name=layer.name)
        x = layer(x)
        if layer.name in layers:
            outputs[layer.name] = x
        if len(outputs) == len(layers):
            break
    model = keras.Model(images, outputs, name=f"{arch}_{pooling}_features")
    model.trainable = False
    return model


def _load_vgg_body(arch, weights):
    """The `keras.applications` VGG body with its weights, or a one-line NstError."""
    try:
        return ARCHITECTURES[arch](include_top=False, weights=weights, input_shape=(None, None, 3))
    except Exception as error:  # noqa: BLE001 - Keras raises bare Exception when a download fails
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        if weights == "imagenet":
            raise NstError(
                f"cannot get the ImageNet {arch} weights ({reason}); when offline, pass a local "
                f"weights file with --vgg-weights PATH or the environment variable {WEIGHTS_ENV_VAR}"
            ) from None
        raise NstError(f"weights file {weights} does not fit {arch}: {reason}") from None
