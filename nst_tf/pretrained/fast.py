"""One-pass stylisation with any painting as the style (Magenta's arbitrary network), at the
photo's own resolution.

Images are float arrays (height, width, 3), RGB in [0, 255].

- The style: each painting, read at `style_size`, gives a 100-d style vector; several blend by
  weight; `strength` interpolates towards the content's own vector (Ghiasi et al. 2017).
- Brush strokes: a fully convolutional network paints strokes of a fixed size in pixels, so on a
  large photo they shrink. The strokes are painted at `working_size`, upsampled, and the
  full-resolution pass adds the detail above that scale, so the result is sharp at any size
  while the strokes keep the size they have at the network's training scale.
- Large images go through overlapping tiles that share the whole image's normalisation
  statistics, so tiles do not differ in colour.
"""

import functools
import os
from collections.abc import Sequence

import numpy as np

from nst_tf import blending, colors, engine_choice, tiling
from nst_tf.errors import NstError
from nst_tf.feedforward import shipped
from nst_tf.io import files, image_io
from nst_tf.pretrained import lite_runner
from nst_tf.pretrained.sizes import STYLE_SIZE

# Longest side at which the strokes are painted (the peer paints everything at 384). At 512 the
# strokes turned to coloured speckle on a face filling a 2048 px photo; 1024 keeps them brushy.
WORKING_SIZE = 1024
# Beyond this many pixels the transformer runs on tiles of TILE_SIZE (memory stays bounded).
MAX_UNTILED_PIXELS = 2048 * 2048
# Beyond this many pixels the whole image's normalisation statistics are measured on a copy
# scaled down to it (their network holds the whole copy at once).
OVERVIEW_PIXELS = 1536 * 1536
TILE_SIZE = 1024
# Tiles see this much of their neighbours (feathered): less left seams visible against the whole
# image (tests/pretrained/test_fast.py holds the tiled result close to the untiled one).
TILE_OVERLAP = 128
PRESERVE_COLORS = ("none", "luminance", "histogram")


@functools.cache
def _pair(engine):
    """The arbitrary pair on the engine `engine` chooses (see nst_tf.engine_choice)."""
    if engine_choice.choose(engine, shipped.has_tflite(lite_runner.FILES)) == "litert":
        return lite_runner.shipped_pair()
    from nst_tf import tf_startup

    tf_startup.import_tensorflow_quietly()
    from nst_tf.pretrained import keras_runner

    return keras_runner.shipped_pair()


def style_vector(style, style_size=STYLE_SIZE, engine="auto"):
    """The 100-d style vector of one image, read at style_size × style_size.

    Args:
      style: float array (height, width, 3) in [0, 255].
      style_size: side of the square the predictor reads, px.
      engine: "auto", "litert" or "tensorflow" (see nst_tf.engine_choice).

    Returns:
      float32 array (100,).
    """
    square = image_io.resize(np.asarray(style, np.float32), (style_size, style_size))
    return np.asarray(_pair(engine).style_vector(square), np.float32)


def blended_style_vector(styles, style_blend=None, style_size=STYLE_SIZE, engine="auto"):
    """The weighted mean of the style vectors of several images (equal weights by default)."""
    weights = blending.blend_weights(style_blend, len(styles))
    vectors = [style_vector(style, style_size, engine) for style in styles]
    return np.sum([w * v for w, v in zip(weights, vectors)], axis=0).astype(np.float32)


def check_arguments(strength, style_size, working_size, preserve_colors, tile_size, engine="auto"):
    """Raises NstError for a value out of range (before any image is read)."""
    engine_choice.check_engine(engine)
    if not 0.0 <= strength <= 1.0:
        raise NstError(f"strength must be in [0, 1], got {strength}")
    if style_size < image_io.MIN_SIDE:
        raise NstError(f"style_size must be at least {image_io.MIN_SIDE} px, got {style_size}")
    if working_size is not None and working_size < image_io.MIN_SIDE:
        raise NstError(
            f"working_size must be at least {image_io.MIN_SIDE} px or None, got {working_size}"
        )
    if preserve_colors not in (None, *PRESERVE_COLORS):
        raise NstError(
            f"preserve_colors must be one of {', '.join(PRESERVE_COLORS)}, got {preserve_colors!r}"
        )
    if tile_size is not None and tile_size <= 2 * TILE_OVERLAP:
        raise NstError(f"tile_size must be more than {2 * TILE_OVERLAP} px, got {tile_size}")


