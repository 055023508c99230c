"""Videos by optimisation (Ruder, Dosovitskiy & Brox 2016).

Each frame's pixels are optimised for that frame's content and the styles. With temporal "flow"
a frame starts from the previous result moved along the optical flow, and a temporal loss keeps
it there wherever the motion is reliable (forward-backward consistent), so the painting moves
with the scene instead of flickering; "blend" does the same without flow, where the content
stands still; "none" optimises every frame on its own.

The finished frames are kept as PNG files in a folder beside the output while the video is
made (`.NAME.frames`), so a killed run resumes at the frame where it stopped; the folder goes
once the video is written.
"""

import dataclasses
import hashlib
import itertools
import json
import os
import shutil
import time

import numpy as np

from nst_tf import colors, defaults, motion
from nst_tf.encoders import vgg
from nst_tf.errors import NstError
from nst_tf.io import image_io, video_io
from nst_tf.optimize import drivers, inputs, schedule, style_controls
from nst_tf.optimize.objective import Objective
from nst_tf.optimize.options import Options
from nst_tf.optimize.recorder import Recorder
from nst_tf.photoreal import smoothing

TEMPORAL_MODES = ("none", "blend", "flow")


def optimize_video(
    video_path,
    style,
    output,
    *,
    size=None,
    temporal="flow",
    temporal_weight=defaults.TEMPORAL_WEIGHT,
    first_frame_iterations=None,
    progress=True,
    options=None,
    **option_values,
):
    """Stylises a video by optimising each frame; keeps its sound, frame rate and size.

    Args:
      video_path: the input video.
      style: style image (path or array) or a list of them.
      output: the video file to write (its ending picks the container); written atomically.
      size: longest side of the output frames (None: the input's).
      temporal: "flow", "blend" or "none" (see the module's docstring).
      temporal_weight: weight of the temporal loss (ignored with "none").
      first_frame_iterations: iterations of the first frame, which starts from scratch
        (default: twice `iterations`).
      progress: show a progress bar over the frames.
      options: an Options (as the command line builds it), instead of keyword options.
      **option_values: the optimisation's options (nst_tf.optimize.options.Options): iterations
        per frame, weights, layers, loss network, init of the first frame, colors...

    Returns:
      number of frames written.

    Raises:
      NstError: bad video, images or options, or options that do not apply to videos.
    """
    if options is not None and option_values:
        raise NstError("give an Options or keyword options, not both")
    if options is None:
        options = Options.from_arguments(option_values)
    options = dataclasses.replace(options, progress=False)
    _check_video_options(options, temporal, temporal_weight)
    first_frame_iterations = first_frame_iterations or 2 * options.iterations
    styles = inputs.as_images(style)
    reader, meta = video_io.open_video(video_path)
    try:
        frames = video_io.frame_batches(reader, 1, size)
        first = next(frames, None)
        if first is None:
            raise NstError(f"video {video_path} has no frames")
        painter = _FramePainter(
            options, styles, first[0], temporal, temporal_weight, first_frame_iterations
        )
        work = _work_folder(output, _fingerprint(video_path, styles, first[0].shape, options,
                                                 temporal, temporal_weight, first_frame_iterations))  # fmt: skip
        painted = _painted_frames(
            painter, (batch[0] for batch in itertools.chain([first], frames)), work
        )
        written = video_io.write_video(
            painted, output, sound_from=video_path, fps=meta.get("fps", 25),
            total=video_io.frame_count(meta), progress=progress,
        )  # fmt: skip
    finally:
        reader.close()
    shutil.rmtree(work, ignore_errors=True)
    return written


def _check_video_options(options, temporal, temporal_weight):
    """Raises NstError for options that do not apply to videos."""
    options.validate()
    if temporal not in TEMPORAL_MODES:
        raise NstError(f"temporal must be one of {', '.join(TEMPORAL_MODES)}, got {temporal!r}")
    if not (np.isfinite(temporal_weight) and temporal_weight >= 0):
        raise NstError(f"temporal weight must be a finite number >= 0, got {temporal_weight}")
    unsupported = {
        "pyramid levels (scales > 1)": (options.scales or 1) > 1,
        "masks or a label map": options.masks is not None or options.label_map is not None,
        "the style swap loss": options.style_loss == "swap",
        "saving every N iterations": bool(options.save_every),
    }
    for name, given in unsupported.items():
        if given:
            raise NstError(f"{name} apply to single images, not to videos")


