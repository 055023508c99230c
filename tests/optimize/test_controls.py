"""Perceptual controls of the optimisation (issue 5) on a random-weight VGG19 at 32-48 px:
colour preservation, style losses by name, style blends, region masks, pyramid, presets."""

import numpy as np
import pytest

from nst_tf import colors, defaults
from nst_tf.errors import NstError
from nst_tf.io import image_io
from nst_tf.optimize import image_optimization, presets, pyramid, style_controls
from nst_tf.optimize import run as run_module
from nst_tf.optimize.objective import Objective
from nst_tf.optimize.options import Options


def run(content, style, network, **options):
    options = {"iterations": 8, "tv_weight": 0.0, "progress": False, "xla": False, **options}
    return image_optimization.stylize(content, style, loss_network=network, **options)


@pytest.fixture
def soft_content(content_image):
    """The colour ramp squeezed into 60-190, so luminance changes stay inside the RGB gamut."""
    return 60.0 + content_image * (130.0 / 255.0)


class Built(Exception):
    """Raised by the spy once the objective's inputs are known: the optimisation is not needed."""


@pytest.fixture
def spy_objective(monkeypatch):
    """Records the inputs of the first Objective built (content, styles), then stops the run."""
    seen = []

    def spy(self, network, options, shape, content, styles, *args):
        seen.append({"content": content, "styles": styles})
        raise Built

    monkeypatch.setattr(Objective, "__init__", spy)
    return seen


def test_luminance_transfer_keeps_the_content_chroma(
    random_network, soft_content, style_image, tmp_path
):
    result = run(soft_content, style_image, random_network, size=32, preserve_colors="luminance",
                 save_every=1, save_path=str(tmp_path / "at_{iteration:02d}.png"))  # fmt: skip
    content = image_io.resize(soft_content, (32, 32))
    out_yiq, content_yiq = colors.rgb_to_yiq(result.image), colors.rgb_to_yiq(content)
    np.testing.assert_allclose(out_yiq[..., 1:], content_yiq[..., 1:], atol=0.05)
    # Images saved along the way have the content's colours too (within uint8 rounding).
    saved = image_io.load_image(tmp_path / "at_01.png")
    np.testing.assert_allclose(colors.rgb_to_yiq(saved)[..., 1:], content_yiq[..., 1:], atol=1.5)
    assert np.abs(out_yiq[..., 0] - content_yiq[..., 0]).mean() > 2.0  # the luminance moved
    plain = run(soft_content, style_image, random_network, size=32)
    assert np.abs(colors.rgb_to_yiq(plain.image)[..., 1:] - content_yiq[..., 1:]).mean() > 0.5


def test_histogram_matching_recolors_the_style(
    random_network, content_image, style_image, spy_objective
):
    with pytest.raises(Built):
        run(content_image, style_image, random_network, preserve_colors="histogram")
    style = spy_objective[0]["styles"][0].reshape(-1, 3)
    content = content_image.reshape(-1, 3)
    np.testing.assert_allclose(style.mean(0), content.mean(0), atol=2.0)
    np.testing.assert_allclose(np.cov(style, rowvar=False), np.cov(content, rowvar=False),
                               rtol=0.1, atol=30)  # fmt: skip


@pytest.mark.parametrize("name", ["mrf", "swap", "moments"])
@pytest.mark.slow
def test_each_style_loss_is_lowered(random_network, content_image, style_image, name):
    result = run(content_image, style_image, random_network, size=32, style_loss=name,
                 content_weight=0.0)  # fmt: skip
    first, last = result.history[0], result.history[-1]
    assert first["style"] > 0
    assert last["style"] < 0.5 * first["style"]


def test_blend_weights_weigh_the_style_losses(random_network, content_image, style_image):
    other = np.ascontiguousarray(style_image[::-1, :, ::-1])  # other colours and layout

    def style_loss(styles, blend):
        options = Options(style_layers=defaults.STYLE_LAYERS, style_weight=1.0, tv_weight=0.0)
        blend = style_controls.blend_weights(blend, len(styles))
        objective = Objective(random_network, options, (48, 48), content_image, styles, blend)
        return float(objective.losses(content_image[None])["style"])

    expected = 0.7 * style_loss([style_image], None) + 0.3 * style_loss([other], None)
    assert style_loss([style_image, other], [0.7, 0.3]) == pytest.approx(expected, rel=1e-4)
    only_first = style_controls.blend_weights([2.0, 0.0], 2)
    assert style_loss([style_image, other], only_first) == style_loss([style_image], None)


def test_per_style_scales(random_network, content_image, style_image, spy_objective):
    big = np.tile(style_image, (2, 2, 1))
    with pytest.raises(Built):
        run(content_image, [big, big], random_network, style_scale=[1.0, 0.5])
    assert [s.shape for s in spy_objective[0]["styles"]] == [(48, 48, 3), (24, 24, 3)]


