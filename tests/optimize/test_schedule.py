"""The memory schedule, without TensorFlow: levels and tiles chosen under a limit, refusals."""

import pytest
from support import run_python

from nst_tf import defaults
from nst_tf.encoders import vgg_layers
from nst_tf.errors import NstError
from nst_tf.optimize import limits, schedule

LAYERS = list(defaults.STYLE_LAYERS) + list(defaults.CONTENT_LAYERS)
GIB = 2**30


def test_schedule_needs_no_tensorflow():
    done = run_python(
        "import sys, nst_tf.optimize.schedule as s; "
        "s.plan((2731, 4096), 'vgg16', ['block5_conv1'], 10, limit_bytes=8 * 2**30); "
        "print('tensorflow' in sys.modules)"
    )
    assert done.stdout.strip() == "False", done.stderr


def test_whole_image_when_it_fits():
    plan = schedule.plan((683, 1024), "vgg16", LAYERS, 10, limit_bytes=20 * GIB)
    assert [(level.shape, level.tile) for level in plan.levels] == [((683, 1024), None)]
    assert plan.peak_bytes == vgg_layers.estimate_memory_bytes("vgg16", LAYERS, 683, 1024)
    assert "1024x683 whole" in plan.describe() and "of 20.0 GiB" in plan.describe()


def test_tiles_and_coarser_levels_under_a_limit():
    plan = schedule.plan((2731, 4096), "vgg16", LAYERS, 10, limit_bytes=8 * GIB)
    # The coarsest level fits whole; the levels above it are tiled; all within the limit.
    assert plan.levels[0].tile is None and plan.levels[-1].tile is not None
    assert plan.levels[-1].shape == (2731, 4096) and plan.levels[-1].iterations == 10
    assert [level.iterations for level in plan.levels] == [40, 20, 10]
    assert plan.peak_bytes <= schedule.HEADROOM * 8 * GIB
    assert plan.overlap == 144  # block5_conv1 sees 132 px, rounded up to 16
    for level in plan.levels:
        if level.tile:
            assert level.tile >= 2 * plan.overlap
            need = schedule.tiled_level_bytes("vgg16", LAYERS, level.shape, level.tile)
            assert need <= plan.peak_bytes
            # Snug: one step smaller would take more tiles.
            smaller = schedule.Level(level.shape, level.iterations, level.tile - schedule.TILE_STEP)
            assert smaller.tile_count(plan.overlap) > level.tile_count(plan.overlap)
    # A tighter limit: smaller tiles, more of them.
    tight = schedule.plan((2731, 4096), "vgg16", LAYERS, 10, limit_bytes=5 * GIB)
    assert tight.levels[-1].tile < plan.levels[-1].tile
    assert tight.levels[-1].tile_count(tight.overlap) > plan.levels[-1].tile_count(plan.overlap)
    assert tight.style_side < plan.style_side


def test_bfloat16_fits_more_of_the_image_whole():
    float32 = schedule.plan((2731, 4096), "vgg16", LAYERS, 10, limit_bytes=8 * GIB)
    half = schedule.plan((2731, 4096), "vgg16", LAYERS, 10, limit_bytes=8 * GIB,
                         precision="bfloat16")  # fmt: skip
    # float32 starts whole at 1024 px and tiles 2048 px; bfloat16 starts whole at 2048 px and
    # tiles 4096 px more coarsely.
    assert [(level.shape[1], level.tile is None) for level in float32.levels] == [
        (1024, True),
        (2048, False),
        (4096, False),
    ]
    assert [(level.shape[1], level.tile is None) for level in half.levels] == [
        (2048, True),
        (4096, False),
    ]
    assert half.levels[-1].tile > float32.levels[-1].tile
    assert half.levels[-1].tile_count(half.overlap) < float32.levels[-1].tile_count(float32.overlap)
    assert half.peak_bytes <= schedule.HEADROOM * 8 * GIB


def test_given_scales_and_tile():
    plan = schedule.plan((300, 400), "vgg16", LAYERS, 5, scales=2, limit_bytes=8 * GIB, tile=320)
    assert [(level.shape, level.tile) for level in plan.levels] == [
        ((150, 200), None),
        ((300, 400), 320),
    ]
    assert plan.levels[-1].tile_count(plan.overlap) == 2  # 400 px wide: two 320 px tiles


@pytest.mark.parametrize(
    "shape, kwargs, message",
    [
        ((683, 1024), {"limit_bytes": 100 * 2**20}, "below the"),
        ((683, 1024), {"limit_bytes": 8 * GIB, "tile": 100}, "too small for the receptive field"),
        ((80000, 100000), {"limit_bytes": 4 * GIB}, "even in tiles"),
        ((683, 1024), {"limit_bytes": 8 * GIB, "passes": 0}, "passes"),
    ],
)
def test_refusals(shape, kwargs, message):
    with pytest.raises(NstError, match=message):
        schedule.plan(shape, "vgg16", LAYERS, 10, **kwargs)


@pytest.mark.parametrize(
    "text, amount", [("8G", 8 * GIB), ("512M", 512 * 2**20), ("1.5GiB", 1.5 * GIB), (4096, 4096)]
)
def test_parse_memory(text, amount):
    assert limits.parse_memory(text) == amount


@pytest.mark.parametrize("text", ["lots", "-1G", "0", "8Q"])
def test_parse_memory_refuses(text):
    with pytest.raises(NstError, match="such as 8G"):
        limits.parse_memory(text)
