"""Whether images fit the loss network and the machine's memory (no TensorFlow needed)."""

import os
import re

from nst_tf.encoders import vgg_layers
from nst_tf.errors import NstError


def check_image_size(name, shape, layers):
    """Raises NstError if an image is too small for the layers (memory: optimize.schedule)."""
    needed = vgg_layers.min_image_side(layers)
    if min(shape) < needed:
        raise NstError(
            f"the {name} is {shape[1]}x{shape[0]} px, too small for layer(s) "
            f"{', '.join(layers)}: its shorter side must be at least {needed} px"
        )


def parse_memory(value):
    """A memory amount as bytes: an int, or a string such as "8G", "512M", "1.5GiB", "2e9".

    Raises:
      NstError: not a positive amount.
    """
    if value is None or isinstance(value, int):
        amount = value
    else:
        match = re.fullmatch(r"\s*([0-9.eE+]+)\s*([kKmMgGtT]?)(i?[bB])?\s*", str(value))
        try:
            amount = float(match[1]) * 1024 ** "_KMGT".index(match[2].upper() or "_")
        except (TypeError, ValueError):
            amount = None
    if amount is None or not amount > 0:
        raise NstError(f"max memory must be an amount such as 8G or 512M, got {value!r}")
    return int(amount)


def check_patch_memory(shape, style_shape, layers, limit):
    """Raises NstError if the patch matching scores (one per result patch and style patch, at
    each style layer, with their gradient's temporaries) would not fit in `limit` bytes."""
    need = 0
    for name in layers:
        stride = 2 ** (int(name[len("block")]) - 1)  # the conv layers of block b: halved b-1 times
        positions = [(side // stride) * (other // stride) for side, other in (shape, style_shape)]
        need += positions[0] * positions[1] * 4 * 3
    if need > limit:
        raise NstError(
            f"patch matching at {shape[1]}x{shape[0]} px with a {style_shape[1]}x{style_shape[0]} "
            f"px style needs about {need / 2**30:.1f} GiB, more than the {limit / 2**30:.1f} "
            "GiB allowed: choose a smaller size or style_scale"
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
