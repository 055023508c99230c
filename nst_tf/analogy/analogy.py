"""`image_analogy`: S : S' :: T : T'. Correspondences T -> S coarse to fine in VGG feature space
(with glyph guidance for text), S' carried to T' by patch voting, then an optimisation of T'
towards the S' features carried the same way."""

import dataclasses
import os
import time

import numpy as np
from tqdm import tqdm

from nst_tf.analogy import correspondence
from nst_tf.analogy.guidance import GUIDANCE_CHOICES, text_channels, uses_text_guidance
from nst_tf.defaults import DEFAULT_WEIGHTS
from nst_tf.errors import NstError
from nst_tf.io import image_io

# Coarse to fine; the first is matched exhaustively, the others by PatchMatch from the coarser
# field. The reconstruction compares features at RECONSTRUCTION_LAYERS.
LEVELS = ("block4_conv1", "block3_conv1", "block2_conv1", "block1_conv1")
RECONSTRUCTION_LAYERS = ("block1_conv1", "block2_conv1", "block3_conv1")
PATCH_SIZE = 3
PIXEL_PATCH_SIZE = 5
GUIDANCE_WEIGHT = 2.0  # of a guidance channel, against VGG features of unit mean norm
STYLED_WEIGHT = 1.0  # of S' against the current T' in the pixel-level refinement
PIXEL_PASSES = 2
PATCH_MATCH_ITERATIONS = 4
PIXEL_WEIGHT = 1.0  # keeps the reconstruction near the voted T'
# Off by default: with the stand-in VGG16 the reconstruction moved T' away from the true result
# (tools/bench/bench_analogy.py; figures in bench_results/bench_analogy.json and the README).
ITERATIONS = 0
MIN_SIDE = 16  # px at work: block4_conv1 still has 2 positions
MAX_TARGET_RATIO = 4  # T's working side at most this many times `size` (memory)


@dataclasses.dataclass
class AnalogyResult:
    """T' (float32 (height, width, 3) in [0, 255]), the NNF T -> S at T's working size, whether
    text guidance was used, and the seconds taken."""

    image: np.ndarray
    correspondence: np.ndarray
    text_guidance: bool
    seconds: float


def _as_image(image):
    if isinstance(image, (str, os.PathLike)):
        return image_io.load_image(image)
    return np.asarray(image, np.float32)


def check_aligned(source, source_styled):
    """Raises NstError unless S and S' have the same size (the method needs them aligned)."""
    if source.shape[:2] != source_styled.shape[:2]:
        (h, w), (hs, ws) = source.shape[:2], source_styled.shape[:2]
        raise NstError(
            f"S and S' must have the same size (S' is S restyled, pixel for pixel): S is {w}x{h}, "
            f"S' is {ws}x{hs}"
        )


def working_images(source, source_styled, target, size):
    """S and S' with the longest side `size`, and T scaled by the same factor (so the effect
    keeps its scale from S to T)."""
    check_aligned(source, source_styled)
    shape = image_io.scaled_size(*source.shape[:2], size)
    scale = shape[0] / source.shape[0]
    target_shape = tuple(max(1, round(side * scale)) for side in target.shape[:2])
    if min(shape + target_shape) < MIN_SIDE or max(target_shape) > MAX_TARGET_RATIO * size:
        raise NstError(
            f"at work S would be {shape[1]}x{shape[0]} px and T {target_shape[1]}x"
            f"{target_shape[0]} px: every side must be at least {MIN_SIDE} px and T at most "
            f"{MAX_TARGET_RATIO} times the size; choose another size or rescale T like S"
        )
    return (
        image_io.resize(source, shape),
        image_io.resize(source_styled, shape),
        image_io.resize(target, target_shape),
    )


def _resized(channels, shape):
    """Guidance channels averaged down to a feature map's size."""
    import tensorflow as tf

    return tf.image.resize(channels[None], shape, method="area")[0].numpy()


def _matched_features(source_feature, target_feature, source_guide, target_guide):
    """The two sides of a matching: VGG features scaled to unit mean norm (one scale for both),
    with the guidance channels (or None) appended."""
    norms = np.concatenate(
        [np.linalg.norm(f, axis=-1).ravel() for f in (source_feature, target_feature)]
    )
    scale = 1.0 / (norms.mean() + 1e-8)
    sides = [source_feature * scale, target_feature * scale]
    if source_guide is None:
        return sides
    guides = [
        _resized(guide, side.shape[:2]) * GUIDANCE_WEIGHT
        for guide, side in zip((source_guide, target_guide), sides)
    ]
    return [np.concatenate([side, guide], axis=-1) for side, guide in zip(sides, guides)]


def _feature_maps(network, image):
    features = network(image[None])
    return {name: value[0].numpy() for name, value in features.items()}


