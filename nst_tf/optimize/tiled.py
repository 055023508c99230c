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


def optimize_tiles(objective, start, content, tile, overlap, passes, run_tile, progress):
    """Optimises an image tile by tile.

    Args:
      objective: an Objective built for the tile shape; its content targets are replaced per
        tile.
      start: float32 image (height, width, 3).
      content: the content image at the same size, or None (texture synthesis).
      tile: tile side, px.
      overlap: px shared by neighbouring tiles (the ramp of the blend).
      passes: sweeps over the tiles.
      run_tile: function (objective, starting tile) -> optimised tile.
      progress: show a progress bar over the tiles.

    Returns:
      the optimised float32 image (height, width, 3).
    """
    image = start.astype("float32", copy=True)
    windows = tiling.tile_windows(image.shape[:2], tile, overlap)
    with tqdm.tqdm(total=passes * len(windows), disable=not progress, unit="tile") as bar:
        for _ in range(passes):
            for (top, bottom, left, right), weights in windows:
                if content is not None:
                    objective.set_content(content[top:bottom, left:right])
                region = image[top:bottom, left:right]
                region += weights * (run_tile(objective, region.copy()) - region)
                bar.update(1)
    return image
