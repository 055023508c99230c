"""Image optimisation style transfer (Gatys, Ecker & Bethge 2015/2016) and texture synthesis.

The pixels of one image are optimised with L-BFGS or Adam so that its VGG features match a
content image and the style statistics of its VGG features match one or more style images;
coarse-to-fine over a pyramid if asked. Options: nst_tf.optimize.options.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Sequence

import numpy as np

from nst_tf import defaults
from nst_tf.encoders import vgg
from nst_tf.errors import NstError
from nst_tf.io import image_io
from nst_tf.optimize import colors, drivers, limits, schedule, style_controls, tiled
from nst_tf.optimize.objective import Objective
from nst_tf.optimize.options import Options, check_positive
from nst_tf.optimize.recorder import Recorder
from nst_tf.photoreal import smoothing

ImageLike = str | os.PathLike | np.ndarray


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


def stylize(
    content: ImageLike,
    style: ImageLike | Sequence[ImageLike],
    *,
    size: int | None = None,
    preset: str | None = None,
    iterations: int = defaults.ITERATIONS,
    optimizer: str = "lbfgs",
    learning_rate: float = defaults.LEARNING_RATE,
    vgg: str = "vgg19",
    vgg_weights: str | None = defaults.DEFAULT_WEIGHTS,
    pooling: str = "max",
    loss_network=None,
    content_layers: Sequence[str] = defaults.CONTENT_LAYERS,
    style_layers: Sequence[str] | None = None,
    style_layer_weights: Sequence[float] | None = None,
    style_loss: str = "gram",
    content_weight: float | None = None,
    style_weight: float = defaults.STYLE_WEIGHT,
    tv_weight: float = defaults.TV_WEIGHT,
    tv_mode: str = "l1",
    photorealism_weight: float | None = None,
    photo_smoothing: float | None = None,
    init: str | None = None,
    seed: int = 0,
    style_scale: float | Sequence[float] = 1.0,
    style_blend: Sequence[float] | None = None,
    masks: Sequence | None = None,
    label_map=None,
    style_label_maps: Sequence | None = None,
    preserve_colors: str | None = None,
    scales: int | None = None,
    max_memory: int | str | None = None,
    tile_size: int | None = None,
    tile_passes: int = 1,
    progress: bool = True,
    save_every: int = 0,
    save_path: str | None = None,
    precision: str = "auto",
    xla: bool = True,
    on_iteration: Callable[[int, Callable[[], np.ndarray]], None] | None = None,
) -> StylizeResult:
    """Transfers the style of one image onto the content of another by optimising the pixels.

    Args:
      content: content image, a path or an array (height, width, 3) in [0, 255].
      style: style image, a path or an array; or a list of them (see `style_blend`, `masks`).
      size: longest side of the result in px; None keeps the content's size.
      preset: None, or a name in nst_tf.optimize.presets.PRESETS whose options apply to the
        options left at None here (nst_tf.optimize.presets.PRESET_OPTIONS).
      the rest: see nst_tf.optimize.options.Options; None for init ("content"),
        content_weight (1), preserve_colors ("none"), photorealism_weight (0) and
        photo_smoothing (None: none) means the preset's value or that default.

    Returns:
      StylizeResult.

    Raises:
      NstError: bad images, sizes, layers or options.
    """
    arguments = dict(locals())
    content, style, size = arguments.pop("content"), arguments.pop("style"), arguments.pop("size")
    options = Options.from_arguments(arguments, arguments.pop("preset"))
    content = as_image(content, "content")
    shape = content.shape[:2]
    if size is not None:
        check_positive("size", size)
        shape = image_io.scaled_size(*shape, size)
    return optimize_image(content, style, shape, options)


def synthesize_texture(
    style: ImageLike | Sequence[ImageLike],
    *,
    size: int | tuple[int, int] = 512,
    iterations: int = defaults.ITERATIONS,
    optimizer: str = "lbfgs",
    learning_rate: float = defaults.LEARNING_RATE,
    vgg: str = "vgg19",
    vgg_weights: str | None = defaults.DEFAULT_WEIGHTS,
    pooling: str = "max",
    loss_network=None,
    style_layers: Sequence[str] | None = None,
    style_layer_weights: Sequence[float] | None = None,
    style_loss: str = "gram",
    style_weight: float = defaults.STYLE_WEIGHT,
    tv_weight: float = defaults.TV_WEIGHT,
    tv_mode: str = "l1",
    init: str = "noise",
    seed: int = 0,
    style_scale: float | Sequence[float] = 1.0,
    style_blend: Sequence[float] | None = None,
    scales: int | None = None,
    max_memory: int | str | None = None,
    tile_size: int | None = None,
    tile_passes: int = 1,
    progress: bool = True,
    save_every: int = 0,
    save_path: str | None = None,
    precision: str = "auto",
    xla: bool = True,
    on_iteration: Callable[[int, Callable[[], np.ndarray]], None] | None = None,
) -> StylizeResult:
    """Synthesises a texture from a style image alone (Gatys, Ecker & Bethge 2015a).

    Args:
      style: the example texture, a path or an array; or a list of them to blend.
      size: longest side in px (int) of a result shaped like the (first) style image, or
        (height, width).
      init: "noise" or "style".
      the rest: see nst_tf.optimize.options.Options.

    Returns:
      StylizeResult.

    Raises:
      NstError: bad images, sizes, layers or options.
    """
    arguments = dict(locals())
    style, size = arguments.pop("style"), arguments.pop("size")
    options = Options.from_arguments(arguments)
    if options.init == "content":
        raise NstError("texture synthesis has no content image: use init 'noise' or 'style'")
    styles = as_images(style)
    if isinstance(size, (int, np.integer)):
        check_positive("size", size)
        shape = image_io.scaled_size(*styles[0].shape[:2], size)
    else:
        shape = tuple(int(side) for side in size)
        for side in shape:
            check_positive("size", side)
    return optimize_image(None, styles, shape, options)


def optimize_image(content, style, shape, options):
    """The optimisation behind `stylize` (content given) and `synthesize_texture` (content None).

    Args:
      content: content image array at any size, or None.
      style: style image, path or array, or a list of them.
      shape: (height, width) of the result.
      options: Options.

    Returns:
      StylizeResult.
    """
    options.validate()
    if content is not None:
        image_io.check_min_side(np.shape(content), "content image")
    styles = as_images(style)
    blend = style_controls.blend_weights(options.style_blend, len(styles))
    scales = style_controls.style_scales(options.style_scale, len(styles))
    _check_content_needs(content, options)
    style_index, term_weights, masks, style_masks = _style_regions(options, content, styles, blend)
    plan = schedule.plan_for(shape, options, content is not None)
    layers = options.resolved_style_layers()
    if content is not None:
        layers += list(options.content_layers)
    for level in plan.levels:
        check_sizes(level.shape, styles, scales, options, layers, plan)
    colour_source = content
    content, styles = colour_inputs(content, styles, options.preserve_colors)

    def finish(image):
        if options.preserve_colors != "luminance":
            return image
        return colors.combine_luminance(image, image_io.resize(colour_source, image.shape[:2]))

    loss_network = options.loss_network or vgg.build_loss_network(
        layers, options.vgg, options.vgg_weights, options.pooling, options.precision
    )
    history = []
    started = time.perf_counter()
    image = None
    for index, level in enumerate(plan.levels):
        level_content = None if content is None else image_io.resize(content, level.shape)
        level_styles = styles_at(styles, level.shape, scales, plan)
        if image is None:
            start = initial_image(
                options.init, level_content, level_styles, blend, level.shape, options.seed
            )
        else:
            start = image_io.resize(image, level.shape)
        if level.tile is None:
            objective = Objective(
                loss_network, options, level.shape, level_content,
                [level_styles[i] for i in style_index], term_weights, masks, style_masks,
            )  # fmt: skip
            recorder = Recorder(level.iterations, options, started, history, finish)
            image = drivers.run(objective, start, level.iterations, options, recorder)
            history += recorder.history
            continue
        quiet = dataclasses.replace(options, progress=False, save_every=0, on_iteration=None)

        def run_tile(objective, tile_start, level=level, index=index):
            recorder = Recorder(level.iterations, quiet, started, history, finish, level=index)
            tile = drivers.run(objective, tile_start, level.iterations, options, recorder)
            history.extend(recorder.history)
            return tile

        image = tiled.optimize_tiles(
            loss_network, options, level, plan, start, level_content, level_styles, blend, run_tile
        )
    image = finish(image)
    if options.photo_smoothing is not None:
        image = smoothing.photo_smooth(image, colour_source, options.photo_smoothing)
    return StylizeResult(image=image, history=history, schedule=plan)


def check_sizes(shape, styles, scales, options, layers, plan):
    """Raises NstError if the result (or its tiles) or a style image at one pyramid level is
    too small for the layers, or the patch losses' scores too large for memory."""
    limits.check_image_size("result", shape, layers)
    for image, scale in zip(styles, scales):
        style_shape = _style_shape(image, shape, scale, plan)
        limits.check_image_size("style image", style_shape, layers)
        if options.style_loss in ("mrf", "swap"):
            limits.check_patch_memory(
                shape, style_shape, options.resolved_style_layers(), plan.limit_bytes
            )


