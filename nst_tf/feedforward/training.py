"""Training feed-forward style networks with a perceptual loss (Johnson et al. 2016).

A run lives in one folder:
  run.json               the settings (written once; --resume reads them back)
  checkpoints/ckpt-N.npz model and optimiser state after N steps (atomic; the last two are kept)
  model.keras, model.json  the network so far and what it is (rewritten at every checkpoint)
  history.json           losses every `log_every` steps
  samples/step-N.jpg     a sample stylised at each checkpoint, one panel per style
  loss.png               the loss curves
  logs/                  TensorBoard scalars and sample images
"""

import json
import os

import keras
import numpy as np
import tensorflow as tf

from nst_tf import defaults
from nst_tf.encoders import vgg as networks
from nst_tf.errors import NstError
from nst_tf.feedforward import checkpoints, training_input, transformer
from nst_tf.feedforward import model as feedforward
from nst_tf.feedforward.checkpoints import TrainResult
from nst_tf.feedforward.perceptual_loss import PerceptualLoss
from nst_tf.feedforward.training_config import TrainConfig
from nst_tf.io import files, image_io, plots

__all__ = ["TrainConfig", "TrainResult", "train"]

SAMPLE_IMAGE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "samples", "chelsea.jpg")


def train(config, out_dir, resume=False, progress=True):
    """Trains (or resumes training) a transformation network.

    Args:
      config: TrainConfig. When resuming, the run's saved settings are used, except `steps`.
      out_dir: the run folder.
      resume: continue from the newest checkpoint in out_dir.
      progress: show a progress bar.

    Returns:
      TrainResult.

    Raises:
      NstError: bad settings, an out_dir that already holds a run (without resume) or none (with
        resume), unusable data or weights.
    """
    config = checkpoints.prepare_run(config, out_dir, resume, _writes_run(config))
    strategy = _strategy(config.distribute)
    writes = _writes_run(config)
    replicas = strategy.num_replicas_in_sync
    if config.batch_size % replicas:
        raise NstError(
            f"batch_size {config.batch_size} does not split evenly over {replicas} replicas"
        )
    keras.utils.set_random_seed(config.seed)  # the same start on every worker and every run
    with strategy.scope():
        model = transformer.build_transformer(len(config.styles), config.variant)
        optimizer = keras.optimizers.Adam(config.learning_rate)
        optimizer.build(model.trainable_variables)
    checkpoint = checkpoints.latest_checkpoint(out_dir) if resume else None
    start_step, history = 0, []
    if checkpoint:
        start_step, history = checkpoints.restore(checkpoint, model, optimizer)
        print(f"resuming from step {start_step} ({checkpoint})")
    if start_step >= config.steps:
        if writes:
            _write_outputs(model, config, out_dir, history, start_step)
        return TrainResult(model, _model_path(out_dir, writes), history)

    loss_network = networks.build_loss_network(
        [*defaults.FEEDFORWARD_CONTENT_LAYERS, *defaults.FEEDFORWARD_STYLE_LAYERS],
        arch=config.vgg,
        weights=config.vgg_weights,
    )
    styles = [image_io.load_image(path) for path in config.styles]
    perceptual_loss = PerceptualLoss(
        loss_network,
        styles,
        config.style_size,
        config.content_weight,
        config.style_weight,
        config.tv_weight,
    )
    inputs = []  # each input pipeline's TrainingData (one per worker)

    def worker_input(context):
        training_data = training_input.training_data(
            config.data,
            config.image_size,
            config.batch_size,
            seed=config.seed + start_step,
            input_context=context,
        )
        inputs.append(training_data)
        return training_data.dataset.map(_with_style_indices(len(styles), config.seed + start_step))

    step_fn = _make_step(
        model, optimizer, perceptual_loss, strategy, len(styles), config.jit_compile
    )
    batches = iter(strategy.distribute_datasets_from_function(worker_input))
    writer = (
        tf.summary.create_file_writer(os.path.join(out_dir, "logs"))
        if writes
        else tf.summary.create_noop_writer()
    )
    sample = image_io.resize_longest(image_io.load_image(SAMPLE_IMAGE), config.image_size)

    log = checkpoints.StepLog(
        config.steps, start_step, config.log_every, history, progress, ("content", "style", "tv")
    )
    for step in range(start_step + 1, config.steps + 1):
        entry = log.record(step, step_fn(*next(batches)))
        if entry is not None:
            with writer.as_default(step=step):
                for name in ("total", "content", "style", "tv"):
                    tf.summary.scalar(f"loss/{name}", entry[name])
        if writes and (step % config.checkpoint_every == 0 or step == config.steps):
            checkpoints.save_checkpoint(model, optimizer, step, history, out_dir)
            _write_outputs(model, config, out_dir, history, step)
            panel = _sample_panel(model, sample)
            image_io.save_image(os.path.join(out_dir, "samples", f"step-{step:06d}.jpg"), panel)
            with writer.as_default(step=step):
                tf.summary.image("sample", panel[None] / 255.0)
            writer.flush()
    log.close()
    skipped = [path for training_data in inputs for path in training_data.skipped.examples]
    if skipped:
        count = sum(training_data.skipped.count for training_data in inputs)
        print(f"skipped {count} unreadable image file(s), e.g. {skipped[0]}")
    return TrainResult(model, _model_path(out_dir, writes), history)


