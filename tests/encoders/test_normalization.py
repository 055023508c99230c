"""Gatys' normalised VGG: unit mean activations, the same function up to scale, a loadable file."""

import numpy as np
import pytest
from PIL import Image
from support import gradient_image, stripes_image

from nst_tf.encoders import normalization as vgg_normalization
from nst_tf.encoders import vgg as networks
from nst_tf.errors import NstError


@pytest.fixture
def folder(tmp_path):
    for name, image in (("a.png", gradient_image(40)), ("b.jpg", stripes_image(48))):
        Image.fromarray(image.astype(np.uint8)).save(tmp_path / name)
    (tmp_path / "notes.txt").write_text("not an image")
    return tmp_path


def test_normalised_vgg_has_unit_means_and_scaled_activations(folder, tmp_path):
    import keras

    keras.utils.set_random_seed(1)
    output = tmp_path / "out" / "normalised.weights.h5"
    means = vgg_normalization.write_normalized_weights("vgg16", None, folder, 32, str(output))
    assert len(means) == 13 and all(m.shape[0] in (64, 128, 256, 512) for m in means.values())
    normalised = networks.load_vgg_body("vgg16", str(output))
    image_list = vgg_normalization.load_folder(folder, 32)
    after = vgg_normalization.mean_activations(normalised, image_list)
    for name, before in means.items():
        active = before > 1e-3 * before.max()  # nearly dead filters lose float32 precision
        assert active.mean() > 0.5
        np.testing.assert_allclose(after[name][active], 1.0, rtol=5e-3)
    layers = ["block1_conv2", "block3_conv1", "block5_conv3"]
    keras.utils.set_random_seed(1)  # the same random weights again: the original network
    plain_net = networks.build_loss_network(layers, "vgg16", None)
    scaled_net = networks.build_loss_network(layers, "vgg16", str(output))
    probe = image_list[1][None]
    plain, scaled = plain_net(probe), scaled_net(probe)
    for name in layers:
        scale = np.where(means[name] > 0, means[name], 1.0)
        np.testing.assert_allclose(
            np.asarray(scaled[name]) * scale, np.asarray(plain[name]), rtol=2e-3, atol=1e-3
        )


def test_bad_inputs(tmp_path, folder):
    (tmp_path / "empty").mkdir()
    with pytest.raises(NstError, match="no images"):
        vgg_normalization.load_folder(str(tmp_path / "empty"), 32)
    with pytest.raises(NstError, match="not a folder"):
        vgg_normalization.load_folder(str(folder / "a.png"), 32)
    with pytest.raises(NstError, match=r"\.weights\.h5"):
        vgg_normalization.write_normalized_weights(
            "vgg16", None, folder, 32, str(tmp_path / "w.h5")
        )
