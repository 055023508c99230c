"""The matting Laplacian term of the objective (Luan et al. 2017) on a random-weight VGG19."""

import numpy as np
import pytest
import tensorflow as tf
from support import gradient_image, stripes_image

from nst_tf.errors import NstError
from nst_tf.optimize import image_optimization
from nst_tf.optimize.objective import Objective
from nst_tf.optimize.options import Options
from nst_tf.optimize.run import run_optimization
from nst_tf.photoreal import matting


@pytest.mark.parametrize("xla", [False, pytest.param(True, marks=pytest.mark.slow)])
def test_the_term_adds_twice_the_laplacian_times_the_image_to_the_gradient(random_network, xla):
    content, style = gradient_image(32), stripes_image(32)
    image = tf.constant(stripes_image(32)[None])

    def evaluate(weight):
        options = Options(photorealism_weight=weight, tv_weight=0.0, xla=xla)
        objective = Objective(random_network, options, (32, 32), content, [style], [1.0])
        return objective.losses_and_gradient(image)

    (plain, plain_gradient), (weighted, gradient) = evaluate(0.0), evaluate(100.0)
    assert "photorealism" not in plain
    laplacian = matting.matting_laplacian(content)
    expected = 100.0 * matting.matting_cost(image[0].numpy(), laplacian)
    np.testing.assert_allclose(float(weighted["photorealism"]), expected, rtol=1e-3)
    np.testing.assert_allclose(
        float(weighted["total"]), float(plain["total"]) + expected, rtol=1e-3
    )
    added = (gradient - plain_gradient).numpy().reshape(-1, 3)
    flat = image[0].numpy().reshape(-1, 3) / 255.0
    np.testing.assert_allclose(added, 100.0 * 2.0 * (laplacian @ flat) / 255.0, atol=2e-3)


def test_set_content_changes_the_laplacian_in_place(random_network):
    first, second = gradient_image(24), stripes_image(24)[::-1]
    image = tf.constant(stripes_image(24)[None])
    options = Options(photorealism_weight=1.0, xla=False)
    moved = Objective(random_network, options, (24, 24), first, [second], [1.0])
    moved.set_content(second)
    fresh = Objective(random_network, options, (24, 24), second, [second], [1.0])
    expected = matting.matting_cost(image[0].numpy(), matting.matting_laplacian(second))
    for objective in (moved, fresh):
        parts = objective.losses(image)
        np.testing.assert_allclose(float(parts["photorealism"]), expected, rtol=1e-3)


@pytest.mark.slow
def test_the_term_keeps_an_optimised_result_photorealistic(random_network):
    content, style = gradient_image(32), stripes_image(32)
    laplacian = matting.matting_laplacian(content)
    costs = []
    for weight in (0.0, 1e4):
        result = image_optimization.stylize(
            content, style, loss_network=random_network, iterations=10, init="content",
            photorealism_weight=weight, tv_weight=0.0, style_weight=1e3, progress=False, xla=False,
        )  # fmt: skip
        costs.append(matting.matting_cost(result.image, laplacian))
    assert costs[1] < 0.2 * costs[0]


@pytest.mark.parametrize(
    "options, message",
    [
        ({"photorealism_weight": -1.0}, "photorealism_weight must be a finite number >= 0"),
        ({"photo_smoothing": 2.0}, "photo_smoothing must be in [0, 1]"),
    ],
)
def test_bad_photorealism_options(options, message):
    with pytest.raises(NstError, match=message.replace("[", r"\[").replace("]", r"\]")):
        Options(**options).validate()


def test_texture_synthesis_has_no_photo_to_keep():
    with pytest.raises(NstError, match="the photorealism weight needs a content image"):
        run_optimization(None, [stripes_image(32)], (32, 32),
                         Options(photorealism_weight=1.0, init="noise"))  # fmt: skip