def test_masked_out_region_stays_near_the_content(random_network, content_image, style_image):
    mask = np.zeros((48, 48), np.float32)
    mask[:, :24] = 255.0  # white: style on the left half only
    result = run(content_image, style_image, random_network, masks=[mask])
    change = np.abs(result.image - content_image).mean(axis=(0, 2))
    styled, kept = change[:12].mean(), change[-12:].mean()
    assert kept < 0.3 * styled
    label_map = (mask > 0).astype(np.uint8)  # label 1: the first style; 0: none
    from_labels = run(content_image, style_image, random_network, label_map=label_map)
    np.testing.assert_allclose(from_labels.image, result.image, atol=1e-3)


def test_pyramid_is_not_worse_than_single_scale(random_network, content_image, style_image):
    single = run(content_image, style_image, random_network, iterations=6, init="noise")
    coarse_to_fine = run(content_image, style_image, random_network, iterations=6, init="noise",
                         scales=2)  # fmt: skip
    levels = [entry["level"] for entry in coarse_to_fine.history]
    assert levels == [0] * 13 + [1] * 7  # 12 iterations at 24 px, then 6 at 48 px
    assert coarse_to_fine.image.shape == (48, 48, 3)
    assert coarse_to_fine.history[-1]["total"] <= single.history[-1]["total"]


def test_pyramid_schedule():
    assert pyramid.level_shapes((300, 200), 3) == [(75, 50), (150, 100), (300, 200)]
    assert pyramid.level_iterations(100, 3) == [400, 200, 100]
    assert pyramid.level_shapes((10, 20), 1) == [(10, 20)]


def test_photorealistic_preset(monkeypatch, random_network, content_image, style_image):
    seen = []
    monkeypatch.setattr(run_module, "run_optimization", lambda *args: seen.append(args[-1]))
    run(content_image, style_image, random_network, preset="photorealistic", content_weight=3.0,
        preserve_colors="histogram")  # fmt: skip
    (options,) = seen
    assert options.init == "content" and options.photorealism_weight == 1e4
    assert options.photo_smoothing == 1.0
    # given explicitly: win over the preset's content weight 5 and colours "none"
    assert options.content_weight == 3.0 and options.preserve_colors == "histogram"


@pytest.mark.parametrize(
    "styles, options, message",
    [
        (1, {"style_blend": [0.5, 0.5]}, "2 blend weights for 1 style"),
        (2, {"style_blend": [0.0, 0.0]}, "sum to a positive number"),
        (2, {"style_blend": [1.0, -1.0]}, "finite numbers >= 0"),
        (2, {"style_scale": [1.0, 1.0, 1.0]}, "3 style scales for 2"),
        (1, {"masks": [np.ones((48, 48))] * 2}, "2 mask(s) for 1 style"),
        (1, {"masks": [np.ones((48, 48, 2))]}, "a mask must be (height, width)"),
        (1, {"masks": [np.ones((40, 48))]}, "48x40 px but the content image is 48x48"),
        (1, {"label_map": np.full((48, 48), 2)}, "label 2 but there are 1 style"),
        (1, {"label_map": np.zeros((48, 48)), "masks": [np.ones((48, 48))]}, "not both"),
        (1, {"style_loss": "mmd"}, "unknown style_loss 'mmd'"),
        (1, {"preserve_colors": "chroma"}, "unknown preserve_colors"),
        (1, {"scales": 0}, "scales must be positive"),
        (1, {"scales": 3, "size": 48}, "too small"),
        (1, {"preset": "oil"}, "unknown preset 'oil'"),
        (
            1,
            {"style_loss": "mrf", "size": 1000, "max_memory": "20G"},
            "patch matching at 1000x1000",
        ),
        (0, {}, "no style image"),
    ],
)
def test_bad_controls_are_one_line_errors(
    random_network, content_image, style_image, styles, options, message
):
    with pytest.raises(NstError, match=message.replace("(", r"\(").replace(")", r"\)")) as error:
        run(content_image, [style_image] * styles, random_network, **options)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"style_loss": "swap"}, "style swap loss needs a content image"),
        ({"preserve_colors": "luminance"}, "color preservation needs a content image"),
        ({"masks": [np.ones((48, 48))]}, "masks need"),
    ],
)
def test_texture_refuses_content_controls(random_network, style_image, options, message):
    options = Options(loss_network=random_network, init="noise", **options)
    with pytest.raises(NstError, match=message):
        run_module.run_optimization(None, [style_image], (48, 48), options)


def test_every_preset_option_can_be_left_to_the_preset():
    """A preset may only set options that stylize lets a caller leave at None."""
    for options in presets.PRESETS.values():
        assert set(options) <= set(presets.PRESET_OPTIONS)
