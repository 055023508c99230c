"""Overlapping tiles with feathered seams, for images too large for one pass (no TensorFlow).

The network sees each tile with its overlap; the tiles are blended back with weights that
fall linearly to zero across the overlap, so no seam shows where neighbours meet.
"""

import numpy as np


def tile_spans(length, tile, overlap):
    """Start and end of tiles covering [0, length), neighbours overlapping by `overlap` or more.

    Args:
      length: side of the image, px.
      tile: side of a tile, px (> overlap).
      overlap: px shared by neighbouring tiles.

    Returns:
      list of (start, end), the first starting at 0 and the last ending at `length`.
    """
    if length <= tile:
        return [(0, length)]
    count = int(np.ceil((length - overlap) / (tile - overlap)))
    starts = np.linspace(0, length - tile, count).round().astype(int)
    return [(int(start), int(start) + tile) for start in starts]


def feather(length, start, end, overlap):
    """Blend weights of one tile along one axis: ramps over the overlap, except at image borders.

    Returns:
      float32 array (end - start,), in (0, 1].
    """
    ramp = np.minimum(np.arange(end - start) + 1, overlap) / overlap
    weights = np.ones(end - start, np.float32)
    if start > 0:
        weights = np.minimum(weights, ramp)
    if end < length:
        weights = np.minimum(weights, ramp[::-1])
    return weights.astype(np.float32)


def tile_windows(shape, tile, overlap):
    """The tiles of an image with their blend weights.

    Args:
      shape: (height, width) of the image.
      tile, overlap: as for tile_spans.

    Returns:
      list of ((top, bottom, left, right), weights): float32 weights (h, w, 1) of the tile,
      ramping across the overlap with its neighbours (see feather).
    """
    height, width = shape
    windows = []
    for top, bottom in tile_spans(height, tile, overlap):
        row_weights = feather(height, top, bottom, overlap)
        for left, right in tile_spans(width, tile, overlap):
            weights = np.outer(row_weights, feather(width, left, right, overlap))[..., None]
            windows.append(((top, bottom, left, right), weights))
    return windows


def process_tiled(image, process, tile, overlap, progress=False):
    """Applies `process` to overlapping tiles of `image` and blends the results.

    Args:
      image: float32 array (height, width, channels).
      process: function from a tile (h, w, channels) to an array of the same shape.
      tile: tile side, px.
      overlap: px shared by neighbours (the ramp of the feathering).
      progress: show a progress bar.

    Returns:
      float32 array like `image`.
    """
    import tqdm  # here, not at the top: slow to import, and one image needs no progress bar

    total = np.zeros(image.shape, np.float32)
    weight_sum = np.zeros((*image.shape[:2], 1), np.float32)
    windows = tile_windows(image.shape[:2], tile, overlap)
    for (top, bottom, left, right), weights in tqdm.tqdm(
        windows, disable=not progress, unit="tile"
    ):
        total[top:bottom, left:right] += process(image[top:bottom, left:right]) * weights
        weight_sum[top:bottom, left:right] += weights
    total /= weight_sum
    return total
