"""L-BFGS for image optimisation: about one loss evaluation per iteration, pixels kept in bounds.

The two-loop recursion (Nocedal & Wright, Algorithm 7.4) tries the unit step first, as
Gatys-style implementations do, projected onto the pixel bounds; only if that step does not
lower the loss enough (Armijo condition) is it halved and the loss evaluated again. If five
halvings fail, the point stays where it was and the curvature memory is cleared, so the loss
never rises. scipy's
L-BFGS-B was measured first: its own bookkeeping took a sizeable share of each iteration on top
of the loss pass, and its line search often spends several evaluations (tools/bench/bench_race.py
still races it: bench_results/bench_race.json).
"""

import numpy as np

from nst_tf.errors import NstError

_ARMIJO = 1e-4  # sufficient decrease: f(x + p) <= f(x) + _ARMIJO * g . p
_MAX_HALVINGS = 5
_FLOAT32_SLACK = 1e-6  # relative rounding of a float32 loss summed over many terms


class _Memory:
    """The last `size` (step, gradient change) pairs that shape the curvature estimate, and the
    length of steepest-descent steps while there are none."""

    def __init__(self, size):
        self.size = size
        self.pairs = []  # (s, y, 1 / (y . s))
        self.descent_length = 1.0  # pixel values the most-changed pixel moves

    def add(self, step, change, scale):
        """Keeps a pair if its curvature y . s is positive (else the estimate would break).

        A steepest-descent step whose pair is refused (the loss curves down along it, as it does
        around the content image, where the content loss is at its minimum) doubles the next
        one's length, times the `scale` the line search accepted: otherwise every step would
        move one pixel value (measured: 25 iterations to lower the loss by a third, then a
        sudden drop once a positive pair arrived).
        """
        curvature = float(np.dot(step, change))
        if curvature > 1e-10 * float(np.dot(change, change)):
            self.pairs = [*self.pairs, (step, change, 1.0 / curvature)][-self.size :]
        elif not self.pairs:
            self.descent_length *= 2.0 * scale

    def direction(self, gradient):
        """-H g by the two-loop recursion; scaled steepest descent while memory is empty."""
        if not self.pairs:
            # Steepest descent moving the most-changed variable by descent_length pixel values.
            # (torch's min(1, 1/|g|_1) shrinks with the number of pixels until float32 losses
            # cannot see the step at 512 px.)
            largest = float(np.abs(gradient).max())
            if largest == 0:
                return np.zeros_like(gradient)
            return -gradient * np.float32(self.descent_length / largest)
        q = gradient.astype(np.float32, copy=True)
        alphas = []
        for s, y, rho in reversed(self.pairs):
            alpha = rho * float(np.dot(s, q))
            q -= np.float32(alpha) * y
            alphas.append(alpha)
        s, y, _ = self.pairs[-1]
        q *= np.float32(float(np.dot(s, y)) / float(np.dot(y, y)))
        for (s, y, rho), alpha in zip(self.pairs, reversed(alphas)):
            q += np.float32(alpha - rho * float(np.dot(y, q))) * s
        return -q


def minimize(evaluate, start, iterations, on_iteration, history_size=10, bounds=(0.0, 255.0)):
    """Minimises a function of a flat float32 vector.

    Args:
      evaluate: x -> (loss as float, flat float32 gradient, anything to pass to on_iteration).
      start: flat float32 starting point.
      iterations: number of iterations.
      on_iteration: called as on_iteration(iteration, x, extra, evaluations) after the start
        (iteration 0) and after every iteration; evaluations counts the calls of `evaluate`.
      history_size: curvature pairs kept.
      bounds: (low, high) applied to every variable.

    Returns:
      the final point.

    Raises:
      NstError: the loss or gradient stopped being finite.
    """
    memory = _Memory(history_size)
    x = start.astype(np.float32)
    loss, gradient, extra = evaluate(x)
    check_finite(loss, gradient)
    evaluations = 1
    on_iteration(0, x, extra, evaluations)
    for iteration in range(1, iterations + 1):
        direction = memory.direction(gradient)
        scale = 1.0
        for _ in range(_MAX_HALVINGS + 1):
            x_next = np.clip(x + np.float32(scale) * direction, *bounds)
            loss_next, gradient_next, extra_next = evaluate(x_next)
            evaluations += 1
            check_finite(loss_next, gradient_next)
            # Sufficient decrease, up to float32 rounding of the loss itself.
            slack = _FLOAT32_SLACK * abs(loss)
            if loss_next <= loss + _ARMIJO * float(np.dot(gradient, x_next - x)) + slack:
                memory.add(x_next - x, gradient_next - gradient, scale)
                x, loss, gradient, extra = x_next, loss_next, gradient_next, extra_next
                break
            scale *= 0.5
        else:
            memory = _Memory(history_size)  # the curvature estimate misled: stay, start afresh
        on_iteration(iteration, x, extra, evaluations)
    return x


def check_finite(loss, gradient):
    """Raises NstError if the loss or the gradient is not finite."""
    if not (np.isfinite(loss) and np.all(np.isfinite(gradient))):
        raise NstError(
            "the optimisation diverged (the loss is not finite): lower the loss weights "
            "or use optimizer adam"
        )
