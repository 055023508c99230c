"""Facts about the VGG bodies that need no TensorFlow: layer names, sizes and memory.

The command line checks layers and image sizes with these before TensorFlow loads.
"""

from nst_tf.errors import NstError

ARCHITECTURES = ("vgg16", "vgg19")
POOLINGS = ("max", "avg")

# Channels of each VGG block, and convolutions per block, for layer checks and memory estimates.
_BLOCK_CHANNELS = (64, 128, 256, 512, 512)
_CONVS_PER_BLOCK = {"vgg16": (2, 2, 3, 3, 3), "vgg19": (2, 2, 4, 4, 4)}


def layer_names(arch):
    """All layer names of a VGG body (`blockI_convJ` and `blockI_pool`), in order.

    Args:
      arch: "vgg16" or "vgg19".

    Returns:
      list of names.
    """
    check_arch(arch)
    names = []
    for block, convs in enumerate(_CONVS_PER_BLOCK[arch], start=1):
        names += [f"block{block}_conv{j}" for j in range(1, convs + 1)] + [f"block{block}_pool"]
    return names


def check_arch(arch):
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


def pooling_steps(layer):
    """How many times the image is halved before `layer`'s output (pool layers included)."""
    block = int(layer[len("block")])
    return block if layer.endswith("_pool") else block - 1


def min_image_side(layers):
    """The smallest image side (px) at which every layer in `layers` still has a position."""
    return 2 ** max(pooling_steps(name) for name in layers)


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
        scale = 2 ** pooling_steps(name)
        block = int(name[len("block")])
        floats += (height // scale) * (width // scale) * _BLOCK_CHANNELS[block - 1]
    return int(floats * 4 * 4)
