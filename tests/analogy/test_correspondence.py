"""Nearest-neighbour fields: exact matching and PatchMatch find a shift, resampling and voting."""

import numpy as np

from nst_tf.analogy import correspondence


def noise(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def shifted_pair(shift=(3, 5), size=20):
    """A noise image and a crop of it that starts at `shift`: T(p) = S(p + shift)."""
    source = noise((size + shift[0], size + shift[1], 3))
    return source, source[shift[0] :, shift[1] :][:size, :size]


def interior(nnf, border=1):
    return nnf[border:-border, border:-border]


def expected(size, shift, border=1):
    grid = np.stack(np.mgrid[0:size, 0:size], axis=-1) + np.array(shift)
    return interior(grid, border)


def test_exact_matches_recover_a_shift():
    source, target = shifted_pair()
    nnf = correspondence.exact_matches(source, target, patch_size=3)
    assert nnf.shape == (20, 20, 2)
    np.testing.assert_array_equal(interior(nnf), expected(20, (3, 5)))


def test_patch_match_recovers_a_shift_from_a_random_start():
    source, target = shifted_pair()
    start = np.random.default_rng(1).integers(0, 20, size=(20, 20, 2))
    distances = correspondence.PatchDistances(source, target, patch_size=3)
    before = (interior(start) == expected(20, (3, 5))).all(-1).mean()
    nnf, found = correspondence.patch_match(distances, start, iterations=12, seed=0)
    after = (interior(nnf) == expected(20, (3, 5))).all(-1).mean()
    assert before < 0.05 and after > 0.95, (before, after)
    np.testing.assert_allclose(found, distances(nnf))


def test_resample_keeps_a_shift_across_resolutions():
    coarse = np.stack(np.mgrid[0:8, 0:8], axis=-1) + np.array([1, 2])
    fine = correspondence.resample(coarse, (16, 16), (10, 10), (20, 20))
    np.testing.assert_array_equal(fine, np.stack(np.mgrid[0:16, 0:16], axis=-1) + [2, 4])


def test_vote_by_the_identity_returns_the_source_and_by_a_shift_the_crop():
    source, target = shifted_pair()
    identity = np.stack(np.mgrid[0:23, 0:25], axis=-1)
    np.testing.assert_allclose(
        correspondence.vote(source, identity, 3)[1:-1, 1:-1], source[1:-1, 1:-1], rtol=1e-5
    )
    shifted = np.stack(np.mgrid[0:20, 0:20], axis=-1) + np.array([3, 5])
    np.testing.assert_allclose(
        correspondence.vote(source, shifted, 5)[2:-2, 2:-2], target[2:-2, 2:-2], rtol=1e-5
    )