class _FramePainter:
    """Optimises frames one after another with one objective (traced once for the video)."""

    def __init__(self, options, styles, first_frame, temporal, temporal_weight, first_iterations):
        self.options = options
        self.temporal = temporal
        self.first_iterations = first_iterations
        self.shape = first_frame.shape[:2]
        # Colours: the styles are matched to the first frame once; "luminance" optimises grey.
        self.content_of = lambda frame: inputs.color_inputs(frame, [], options.preserve_colors)[0]
        _, self.styles = inputs.color_inputs(first_frame, styles, options.preserve_colors)
        self.blend = style_controls.blend_weights(options.style_blend, len(styles))
        scales = style_controls.style_scales(options.style_scale, len(styles))
        layers = options.resolved_style_layers() + list(options.content_layers)
        plan = schedule.plan_for(self.shape, dataclasses.replace(options, scales=1), True)
        if plan.levels[-1].tile is not None:
            raise NstError(
                f"frames of {self.shape[1]}x{self.shape[0]} px need tiles ({plan.describe()}), "
                "which videos do not take: choose a smaller --size"
            )
        inputs.check_sizes(self.shape, self.styles, scales, options, layers, plan)
        self.styles = inputs.styles_at(self.styles, self.shape, scales, plan)
        self.layers = layers
        self.temporal_weight = temporal_weight if temporal != "none" else 0.0
        self.objective = None

    def paint(self, frame, previous_frame, previous_result):
        """The result for `frame` (float32 (height, width, 3), 0-255), given the previous frame
        and its result (None for the first frame)."""
        content = self.content_of(frame)
        objective = self._objective(content)
        objective.set_content(content)
        iterations = self.options.iterations
        if previous_result is None or self.temporal == "none":
            start = inputs.initial_image(
                self.options.init, content, self.styles, self.blend, self.shape, self.options.seed
            )
            iterations = self.first_iterations if previous_result is None else iterations
            target, mask = start, np.zeros(self.shape, np.float32)
        else:
            previous = self.content_of(previous_result)
            if self.temporal == "flow":
                target, mask = motion.follow(previous, previous_frame, frame)
            else:
                target, mask = previous, motion.unchanged(previous_frame, frame)
            start = target
        if self.temporal_weight:
            objective.set_temporal(target, mask)
        recorder = Recorder(iterations, self.options, time.perf_counter(), [], lambda x: x)
        image = drivers.run(objective, start, iterations, self.options, recorder)
        if self.options.preserve_colors == "luminance":
            image = colors.combine_luminance(image, frame)
        if self.options.photo_smoothing is not None:
            image = smoothing.photo_smooth(image, frame, self.options.photo_smoothing)
        return image

    def _objective(self, content):
        if self.objective is None:
            options = self.options
            network = options.loss_network or vgg.build_loss_network(
                self.layers, options.vgg, options.vgg_weights, options.pooling, options.precision
            )
            self.objective = Objective(
                network, options, self.shape, content, self.styles, self.blend,
                temporal_weight=self.temporal_weight,
            )  # fmt: skip
        return self.objective


def _painted_frames(painter, frames, work):
    """The finished frames, each painted or, if a killed run finished it, read back."""
    previous_frame = previous_result = None
    for index, frame in enumerate(frames):
        path = os.path.join(work, f"{index:06d}.png")
        if os.path.exists(path):
            result = image_io.load_image(path)
        else:
            result = painter.paint(frame, previous_frame, previous_result)
            image_io.save_image(path, result)
            # Continue from what was saved, as a resumed run would.
            result = image_io.load_image(path)
        yield result
        previous_frame, previous_result = frame, result


def _work_folder(output, fingerprint):
    """The folder of finished frames beside `output`; emptied if it holds another job's."""
    folder = os.path.join(
        os.path.dirname(os.path.abspath(output)), f".{os.path.basename(output)}.frames"
    )
    stamp = os.path.join(folder, "job.txt")
    if os.path.isdir(folder) and _read(stamp) != fingerprint:
        shutil.rmtree(folder)
    os.makedirs(folder, exist_ok=True)
    with open(stamp, "w", encoding="utf-8") as file:
        file.write(fingerprint)
    return folder


def _read(path):
    """A text file's contents, or "" if it cannot be read."""
    try:
        with open(path, encoding="utf-8") as file:
            return file.read()
    except OSError:
        return ""


def _fingerprint(video_path, styles, frame_shape, options, *settings):
    """What the finished frames depend on: the input video, styles and settings."""
    digest = hashlib.sha256()
    status = os.stat(video_path)
    digest.update(f"{os.path.abspath(video_path)} {status.st_size} {status.st_mtime}".encode())
    for image in styles:
        digest.update(np.ascontiguousarray(image).tobytes())
    fields = {
        name: repr(value)
        for name, value in vars(options).items()
        if name not in ("progress", "on_iteration", "loss_network")
    }
    fields["loss_network"] = options.loss_network is not None
    digest.update(json.dumps([fields, frame_shape, settings], sort_keys=True).encode())
    return digest.hexdigest()
