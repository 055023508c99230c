"""Tiles with feathered seams (no network): coverage, weights, and exact reassembly."""

import numpy as np
import pytest

from nst_tf import tiling


@pytest.mark.parametrize("length, tile, overlap", [(100, 100, 8), (1000, 256, 32), (257, 256, 64)])
def test_tile_spans_cover_the_side_with_the_overlap(length, tile, overlap):
    spans = tiling.tile_spans(length, tile, overlap)
    assert spans[0][0] == 0 and spans[-1][1] == length
    assert all(end - start == min(tile, length) for start, end in spans)
    for (_, end), (start, _) in zip(spans, spans[1:]):
        assert end - start >= overlap


def test_feather_ramps_only_inside_the_image():
    first = tiling.feather(100, 0, 40, 10)
    middle = tiling.feather(100, 30, 70, 10)
    assert first[0] == 1.0 and first[-1] == pytest.approx(0.1)
    assert middle[0] == pytest.approx(0.1) and middle[-1] == pytest.approx(0.1)
    assert middle[20] == 1.0


def test_identity_through_tiles_gives_the_image_back():
    image = np.random.default_rng(0).uniform(0, 1, (300, 410, 3)).astype(np.float32)
    calls = []

    def identity(tile):
        calls.append(tile.shape)
        return tile

    result = tiling.process_tiled(image, identity, tile=128, overlap=32)
    np.testing.assert_allclose(result, image, atol=1e-6)
    assert all(shape[:2] == (128, 128) for shape in calls) and len(calls) == 3 * 4


def test_seams_blend_linearly_between_two_constant_tiles():
    image = np.zeros((64, 200, 1), np.float32)
    offsets = iter([0.0, 10.0])  # the left tile paints 0, the right one 10

    result = tiling.process_tiled(image, lambda tile: tile + next(offsets), tile=128, overlap=56)
    row = result[0, :, 0]
    assert row[0] == 0 and row[-1] == 10
    assert np.all(np.diff(row) >= -1e-6)  # a ramp, not a step
    assert np.max(np.diff(row)) < 10 / 40
