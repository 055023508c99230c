"""Training: the loss falls, checkpoints and resume (also after a kill), mirrored strategy."""

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
from PIL import Image
from support import REPO, SAMPLES, gradient_image, stripes_image

from nst_tf.errors import NstError
from nst_tf.feedforward import model as feedforward
from nst_tf.feedforward import training


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("photos")
    for i in range(4):
        image = np.roll(gradient_image(48), 12 * i, axis=1) * 0.6 + stripes_image(48) * 0.4
        Image.fromarray(image.astype(np.uint8)).save(folder / f"{i}.png")
    return str(folder)


def tiny_config(data_folder, **overrides):
    settings = {
        "styles": [str(SAMPLES / "starry_night.jpg"), str(SAMPLES / "the_scream.jpg")],
        "data": data_folder,
        "steps": 12,
        "batch_size": 2,
        "image_size": 32,
        "style_size": 32,
        "variant": "small",
        "vgg_weights": None,
        "learning_rate": 1e-2,
        "checkpoint_every": 4,
        "log_every": 1,
        "jit_compile": False,
    }
    settings.update(overrides)
    return training.TrainConfig(**settings)


@pytest.fixture(scope="module")
def short_run(tmp_path_factory, data_folder):
    out = str(tmp_path_factory.mktemp("run") / "run")
    result = training.train(tiny_config(data_folder), out, progress=False)
    return out, result


@pytest.mark.slow
def test_a_short_training_lowers_the_loss(short_run):
    _, result = short_run
    totals = [entry["total"] for entry in result.history]
    assert [entry["step"] for entry in result.history] == list(range(1, 13))
    assert np.mean(totals[-3:]) < 0.7 * np.mean(totals[:3])


def test_a_run_folder_has_checkpoints_model_samples_and_logs(short_run):
    out, result = short_run
    assert sorted(os.listdir(os.path.join(out, "checkpoints"))) == [
        "ckpt-000008.npz",
        "ckpt-000012.npz",
    ]
    assert sorted(os.listdir(os.path.join(out, "samples"))) == [
        "step-000004.jpg",
        "step-000008.jpg",
        "step-000012.jpg",
    ]
    assert os.listdir(os.path.join(out, "logs"))
    assert os.path.getsize(os.path.join(out, "loss.png")) > 1000
    assert not [name for name in os.listdir(out) if name.startswith(".tmp")]
    loaded = feedforward.load_model(out)
    assert loaded.style_names == ["starry_night", "the_scream"]
    assert loaded.metadata["steps"] == 12
    image = gradient_image(40)[None]
    for style in range(2):
        weights = loaded.style_weights(style)
        np.testing.assert_allclose(
            loaded.stylize(image, weights),
            result.model([image, weights[None]]).numpy(),
            atol=1e-3,
        )


@pytest.mark.slow
def test_resume_continues_from_the_last_checkpoint(short_run, tmp_path, data_folder):
    original, result = short_run
    out = str(tmp_path / "resumed")
    shutil.copytree(original, out)
    with np.load(os.path.join(out, "checkpoints", "ckpt-000012.npz")) as saved:
        np.testing.assert_array_equal(saved["model_0"], result.model.get_weights()[0])
    resumed = training.train(tiny_config(data_folder, steps=16), out, resume=True, progress=False)
    assert [entry["step"] for entry in resumed.history] == list(range(1, 17))
    assert resumed.history[:12] == result.history
    assert feedforward.load_model(out).metadata["steps"] == 16
    assert max(os.listdir(os.path.join(out, "checkpoints"))) == "ckpt-000016.npz"


def test_refuses_to_overwrite_a_run_or_resume_nothing(short_run, tmp_path, data_folder):
    out, _ = short_run
    with pytest.raises(NstError, match="already holds a run"):
        training.train(tiny_config(data_folder), out, progress=False)
    with pytest.raises(NstError, match="nothing to resume"):
        training.train(tiny_config(data_folder), str(tmp_path / "new"), resume=True)


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"styles": []}, "no style image given"),
        ({"styles": ["/no/such.jpg"]}, "image file not found"),
        ({"data": "/no/such/folder"}, "folder not found"),
        ({"steps": 0}, "steps must be positive"),
        ({"image_size": 4}, "at least 8 px"),
    ],
)
def test_bad_settings_are_one_line_errors(tmp_path, data_folder, overrides, message):
    with pytest.raises(NstError, match=message):
        training.train(tiny_config(data_folder, **overrides), str(tmp_path / "x"), progress=False)
    assert not (tmp_path / "x").exists()


