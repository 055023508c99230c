"""Tiled optimisation on tiny random networks: one tile equals the whole image, no seams."""

import keras
import numpy as np
import pytest
from support import gradient_image, stripes_image

from nst_tf import tiling
from nst_tf.encoders import vgg
from nst_tf.optimize import image_optimization

SHALLOW = {"style_layers": ["block1_conv1", "block2_conv1"], "content_layers": ["block2_conv1"]}


def run(content, style, network, **options):
    options = {"iterations": 10, "tv_weight": 0.0, "progress": False, "xla": False, **options}
    return image_optimization.stylize(content, style, loss_network=network, **options)


@pytest.fixture(scope="module")
def shallow_network():
    keras.utils.set_random_seed(1)
    return vgg.build_loss_network(["block1_conv1", "block2_conv1"], "vgg19", None)


def test_one_tile_over_the_whole_image_equals_the_untiled_run(shallow_network):
    content, style = gradient_image(), stripes_image()
    whole = run(content, style, shallow_network, style_weight=1e3, **SHALLOW)
    tiled = run(content, style, shallow_network, style_weight=1e3, tile_size=64, **SHALLOW)
    assert whole.schedule.levels[-1].tile is None and tiled.schedule.levels[-1].tile == 64
    assert np.abs(whole.image - content).mean() > 5  # the style moved the pixels
    np.testing.assert_allclose(tiled.image, whole.image, atol=0.05)


def test_tiles_leave_no_seam(shallow_network):
    content, style = gradient_image(96), stripes_image(96)
    result = run(content, style, shallow_network, tile_size=48, style_weight=1e3, **SHALLOW)
    level = result.schedule.levels[-1]
    overlap = result.schedule.overlap
    assert overlap == 16 and level.tile_count(overlap) == 9  # 3 x 3 tiles of 48 px
    image = result.image
    assert np.abs(image - content).mean() > 5
    edges = {edge for span in tiling.tile_spans(96, 48, overlap) for edge in span} - {0, 96}
    # Mean step between neighbouring columns (rows), and the steps at the tiles' edges.
    for steps in (
        np.abs(np.diff(image, axis=1)).mean(axis=(0, 2)),  # steps[x - 1]: columns x - 1 -> x
        np.abs(np.diff(image, axis=0)).mean(axis=(1, 2)),
    ):
        at_edges = steps[[edge - 1 for edge in edges]]
        inside = np.delete(steps, [edge - 1 for edge in edges])
        assert at_edges.max() <= np.percentile(inside, 90), (at_edges, np.median(inside))
