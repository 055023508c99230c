"""image_analogy end to end on tiny images with a random VGG16: T = S gives S', guidance
changes the matching, S and S' must be aligned."""

import numpy as np
import pytest
from test_guidance import text_image

from nst_tf.analogy import analogy, guidance
from nst_tf.errors import NstError


def smooth_noise(size=32, seed=0):
    """Colour noise blurred a little: every patch unique, as the matching needs for T = S."""
    rng = np.random.default_rng(seed)
    noise = rng.uniform(0, 255, size=(size // 2, size // 2, 3))
    return np.kron(noise, np.ones((2, 2, 1))).astype(np.float32)


@pytest.mark.slow
def test_target_equal_to_source_gives_the_styled_source():
    source = smooth_noise()
    styled = 255.0 - source[:, ::-1] * 0.5  # anything aligned with S
    result = analogy.image_analogy(
        source, styled, source, size=32, iterations=2, vgg_weights=None, progress=False
    )
    assert result.image.shape == (32, 32, 3) and not result.text_guidance
    identity = np.stack(np.mgrid[0:32, 0:32], axis=-1)
    assert (result.correspondence == identity).all(-1).mean() > 0.95
    assert np.abs(result.image - styled)[2:-2, 2:-2].mean() < 3.0


@pytest.mark.slow
def test_text_guidance_matches_the_distance_to_the_glyph_edge():
    source, target = text_image(48), np.roll(text_image(48), 12, axis=1)
    target[6:10, 28:40] = 0.0  # a different glyph: a bar with a serif
    styled = np.where(source < 128, 200.0, 30.0).astype(np.float32)
    runs = {
        choice: analogy.image_analogy(
            source, styled, target, size=48, iterations=0, guidance=choice,
            vgg_weights=None, progress=False,
        )
        for choice in ("text", "none")
    }  # fmt: skip
    assert runs["text"].text_guidance and not runs["none"].text_guidance
    depth = {name: guidance.signed_distance(guidance.glyph_mask(image)) for name, image in
             (("source", source), ("target", target))}  # fmt: skip
    error = {}
    for choice, run in runs.items():
        rows, columns = run.correspondence[..., 0], run.correspondence[..., 1]
        error[choice] = np.abs(depth["source"][rows, columns] - depth["target"]).mean()
    assert error["text"] < 0.5 * error["none"] and error["text"] < 1.0, error
    assert not np.array_equal(runs["text"].correspondence, runs["none"].correspondence)


def test_source_and_styled_source_must_be_the_same_size():
    with pytest.raises(NstError, match="same size"):
        analogy.image_analogy(
            smooth_noise(32), smooth_noise(34), smooth_noise(32), vgg_weights=None, progress=False
        )


def test_sizes_too_small_or_a_target_far_larger_than_the_source_are_refused():
    with pytest.raises(NstError, match="at least 16 px"):
        analogy.image_analogy(smooth_noise(32), smooth_noise(32), smooth_noise(32), size=8)
    with pytest.raises(NstError, match="at most 4 times"):
        analogy.image_analogy(smooth_noise(32), smooth_noise(32), np.zeros((200, 200, 3)), size=16)
