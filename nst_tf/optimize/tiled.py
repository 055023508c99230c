"""Tiled optimisation of a pyramid level too large to optimise whole (optimize.schedule chooses).

Each tile (neighbours overlapping by the deepest layer's receptive field) is optimised in turn
from the current image, against the content features of its own crop of the content (computed
on the whole tile, so its borders see their context) and the style statistics of the whole
style images. Its result is blended into the image with weights that ramp across the overlap
(nst_tf.tiling), so the next tile starts from its neighbour's pixels and continues them, and no
seam shows. The L-BFGS memory restarts with each tile: keeping it would hold 20 float vectors
per tile, the whole image's worth.
"""

import tqdm

from nst_tf import tiling
from nst_tf.optimize.objective import Objective


def optimize_tiles(loss_network, options, level, plan, start, content, styles, blend, run_tile):
    """Optimises one pyramid level tile by tile.

    Args:
      loss_network: the loss network.
      options: Options.
      level: the schedule's Level (its shape and tile side).
      plan: the Schedule (its overlap and passes).
      start: float32 image of the level's shape (height, width, 3).
      content: the content image at the level's shape, or None (texture synthesis).
      styles, blend: the style images (whole, already at the schedule's style size) and weights.
      run_tile: function (objective, starting tile) -> optimised tile.

    Returns:
      the optimised float32 image (height, width, 3).
    """
    tile_shape = (min(level.tile, level.shape[0]), min(level.tile, level.shape[1]))
    first = None if content is None else content[: tile_shape[0], : tile_shape[1]]
    objective = Objective(loss_network, options, tile_shape, first, styles, blend)
    image = start.astype("float32", copy=True)
    windows = tiling.tile_windows(level.shape, level.tile, plan.overlap)
    total = plan.passes * len(windows)
    with tqdm.tqdm(total=total, disable=not options.progress, unit="tile") as bar:
        for _ in range(plan.passes):
            for (top, bottom, left, right), weights in windows:
                if content is not None:
                    objective.set_content(content[top:bottom, left:right])
                region = image[top:bottom, left:right]
                region += weights * (run_tile(objective, region.copy()) - region)
                bar.update(1)
    return image
