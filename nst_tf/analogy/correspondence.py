"""Nearest-neighbour fields between feature maps: exact matching, PatchMatch, carrying by them.

A nearest-neighbour field (NNF) is an int array (height, width, 2) over the target: for every
target position, the (row, column) of the centre of the source patch that matches it best.
Patches are square, `patch_size` positions on a side, centred, with edges repeated outwards.
Distances are sums of squared differences over a patch and all channels.
"""

import numpy as np

_EXACT_BUDGET = 50_000_000  # scores (target positions x source patches) per exact-match chunk


def _padded(feature, patch_size):
    radius = patch_size // 2
    return np.pad(feature, ((radius, radius), (radius, radius), (0, 0)), mode="edge")


def exact_matches(source, target, patch_size=3):
    """The NNF of exhaustive search: conv2d of the target with every source patch as a filter,
    as the MRF loss does (nst_tf.losses.patches), argmin of |s|^2 - 2 s.t.

    Args:
      source, target: float32 feature maps (height, width, channels), same channels.

    Returns:
      int NNF (target height, target width, 2).
    """
    import tensorflow as tf

    from nst_tf.losses.patches import PatchLoss

    patches, _ = PatchLoss(patch_size).style_patches(tf.constant(_padded(source, patch_size)[None]))
    squared = tf.reduce_sum(tf.square(patches), axis=(0, 1, 2))
    padded = _padded(target, patch_size)
    height, width = target.shape[:2]
    rows = max(1, _EXACT_BUDGET // (width * int(patches.shape[-1])))
    best = []
    for top in range(0, height, rows):
        part = padded[top : top + rows + patch_size - 1][None]
        dots = tf.nn.conv2d(tf.constant(part), patches, 1, "VALID")[0]
        best.append(tf.argmin(squared - 2.0 * dots, axis=-1, output_type=tf.int32).numpy())
    index = np.concatenate(best, axis=0)
    return np.stack(np.divmod(index, source.shape[1]), axis=-1)


class PatchDistances:
    """Patch distances between one source and one target feature map (edge-padded once)."""

    def __init__(self, source, target, patch_size=3):
        self.patch_size = patch_size
        self.source_shape = source.shape[:2]
        self.source = _padded(np.asarray(source, np.float32), patch_size)
        self.target = _padded(np.asarray(target, np.float32), patch_size)
        self.shape = target.shape[:2]

    def __call__(self, nnf):
        """Distance of every target patch to the source patch the NNF names: (height, width)."""
        height, width = self.shape
        total = np.zeros((height, width), np.float32)
        for dy in range(self.patch_size):
            for dx in range(self.patch_size):
                carried = self.source[nnf[..., 0] + dy, nnf[..., 1] + dx]
                total += np.square(carried - self.target[dy : dy + height, dx : dx + width]).sum(-1)
        return total

    def clipped(self, nnf):
        """The NNF with every entry moved inside the source."""
        high = np.array(self.source_shape) - 1
        return np.clip(nnf, 0, high)

    def improve(self, nnf, distances, candidates):
        """Takes the candidate match wherever it is closer; returns (nnf, distances)."""
        candidates = self.clipped(candidates)
        candidate_distances = self(candidates)
        better = candidate_distances < distances
        return (
            np.where(better[..., None], candidates, nnf),
            np.where(better, candidate_distances, distances),
        )


def patch_match(distances, nnf, iterations=4, seed=0):
    """Improves an NNF by PatchMatch (Barnes et al. 2009), vectorised over all positions:
    each iteration takes the neighbours' matches shifted by one (propagation), then random
    matches in windows halving in size around the current one (random search).

    Args:
      distances: a PatchDistances.
      nnf: the starting NNF.

    Returns:
      (nnf, distances per position).
    """
    rng = np.random.default_rng(seed)
    nnf = distances.clipped(nnf)
    current = distances(nnf)
    for _ in range(iterations):
        for axis in (0, 1):
            for step in (1, -1):
                shifted = np.roll(nnf, step, axis=axis)
                shifted[..., axis] += step
                nnf, current = distances.improve(nnf, current, shifted)
        radius = max(distances.source_shape) // 2
        while radius >= 1:
            jump = rng.integers(-radius, radius + 1, size=nnf.shape)
            nnf, current = distances.improve(nnf, current, nnf + jump)
            radius //= 2
    return nnf, current


def resample(nnf, shape, old_source_shape, source_shape):
    """The NNF at another resolution (coarse to fine or back): target size `shape`, source size
    `source_shape` where it was `old_source_shape`; each position keeps its offset from the
    position it falls in at the old resolution.

    Returns:
      int NNF (*shape, 2).
    """
    height, width = nnf.shape[:2]
    rows = np.minimum(np.arange(shape[0]) * height // shape[0], height - 1)
    columns = np.minimum(np.arange(shape[1]) * width // shape[1], width - 1)
    source_scale = np.asarray(source_shape, np.float64) / np.asarray(old_source_shape)
    offset = np.stack(
        np.meshgrid(
            np.arange(shape[0]) - rows * shape[0] / height,
            np.arange(shape[1]) - columns * shape[1] / width,
            indexing="ij",
        ),
        axis=-1,
    )
    moved = np.rint(nnf[rows[:, None], columns[None, :]] * source_scale + offset)
    return np.clip(moved.astype(np.int64), 0, np.asarray(source_shape) - 1)


def vote(source, nnf, patch_size=3):
    """Carries a source map to the target: each target position takes the mean of what the
    patches covering it carry from their matches (patch voting).

    Args:
      source: (source height, source width, channels), e.g. the styled image S'.
      nnf: NNF over the target.

    Returns:
      float32 (target height, target width, channels).
    """
    radius = patch_size // 2
    height, width = nnf.shape[:2]
    high = np.array(source.shape[:2]) - 1
    padded = np.pad(nnf, ((radius, radius), (radius, radius), (0, 0)), mode="edge")
    total = np.zeros((height, width, source.shape[-1]), np.float32)
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            # the patch centred at p - (dy, dx) carries its match + (dy, dx) to p
            match = padded[radius - dy : radius - dy + height, radius - dx : radius - dx + width]
            where = np.clip(match + np.array([dy, dx]), 0, high)
            total += source[where[..., 0], where[..., 1]]
    return total / patch_size**2