def _cli(*arguments):
    return [sys.executable, "-m", "nst_tf", *arguments]


@pytest.mark.slow
def test_a_killed_run_resumes_losing_at_most_one_checkpoint_interval(tmp_path, data_folder):
    """Also the CLI's mirrored training over two logical CPU devices (one process less)."""
    out = tmp_path / "killed"
    common = ["--out", str(out), "--quiet", "--noxla"]
    log = tmp_path / "first.log"
    process = subprocess.Popen(
        _cli(
            "train", "--style", str(SAMPLES / "starry_night.jpg"), "--data", data_folder,
            "--steps", "100000", "--batch-size", "2", "--image-size", "32", "--style-size", "32",
            "--network", "small", "--vgg-weights", "none", "--checkpoint-every", "3", "--log-every", "1",
            "--distribute", "mirrored", "--cpu-devices", "2", *common,
        ),
        cwd=REPO, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 240
        while not (out / "checkpoints" / "ckpt-000006.npz").exists():
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        process.kill()
    assert "mirrored training over 2 device(s)" in log.read_text()
    newest = max(os.listdir(out / "checkpoints"))
    last_checkpoint = int(newest[len("ckpt-") : -len(".npz")])
    with np.load(out / "checkpoints" / newest) as saved:
        checkpointed = json.loads(str(saved["history"]))
    resumed = subprocess.run(
        _cli("train", "--resume", "--steps", str(last_checkpoint + 2), *common),
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    history = json.loads((out / "history.json").read_text())
    assert [entry["step"] for entry in history] == list(range(1, last_checkpoint + 3))
    assert history[:last_checkpoint] == checkpointed  # what the checkpoint held is kept as it was
    assert f"resuming from step {last_checkpoint}" in resumed.stdout
    assert f"after {last_checkpoint + 2} steps" in resumed.stdout
    leftovers = [p.name for p in out.rglob("*") if p.name.startswith(".tmp")]
    assert not leftovers


MIRRORED_CHECK = textwrap.dedent(
    """
    import numpy as np, tensorflow as tf, keras
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    from nst_tf.encoders import vgg as networks
    from nst_tf.feedforward import training
    from nst_tf.feedforward import transformer
    from nst_tf import defaults
    from nst_tf.feedforward.perceptual_loss import PerceptualLoss
    rng = np.random.default_rng(0)
    style = rng.uniform(0, 255, (32, 32, 3)).astype("float32")
    keras.utils.set_random_seed(0)
    vgg = networks.build_loss_network(
        [*defaults.FEEDFORWARD_CONTENT_LAYERS, *defaults.FEEDFORWARD_STYLE_LAYERS], "vgg16", None)
    loss = PerceptualLoss(vgg, [style, style[::-1]], 32, 1.0, 1e-3, 1e-2)
    images = tf.constant(rng.uniform(0, 255, (4, 32, 32, 3)).astype("float32"))
    indices = tf.constant([0, 1, 1, 0])
    results = []
    for strategy in (tf.distribute.get_strategy(), tf.distribute.MirroredStrategy()):
        with strategy.scope():
            keras.utils.set_random_seed(1)
            model = transformer.build_transformer(2, "small")
            optimizer = keras.optimizers.SGD(0.1)
            optimizer.build(model.trainable_variables)
        step = training._make_step(model, optimizer, loss, strategy, 2, jit_compile=False)
        dataset = tf.data.Dataset.from_tensors((images, indices))
        batch = next(iter(strategy.experimental_distribute_dataset(dataset)))
        losses = step(*batch)
        results.append((float(losses["total"]), model.get_weights()))
        print("replicas", strategy.num_replicas_in_sync)
    (single, single_weights), (mirrored, mirrored_weights) = results
    assert abs(single - mirrored) < 1e-4 * abs(single), (single, mirrored)
    for a, b in zip(single_weights, mirrored_weights):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-6)
    print("same update")
    """
)


@pytest.mark.slow
def test_mirrored_strategy_on_two_cpu_devices_makes_the_same_update():
    completed = subprocess.run(
        [sys.executable, "-c", MIRRORED_CHECK],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "replicas 1" in completed.stdout and "replicas 2" in completed.stdout
    assert "same update" in completed.stdout
