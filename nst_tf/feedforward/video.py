"""Stylising videos frame by frame with a trained network.

Optional temporal smoothing blends each stylised frame with the previous result where the
content did not change, which damps the flicker of independent per-frame stylisation.
"""

import numpy as np

from nst_tf.errors import NstError
from nst_tf.io import files, image_io, video

# Content change (mean absolute difference over RGB, 0-255) at which smoothing falls to 1/e.
_CHANGE_SCALE = 8.0


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
    reader, meta = video.open_video(in_path)
    files.check_writable_destination(out_path)
    total = meta.get("nframes")
    frames_written = 0
    try:
        with files.atomic_path(out_path) as temporary:
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
                for batch in video.frame_batches(reader, batch_size, size):
                    outputs = style_model.stylize(batch, style_weights)
                    for content, stylised in zip(batch, outputs):
                        result = smooth(
                            stylised, previous_result, content, previous_content, smoothing
                        )
                        writer.append_data(image_io.to_uint8(result))
                        previous_content, previous_result = content, result
                        frames_written += 1
                    bar.update(len(batch))
            if not frames_written:
                raise NstError(f"video {in_path} has no frames")
    finally:
        reader.close()
    return frames_written
