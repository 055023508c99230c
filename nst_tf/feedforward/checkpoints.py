"""Training runs: their settings (run.json) and checkpoints, one .npz per checkpoint (weights,
Adam slots, step, loss history).

Each is written atomically and the newest CHECKPOINTS_KEPT are kept, so a killed run resumes.
"""

import dataclasses
import json
import os
import re
import time

import numpy as np
import tqdm

from nst_tf.errors import NstError
from nst_tf.io import files

CHECKPOINTS_KEPT = 2
CHECKPOINT_NAME = re.compile(r"^ckpt-(\d+)\.npz$")


@dataclasses.dataclass
class TrainResult:
    """What a training run returns (`train` and `train_upscaler`): the trained network, its file
    (None on a multi-worker run's workers other than the chief, which write nothing) and the
    loss history. Unpacks as (model, history), the upscaler's earlier tuple."""

    model: object
    model_path: str | None
    history: list

    def __iter__(self):
        return iter((self.model, self.history))


class StepLog:
    """The progress bar and loss history of a training run: every `log_every` steps (and the
    last) an entry with the step, the seconds since the run began (across resumes) and the
    losses.

    Args:
      steps: the run's last step.
      start_step: the step it resumes after (0 for a new run).
      log_every: steps between entries.
      history: the entries so far (a resumed run's), extended in place.
      progress: show the bar.
      shown: names of the losses shown beside the bar.
    """

    def __init__(self, steps, start_step, log_every, history, progress, shown):
        self.steps, self.log_every, self.history, self.shown = steps, log_every, history, shown
        self.bar = tqdm.tqdm(
            total=steps, initial=start_step, disable=not progress, unit="step", dynamic_ncols=True
        )
        self.started = time.perf_counter() - (history[-1]["seconds"] if history else 0.0)

    def record(self, step, losses):
        """Counts a step; on a logging step appends and returns its entry (else None).

        Raises:
          NstError: a loss is not finite.
        """
        entry = None
        if step % self.log_every == 0 or step == self.steps:
            entry = {"step": step, "seconds": round(time.perf_counter() - self.started, 2)}
            entry.update({name: float(value) for name, value in losses.items()})
            if not all(np.isfinite(float(value)) for value in losses.values()):
                raise NstError(
                    f"the loss became {entry['total']} at step {step}: lower learning_rate "
                    "or the loss weights, then resume"
                )
            self.history.append(entry)
            self.bar.set_postfix({name: f"{entry[name]:.4g}" for name in self.shown})
        self.bar.update(1)
        return entry

    def close(self):
        self.bar.close()


def prepare_run(config, out_dir, resume, writes=True):
    """Checks the settings and the run folder; writes run.json for a new run.

    Args:
      config: a settings dataclass with `steps` and `validate()`.
      out_dir: the run folder.
      resume: continue the run there (its saved settings are read back, with config's steps).
      writes: whether this process writes the run folder.

    Returns:
      the config to train with.

    Raises:
      NstError: nothing to resume, a run already there (without resume), or bad settings.
    """
    settings_path = os.path.join(out_dir, "run.json")
    if resume:
        if not os.path.isfile(settings_path):
            raise NstError(f"nothing to resume: {out_dir} holds no run (no run.json)")
        with open(settings_path) as f:
            saved = type(config)(**json.load(f))
        saved.steps = config.steps
        config = saved
    elif os.path.exists(settings_path) and writes:
        raise NstError(f"{out_dir} already holds a run: resume it or choose another out_dir")
    config.validate()
    if not resume and writes:
        os.makedirs(out_dir, exist_ok=True)
        files.write_json(settings_path, dataclasses.asdict(config))
    return config


def checkpoint_path(out_dir, step):
    """Where the checkpoint after `step` steps goes."""
    return os.path.join(out_dir, "checkpoints", f"ckpt-{step:06d}.npz")


def latest_checkpoint(out_dir):
    """Path of the newest checkpoint in out_dir, or None."""
    folder = os.path.join(out_dir, "checkpoints")
    if not os.path.isdir(folder):
        return None
    found = sorted(
        (int(match.group(1)), name)
        for name in os.listdir(folder)
        if (match := CHECKPOINT_NAME.match(name))
    )
    return os.path.join(folder, found[-1][1]) if found else None


def save_checkpoint(model, optimizer, step, history, out_dir):
    """Writes model weights, optimiser state, step and loss history in one file, atomically.

    Keeps the newest CHECKPOINTS_KEPT checkpoints.
    """
    arrays = {f"model_{i}": np.asarray(w) for i, w in enumerate(model.get_weights())}
    arrays.update({f"optimizer_{i}": np.asarray(v) for i, v in enumerate(optimizer.variables)})
    arrays["step"] = np.asarray(step)
    arrays["history"] = np.asarray(json.dumps(history))
    path = checkpoint_path(out_dir, step)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    files.write_atomically(path, lambda f: np.savez(f, **arrays))
    folder = os.path.dirname(path)
    old = sorted(name for name in os.listdir(folder) if CHECKPOINT_NAME.match(name))
    for name in old[:-CHECKPOINTS_KEPT]:
        os.remove(os.path.join(folder, name))


def restore(path, model, optimizer):
    """Loads a checkpoint into model and optimizer.

    Returns:
      (step, loss history up to that step).
    """
    with np.load(path) as saved:
        model.set_weights([saved[f"model_{i}"] for i in range(len(model.weights))])
        for i, variable in enumerate(optimizer.variables):
            variable.assign(saved[f"optimizer_{i}"])
        return int(saved["step"]), json.loads(str(saved["history"]))
