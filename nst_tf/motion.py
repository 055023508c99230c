"""Motion between video frames: dense optical flow (OpenCV's DIS), warping, and where the flow
can be trusted (forward-backward consistency, Ruder, Dosovitskiy & Brox 2016). No TensorFlow.

A flow is a float32 array (height, width, 2) of (dx, dy) per pixel. The flow from frame B back
to frame A says, for each pixel of B, where it was in A: warping A with it gives A as seen in B.
"""

import cv2
import numpy as np

# Content change (mean absolute difference over RGB, 0-255) at which `unchanged` falls to 1/e.
CHANGE_SCALE = 8.0

# Flow is measured on frames scaled so their longest side is at most this: DIS is then a few
# milliseconds a frame, and the large motions that matter are kept.
FLOW_SIDE = 384


def _grey(frame, scale):
    grey = cv2.cvtColor(np.clip(frame, 0, 255).astype(np.uint8), cv2.COLOR_RGB2GRAY)
    if scale == 1.0:
        return grey
    return cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)


def optical_flow(source, target, accurate=False):
    """The flow from `target` back to `source` (for each pixel of target, where it was in source).

    Args:
      source, target: RGB frames (height, width, 3), 0-255, of the same size.
      accurate: DIS's medium preset at full size (for measuring), instead of its ultrafast
        preset at FLOW_SIDE (for smoothing, a few milliseconds a frame).

    Returns:
      float32 (height, width, 2).
    """
    height, width = target.shape[:2]
    scale = 1.0 if accurate else min(1.0, FLOW_SIDE / max(height, width))
    preset = "MEDIUM" if accurate else "ULTRAFAST"
    dis = cv2.DISOpticalFlow_create(getattr(cv2, f"DISOPTICAL_FLOW_PRESET_{preset}"))
    flow = dis.calc(_grey(target, scale), _grey(source, scale), None)
    if scale != 1.0:
        flow = cv2.resize(flow, (width, height), interpolation=cv2.INTER_LINEAR) / scale
    return flow.astype(np.float32)


def warp(image, flow, cubic=False):
    """`image` (a frame or anything aligned with it) moved along `flow` (see optical_flow).

    Args:
      cubic: bicubic instead of bilinear interpolation: results warped again frame after frame
        stay sharp (bilinear visibly blurred the smoothed videos of tools/bench/bench_video.py).

    Returns:
      float32 array like `image`; pixels that come from outside repeat the border.
    """
    height, width = flow.shape[:2]
    grid_x, grid_y = np.meshgrid(
        np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32)
    )
    return cv2.remap(
        np.asarray(image, np.float32),
        grid_x + flow[..., 0],
        grid_y + flow[..., 1],
        interpolation=cv2.INTER_CUBIC if cubic else cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )


def reliable(backward, forward):
    """Where the flow can be trusted: following `backward` (target -> source) then `forward`
    (source -> target) returns to the start, up to a tolerance that grows with the motion
    (Ruder et al. 2016, eq. 4). Occluded and disoccluded pixels fail.

    Returns:
      float32 mask (height, width), 1 where reliable, 0 elsewhere.
    """
    returned = warp(forward, backward)
    gap = np.sum((backward + returned) ** 2, axis=-1)
    tolerance = 0.01 * (np.sum(backward**2, axis=-1) + np.sum(returned**2, axis=-1)) + 0.5
    return (gap <= tolerance).astype(np.float32)


def follow(previous_result, previous_frame, frame):
    """The previous frame's result moved into `frame` along the optical flow, and where that
    can be trusted.

    Args:
      previous_result: anything aligned with `previous_frame` (height, width, channels).
      previous_frame, frame: consecutive RGB frames, 0-255.

    Returns:
      (moved result float32 like previous_result, reliability mask (height, width) of 0 or 1).
    """
    backward = optical_flow(previous_frame, frame)
    forward = optical_flow(frame, previous_frame)
    return warp(previous_result, backward, cubic=True), reliable(backward, forward)


def unchanged(previous_frame, frame):
    """Where the content stands still, without flow: 1 where two frames agree, falling off
    as exp(-difference / CHANGE_SCALE) with their mean absolute difference over RGB.

    Returns:
      float32 mask (height, width).
    """
    change = np.mean(np.abs(np.asarray(frame, np.float32) - previous_frame), axis=-1)
    return np.exp(-change / CHANGE_SCALE).astype(np.float32)


def warping_error(previous_output, output, previous_frame, frame):
    """Flicker of a stylised video at one frame: the mean absolute difference (0-255) between
    the output and the previous output warped into it, over the pixels whose motion is reliable.
    The flow is the accurate one, not the one the smoothing uses.
    """
    backward = optical_flow(previous_frame, frame, accurate=True)
    forward = optical_flow(frame, previous_frame, accurate=True)
    mask = reliable(backward, forward)[..., None]
    difference = np.abs(np.asarray(output, np.float32) - warp(previous_output, backward))
    return float((difference * mask).sum() / max(mask.sum() * 3, 1.0))
