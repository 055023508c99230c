"""The schedule of an optimisation, chosen before TensorFlow loads to fit a memory limit.

A schedule is the pyramid levels (coarsest first, see nst_tf.optimize.pyramid) and, for each,
whether the image is optimised whole or in overlapping tiles (nst_tf.optimize.tiled). A level's
peak memory is estimated by encoders.vgg_layers.estimate_memory_bytes: of the whole image, or of
one tile plus the full-size arrays a tiled level keeps. Left to choose (`scales` None), a result
that does not fit whole gets coarser levels until the coarsest fits whole, so that the tiles
refine one global composition.
"""

import dataclasses

from nst_tf import tiling
from nst_tf.encoders import precision as precisions
from nst_tf.encoders import vgg_layers
from nst_tf.errors import NstError
from nst_tf.optimize import limits, pyramid

TILE_STEP = 16  # tile sides and overlaps are multiples of the deepest pooling stride
FULL_SIZE_COPIES = 6  # float32 (height, width, 3) arrays of a tiled level: image, content, blends
MAX_AUTO_LEVELS = 5
# Schedules are chosen to fit this share of the limit: the rest is room for the error of
# encoders.vgg_layers.estimate_memory_bytes.
HEADROOM = 0.9
STYLE_SIDE_CEILING = 16384
# Style losses whose targets need only the style image (a tile has no whole-image content).
TILED_STYLE_LOSSES = ("gram", "moments")


@dataclasses.dataclass(frozen=True)
class Level:
    """One pyramid level: its (height, width), iterations (per tile and pass if tiled) and tile
    side in px (None: optimised whole)."""

    shape: tuple
    iterations: int
    tile: int | None = None

    def tile_count(self, overlap):
        """Tiles covering the level (1 if whole)."""
        if self.tile is None:
            return 1
        return len(tiling.tile_spans(self.shape[0], self.tile, overlap)) * len(
            tiling.tile_spans(self.shape[1], self.tile, overlap)
        )


@dataclasses.dataclass(frozen=True)
class Schedule:
    """What `plan` chose.

    Attributes:
      levels: tuple of Level, coarsest first.
      overlap: px shared by neighbouring tiles (the deepest layer's receptive field, rounded up).
      passes: sweeps over the tiles of a tiled level.
      style_side: longest side the style images are used at (their statistics are computed on
        the whole style image, which must fit too).
      peak_bytes: estimated peak resident memory.
      limit_bytes: the memory limit the schedule fits.
    """

    levels: tuple
    overlap: int
    passes: int
    style_side: int
    peak_bytes: int
    limit_bytes: int

    def describe(self):
        """One line: each level, whole or tiled, and the estimated peak against the limit."""
        parts = []
        for level in self.levels:
            size = f"{level.shape[1]}x{level.shape[0]}"
            if level.tile is None:
                parts.append(f"{size} whole")
            else:
                passes = f", {self.passes} passes" if self.passes > 1 else ""
                parts.append(
                    f"{size} in {level.tile_count(self.overlap)} tile(s) of {level.tile} px "
                    f"(overlap {self.overlap} px{passes})"
                )
        return (
            f"schedule: {', '.join(parts)}; estimated peak {format_bytes(self.peak_bytes)} "
            f"of {format_bytes(self.limit_bytes)}"
        )


def plan(
    shape, arch, layers, iterations, scales=None, limit_bytes=None, tile=None, passes=1,
    precision="float32",
):  # fmt: skip
    """Chooses the pyramid levels and tiles that fit the memory limit.

    Args:
      shape: (height, width) of the result.
      arch: "vgg16" or "vgg19".
      layers: every loss network layer used (style and content).
      iterations: iterations at full size (pyramid.level_iterations gives the others).
      scales: pyramid levels, or None to choose (1 if the result fits whole).
      limit_bytes: memory limit, or None for the memory available now.
      tile: tile side in px to use at the full-size level (and at coarser levels that do not
        fit whole), or None to tile only levels that do not fit, with the largest tile that fits.
      passes: sweeps over the tiles.
      precision: the loss network's, resolved ("float32" or "bfloat16"): its memory model.

    Returns:
      Schedule.

    Raises:
      NstError: a tile too small for the deepest layer's receptive field, a limit below what
        the smallest tiles need, or a result too large for the limit even in tiles.
    """
    limit = limits.available_memory_bytes() if limit_bytes is None else int(limit_bytes)
    if passes < 1:
        raise NstError(f"tile passes must be at least 1, got {passes}")
    overlap = tile_overlap(arch, layers)
    smallest = minimum_tile(arch, layers)

    def estimate(height, width):
        return vgg_layers.estimate_memory_bytes(arch, layers, height, width, precision)

    if tile is not None and tile < smallest:
        raise NstError(
            f"tile size {tile} px is too small for the receptive field of layer(s) up to "
            f"{deepest_layer(arch, layers)} ({vgg_layers.receptive_field(arch, layers)} px): "
            f"use at least {smallest} px"
        )
    floor = int(estimate(smallest, smallest) / HEADROOM)
    if limit < floor:
        raise NstError(
            f"the memory limit {format_bytes(limit)} is below the {format_bytes(floor)} that the "
            f"smallest schedule (tiles of {smallest} px) needs: allow more memory"
        )

    budget = HEADROOM * limit

    def fits_whole(level_shape):
        return estimate(*level_shape) <= budget

    if scales is None:
        scales = 1
        while not fits_whole(pyramid.level_shapes(shape, scales)[0]) and scales < MAX_AUTO_LEVELS:
            scales += 1
    shapes = pyramid.level_shapes(shape, scales)
    levels, peak = [], 0
    for index, (level_shape, level_iterations) in enumerate(
        zip(shapes, pyramid.level_iterations(iterations, scales))
    ):
        forced = tile is not None and index == len(shapes) - 1
        if fits_whole(level_shape) and not forced:
            levels.append(Level(tuple(level_shape), level_iterations))
            need = estimate(*level_shape)
        else:
            side = tile or snug_tile(
                level_shape,
                largest_tile(arch, layers, level_shape, budget, max(level_shape), precision),
                overlap,
            )
            if side is None or side < smallest:
                raise NstError(
                    f"the result at {shape[1]}x{shape[0]} px does not fit in "
                    f"{format_bytes(limit)} even in tiles of {smallest} px: choose a smaller "
                    "size or allow more memory"
                )
            levels.append(Level(tuple(level_shape), level_iterations, side))
            need = tiled_level_bytes(arch, layers, level_shape, side, precision)
        peak = max(peak, need)
    if peak > limit:
        raise NstError(
            f"the schedule needs about {format_bytes(peak)}, more than the limit of "
            f"{format_bytes(limit)}: choose a smaller tile size or result size, or allow more memory"
        )
    style_side = (
        largest_tile(arch, layers, shape, budget, STYLE_SIDE_CEILING, precision) or smallest
    )
    return Schedule(tuple(levels), overlap, passes, style_side, peak, limit)


