"""Facts about the VGG bodies that need no TensorFlow: layer names, sizes and memory.

The command line checks layers and image sizes with these before TensorFlow loads.
"""

from nst_tf.errors import NstError

ARCHITECTURES = ("vgg16", "vgg19")
POOLINGS = ("max", "avg")

# Channels of each VGG block, and convolutions per block, for layer checks and memory estimates.
_BLOCK_CHANNELS = (64, 128, 256, 512, 512)
_CONVS_PER_BLOCK = {"vgg16": (2, 2, 3, 3, 3), "vgg19": (2, 2, 4, 4, 4)}
# The memory model of estimate_memory_bytes for each precision of the loss network, fitted to
# whole-image peaks of the stand-in VGG16 (bench_results/memory_calibration_*.json) and checked
# by tools/bench/bench_memory.py: float32 with XLA, bfloat16 as a plain graph (half-size
# activations, and no XLA temporaries).
FIXED_BYTES = {"float32": 950 * 2**20, "bfloat16": 900 * 2**20}  # TensorFlow and the network
# Multiples of the float32 activations' bytes: activations, their gradients and temporaries.
ACTIVATION_FACTOR = {"float32": 4.85, "bfloat16": 1.5}
PIXEL_BYTES = 3 * 4 * 24  # float32 pixels: L-BFGS history (10 pairs) and its working vectors


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


def receptive_field(arch, layers):
    """Side (px) of the image window that one position of the deepest of `layers` sees.

    Each 3x3 convolution widens the window by two steps of its input's stride, each 2x2 pooling
    by one, and pooling doubles the stride.
    """
    names = layer_names(arch)
    deepest = max(names.index(name) for name in layers)
    field, stride = 1, 1
    for name in names[: deepest + 1]:
        if name.endswith("_pool"):
            field, stride = field + stride, stride * 2
        else:
            field += 2 * stride
    return field


def activation_bytes(arch, layers, height, width):
    """Bytes of every float32 activation up to the deepest of `layers` for one image."""
    names = layer_names(arch)
    deepest = max(names.index(name) for name in layers)
    floats = 0
    for name in names[: deepest + 1]:
        scale = 2 ** pooling_steps(name)
        block = int(name[len("block")])
        floats += (height // scale) * (width // scale) * _BLOCK_CHANNELS[block - 1]
    return floats * 4


def estimate_memory_bytes(arch, layers, height, width, precision="float32"):
    """Peak resident memory of optimising one image of this size whole (forward and backward
    passes, L-BFGS state), including the process's fixed cost (TensorFlow, the network).

    A linear model, fitted to peaks measured on the stand-in VGG16 at 384, 768 and 1280 px: a
    fixed cost, a multiple of the activations (their gradients and temporaries) and the
    optimiser's vectors per pixel. The bfloat16 model errs above the measured peaks, a margin kept
    because its fit rests on few runs (bench_results/memory_calibration_*.json, bench_memory*.json
    and the README's memory section compare the two).

    Args:
      arch: "vgg16" or "vgg19".
      layers: requested layer names.
      height, width: image size.
      precision: the loss network's, resolved: "float32" or "bfloat16".

    Returns:
      bytes, as an int.
    """
    activations = activation_bytes(arch, layers, height, width)
    return int(
        FIXED_BYTES[precision]
        + ACTIVATION_FACTOR[precision] * activations
        + PIXEL_BYTES * height * width
    )