def paint(content, vector, tile_size=None, progress=False, engine="auto"):
    """The transformer at the content's own size: one pass, or tiles when it is large.

    Args:
      content: float array (height, width, 3) in [0, 255].
      vector: style vector (100,).
      tile_size: tile side; None: tiles of TILE_SIZE only beyond MAX_UNTILED_PIXELS.
      progress: progress bar over the tiles.
      engine: "auto", "litert" or "tensorflow".

    Returns:
      float32 array like `content`, in [0, 255].
    """
    pair = _pair(engine)
    content = np.asarray(content, np.float32)
    height, width = content.shape[:2]
    vector = np.asarray(vector, np.float32)
    if tile_size is None and height * width <= MAX_UNTILED_PIXELS:
        return pair.paint(content, vector)
    tile_size = tile_size or TILE_SIZE
    # The whole image's normalisation statistics, measured on it or, beyond OVERVIEW_PIXELS, on a
    # copy scaled down to that many pixels.
    overview = content
    if height * width > OVERVIEW_PIXELS:
        shrink = (OVERVIEW_PIXELS / (height * width)) ** 0.5
        overview = image_io.resize_float(content, (int(height * shrink), int(width * shrink)))
    paint_tile = pair.tile_painter(vector, pair.moments(overview, vector))
    return tiling.process_tiled(
        content, lambda tile: paint_tile(np.asarray(tile, np.float32)), tile_size, TILE_OVERLAP,
        progress,
    )


def stylize_fast(
    content: np.ndarray,
    styles: np.ndarray | Sequence[np.ndarray],
    *,
    strength: float = 1.0,
    style_blend: Sequence[float] | None = None,
    style_size: int = STYLE_SIZE,
    size: int | None = None,
    working_size: int | None = WORKING_SIZE,
    preserve_colors: str | None = None,
    tile_size: int | None = None,
    progress: bool = False,
    engine: str = "auto",
    paintings_vector: np.ndarray | None = None,
) -> np.ndarray:
    """Stylises a photo with one or more paintings in one pass.

    Args:
      content: float array (height, width, 3) in [0, 255].
      styles: one style image or a list of them, like `content`.
      strength: 1 paints the style fully; 0 gives the content's own look; between, the style
        vector is interpolated with the content's.
      style_blend: one weight per style (normalised to sum 1); default equal.
      style_size: side at which each style image is read, px.
      size: longest side of the result; default the content's own.
      working_size: longest side at which the strokes are painted (larger: finer strokes);
        None paints at the output size only.
      preserve_colors: "luminance" keeps the content's colours (YIQ), "histogram" recolours
        the paintings to the content's colour mean and covariance first.
      tile_size: process tiles of this side (default: only beyond MAX_UNTILED_PIXELS).
      progress: progress bar over tiles.
      engine: "litert" runs the shipped .tflite files (no TensorFlow), "tensorflow" the Keras
        networks; "auto" chooses (see nst_tf.engine_choice).
      paintings_vector: the paintings' style vector with these options, from
        shared_paintings_vector, for callers painting many photos with the same paintings;
        None: computed here.

    Returns:
      float32 array (height, width, 3) in [0, 255].

    Raises:
      NstError: a value out of range, or blend weights that do not fit.
    """
    styles = as_style_list(styles)
    check_arguments(strength, style_size, working_size, preserve_colors, tile_size, engine)
    content = np.asarray(content, np.float32)
    if size is not None:
        content = image_io.resize_longest(content, size)
    image_io.check_min_side(content.shape, "content image")
    for style in styles:
        image_io.check_min_side(np.shape(style), "style image")
    if preserve_colors == "histogram":
        styles = [colors.match_colors(style, content) for style in styles]
    if paintings_vector is not None and preserve_colors == "histogram":
        raise NstError("a shared paintings_vector cannot follow each photo's colours (histogram)")
    vector = paintings_vector
    if vector is None:
        vector = blended_style_vector(styles, style_blend, style_size, engine)
    if strength < 1.0:
        vector = strength * vector + (1.0 - strength) * style_vector(content, style_size, engine)
    height, width = content.shape[:2]
    painted = paint(content, vector, tile_size, progress, engine)
    small = image_io.scaled_size(height, width, working_size or max(height, width))
    if max(height, width) > max(small) and min(small) >= image_io.MIN_SIDE:
        resize = image_io.resize_float
        # In place: on a large photo each full-size temporary is hundreds of megabytes.
        painted -= resize(resize(painted, small), (height, width))
        painted += resize(paint(resize(content, small), vector, engine=engine), (height, width))
    painted = np.clip(painted, 0.0, 255.0, out=painted)
    if preserve_colors == "luminance":
        painted = colors.combine_luminance(painted, content)
    return painted


