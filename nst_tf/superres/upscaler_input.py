"""Training pairs for super-resolution: high-resolution crops and their downscaled versions.

The photos come through the feed-forward tf.data pipeline (nst_tf.feedforward.training_input) at a
shorter side of `pool_size`; each is cropped at random to `crop_size` and downscaled by the
factor (bicubic with antialiasing, as `downscale`).
"""

import tensorflow as tf

from nst_tf.feedforward import training_input


def downscale(images, factor):
    """Images (batch, h, w, 3) in [0, 255] shrunk by `factor` (bicubic, antialiased), clipped.

    Sides that do not divide by the factor are first cut at the bottom and right.
    """
    shape = tf.shape(images)
    small = (shape[1] // factor, shape[2] // factor)
    images = images[:, : small[0] * factor, : small[1] * factor]
    shrunk = tf.image.resize(images, small, method="bicubic", antialias=True)
    return tf.clip_by_value(shrunk, 0.0, 255.0)


def training_pairs(source, factor, crop_size, pool_size, batch_size, seed=0):
    """An endless dataset of (low-resolution, high-resolution) batches.

    Args:
      source: image folder or "tfds:NAME[:SPLIT]" (see nst_tf.feedforward.training_input).
      factor: downscaling factor; crop_size must divide by it.
      crop_size: side of the high-resolution crops, px.
      pool_size: shorter side the photos are resized to before cropping, px.
      batch_size: pairs per batch.
      seed: shuffling and cropping seed.

    Returns:
      (tf.data.Dataset of (low (batch, crop/factor, crop/factor, 3), high (batch, crop, crop,
      3)), feedforward.training_input.TrainingData of the photos).
    """
    photos = training_input.training_data(source, pool_size, batch_size, seed=seed)

    def crop(image):
        return tf.image.random_crop(image, (crop_size, crop_size, 3), seed=seed)

    def pair(high):
        return downscale(high, factor), high

    dataset = (
        photos.dataset.unbatch()
        .map(crop, num_parallel_calls=tf.data.AUTOTUNE)
        .batch(batch_size, drop_remainder=True)
        .map(pair)
        .prefetch(tf.data.AUTOTUNE)
    )
    return dataset, photos
