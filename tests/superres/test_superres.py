"""Super-resolution: the network's sizes and bilinear base, the loss, the data pairs, tiled
upscaling, training with resume and the SavedModel export."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from support import gradient_image, stripes_image

from nst_tf.encoders import vgg
from nst_tf.errors import NstError
from nst_tf.feedforward import model as feedforward
from nst_tf.feedforward.network_layers import PixelShuffle
from nst_tf.io import image_io
from nst_tf.superres import (
    upscaler_config,
    upscaler_input,
    upscaler_network,
    upscaler_training,
    upscaling,
)
from nst_tf.superres.upscaler_config import FEATURE_LAYER


def tiny_upscaler(factor=4):
    keras.utils.set_random_seed(0)
    return upscaler_network.build_upscaler(factor, width=8, residual_blocks=1)


def save_tiny_upscaler(path, model=None):
    feedforward.save_model(
        model or tiny_upscaler(), str(path), {"kind": "super-resolution", "factor": 4}
    )
    return str(path)


@pytest.mark.parametrize("factor", [2, 4, 8])
def test_output_is_factor_times_the_input(factor):
    model = tiny_upscaler(factor)
    out = model(stripes_image(12)[None, :5, :7]).numpy()
    assert out.shape == (1, 5 * factor, 7 * factor, 3)
    assert out.min() >= 0 and out.max() <= 255


def test_network_adds_its_learned_difference_to_a_bilinear_upsampling():
    model = tiny_upscaler()
    last = model.get_layer("up2")
    last.set_weights([np.zeros_like(w) for w in last.get_weights()])
    image = stripes_image(12)[None]
    expected = tf.image.resize(image, (48, 48), method="bilinear").numpy()
    np.testing.assert_allclose(model(image).numpy(), np.clip(expected, 0, 255), atol=1e-3)


def test_pixel_shuffle_moves_channels_to_space_and_round_trips():
    layer = PixelShuffle(2)
    features = np.arange(4, dtype=np.float32).reshape(1, 1, 1, 4)
    assert layer(features).numpy()[0, :, :, 0].tolist() == [[0, 1], [2, 3]]
    assert PixelShuffle.from_config(layer.get_config()).scale == 2


def test_loss_is_zero_on_the_original_and_pixel_loss_has_no_feature_term():
    keras.utils.set_random_seed(0)
    loss_network = vgg.build_loss_network([FEATURE_LAYER], "vgg16", weights=None)
    originals = tf.constant(np.stack([gradient_image(16), stripes_image(16)]))
    blurred = tf.image.resize(tf.image.resize(originals, (4, 4)), (16, 16))
    perceptual = upscaler_training.SuperResolutionLoss(loss_network, "perceptual", pixel_weight=0.5)
    assert float(perceptual(originals, originals)["total"]) == 0.0
    losses = perceptual(blurred, originals)
    pixel = float(tf.reduce_mean(tf.square(blurred - originals)))
    assert losses["feature"] > 0
    assert float(losses["pixel"]) == pytest.approx(pixel, rel=1e-5)
    assert float(losses["total"]) == pytest.approx(float(losses["feature"]) + 0.5 * pixel, 1e-5)
    pixel_loss = upscaler_training.SuperResolutionLoss(None, "pixel", pixel_weight=0.5)
    pixel_only = pixel_loss(blurred, originals)
    assert float(pixel_only["feature"]) == 0 and float(pixel_only["total"]) == pytest.approx(pixel)


def test_training_pairs_are_crops_and_their_downscaled_versions(tmp_path):
    for index, image in enumerate((gradient_image(40), stripes_image(40))):
        image_io.save_image(tmp_path / f"{index}.png", image)
    pairs, _ = upscaler_input.training_pairs(str(tmp_path), 4, 16, 32, batch_size=3)
    low, high = next(iter(pairs))
    assert low.shape == (3, 4, 4, 3) and high.shape == (3, 16, 16, 3)
    np.testing.assert_allclose(low.numpy(), upscaler_input.downscale(high, 4).numpy(), atol=1e-4)


def test_tiled_upscaling_matches_one_pass_and_factor_8_doubles_it(tmp_path):
    upscaler = upscaling.load_upscaler(save_tiny_upscaler(tmp_path / "sr.keras"))
    image = stripes_image(48)[:, :40]
    whole = upscaler.upscale(image, 4)
    tiled = upscaler.upscale(image, 4, tile=24)
    assert whole.shape == tiled.shape == (192, 160, 3)
    assert np.abs(whole - tiled).mean() < 1.0
    assert upscaler.upscale(image, 8).shape == (384, 320, 3)


def test_the_shipped_network_loads_by_default_and_says_what_trained_it():
    upscaler = upscaling.load_upscaler()
    assert upscaler.network_factor == 4 and upscaler.metadata["training"]["loss"] == "perceptual"
    assert "NOT ImageNet" in upscaler.metadata["loss_network"]
    assert upscaler.upscale(stripes_image(8), 4).shape == (32, 32, 3)


def test_bad_requests_raise_one_line_errors(tmp_path):
    with pytest.raises(NstError, match="unsupported factor 3"):
        upscaler_config.check_upscale((10, 10, 3), 3)
    with pytest.raises(NstError, match="use tiles"):
        upscaler_config.check_upscale((1001, 1000, 3), 4)
    upscaler_config.check_upscale((1001, 1000, 3), 4, tile=256)
    with pytest.raises(NstError, match="too small"):
        upscaler_config.check_upscale((3, 10, 3), 4)
    style_network = tmp_path / "style.keras"
    feedforward.save_model(tiny_upscaler(), str(style_network), {"style_names": ["a"]})
    with pytest.raises(NstError, match="not a super-resolution network"):
        upscaling.load_upscaler(str(style_network))


@pytest.mark.slow
def test_training_resumes_from_its_checkpoint(tmp_path):
    folder = tmp_path / "photos"
    for index, image in enumerate((gradient_image(40), stripes_image(40))):
        image_io.save_image(folder / f"{index}.png", image)
    settings = upscaler_config.UpscaleConfig(
        data=str(folder), steps=2, batch_size=2, crop_size=16, pool_size=32, width=8,
        residual_blocks=1, vgg_weights=None, checkpoint_every=1, log_every=1,
    )  # fmt: skip
    run = tmp_path / "run"
    upscaler_training.train_upscaler(settings, str(run), progress=False)
    with pytest.raises(NstError, match="already holds a run"):
        upscaler_training.train_upscaler(settings, str(run), progress=False)
    settings.steps = 3
    model, history = upscaler_training.train_upscaler(
        settings, str(run), resume=True, progress=False
    )
    assert [entry["step"] for entry in history] == [1, 2, 3]
    assert os.path.basename(sorted(os.listdir(run / "checkpoints"))[-1]) == "ckpt-000003.npz"
    loaded = upscaling.load_upscaler(str(run))
    assert loaded.metadata["steps"] == 3 and loaded.metadata["training"]["loss"] == "perceptual"
    image = gradient_image(8)[None]
    np.testing.assert_allclose(loaded.model(image).numpy(), model(image).numpy(), atol=1e-4)


@pytest.mark.slow
def test_saved_model_export_matches_keras_within_one_grey_level(tmp_path):
    from nst_tf.export import saved_model

    path = save_tiny_upscaler(tmp_path / "sr.keras")
    exported = saved_model.export_saved_model(feedforward.load_model(path), str(tmp_path / "sm"))
    serve = tf.saved_model.load(exported).signatures["serving_default"]
    image = image_io.to_uint8(stripes_image(16)[:, :12])
    served = serve(images=tf.constant(image[None]))["stylized"].numpy()[0]
    expected = upscaling.load_upscaler(path).upscale(image.astype(np.float32), 4)
    assert served.shape == (64, 48, 3)
    assert np.abs(served.astype(np.float32) - expected).max() <= 1.0
