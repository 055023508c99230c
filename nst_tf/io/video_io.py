"""Video files: which paths are videos, and their frames in batches (imageio with the ffmpeg
binary of the imageio-ffmpeg wheel)."""

import os

import numpy as np

from nst_tf.errors import NstError
from nst_tf.io import files, image_io

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


def short_of_frames(path, frames):
    """A one-line warning if a video yielded clearly fewer frames than its header announces
    (a file truncated mid-stream), else None."""
    reader, meta = open_video(path)
    reader.close()
    announced = meta.get("duration", 0) * meta.get("fps", 0)
    if announced and frames < announced - max(2, 0.02 * announced):
        return (
            f"{path} ended after {frames} of about {round(announced)} frames (truncated?); "
            f"the {frames} decoded frames were written"
        )
    return None


def frame_batches(reader, batch_size, size):
    """Float32 frame batches (cropped to even sides, which H.264 needs); frames under
    image_io.MIN_SIDE px a side are refused (NstError)."""
    batch = []
    for frame in reader:
        frame = np.asarray(frame, np.float32)[..., :3]
        image_io.check_min_side(frame.shape, "video's frame")
        if size:
            frame = image_io.resize_longest(frame, size)
        height, width = frame.shape[:2]
        batch.append(frame[: height - height % 2, : width - width % 2])
        if len(batch) == batch_size:
            yield np.stack(batch)
            batch = []
    if batch:
        yield np.stack(batch)


def frame_count(meta):
    """The number of frames a reader's metadata announces, or None if unknown."""
    total = meta.get("nframes")
    return total if total and total != float("inf") else None


def write_video(frames, out_path, *, sound_from, fps, total=None, progress=True):
    """Encodes frames into a video at `out_path` with the sound of `sound_from`, atomically:
    on any error or interruption nothing is left at `out_path`.

    Args:
      frames: iterable of RGB frames (height, width, 3), 0-255, of one even-sided size.
      out_path: the video file (its ending picks the container).
      sound_from: the video whose sound track is copied in (none if it has none).
      fps: frame rate.
      total: the number of frames expected, for the progress bar (None: unknown).
      progress: show a progress bar with frames per second.

    Returns:
      number of frames written.

    Raises:
      NstError: no frames, or the output cannot be written.
    """
    files.check_writable_destination(out_path)
    with files.atomic_path(out_path) as temporary:
        # Frames go to a silent file first; the sound is then copied in.
        silent = os.path.join(os.path.dirname(temporary), f".silent-{os.path.basename(out_path)}")
        try:
            written = _encode(frames, silent, fps, total, progress)
            if not written:
                raise NstError(f"video {sound_from} has no frames")
            with_audio_of(sound_from, silent, temporary)
        finally:
            if os.path.exists(silent):
                os.remove(silent)
    return written


def _encode(frames, path, fps, total, progress):
    """Writes frames to a silent video at `path`; returns how many."""
    import imageio.v2 as imageio
    import tqdm

    written = 0
    writer = imageio.get_writer(path, format="FFMPEG", fps=fps, macro_block_size=2, quality=8)
    with writer, tqdm.tqdm(total=total, disable=not progress, unit="frame") as bar:
        for frame in frames:
            writer.append_data(image_io.to_uint8(frame))
            written += 1
            bar.update(1)
    return written


def with_audio_of(source, silent, destination):
    """Writes `destination`: the frames of `silent` with the sound of `source`, copied as they are
    (no re-encoding). A source without sound gives `silent`'s frames alone.

    Raises:
      NstError: ffmpeg failed.
    """
    import subprocess

    import imageio_ffmpeg

    command = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-y", "-i", silent, "-i", source,
        "-map", "0:v", "-map", "1:a?", "-c:v", "copy", "-c:a", "aac", "-shortest", destination,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        reason = (done.stderr.strip().splitlines() or ["unknown error"])[-1]
        raise NstError(f"cannot add the sound of {source} to the video: {reason[:200]}")
