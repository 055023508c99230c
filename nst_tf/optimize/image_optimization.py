"""Image optimisation style transfer (Gatys, Ecker & Bethge 2015/2016) and texture synthesis.

The pixels of one image are optimised with L-BFGS or Adam so that its VGG features match a
content image and the style statistics of its VGG features match one or more style images;
coarse-to-fine over a pyramid if asked. Options: nst_tf.optimize.options.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

import numpy as np

from nst_tf import defaults
from nst_tf.errors import NstError
from nst_tf.io import image_io
from nst_tf.optimize import run
from nst_tf.optimize.inputs import as_image, as_images
from nst_tf.optimize.options import Options, check_positive
from nst_tf.optimize.run import StylizeResult

ImageLike = str | os.PathLike | np.ndarray


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
    # Every option by its name (tests/optimize/test_option_declarations.py checks all reach it).
    options = Options.from_arguments(dict(
        iterations=iterations, optimizer=optimizer, learning_rate=learning_rate, vgg=vgg,
        vgg_weights=vgg_weights, pooling=pooling, loss_network=loss_network,
        content_layers=content_layers, style_layers=style_layers,
        style_layer_weights=style_layer_weights, style_loss=style_loss,
        content_weight=content_weight, style_weight=style_weight, tv_weight=tv_weight,
        tv_mode=tv_mode, photorealism_weight=photorealism_weight, photo_smoothing=photo_smoothing,
        init=init, seed=seed, style_scale=style_scale, style_blend=style_blend, masks=masks,
        label_map=label_map, style_label_maps=style_label_maps, preserve_colors=preserve_colors,
        scales=scales, max_memory=max_memory, tile_size=tile_size, tile_passes=tile_passes,
        progress=progress, save_every=save_every, save_path=save_path, precision=precision,
        xla=xla, on_iteration=on_iteration,
    ), preset)  # fmt: skip
    content = as_image(content, "content")
    shape = content.shape[:2]
    if size is not None:
        check_positive("size", size)
        shape = image_io.scaled_size(*shape, size)
    return run.run_optimization(content, style, shape, options)


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
    options = Options(
        iterations=iterations, optimizer=optimizer, learning_rate=learning_rate, vgg=vgg,
        vgg_weights=vgg_weights, pooling=pooling, loss_network=loss_network,
        style_layers=style_layers, style_layer_weights=style_layer_weights, style_loss=style_loss,
        style_weight=style_weight, tv_weight=tv_weight, tv_mode=tv_mode, init=init, seed=seed,
        style_scale=style_scale, style_blend=style_blend, scales=scales, max_memory=max_memory,
        tile_size=tile_size, tile_passes=tile_passes, progress=progress, save_every=save_every,
        save_path=save_path, precision=precision, xla=xla, on_iteration=on_iteration,
    )  # fmt: skip
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
    return run.run_optimization(None, styles, shape, options)


__all__ = ["stylize", "synthesize_texture"]