def image_analogy(
    source,
    source_styled,
    target,
    *,
    size: int = 256,
    iterations: int = ITERATIONS,
    guidance: str = "auto",
    vgg_weights: str | None = DEFAULT_WEIGHTS,
    progress: bool = True,
    seed: int = 0,
) -> AnalogyResult:
    """S : S' :: T : T': makes T' that is to T as S' is to S.

    Args:
      source, source_styled, target: images (paths or float arrays (h, w, 3) in [0, 255]); S and
        S' must be the same size.
      size: longest side of S and S' at work; T is scaled by the same factor.
      iterations: L-BFGS iterations of the feature reconstruction (0: patch voting only).
      guidance: "text" (glyph masks and distance transforms join the matching), "none",
        or "auto" (text when S and T look like two-tone text).
      vgg_weights: the VGG16 weights (see nst_tf.encoders.vgg.resolve_weights).
      progress: show a progress bar.
      seed: of PatchMatch's random search.

    Returns:
      AnalogyResult.

    Raises:
      NstError: unreadable images, S and S' of different sizes, a bad choice.
    """
    if guidance not in GUIDANCE_CHOICES:
        raise NstError(
            f"unknown guidance {guidance!r}: choose one of {', '.join(GUIDANCE_CHOICES)}"
        )
    if int(iterations) < 0:
        raise NstError(f"iterations must be 0 or more, got {iterations}")
    source, source_styled, target = (_as_image(i) for i in (source, source_styled, target))
    started = time.perf_counter()
    source, source_styled, target = working_images(source, source_styled, target, int(size))
    text = uses_text_guidance(guidance, source, target)
    guides = (text_channels(source), text_channels(target)) if text else (None, None)

    from nst_tf.encoders.vgg import build_loss_network

    network = build_loss_network(sorted(set(LEVELS + RECONSTRUCTION_LAYERS)), "vgg16", vgg_weights)
    bar = tqdm(
        total=len(LEVELS) + PIXEL_PASSES + int(iterations), disable=not progress, unit="step"
    )
    maps = [_feature_maps(network, image) for image in (source, source_styled, target)]
    nnf = find_correspondence(maps[0], maps[2], guides, seed, bar)
    nnf = refine_with_pixels(source, source_styled, target, guides, nnf, seed, bar)
    result = correspondence.vote(source_styled, nnf, PIXEL_PATCH_SIZE)
    if iterations:
        result = reconstruct(
            network, maps[1], maps[2], nnf, source.shape[:2], result, int(iterations), bar
        )
    bar.close()
    return AnalogyResult(np.clip(result, 0, 255), nnf, text, time.perf_counter() - started)


def find_correspondence(source_maps, target_maps, guides, seed, bar=None):
    """The NNF T -> S at full working size, coarse to fine over LEVELS: exhaustive at the first,
    PatchMatch from the field of the level above at the others."""
    nnf, old_source_shape = None, None
    for name in LEVELS:
        source_side, target_side = _matched_features(source_maps[name], target_maps[name], *guides)
        source_shape = source_side.shape[:2]
        if nnf is None:
            nnf = correspondence.exact_matches(source_side, target_side, PATCH_SIZE)
        else:
            nnf = correspondence.resample(
                nnf, target_side.shape[:2], old_source_shape, source_shape
            )
            distances = correspondence.PatchDistances(source_side, target_side, PATCH_SIZE)
            nnf, _ = correspondence.patch_match(distances, nnf, PATCH_MATCH_ITERATIONS, seed)
        old_source_shape = source_shape
        if bar is not None:
            bar.update()
    return nnf


def refine_with_pixels(source, source_styled, target, guides, nnf, seed, bar=None):
    """Makes the NNF coherent in S' (as Hertzmann et al. 2001): matches again on pixels, with S'
    against the current T' and the guidance as extra channels, PIXEL_PASSES times."""
    styled = source_styled / 255.0 * STYLED_WEIGHT
    plain = [source / 255.0, target / 255.0]
    if guides[0] is not None:
        plain = [np.concatenate([p, g * GUIDANCE_WEIGHT], -1) for p, g in zip(plain, guides)]
    for _ in range(PIXEL_PASSES):
        current = correspondence.vote(styled, nnf, PIXEL_PATCH_SIZE)
        distances = correspondence.PatchDistances(
            np.concatenate([plain[0], styled], -1),
            np.concatenate([plain[1], current], -1),
            PIXEL_PATCH_SIZE,
        )
        nnf, _ = correspondence.patch_match(distances, nnf, PATCH_MATCH_ITERATIONS, seed)
        if bar is not None:
            bar.update()
    return nnf


def reconstruct(network, styled_maps, target_maps, nnf, source_shape, start, iterations, bar=None):
    """T' by L-BFGS: VGG features close to S' features carried by the NNF (resampled to each
    layer), pixels close to the voted T'. Each term is normalised by its target's mean square."""
    import tensorflow as tf

    from nst_tf.optimize import lbfgs

    carried = {}
    for name in RECONSTRUCTION_LAYERS:
        feature = styled_maps[name]
        layer_nnf = correspondence.resample(
            nnf, target_maps[name].shape[:2], source_shape, feature.shape[:2]
        )
        carried[name] = tf.constant(correspondence.vote(feature, layer_nnf, PATCH_SIZE)[None])
    voted = tf.constant(start[None])
    shape = start.shape

    @tf.function
    def loss_and_gradient(image):
        with tf.GradientTape() as tape:
            tape.watch(image)
            features = network(image)
            loss = PIXEL_WEIGHT * tf.reduce_mean(tf.square(image - voted)) / (255.0**2)
            for name, target in carried.items():
                loss += tf.reduce_mean(tf.square(features[name] - target)) / (
                    tf.reduce_mean(tf.square(target)) + 1e-8
                )
        return loss, tape.gradient(loss, image)

    def evaluate(x):
        loss, gradient = loss_and_gradient(tf.constant(x.reshape(1, *shape)))
        return float(loss), gradient.numpy().ravel(), None

    def on_iteration(iteration, *_):
        if iteration and bar is not None:
            bar.update()

    return lbfgs.minimize(evaluate, start.ravel(), iterations, on_iteration).reshape(shape)
