"""The optimisers that move the pixels: L-BFGS (nst_tf.optimize.lbfgs) and Adam (Keras)."""

import keras
import tensorflow as tf

from nst_tf.optimize import lbfgs


def run(objective, start, iterations, options, recorder):
    """Minimises with the optimiser `options` names; the recorder is closed at the end.

    Returns:
      the final image, float32 (height, width, 3).
    """
    try:
        if options.optimizer == "lbfgs":
            return run_lbfgs(objective, start, iterations, recorder)
        return run_adam(objective, start, iterations, recorder, options.learning_rate)
    finally:
        recorder.close()


def run_lbfgs(objective, start, iterations, recorder):
    """Minimises with L-BFGS, pixels kept in [0, 255].

    Args:
      objective: an Objective.
      start: float32 image (height, width, 3).
      iterations: L-BFGS iterations.
      recorder: a Recorder.

    Returns:
      the final image, float32 (height, width, 3).
    """
    shape = start.shape

    def evaluate(x):
        parts, gradient = objective.losses_and_gradient(tf.constant(x.reshape(1, *shape)))
        return float(parts["total"]), gradient.numpy().ravel(), parts

    def on_iteration(iteration, x, parts, evaluations):
        recorder.record(iteration, parts, evaluations)
        recorder.save(iteration, x.reshape(shape))

    return lbfgs.minimize(evaluate, start.ravel(), iterations, on_iteration).reshape(shape)


def run_adam(objective, start, iterations, recorder, learning_rate):
    """Minimises with Adam, clipping the pixels to [0, 255] after every step.

    Args:
      objective, start, iterations, recorder: as for run_lbfgs.
      learning_rate: Adam's step size, in pixel values.

    Returns:
      the final image, float32 (height, width, 3).
    """
    image = tf.Variable(start[None], dtype=tf.float32)
    adam = keras.optimizers.Adam(learning_rate=learning_rate)
    adam.build([image])

    for iteration in range(iterations):
        parts, gradient = objective.losses_and_gradient(image)  # losses before this update
        lbfgs.check_finite(float(parts["total"]), gradient.numpy())
        adam.apply_gradients([(gradient, image)])
        image.assign(tf.clip_by_value(image, 0.0, 255.0))
        recorder.record(iteration, parts, iteration + 1)
        if recorder.wants_image(iteration + 1):
            recorder.save(iteration + 1, image[0].numpy())
    final_parts, _ = objective.losses_and_gradient(image)
    recorder.record(iterations, final_parts, iterations + 1)
    return image[0].numpy()
