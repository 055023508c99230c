"""Training across workers: two `nst-tf train --distribute multiworker` processes on loopback
(TF_CONFIG) train in step and end with the weights of one worker given the global batch."""

import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image
from support import REPO, SAMPLES, gradient_image, stripes_image

STEPS = 3


def free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def train(out, data_folder, distribute, tf_config=None, steps=STEPS, *more):
    """Starts `nst-tf train` (square 32 px photos, so every crop is the whole photo)."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    env.pop("TF_CONFIG", None)
    if tf_config:
        env["TF_CONFIG"] = json.dumps(tf_config)
    command = [
        sys.executable, "-m", "nst_tf", "train", "--style", str(SAMPLES / "starry_night.jpg"),
        "--data", data_folder, "--steps", str(steps), "--batch-size", "4", "--image-size", "32",
        "--style-size", "32", "--network", "small", "--vgg-weights", "none", "--log-every", "1",
        "--checkpoint-every", str(STEPS), "--learning-rate", "0.01", "--noxla", "--quiet",
        "--distribute", distribute, "--out", str(out), *more,
    ]  # fmt: skip
    return subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(processes):
    """Waits for the processes; their (stdout, stderr), after checking that each succeeded."""
    try:
        results = [process.communicate(timeout=280) for process in processes]
    finally:
        for process in processes:
            process.kill()
    for process, (_, stderr) in zip(processes, results):
        assert process.returncode == 0, stderr[-3000:]
    return results


def checkpoint(out):
    with np.load(out / "checkpoints" / f"ckpt-{STEPS:06d}.npz") as saved:
        count = sum(name.startswith("model_") for name in saved.files)
        return [saved[f"model_{i}"] for i in range(count)], json.loads(str(saved["history"]))


@pytest.mark.slow
def test_two_workers_train_in_step_like_one_worker_with_the_global_batch(tmp_path):
    data_folder = tmp_path / "photos"
    data_folder.mkdir()
    for i in range(8):
        image = np.roll(gradient_image(32), 4 * i, axis=1) * 0.6 + stripes_image(32) * 0.4
        Image.fromarray(image.astype(np.uint8)).save(data_folder / f"{i}.png")

    def cluster(*more):
        ports = free_ports(2)
        workers = {"worker": [f"127.0.0.1:{port}" for port in ports]}
        return [
            train(tmp_path / "two", str(data_folder), "multiworker",
                  {"cluster": workers, "task": {"type": "worker", "index": index}}, *more)
            for index in range(2)
        ]  # fmt: skip

    results = finish([*cluster(), train(tmp_path / "one", str(data_folder), "none")])
    for index in range(2):
        assert f"multi-worker training: worker {index}, 2 replica(s) in all" in results[index][0]
    two_weights, two_history = checkpoint(tmp_path / "two")
    one_weights, one_history = checkpoint(tmp_path / "one")
    assert [entry["step"] for entry in two_history] == list(range(1, STEPS + 1))
    for together, alone in zip(two_history, one_history):
        assert together["total"] == pytest.approx(alone["total"], rel=1e-4)
    assert two_history[0]["total"] != two_history[-1]["total"]  # it trained
    assert len(two_weights) == len(one_weights) > 0
    # Convolution kernels and normalisation scales and shifts: three Adam steps of 0.01 move
    # them by up to 0.03. The biases of the convolutions before instance normalisation are left
    # out: the normalisation subtracts them, so their gradient is rounding noise, which Adam
    # scales up to whole steps of either sign (the last convolution's bias is compared).
    compared = [i for i, weights in enumerate(one_weights) if weights.ndim > 1]
    compared.append(len(one_weights) - 1)
    for i in compared:
        np.testing.assert_allclose(two_weights[i], one_weights[i], atol=1e-3, err_msg=str(i))
    from nst_tf.feedforward import model as feedforward

    photo = gradient_image(48)[None]
    outputs = [
        feedforward.load_model(str(out)).stylize(photo, np.ones(1, np.float32))
        for out in (tmp_path / "two", tmp_path / "one")
    ]
    assert np.abs(outputs[0] - outputs[1]).max() < 1.0  # of 255

    # Restarted, both workers resume from the chief's newest checkpoint in the shared run folder.
    for stdout, _ in finish(cluster(STEPS + 2, "--resume")):
        assert f"resuming from step {STEPS}" in stdout and f"after {STEPS + 2} steps" in stdout
    history = json.loads((tmp_path / "two" / "history.json").read_text())
    assert [entry["step"] for entry in history] == list(range(1, STEPS + 3))
    assert history[:STEPS] == two_history