def colour_inputs(content, styles, preserve_colors):
    """The content and style images the optimisation sees under a colour preservation mode.

    Returns:
      (content, styles): grey luminance images for "luminance", the styles recoloured to the
      content's colour statistics for "histogram", the inputs unchanged for "none".
    """
    if preserve_colors == "histogram":
        return content, [colors.match_colors(image, content) for image in styles]
    if preserve_colors == "luminance":
        styles = [colors.match_luminance(image, content) for image in styles]
        return colors.luminance_image(content), styles
    return content, styles


def as_images(style):
    """One style image or a list of them (paths or arrays) as a non-empty list of arrays."""
    many = isinstance(style, (list, tuple))
    styles = [as_image(image, "style") for image in (style if many else [style])]
    if not styles:
        raise NstError("no style image given")
    return styles


def as_image(image, name):
    """A path or array as a float32 (height, width, 3) array in [0, 255], at least
    image_io.MIN_SIDE px a side."""
    if isinstance(image, (str, os.PathLike)):
        image = image_io.load_image(image)
    image = np.asarray(image, dtype=np.float32)
    if image.ndim != 3 or image.shape[-1] != 3:
        raise NstError(f"the {name} image must have shape (height, width, 3), got {image.shape}")
    image_io.check_min_side(image.shape, f"{name} image")
    return image


