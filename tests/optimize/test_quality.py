"""Quality with a pretrained loss network: tubingen x starry_night at 128 px.

Uses the stand-in VGG16 of ../shared/weights (HED edge-detector convolutions, fine-tuned from
ImageNet VGG16); skips when ../shared is absent.
"""

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image, ImageFilter
from support import SHARED

from nst_tf import defaults
from nst_tf.encoders import vgg as networks
from nst_tf.io import image_io as images
from nst_tf.optimize import image_optimization

SIZE = 128
ITERATIONS = 100
CONTENT_BOUND = 110.0
STRUCTURE_BOUND = 0.8


@pytest.fixture(scope="module")
def setting(stand_in_weights):
    content_path = SHARED / "images" / "content" / "tubingen.jpg"
    style_path = SHARED / "images" / "style" / "starry_night.jpg"
    if not (content_path.is_file() and style_path.is_file()):
        pytest.skip("../shared/images is not beside the repository")
    layers = [*defaults.STYLE_LAYERS, *defaults.CONTENT_LAYERS]
    network = networks.build_loss_network(layers, "vgg16", stand_in_weights)
    content = images.resize_longest(images.load_image(content_path), SIZE)
    style = images.load_image(style_path)
    return network, content, style


def content_loss(network, content, image):
    """Unweighted content loss (block4_conv2 MSE) of `image` against `content`."""
    features = network(image[None])["block4_conv2"]
    target = network(content[None])["block4_conv2"]
    return float(tf.reduce_mean(tf.square(features - target)))


@pytest.mark.slow
def test_stylisation_matches_style_and_keeps_content(setting):
    network, content, style = setting
    result = image_optimization.stylize(
        content, style, vgg="vgg16", loss_network=network, iterations=ITERATIONS, progress=False
    )
    first, last = result.history[0], result.history[-1]
    style_fall = first["style"] / last["style"]
    print(f"style loss {first['style']:.4g} -> {last['style']:.4g} ({style_fall:.0f}-fold)")
    assert style_fall >= 100

    # The content bound, measured at this size with these weights: the result scores 98.6;
    # the painting itself (resized to the content) scores 120.3, so a bound of 110 says the
    # result is clearly nearer to tubingen than the painting is, with 10 % slack for other CPUs
    # and library versions. Unrelated photos score 75-126 and uniform grey 78: block4_conv2 of
    # this edge-detector network responds strongly to brush strokes, so content loss alone
    # cannot tell a stylised tubingen from another photo (the same run without the content term
    # scores 101.9, as the optimisation starts from the content image).
    kept = content_loss(network, content, result.image)
    painting = content_loss(network, content, images.resize(style, content.shape[:2]))
    print(f"content loss {kept:.1f}; the painting's {painting:.1f}")
    assert kept == pytest.approx(last["content"], rel=1e-3)
    assert kept < CONTENT_BOUND < painting

    # As the content loss cannot fail for a result that lost the content (grey scores 78), the
    # structure is checked in pixels too: the correlation of blurred luminance with the
    # content's. Measured: results 0.97 (style weights 1-10); the painting 0.48, unrelated photos
    # -0.46 to 0.45, noise 0.0.
    correlation = structure_correlation(content, result.image)
    print(f"structure correlation {correlation:.3f}")
    assert correlation > STRUCTURE_BOUND


def structure_correlation(reference, image):
    """Pearson correlation of the Gaussian-blurred (radius 2) luminances of two images."""

    def blurred_luminance(array):
        luminance = images.to_uint8(array @ np.array([0.299, 0.587, 0.114], np.float32))
        blurred = Image.fromarray(luminance).filter(ImageFilter.GaussianBlur(2))
        return np.asarray(blurred, np.float64).ravel()

    return float(np.corrcoef(blurred_luminance(reference), blurred_luminance(image))[0, 1])