def tiled_level_bytes(arch, layers, shape, tile, precision="float32"):
    """Estimated peak of a tiled level: one tile optimised, plus the full-size arrays."""
    tile_shape = (min(tile, shape[0]), min(tile, shape[1]))
    copies = FULL_SIZE_COPIES * shape[0] * shape[1] * 3 * 4
    return vgg_layers.estimate_memory_bytes(arch, layers, *tile_shape, precision) + copies


def largest_tile(arch, layers, shape, limit, ceiling, precision):
    """The largest square side (a multiple of TILE_STEP from the minimum tile up to about
    `ceiling`) that fits `limit` beside a tiled level's full-size arrays, or None."""
    low, high = minimum_tile(arch, layers), ceiling + TILE_STEP
    if tiled_level_bytes(arch, layers, shape, low, precision) > limit:
        return None
    while high - low > TILE_STEP:  # invariant: low fits, high does not (or exceeds the image)
        middle = (low + high) // 2 // TILE_STEP * TILE_STEP
        if tiled_level_bytes(arch, layers, shape, middle, precision) <= limit:
            low = middle
        else:
            high = middle
    return low


def snug_tile(shape, tile, overlap):
    """The smallest tile side (a multiple of TILE_STEP) that covers `shape` with as few tiles as
    side `tile` does, so the overlaps cost no more pixels than they must; None stays None."""
    if tile is None:
        return None
    sides = []
    for length in shape:
        count = len(tiling.tile_spans(length, tile, overlap))
        sides.append(-(-(length - overlap) // count) + overlap if count > 1 else length)
    return min(tile, -(-max(sides) // TILE_STEP) * TILE_STEP)


def tile_overlap(arch, layers):
    """Overlap of neighbouring tiles: the deepest layer's receptive field, rounded up to
    TILE_STEP, so each tile's blended interior sees its whole context."""
    field = vgg_layers.receptive_field(arch, layers)
    return -(-field // TILE_STEP) * TILE_STEP


def minimum_tile(arch, layers):
    """The smallest tile side: room for the overlap on both sides."""
    return 2 * tile_overlap(arch, layers)


def deepest_layer(arch, layers):
    names = vgg_layers.layer_names(arch)
    return max(layers, key=names.index)


def format_bytes(count):
    """Bytes as GiB (or MiB below 1 GiB), one decimal."""
    if count >= 2**30:
        return f"{count / 2**30:.1f} GiB"
    return f"{count / 2**20:.0f} MiB"


def plan_for(shape, options, with_content):
    """The schedule of an optimisation with these Options (see `plan`).

    Args:
      shape: (height, width) of the result.
      options: Options.
      with_content: whether there is a content image (its layers count too).

    Raises:
      NstError: as `plan`, and tiles for a style loss or masks that tiles cannot do.
    """
    # The memory model is of a CPU's resident memory, so "auto" resolves as it would on one.
    layers = options.resolved_style_layers()
    if with_content:
        layers += list(options.content_layers)
    vgg_layers.check_layers(options.vgg, layers)
    limit = None if options.max_memory is None else limits.parse_memory(options.max_memory)
    chosen = plan(
        shape, options.vgg, layers, options.iterations, options.scales, limit,
        options.tile_size, options.tile_passes, precisions.resolve(options.precision, gpu=False),
    )  # fmt: skip
    masked = options.masks is not None or options.label_map is not None
    if any(level.tile for level in chosen.levels) and (
        masked or options.style_loss not in TILED_STYLE_LOSSES
    ):
        raise NstError(
            f"this result needs tiles ({chosen.describe()}), which take the "
            f"{' and '.join(TILED_STYLE_LOSSES)} style losses without masks: choose a smaller "
            "size, allow more memory or give no tile size"
        )
    return chosen
