"""Channel equalisation before int8 export: same function, equal channel spreads."""

import keras
import numpy as np
from support import SAMPLES

from nst_tf.export import equalization, parity
from nst_tf.feedforward import model as feedforward
from nst_tf.feedforward import transformer
from nst_tf.io import image_io as images


def test_equalized_copy_keeps_the_function_and_evens_the_channels():
    keras.utils.set_random_seed(1)
    model = transformer.build_transformer(2, "small")
    # Uneven channels, as training leaves them: the first convolution's outputs scaled 0.01-10.
    kernel, bias = model.get_layer("down1").get_weights()
    spread = np.geomspace(0.01, 10.0, kernel.shape[-1]).astype(np.float32)
    model.get_layer("down1").set_weights([kernel * spread, bias * spread])
    original = [w.copy() for w in model.get_weights()]
    style = np.array([0.3, 0.7], np.float32)
    samples = [images.resize(images.load_image(p), (40, 48)) for p in sorted(SAMPLES.glob("*.jpg"))]

    copy = equalization.equalized_copy(model, style, samples)

    for before, after in zip(original, model.get_weights()):
        np.testing.assert_array_equal(before, after)  # the network itself is untouched
    rescaled = [pair[0].name for pair in equalization._normalised_convolutions(copy)]
    assert len(rescaled) == 11 and "out" not in rescaled  # every conv before a normalisation

    def variances(network):
        probe = keras.Model(network.inputs, network.get_layer("down1").output)
        outputs = [probe([s[None], style[None]])[0].numpy() for s in samples]
        return np.mean([np.var(o, axis=(0, 1)) for o in outputs], axis=0)

    before = variances(model)
    assert before.max() / before.min() > 1e5
    # Every channel at the target spread, but for the epsilon that bounds the gain of dead ones.
    expected = equalization.TARGET_VARIANCE * before / (before + 1e-3)
    np.testing.assert_allclose(variances(copy), expected, rtol=1e-3)
    stylized = feedforward.StyleModel(model, {"style_names": ["a", "b"]}, "").stylize
    stylized_copy = feedforward.StyleModel(copy, {"style_names": ["a", "b"]}, "").stylize
    photo = images.resize(images.load_image(SAMPLES / "coffee.jpg"), (40, 48))[None]
    assert parity.psnr(stylized(photo, style)[0], stylized_copy(photo, style)[0]) >= 70
