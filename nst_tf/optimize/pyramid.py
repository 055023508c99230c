"""Coarse-to-fine schedule (Gatys et al. 2017, section 6): the sizes and iterations of each level.

Each level is half the size of the next; the result of one level, upsampled, starts the next.
The full-size level gets the requested iterations and each coarser level twice as many as the
level above it, so a level k steps below the top costs about 2^-k of the top level's time and
the whole pyramid less than twice the single-scale run.
"""

from nst_tf.errors import NstError


def level_shapes(shape, levels):
    """The (height, width) of each level, coarsest first; the last is `shape`.

    Args:
      shape: (height, width) of the result.
      levels: number of levels, at least 1.

    Returns:
      list of (height, width) tuples.
    """
    if levels < 1:
        raise NstError(f"scales (pyramid levels) must be at least 1, got {levels}")
    height, width = shape
    return [
        (max(1, round(height / 2**k)), max(1, round(width / 2**k)))
        for k in range(levels - 1, -1, -1)
    ]


def level_iterations(iterations, levels):
    """Iterations of each level, coarsest first: the top gets `iterations`, each level below twice
    the one above it."""
    return [iterations * 2**k for k in range(levels - 1, -1, -1)]
