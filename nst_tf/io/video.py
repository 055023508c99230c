"""Stylising videos frame by frame (imageio with the ffmpeg binary of the imageio-ffmpeg wheel).

Optional temporal smoothing blends each stylised frame with the previous result where the
content did not change, which damps the flicker of independent per-frame stylisation.
"""

import os

import numpy as np

from nst_tf.io import image_io as image_io
from nst_tf.errors import NstError

VIDEO_ENDINGS = (".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".gif")
# Content change (mean absolute difference over RGB, 0-255) at which smoothing falls to 1/e.
_CHANGE_SCALE = 8.0


def is_video(path):
    """Whether a path names a video by its ending."""
    return os.fspath(path).lower().endswith(VIDEO_ENDINGS)


def smooth(stylised, previous_result, content, previous_content, strength):
    """Blends a stylised frame with the previous result where the content is unchanged.

    Args:
      stylised: this frame stylised, float (height, width, 3).
      previous_result: the previous output frame, or None for the first frame.
      content, previous_content: this and the previous input frame.
      strength: 0 (no smoothing) to below 1 (heavy).

    Returns:
      the output frame, float32.
    """
    if previous_result is None or strength <= 0:
        return stylised.astype(np.float32)
    change = np.mean(np.abs(content - previous_content), axis=-1, keepdims=True)
    keep = strength * np.exp(-change / _CHANGE_SCALE)
    return (stylised * (1.0 - keep) + previous_result * keep).astype(np.float32)


def stylize_video(
    style_model,
    style_weights,
    in_path,
    out_path,
    size=None,
    smoothing=0.0,
    batch_size=4,
    progress=True,
):
    """Stylises a video; the result is written atomically (no sound track).

    Args:
      style_model: feedforward.StyleModel.
      style_weights: from StyleModel.style_weights.
      in_path, out_path: video files (the ending of out_path picks the container).
      size: longest side of the output frames (None: the input's).
      smoothing: temporal smoothing strength in [0, 1).
      batch_size: frames per forward pass.
      progress: show a progress bar.

    Returns:
      number of frames written.

    Raises:
      NstError: unreadable video or bad smoothing.
    """
    import imageio.v2 as imageio
    import tqdm

    if not 0 <= smoothing < 1:
        raise NstError(f"temporal smoothing must be in [0, 1), got {smoothing}")
    try:
        reader = imageio.get_reader(in_path, format="FFMPEG")
        meta = reader.get_meta_data()
    except Exception as error:  # noqa: BLE001 - imageio raises several types for bad input
        raise NstError(f"cannot read video {in_path}: {str(error).splitlines()[0]}") from None
    image_io.check_writable_destination(out_path)
    folder = os.path.dirname(os.path.abspath(out_path))
    temporary = os.path.join(folder, f".tmp-{os.path.basename(out_path)}")
    total = meta.get("nframes")
    frames_written = 0
    try:
        writer = imageio.get_writer(
            temporary, format="FFMPEG", fps=meta.get("fps", 25), macro_block_size=2, quality=8
        )
        previous_content = previous_result = None
        with (
            writer,
            tqdm.tqdm(
                total=total if total and total != float("inf") else None,
                disable=not progress,
                unit="frame",
            ) as bar,
        ):
            for batch in _batches(reader, batch_size, size):
                outputs = style_model.stylize(batch, style_weights)
                for content, stylised in zip(batch, outputs):
                    result = smooth(stylised, previous_result, content, previous_content, smoothing)
                    writer.append_data(image_io.to_uint8(result))
                    previous_content, previous_result = content, result
                    frames_written += 1
                bar.update(len(batch))
        if not frames_written:
            raise NstError(f"video {in_path} has no frames")
        os.replace(temporary, out_path)
    finally:
        reader.close()
        if os.path.exists(temporary):
            os.remove(temporary)
    return frames_written


def _batches(reader, batch_size, size):
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
