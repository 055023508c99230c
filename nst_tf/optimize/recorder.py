"""The record of an optimisation: loss history, progress bar and images saved along the way."""

import time

import tqdm

from nst_tf.io import image_io


class Recorder:
    """Keeps the loss history of one pyramid level, drives the progress bar, saves images.

    Args:
      iterations: iterations of this level.
      options: Options (progress, save_every, save_path, on_iteration).
      started: `time.perf_counter()` at the start of the whole optimisation.
      earlier: the history of the coarser levels, which this level's entries continue.
      finish: turns the optimised image into the result (puts the colours back in luminance
        mode); saved images go through it too.
      level: this level's index; None: the one after the last entry of `earlier` (the tiles of
        a level share its index).
    """

    def __init__(self, iterations, options, started, earlier, finish, level=None):
        self.history = []
        self.finish = finish
        self.save_every = options.save_every
        self.save_path = options.save_path
        self.on_iteration = options.on_iteration
        self.started = started
        last = earlier[-1] if earlier else {"level": -1, "iteration": 0, "evaluations": 0}
        self.level = last["level"] + 1 if level is None else level
        self.first_iteration = last["iteration"]
        self.first_evaluation = last["evaluations"]
        self.bar = tqdm.tqdm(
            total=iterations, disable=not options.progress, unit="it", dynamic_ncols=True
        )

    def record(self, iteration, parts, evaluations):
        """Records the losses of the image after `iteration` iterations (0: the initial image).

        Args:
          iteration: iterations done so far in this level.
          parts: dict of scalar losses.
          evaluations: loss evaluations spent so far in this level.
        """
        entry = {
            "iteration": self.first_iteration + iteration,
            "seconds": time.perf_counter() - self.started,
            "evaluations": self.first_evaluation + evaluations,
            "level": self.level,
        }
        entry.update({name: float(value) for name, value in parts.items()})
        self.history.append(entry)
        if iteration > 0:
            self.bar.update(iteration - self.bar.n)
            self.bar.set_postfix(
                {name: f"{entry[name]:.3g}" for name in ("content", "style", "tv")}, refresh=False
            )

    def wants_image(self, iteration):
        """Whether `save` needs the image after `iteration` iterations of this level."""
        return self._saves_file(iteration) or (self.on_iteration is not None and iteration > 0)

    def _saves_file(self, iteration):
        iteration += self.first_iteration
        return bool(self.save_every) and iteration > 0 and iteration % self.save_every == 0

    def save(self, iteration, image):
        """Saves the image after `iteration` iterations of this level if `save_every` asks, and
        hands it to `on_iteration` if given."""
        if self._saves_file(iteration):
            path = self.save_path.format(iteration=self.first_iteration + iteration)
            image_io.save_image(path, self.finish(image))
        if self.on_iteration is not None and iteration > 0:
            self.on_iteration(self.first_iteration + iteration, lambda: self.finish(image))

    def close(self):
        """Closes the progress bar."""
        self.bar.close()
