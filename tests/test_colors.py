"""Colour preservation helpers against closed-form expectations."""

import numpy as np
import pytest

from nst_tf import colors


@pytest.fixture
def rng():
    return np.random.default_rng(3)


def test_yiq_round_trip_and_grey_has_no_chroma(rng):
    image = rng.uniform(0, 255, (5, 7, 3))
    np.testing.assert_allclose(colors.yiq_to_rgb(colors.rgb_to_yiq(image)), image, atol=1e-9)
    grey = np.full((2, 2, 3), 77.0)
    yiq = colors.rgb_to_yiq(grey)
    np.testing.assert_allclose(yiq[..., 0], 77.0)
    np.testing.assert_allclose(yiq[..., 1:], 0.0, atol=1e-4)


def test_combine_luminance_keeps_content_chroma_and_stylized_luminance(rng):
    content = rng.uniform(60, 190, (6, 6, 3))
    stylized = rng.uniform(90, 160, (6, 6, 3))
    combined = colors.combine_luminance(stylized, content)
    np.testing.assert_allclose(
        colors.rgb_to_yiq(combined)[..., 1:], colors.rgb_to_yiq(content)[..., 1:], atol=1e-3
    )
    np.testing.assert_allclose(
        colors.rgb_to_yiq(combined)[..., 0], colors.rgb_to_yiq(stylized)[..., 0], atol=1e-3
    )


def test_match_luminance_matches_mean_and_std(rng):
    style = rng.uniform(0, 255, (20, 30, 3))
    content = rng.uniform(80, 120, (10, 10, 3))
    matched = colors.match_luminance(style, content)
    assert matched.shape == (20, 30, 3)
    assert np.all(matched[..., 0] == matched[..., 1])
    content_y = colors.rgb_to_yiq(content)[..., 0]
    assert matched[..., 0].mean() == pytest.approx(content_y.mean(), rel=1e-4)
    assert matched[..., 0].std() == pytest.approx(content_y.std(), rel=1e-3)


def test_match_colors_gives_style_the_content_mean_and_covariance(rng):
    mix = np.array([[0.9, 0.1, 0.0], [0.3, 0.5, 0.2], [0.1, 0.2, 0.3]])
    style = (rng.normal(size=(40, 40, 3)) @ mix.T) * 20 + np.array([100, 90, 140])
    content = rng.normal(size=(30, 50, 3)) * np.array([15, 25, 10]) + np.array([120, 110, 90])
    matched = colors.match_colors(style, content).reshape(-1, 3).astype(np.float64)
    content_pixels = content.reshape(-1, 3)
    np.testing.assert_allclose(matched.mean(0), content_pixels.mean(0), atol=0.05)
    np.testing.assert_allclose(
        np.cov(matched, rowvar=False), np.cov(content_pixels, rowvar=False), rtol=0.01, atol=0.5
    )
    # Before matching the covariances differ clearly.
    assert not np.allclose(
        np.cov(style.reshape(-1, 3), rowvar=False), np.cov(content_pixels, rowvar=False), rtol=0.2
    )
