"""Video files: which paths are videos, and their frames in batches (imageio with the ffmpeg
binary of the imageio-ffmpeg wheel)."""

import os

import numpy as np

from nst_tf.errors import NstError
from nst_tf.io import image_io

VIDEO_ENDINGS = (".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".gif")


def is_video(path):
    """Whether a path names a video by its ending."""
    return os.fspath(path).lower().endswith(VIDEO_ENDINGS)


def open_video(path):
    """An imageio reader of a video and its metadata (fps, nframes, ...).

    Raises:
      NstError: the file is not a readable video.
    """
    import imageio.v2 as imageio

    try:
        reader = imageio.get_reader(path, format="FFMPEG")
        return reader, reader.get_meta_data()
    except Exception as error:  # noqa: BLE001 - imageio raises several types for bad input
        raise NstError(f"cannot read video {path}: {str(error).splitlines()[0]}") from None


def frame_batches(reader, batch_size, size):
    """Float32 frame batches (cropped to even sides, which H.264 needs)."""
    batch = []
    for frame in reader:
        frame = np.asarray(frame, np.float32)[..., :3]
        if size:
            frame = image_io.resize_longest(frame, size)
        height, width = frame.shape[:2]
        batch.append(frame[: height - height % 2, : width - width % 2])
        if len(batch) == batch_size:
            yield np.stack(batch)
            batch = []
    if batch:
        yield np.stack(batch)
