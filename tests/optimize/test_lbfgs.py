"""The L-BFGS minimiser on functions with known minima."""

import numpy as np
import pytest

from nst_tf.errors import NstError
from nst_tf.optimize import lbfgs


def quadratic(center, scales):
    """f(x) = sum(scales * (x - center)^2) / 2, an ill-conditioned bowl."""

    def evaluate(x):
        d = x.astype(np.float64) - center
        return float(0.5 * np.sum(scales * d * d)), (scales * d).astype(np.float32), None

    return evaluate


def run(evaluate, start, iterations, **kwargs):
    seen = []
    x = lbfgs.minimize(
        evaluate, start, iterations, lambda i, x, extra, n: seen.append((i, n)), **kwargs
    )
    return x, seen


def test_converges_on_ill_conditioned_quadratic():
    rng = np.random.default_rng(0)
    center = rng.uniform(50, 200, 500)
    scales = np.logspace(0, 3, 500)  # condition number 1000
    evaluate = quadratic(center, scales)
    x, seen = run(evaluate, np.zeros(500, np.float32), 150)
    assert evaluate(x)[0] < 1e-5 * evaluate(np.zeros(500))[0]
    np.testing.assert_allclose(x[scales > 10], center[scales > 10], atol=0.05)
    assert [i for i, _ in seen] == list(range(151))
    assert seen[-1][1] <= 151 * 1.3  # evaluations: mostly one per iteration


def test_respects_bounds():
    center = np.array([-50.0, 100.0, 300.0])
    x, _ = run(quadratic(center, np.ones(3)), np.full(3, 128, np.float32), 30)
    np.testing.assert_allclose(x, [0.0, 100.0, 255.0], atol=1e-3)


def test_rosenbrock_descends():
    def rosenbrock(x):
        a, b = float(x[0]), float(x[1])
        value = (1 - a) ** 2 + 100 * (b - a * a) ** 2
        gradient = [-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)]
        return value, np.array(gradient, np.float32), None

    x, _ = run(rosenbrock, np.array([-1.2, 1.0], np.float32), 200, bounds=(-5.0, 5.0))
    np.testing.assert_allclose(x, [1.0, 1.0], atol=0.02)


def test_non_finite_loss_is_an_error():
    def explodes(x):
        return float("nan"), np.zeros_like(x), None

    with pytest.raises(NstError, match="diverged"):
        run(explodes, np.zeros(4, np.float32), 3)


def test_first_step_is_visible_with_a_million_variables():
    # With torch's first step, min(1, 1/|g|_1), a 512 px image moved by ~1e-7 per pixel: the
    # float32 loss did not change and every iteration was spent halving.
    rng = np.random.default_rng(1)
    center = rng.uniform(0, 255, 1_000_000)

    def evaluate(x):
        d = x.astype(np.float64) - center
        return float(np.float32(0.5 * np.mean(d * d))), (d / d.size).astype(np.float32), None

    start = np.full(center.size, 128, np.float32)
    x, seen = run(evaluate, start, 5)
    assert evaluate(x)[0] < 0.01 * evaluate(start)[0]
    assert seen[-1][1] <= 5 + 1 + 2  # no halving storms


def test_a_step_that_never_decreases_is_not_taken():
    # The gradient points the wrong way: no step along -g lowers the loss.
    def lying(x):
        return float(np.sum(x)), -np.ones_like(x), None

    start = np.full(3, 100.0, np.float32)
    x, seen = run(lying, start, 2)
    np.testing.assert_array_equal(x, start)
    assert seen[-1][1] == 1 + 2 * 6  # six tries per iteration, none accepted


def test_steps_grow_while_the_loss_curves_down():
    # Around a maximum (as around the content image, where the content loss is at its minimum
    # and the style term curves down) no curvature pair is positive: unit steps would crawl one
    # pixel value per iteration; doubling steps reach the bounds within ten.
    center = np.full(50, 127.0)

    def hill(x):
        d = x.astype(np.float64) - center
        return float(-np.sum(d * d)), (-2 * d).astype(np.float32), None

    start = center.astype(np.float32) + np.linspace(0.5, 1.0, 50, dtype=np.float32)
    x, seen = run(hill, start, 10)
    np.testing.assert_allclose(x, 255.0)
    assert seen[-1][1] <= 10 + 1 + 6  # a few halvings once the steps outgrow the room left
