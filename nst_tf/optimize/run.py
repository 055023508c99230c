"""The one entry that runs an optimisation from an Options: used by `stylize`,
`synthesize_texture`, the command line and the web app."""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from nst_tf import colors
from nst_tf.encoders import vgg
from nst_tf.io import image_io
from nst_tf.optimize import drivers, inputs, schedule, style_controls, tiled
from nst_tf.optimize.objective import Objective
from nst_tf.optimize.recorder import Recorder
from nst_tf.photoreal import smoothing


@dataclasses.dataclass
class StylizeResult:
    """What an optimisation returns.

    Attributes:
      image: float32 array (height, width, 3) in [0, 255].
      history: one dict per iteration (iteration 0 is the initial image) with the keys
        "iteration", "seconds" (since the start), "evaluations" (loss evaluations so far),
        "level" (pyramid level, 0 the coarsest; each level starts with an entry of its upsampled
        starting image, at the iteration count where the level below ended) and the weighted
        losses "total", "content", "style", "tv" (at a tiled level, of the tile optimised; its
        tiles share the level's index).
      schedule: the levels and tiles chosen to fit the memory (nst_tf.optimize.schedule).
    """

    image: np.ndarray
    history: list
    schedule: schedule.Schedule | None = None


def run_optimization(content, style, shape, options):
    """Optimises the pixels of one image: style transfer (content given) or texture synthesis
    (content None).

    Args:
      content: content image array at any size, or None.
      style: style image, path or array, or a list of them.
      shape: (height, width) of the result.
      options: Options (validated here).

    Returns:
      StylizeResult.

    Raises:
      NstError: bad images, sizes, layers or options.
    """
    options.validate()
    if content is not None:
        image_io.check_min_side(np.shape(content), "content image")
    styles = inputs.as_images(style)
    blend = style_controls.blend_weights(options.style_blend, len(styles))
    scales = style_controls.style_scales(options.style_scale, len(styles))
    inputs.check_content_needs(content, options)
    style_index, term_weights, masks, style_masks = inputs.style_regions(
        options, None if content is None else content.shape[:2],
        [image.shape[:2] for image in styles], blend,
    )  # fmt: skip
    plan = schedule.plan_for(shape, options, content is not None)
    layers = options.resolved_style_layers()
    if content is not None:
        layers += list(options.content_layers)
    for level in plan.levels:
        inputs.check_sizes(level.shape, styles, scales, options, layers, plan)
    color_source = content
    content, styles = inputs.color_inputs(content, styles, options.preserve_colors)

    def put_colors_back(image):
        if options.preserve_colors != "luminance":
            return image
        return colors.combine_luminance(image, image_io.resize(color_source, image.shape[:2]))

    loss_network = options.loss_network or vgg.build_loss_network(
        layers, options.vgg, options.vgg_weights, options.pooling, options.precision
    )
    history = []
    started = time.perf_counter()
    image = None
    for index, level in enumerate(plan.levels):
        level_content = None if content is None else image_io.resize(content, level.shape)
        level_styles = inputs.styles_at(styles, level.shape, scales, plan)
        if image is None:
            start = inputs.initial_image(
                options.init, level_content, level_styles, blend, level.shape, options.seed
            )
        else:
            start = image_io.resize(image, level.shape)
        if level.tile is None:
            objective = Objective(
                loss_network, options, level.shape, level_content,
                [level_styles[i] for i in style_index], term_weights, masks, style_masks,
            )  # fmt: skip
            recorder = Recorder(level.iterations, options, started, history, put_colors_back)
            image = drivers.run(objective, start, level.iterations, options, recorder)
            history += recorder.history
            continue
        image = tiled.optimize_tiles(
            loss_network, options, level, plan, start, level_content, level_styles, blend,
            _tile_runner(options, level, index, started, history, put_colors_back),
        )  # fmt: skip
    image = put_colors_back(image)
    if options.photo_smoothing is not None:
        image = smoothing.photo_smooth(image, color_source, options.photo_smoothing)
    return StylizeResult(image=image, history=history, schedule=plan)


def _tile_runner(options, level, index, started, history, put_colors_back):
    """The function that optimises one tile of a tiled level and records its losses."""
    quiet = dataclasses.replace(options, progress=False, save_every=0, on_iteration=None)

    def run_tile(objective, tile_start):
        recorder = Recorder(level.iterations, quiet, started, history, put_colors_back, level=index)
        tile = drivers.run(objective, tile_start, level.iterations, options, recorder)
        history.extend(recorder.history)
        return tile

    return run_tile
