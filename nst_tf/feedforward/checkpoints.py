"""Training checkpoints: one .npz per checkpoint (weights, Adam slots, step, loss history).

Each is written atomically and the newest CHECKPOINTS_KEPT are kept, so a killed run resumes.
"""

import json
import os
import re

import numpy as np

from nst_tf.io import files

CHECKPOINTS_KEPT = 2
CHECKPOINT_NAME = re.compile(r"^ckpt-(\d+)\.npz$")


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
