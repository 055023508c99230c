"""The steps of a batch, as plain functions both engines call (the Beam DoFns in `beam_steps`,
the Dask tasks in `on_dask`): skip what is done, decode, batch by size, paint, write whole; a
failure becomes a dead letter (a JSON line: the input and a one-line reason). No Beam, no Dask,
no TensorFlow here (the network's engine is imported where the painter is made)."""

import json

import numpy as np

from nst_tf.errors import NstError
from nst_tf.io import files, image_io

# What one image's step can fail with: it becomes a dead letter, the batch goes on.
IMAGE_ERRORS = (NstError, OSError)
COUNTERS = (
    "images_written",
    "images_kept",
    "images_failed",
    "bytes_read",
    "bytes_written",
    "batches",
    "stylize_ms",
)


def dead_letter(path, reason):
    """One line of the dead-letter file."""
    return json.dumps({"input": path, "reason": " ".join(str(reason).split())})


def decode(path, data, size):
    """An input's bytes as a uint8 image, resized to `size` (longest side; None: as it is).

    Raises:
      NstError: not an image, truncated, or under 16 px a side.
    """
    image = image_io.decode_image(data, path)
    image_io.check_min_side(image.shape, "image")
    if size:
        image = image_io.resize_longest(image, size)
    return image_io.to_uint8(image)


def size_key(image):
    """The key images are batched by: their height and width."""
    return f"{image.shape[0]}x{image.shape[1]}"


class SizeBatcher:
    """Gathers (path, target, image) items of one size into groups of up to `batch_size`."""

    def __init__(self, batch_size):
        self.batch_size = batch_size
        self.pending = {}

    def add(self, item):
        """Adds an item; returns a full group of its size, or None."""
        group = self.pending.setdefault(size_key(item[2]), [])
        group.append(item)
        if len(group) == self.batch_size:
            return self.pending.pop(size_key(item[2]))
        return None

    def drain(self):
        """The groups not yet full, and forgets them."""
        groups, self.pending = list(self.pending.values()), {}
        return groups


def make_painter(model=None, model_style=None, style=None, engine="auto"):
    """A function from a float32 batch (n, height, width, 3) to its stylised images: a network
    `nst_tf.load_style_network` reads (`model`, a local path or shipped name, with
    `model_style`), or Magenta's arbitrary network with the painting `style` (uint8), which
    paints image by image (as `nst-tf stylize --fast`: its stroke pass works on one image)."""
    if style is not None:
        from nst_tf.pretrained import fast

        painting = np.asarray(style, np.float32)
        vector = fast.shared_paintings_vector(painting, engine=engine)
        return lambda images: np.stack([
            fast.stylize_fast(image, painting, engine=engine, paintings_vector=vector)
            for image in images
        ])  # fmt: skip
    from nst_tf.feedforward import styles

    network = styles.load_style_network(model, engine)
    weights = network.style_weights(model_style)
    return lambda images: network.stylize(images, weights)


def paint(painter, group):
    """The stylised images of a group of (path, target, uint8 image), in its order."""
    return painter(np.stack([image for _, _, image in group]).astype(np.float32))


def encode(output, target):
    """A stylised image as the bytes of its output file (format from the target's ending)."""
    return image_io.encode_image(np.asarray(output), target)


def write_local(target, data):
    """Writes an output whole, never over one already there (a task run twice writes once).

    Returns:
      whether it was written (False: it was there).
    """
    return files.write_atomically(target, lambda f: f.write(data), keep_existing=True)
