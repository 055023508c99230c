"""Training super-resolution networks with a feature-reconstruction loss (Johnson et al. 2016).

A run lives in one folder:
  run.json               the settings (written once; resume reads them back)
  checkpoints/ckpt-N.npz model and optimiser state after N steps (atomic; the last two are kept)
  model.keras, model.json  the network so far and how it was trained (rewritten at checkpoints)
  history.json           losses every `log_every` steps
"""

import dataclasses
import os

import keras
import tensorflow as tf

from nst_tf.encoders import vgg as networks
from nst_tf.feedforward import checkpoints
from nst_tf.feedforward import model as feedforward
from nst_tf.io import files
from nst_tf.losses.terms import ContentLoss
from nst_tf.superres import upscaler_input, upscaler_network
from nst_tf.superres.upscaler_config import FEATURE_LAYER


class SuperResolutionLoss:
    """Feature distance at relu2_2 plus a weighted pixel MSE, or the pixel MSE alone.

    Args:
      loss_network: model returning a dict with FEATURE_LAYER (None for loss "pixel").
      loss: "perceptual" or "pixel".
      pixel_weight: weight of the pixel MSE beside the feature distance.
    """

    def __init__(self, loss_network, loss, pixel_weight):
        self.loss_network = loss_network
        self.loss = loss
        self.pixel_weight = pixel_weight
        self.feature_loss = ContentLoss()

    def __call__(self, upscaled, originals):
        """dict of scalar tensors "total", "feature" (0 for loss "pixel") and "pixel"."""
        pixel = tf.reduce_mean(tf.square(upscaled - originals))
        if self.loss == "pixel":
            return {"total": pixel, "feature": tf.constant(0.0), "pixel": pixel}
        batch = tf.shape(upscaled)[0]
        features = self.loss_network(tf.concat([upscaled, originals], axis=0))[FEATURE_LAYER]
        feature = self.feature_loss([features[:batch]], [tf.stop_gradient(features[batch:])])
        return {"total": feature + self.pixel_weight * pixel, "feature": feature, "pixel": pixel}


def train_upscaler(config, out_dir, resume=False, progress=True):
    """Trains (or resumes training) a super-resolution network.

    Args:
      config: UpscaleConfig. When resuming, the run's saved settings are used, except `steps`.
      out_dir: the run folder.
      resume: continue from the newest checkpoint in out_dir.
      progress: show a progress bar.

    Returns:
      TrainResult (nst_tf.feedforward.checkpoints), which also unpacks as (model, history).

    Raises:
      NstError: bad settings, an out_dir that already holds a run (without resume) or none (with
        resume), unusable data or weights.
    """
    config = checkpoints.prepare_run(config, out_dir, resume)
    keras.utils.set_random_seed(config.seed)
    model = upscaler_network.build_upscaler(config.factor, config.width, config.residual_blocks)
    optimizer = keras.optimizers.Adam(config.learning_rate)
    optimizer.build(model.trainable_variables)
    checkpoint = checkpoints.latest_checkpoint(out_dir) if resume else None
    start_step, history = 0, []
    if checkpoint:
        start_step, history = checkpoints.restore(checkpoint, model, optimizer)
        print(f"resuming from step {start_step} ({checkpoint})")
    if start_step >= config.steps:
        _write_outputs(model, config, out_dir, history, start_step)
        return checkpoints.TrainResult(model, os.path.join(out_dir, "model.keras"), history)

    loss_network = None
    if config.loss == "perceptual":
        loss_network = networks.build_loss_network(
            [FEATURE_LAYER], arch=config.vgg, weights=config.vgg_weights
        )
    loss = SuperResolutionLoss(loss_network, config.loss, config.pixel_weight)
    pairs, photos = upscaler_input.training_pairs(
        config.data,
        config.factor,
        config.crop_size,
        config.pool_size,
        config.batch_size,
        seed=config.seed + start_step,
    )

    @tf.function
    def step_fn(low, high):
        with tf.GradientTape() as tape:
            losses = loss(model(low, training=True), high)
        gradients = tape.gradient(losses["total"], model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return losses

    batches = iter(pairs)
    log = checkpoints.StepLog(
        config.steps, start_step, config.log_every, history, progress, ("feature", "pixel")
    )
    for step in range(start_step + 1, config.steps + 1):
        log.record(step, step_fn(*next(batches)))
        if step % config.checkpoint_every == 0 or step == config.steps:
            checkpoints.save_checkpoint(model, optimizer, step, history, out_dir)
            _write_outputs(model, config, out_dir, history, step)
    log.close()
    if photos.skipped.count:
        print(f"skipped {photos.skipped.count} unreadable image file(s)")
    return checkpoints.TrainResult(model, os.path.join(out_dir, "model.keras"), history)


def _write_outputs(model, config, out_dir, history, step):
    """Writes model.keras with model.json (how it was trained) and history.json, atomically."""
    feedforward.save_model(
        model,
        os.path.join(out_dir, "model.keras"),
        {
            "kind": "super-resolution",
            "factor": config.factor,
            "steps": step,
            "training": {**dataclasses.asdict(config), "vgg_weights": str(config.vgg_weights)},
            "feature_layer": FEATURE_LAYER if config.loss == "perceptual" else None,
        },
    )
    files.write_json(os.path.join(out_dir, "history.json"), history)
