"""Stylising videos frame by frame with a trained network.

Frames stylised one by one flicker. Temporal smoothing damps it: "flow" warps the previous
result along the optical flow into the current frame and blends it in where the motion is
reliable (new content, occlusions and cuts keep the fresh stylisation); "blend" blends the
previous result in place where the content did not change, which smears whatever moves.
"""

import numpy as np

from nst_tf import motion
from nst_tf.errors import NstError
from nst_tf.io import video_io

TEMPORAL_MODES = ("none", "blend", "flow")
# How much of the previous result each mode keeps by default: with flow (bicubic warps), 0.9
# flickers far less than frames stylised one by one and keeps most of their sharpness
# (tools/bench/bench_video.py; figures in bench_results/bench_video.json and the README's video
# section); blend smears moving things beyond 0.5.
DEFAULT_SMOOTHING = {"flow": 0.9, "blend": 0.5, "none": 0.0}


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
    keep = strength * motion.unchanged(previous_content, content)[..., None]
    return (stylised * (1.0 - keep) + previous_result * keep).astype(np.float32)


def flow_smooth(stylised, previous_result, content, previous_content, strength):
    """Blends a stylised frame with the previous result moved along the optical flow, where the
    flow is reliable (forward-backward consistent).

    Args: as for `smooth`.

    Returns:
      the output frame, float32.
    """
    if previous_result is None or strength <= 0:
        return stylised.astype(np.float32)
    warped, mask = motion.follow(previous_result, previous_content, content)
    keep = strength * mask[..., None]
    return (stylised * (1.0 - keep) + warped * keep).astype(np.float32)


def stylize_video(
    style_model,
    style_weights,
    in_path,
    out_path,
    size=None,
    smoothing=None,
    batch_size=4,
    progress=True,
    temporal="flow",
):
    """Stylises a video, keeping its sound; the result is written atomically.

    Args:
      style_model: feedforward.StyleModel.
      style_weights: from StyleModel.style_weights.
      in_path, out_path: video files (the ending of out_path picks the container).
      size: longest side of the output frames (None: the input's).
      smoothing: temporal smoothing strength in [0, 1); None: the mode's DEFAULT_SMOOTHING.
      batch_size: frames per forward pass.
      progress: show a progress bar.
      temporal: "flow", "blend" or "none" (see the module's docstring).

    Returns:
      number of frames written.

    Raises:
      NstError: unreadable video or bad smoothing.
    """

    if temporal not in TEMPORAL_MODES:
        raise NstError(f"temporal must be one of {', '.join(TEMPORAL_MODES)}, got {temporal!r}")
    smoothing = DEFAULT_SMOOTHING[temporal] if smoothing is None else smoothing
    if not 0 <= smoothing < 1:
        raise NstError(f"temporal smoothing must be in [0, 1), got {smoothing}")
    step = {"flow": flow_smooth, "blend": smooth}.get(temporal)
    smoothing = smoothing if step else 0.0
    reader, meta = video_io.open_video(in_path)
    try:
        frames = _stylised_frames(
            reader, style_model, style_weights, size, batch_size, step or smooth, smoothing
        )
        return video_io.write_video(
            frames, out_path, sound_from=in_path, fps=meta.get("fps", 25),
            total=video_io.frame_count(meta), progress=progress,
        )  # fmt: skip
    finally:
        reader.close()


def _stylised_frames(reader, style_model, style_weights, size, batch_size, step, smoothing):
    """The frames of `reader` stylised in batches and smoothed one by one with `step`."""
    previous_content = previous_result = None
    for batch in video_io.frame_batches(reader, batch_size, size):
        outputs = style_model.stylize(batch, style_weights)
        for content, stylised in zip(batch, outputs):
            result = step(stylised, previous_result, content, previous_content, smoothing)
            yield result
            previous_content, previous_result = content, result