def _strategy(distribute):
    """The tf.distribute strategy a run's `distribute` setting names."""
    if distribute == "mirrored":
        strategy = tf.distribute.MirroredStrategy()
        print(f"mirrored training over {strategy.num_replicas_in_sync} device(s)")
    elif distribute == "multiworker":
        strategy = tf.distribute.MultiWorkerMirroredStrategy()  # the cluster from TF_CONFIG
        resolver = strategy.cluster_resolver
        print(
            f"multi-worker training: {resolver.task_type or 'worker'} {resolver.task_id or 0}, "
            f"{strategy.num_replicas_in_sync} replica(s) in all"
        )
    else:
        strategy = tf.distribute.get_strategy()
    return strategy


def _model_path(out_dir, writes):
    return os.path.join(out_dir, "model.keras") if writes else None


def _writes_run(config):
    """Whether this process writes the run folder: always, except in a multi-worker run, where
    only the chief does (the "chief" task of TF_CONFIG, else worker 0); the others read it."""
    if config.distribute != "multiworker":
        return True
    settings = json.loads(os.environ.get("TF_CONFIG") or "{}")
    task = settings.get("task", {})
    if "chief" in settings.get("cluster", {}):
        return task.get("type") == "chief"
    return task.get("type", "worker") == "worker" and int(task.get("index", 0)) == 0


def _with_style_indices(num_styles, seed):
    """A dataset map adding a random style index per image."""

    def add(images):
        count = tf.shape(images)[:1]
        return images, tf.random.uniform(count, 0, num_styles, dtype=tf.int32, seed=seed)

    return add


def _make_step(model, optimizer, perceptual_loss, strategy, num_styles, jit_compile):
    """The distributed training step: forward, perceptual loss, Adam update.

    Returns:
      function (images, style_indices) -> dict of losses averaged over the global batch.
    """
    replicas = strategy.num_replicas_in_sync

    def replica_step(images, style_indices):
        with tf.GradientTape() as tape:
            inputs = images if num_styles == 1 else [images, tf.one_hot(style_indices, num_styles)]
            stylised = model(inputs, training=True)
            losses = perceptual_loss(stylised, images, style_indices)
            scaled = losses["total"] / replicas
        gradients = tape.gradient(scaled, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return losses

    # MirroredStrategy steps run as a plain graph.
    @tf.function(jit_compile=jit_compile and replicas == 1)
    def single_step(images, style_indices):
        return replica_step(images, style_indices)

    @tf.function
    def mirrored_step(images, style_indices):
        per_replica = strategy.run(replica_step, args=(images, style_indices))
        return {
            name: strategy.reduce(tf.distribute.ReduceOp.MEAN, value, axis=None)
            for name, value in per_replica.items()
        }

    return single_step if replicas == 1 else mirrored_step


def _sample_panel(model, sample):
    """The sample image stylised in every style, side by side."""
    count = transformer.num_styles(model)
    if count == 1:
        return model(sample[None], training=False)[0].numpy()
    batch = np.repeat(sample[None], count, axis=0)
    outputs = model([batch, np.eye(count, dtype=np.float32)], training=False).numpy()
    return np.concatenate(list(outputs), axis=1)


def _write_outputs(model, config, out_dir, history, step):
    """Writes model.keras, model.json, history.json and loss.png atomically."""
    feedforward.save_model(
        model,
        os.path.join(out_dir, "model.keras"),
        {
            "style_names": config.style_names,
            "styles": config.styles,
            "steps": step,
            "data": config.data,
            "image_size": config.image_size,
            "variant": config.variant,
            "loss_network": {"arch": config.vgg, "weights": str(config.vgg_weights)},
            "weights": {
                "content": config.content_weight,
                "style": config.style_weight,
                "tv": config.tv_weight,
            },
        },
    )
    files.write_json(os.path.join(out_dir, "history.json"), history)
    if history:
        plots.plot_loss_history(
            history, os.path.join(out_dir, "loss.png"), title="Training losses", x_key="step"
        )
