"""Training images through tf.data: an image folder or a TensorFlow Datasets name.

Images are decoded, resized so their shorter side is the training size, randomly cropped to a
square, shuffled, batched and prefetched. Files that cannot be decoded are skipped and counted.
"""

import dataclasses
import threading

import numpy as np
import tensorflow as tf
from PIL import Image, UnidentifiedImageError

from nst_tf.errors import NstError
from nst_tf.feedforward import training_config
from nst_tf.io import files
from nst_tf.io import image_io as image_io


@dataclasses.dataclass
class SkippedFiles:
    """Counts files that could not be decoded (thread-safe: tf.data decodes in parallel)."""

    count: int = 0
    examples: list = dataclasses.field(default_factory=list)

    def __post_init__(self):
        self._lock = threading.Lock()

    def add(self, path):
        """Records one unreadable file."""
        with self._lock:
            self.count += 1
            if len(self.examples) < 5:
                self.examples.append(path)


@dataclasses.dataclass
class TrainingData:
    """A training dataset and what is known about it.

    Attributes:
      dataset: infinite tf.data.Dataset of float32 batches (batch, size, size, 3) in [0, 255].
      description: e.g. "folder data/ (300 images)" or "tfds:imagenette (train)".
      skipped: SkippedFiles of the folder (stays at zero for TFDS).
    """

    dataset: tf.data.Dataset
    description: str
    skipped: SkippedFiles


def training_data(source, image_size, batch_size, seed=0, shuffle_buffer=1024, input_context=None):
    """Builds the training pipeline.

    Args:
      source: an image folder (searched recursively for jpg, png and webp files) or
        "tfds:NAME[:SPLIT]" (split "train" by default), e.g. "tfds:imagenette".
      image_size: side of the square crops, px.
      batch_size: images per step, the global batch (across all workers and devices).
      seed: shuffling and cropping seed (vary it when resuming, so a resumed run sees new crops).
      shuffle_buffer: shuffle buffer size for TFDS (a folder shuffles its whole file list).
      input_context: a tf.distribute.InputContext: this input pipeline (worker) keeps its share
        of every global batch, before decoding, and batches per device; None: all of it.

    Returns:
      TrainingData.

    Raises:
      NstError: the folder is missing or has no readable image, or the dataset cannot be loaded.
    """
    skipped = SkippedFiles()
    if source.startswith(training_config.TFDS_PREFIX):
        spec = source[len(training_config.TFDS_PREFIX) :]
        images, description = _tfds_images(spec, shuffle_buffer, seed)
        images = _worker_share(images, batch_size, input_context)
    else:
        paths, description = _folder_paths(source, skipped, seed)
        images = _decoded(_worker_share(paths, batch_size, input_context), skipped)

    def crop(image):
        return _random_square_crop(image, image_size, seed)

    per_device = (
        input_context.get_per_replica_batch_size(batch_size) if input_context else batch_size
    )
    dataset = (
        images.map(crop, num_parallel_calls=tf.data.AUTOTUNE)
        .batch(per_device, drop_remainder=True)
        .prefetch(tf.data.AUTOTUNE)
    )
    return TrainingData(dataset, description, skipped)


def _worker_share(dataset, batch_size, input_context):
    """This input pipeline's consecutive share of every global batch of `dataset`, so that the
    workers together see what one worker would (the same shuffled order, cut per batch)."""
    if input_context is None or input_context.num_input_pipelines == 1:
        return dataset
    share = batch_size // input_context.num_input_pipelines
    index = input_context.input_pipeline_id
    return (
        dataset.enumerate()
        .filter(lambda position, _: (position % batch_size) // share == index)
        .map(lambda _, element: element)
    )


def _folder_paths(folder, skipped, seed):
    """The readable image files of a folder, shuffled and repeated without end."""
    paths = files.list_image_files(folder)
    readable = [path for path in paths if _has_image_header(path)]
    for path in sorted(set(paths) - set(readable)):
        skipped.add(path)
    if not readable:
        raise NstError(f"none of the {len(paths)} image files in {folder} can be read")
    dataset = (
        tf.data.Dataset.from_tensor_slices(readable)
        .shuffle(len(readable), seed=seed, reshuffle_each_iteration=True)
        .repeat()
    )
    return dataset, f"folder {folder} ({len(readable)} images)"


def _decoded(paths, skipped):
    """Image files decoded in parallel; those that fail are counted in `skipped` and dropped."""

    def decode(path):
        try:
            return image_io.load_image(path.decode()), True
        except NstError:
            skipped.add(path.decode())
            return np.zeros((1, 1, 3), np.float32), False

    def decode_in_graph(path):
        image, ok = tf.numpy_function(decode, [path], (tf.float32, tf.bool), stateful=False)
        image.set_shape((None, None, 3))
        return image, ok

    return (
        paths.map(decode_in_graph, num_parallel_calls=tf.data.AUTOTUNE)
        .filter(lambda image, ok: ok)
        .map(lambda image, ok: image)
    )


def _has_image_header(path):
    """Whether Pillow recognises the file (reads the header only: cheap)."""
    try:
        with Image.open(path):
            return True
    except (UnidentifiedImageError, OSError, ValueError):
        return False


def _tfds_images(spec, shuffle_buffer, seed):
    import tensorflow_datasets as tfds

    name, _, split = spec.partition(":")
    split = split or "train"
    try:
        dataset = tfds.load(name, split=split, shuffle_files=True)
    except Exception as error:  # noqa: BLE001 - TFDS raises many types (registry, download, split)
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise NstError(f"cannot load the TensorFlow dataset {name!r} ({split}): {reason}") from None
    if "image" not in dataset.element_spec:
        raise NstError(f"the TensorFlow dataset {name!r} has no 'image' feature")
    dataset = (
        dataset.map(lambda example: tf.cast(example["image"], tf.float32))
        .map(_as_rgb)
        .shuffle(shuffle_buffer, seed=seed)
        .repeat()
    )
    return dataset, f"tfds:{name} ({split})"


def _as_rgb(image):
    """Greyscale (one channel) to three channels; RGBA to RGB (TFDS features have static channels)."""
    return tf.image.grayscale_to_rgb(image) if image.shape[-1] == 1 else image[..., :3]


def _random_square_crop(image, size, seed):
    """Resizes so the shorter side is `size` (area-averaging when shrinking), then crops a square."""
    shape = tf.cast(tf.shape(image)[:2], tf.float32)
    scale = size / tf.reduce_min(shape)
    new_shape = tf.maximum(tf.cast(tf.math.ceil(shape * scale), tf.int32), size)
    resized = tf.image.resize(image, new_shape, method="bilinear", antialias=True)
    return tf.clip_by_value(tf.image.random_crop(resized, (size, size, 3), seed=seed), 0.0, 255.0)
