"""Whether images fit the loss network and the machine's memory (no TensorFlow needed)."""

import os

from nst_tf.encoders import vgg_layers
from nst_tf.errors import NstError


def check_image_size(name, shape, arch, layers):
    """Raises NstError if an image is too small for the layers or too large for memory."""
    needed = vgg_layers.min_image_side(layers)
    if min(shape) < needed:
        raise NstError(
            f"the {name} is {shape[1]}x{shape[0]} px, too small for layer(s) "
            f"{', '.join(layers)}: its shorter side must be at least {needed} px"
        )
    need = vgg_layers.estimate_memory_bytes(arch, layers, *shape)
    available = available_memory_bytes()
    if need > available:
        raise NstError(
            f"the {name} at {shape[1]}x{shape[0]} px needs about {need / 2**30:.1f} GiB, "
            f"more than the {available / 2**30:.1f} GiB available: choose a smaller size"
        )


def check_patch_memory(shape, style_shape, layers):
    """Raises NstError if the patch matching scores (one per result patch and style patch, at
    each style layer, with their gradient's temporaries) would not fit in memory."""
    need = 0
    for name in layers:
        stride = 2 ** (int(name[len("block")]) - 1)  # the conv layers of block b: halved b-1 times
        positions = [(side // stride) * (other // stride) for side, other in (shape, style_shape)]
        need += positions[0] * positions[1] * 4 * 3
    available = available_memory_bytes()
    if need > available:
        raise NstError(
            f"patch matching at {shape[1]}x{shape[0]} px with a {style_shape[1]}x{style_shape[0]} "
            f"px style needs about {need / 2**30:.1f} GiB, more than the {available / 2**30:.1f} "
            "GiB available: choose a smaller size or style_scale"
        )


def available_memory_bytes():
    """Memory the system can give without swapping: MemAvailable (counts reclaimable cache)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")