def as_style_list(styles):
    """One style image or several, as a list."""
    return [styles] if isinstance(styles, np.ndarray) and styles.ndim == 3 else list(styles)


def shared_paintings_vector(styles, **options):
    """The style vector every stylize_fast call with these paintings and keyword options can
    share (folders, videos, batches), or None where each photo needs its own: "histogram"
    colours recolour the paintings to each photo.

    Raises:
      NstError: as stylize_fast for these paintings and options.
    """
    if options.get("preserve_colors") == "histogram":
        return None
    styles = as_style_list(styles)
    style_size = options.get("style_size", STYLE_SIZE)
    engine = options.get("engine", "auto")
    check_arguments(
        options.get("strength", 1.0), style_size, options.get("working_size"),
        options.get("preserve_colors"), options.get("tile_size"), engine,
    )  # fmt: skip
    for style in styles:
        image_io.check_min_side(np.shape(style), "style image")
    return blended_style_vector(styles, options.get("style_blend"), style_size, engine)


def stylize_fast_folder(in_dir, out_dir, styles, progress=True, **options):
    """Stylises every image under a folder (recursive) into another, same relative paths.

    Outputs already there are kept (they are written atomically, so they are complete): a killed
    run resumes where it stopped. An unreadable image is reported and skipped.

    Args:
      in_dir, out_dir: folders; out_dir is created.
      styles: as for `stylize_fast`.
      progress: show a progress bar.
      **options: the keyword options of `stylize_fast`.

    Returns:
      dict with the lists "written", "kept" (already there) and "failed" ((path, reason)).
    """
    import tqdm  # here, not at the top: slow to import, and one image needs no progress bar

    report = {"written": [], "kept": [], "failed": []}
    options = {**options, "paintings_vector": shared_paintings_vector(styles, **options)}
    for path in tqdm.tqdm(files.list_image_files(in_dir), disable=not progress, unit="image"):
        target = os.path.join(out_dir, os.path.relpath(path, in_dir))
        if os.path.isfile(target):
            report["kept"].append(target)
            continue
        try:
            image = image_io.load_image(path)
            image_io.save_image(target, stylize_fast(image, styles, **options))
        except NstError as error:
            report["failed"].append((path, str(error)))
            continue
        report["written"].append(target)
    return report


class FastVideoModel:
    """The fast path behind the interface nst_tf.feedforward.video_stylization expects of a
    network (`stylize(batch, style_weights)`): the same paintings and options for every frame.

    Args:
      styles: as for `stylize_fast`.
      **options: the keyword options of `stylize_fast`.
    """

    def __init__(self, styles, **options):
        self.styles = styles
        self.options = {**options, "paintings_vector": shared_paintings_vector(styles, **options)}

    def stylize(self, batch, style_weights=None):
        """Stylises a batch of frames (style_weights: unused, the paintings are fixed)."""
        return np.stack([stylize_fast(frame, self.styles, **self.options) for frame in batch])