def styles_at(styles, shape, scales, plan):
    """The style images resized for a result of `shape`: each one's longest side the result's
    times its scale, at most the schedule's style side."""
    return [
        image_io.resize(image, _style_shape(image, shape, scale, plan))
        for image, scale in zip(styles, scales)
    ]


def _style_shape(style, shape, scale, plan):
    """The size of a style image whose longest side is the result's times `scale`, at most the
    schedule's style side (so its statistics can be computed whole)."""
    side = min(max(1, round(max(shape) * scale)), plan.style_side)
    return image_io.scaled_size(*style.shape[:2], side)


def _check_content_needs(content, options):
    """Raises NstError for controls that need a content image when there is none."""
    if content is not None:
        return
    needs = {
        "colour preservation": options.preserve_colors != "none",
        "masks": any(
            value is not None
            for value in (options.masks, options.label_map, options.style_label_maps)
        ),
        "the style swap loss": options.style_loss == "swap",
        "the fast initialisation": options.init == "fast",
        "the photorealism weight": bool(options.photorealism_weight),
        "photo smoothing": options.photo_smoothing is not None,
    }
    for name, wanted in needs.items():
        if wanted:
            verb = "need" if name == "masks" else "needs"
            raise NstError(f"{name} {verb} a content image: use stylize, not texture synthesis")


def _style_regions(options, content, styles, blend):
    """Which style image each style term uses, the terms' weights, and their masks on the
    content and on the style image.

    Returns:
      (style indices, weights, content masks or None, style masks or None): one term per style
      image (its region mask on the content, if given), or with style label maps one per
      (region, style image that has it).
    """
    if options.style_label_maps is None:
        count = len(styles)
        return list(range(count)), blend, _region_masks(options, content, count), None
    return style_controls.semantic_regions(
        options.label_map, list(options.style_label_maps), blend, content.shape[:2],
        [image.shape[:2] for image in styles],
    )  # fmt: skip


def _region_masks(options, content, count):
    """The region masks of the styles at the content's size, or None."""
    if options.masks is not None:
        return style_controls.load_masks(list(options.masks), count, content.shape[:2])
    if options.label_map is not None:
        return style_controls.masks_from_label_map(options.label_map, count, content.shape[:2])
    return None


def initial_image(init, content, styles, blend, shape, seed):
    """The starting pixels: the content, the first style resized to `shape`, the one-pass
    result of the pretrained arbitrary network, or uniform noise."""
    if init == "content":
        return content.astype(np.float32)
    if init == "style":
        return image_io.resize(styles[0], shape)
    if init == "fast":
        from nst_tf.pretrained import fast

        return fast.stylize_fast(content, styles, style_blend=blend, engine="tensorflow")
    return np.random.default_rng(seed).uniform(0.0, 255.0, (*shape, 3)).astype(np.float32)
