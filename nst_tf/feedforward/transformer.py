"""Feed-forward image transformation networks (Johnson, Alahi & Fei-Fei 2016).

Johnson's residual design with the changes that became standard: instance normalisation
(Ulyanov et al. 2016), or conditional instance normalisation for several styles in one network
(Dumoulin et al. 2017); nearest-neighbour upsampling followed by a convolution instead of
transposed convolutions; reflection padding. Images of any height and width go in (float RGB in
[0, 255]) and come out at the same size.

This module is what a deployed model needs: it imports no loss network.
"""

import keras

from nst_tf.feedforward.network_layers import (
    CropLike,
    InstanceNormalization,
    PadToMultiple,
    ReflectionPad,
    ToPixels,
)
from nst_tf.feedforward.training_config import VARIANTS


def build_transformer(num_styles=1, variant="standard", name=None):
    """Builds a transformation network.

    Args:
      num_styles: 1 for a single-style network (input: images), more for a conditional one
        (inputs: [images, style_weights of shape (batch, num_styles)]).
      variant: "standard" (Johnson's widths: 32-64-128, 5 residual blocks) or "small"
        (16-32-64, 3 residual blocks).
      name: model name.

    Returns:
      keras.Model from float RGB images (batch, height, width, 3) in [0, 255] to images of the
      same shape; height and width must be at least MIN_SIDE.
    """
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}: choose one of {', '.join(VARIANTS)}")
    if num_styles < 1:
        raise ValueError(f"num_styles must be at least 1, got {num_styles}")
    width, residual_blocks = VARIANTS[variant]
    images = keras.Input(shape=(None, None, 3), name="images")
    inputs = [images]
    style_weights = None
    if num_styles > 1:
        style_weights = keras.Input(shape=(num_styles,), name="style_weights")
        inputs.append(style_weights)

    def normalise(x, layer_name):
        layer = InstanceNormalization(num_styles, name=layer_name)
        return layer([x, style_weights]) if style_weights is not None else layer(x)

    def conv(x, filters, kernel, layer_name, strides=1, activation=True):
        x = ReflectionPad(kernel // 2, name=f"{layer_name}_pad")(x)
        x = keras.layers.Conv2D(filters, kernel, strides=strides, name=layer_name)(x)
        x = normalise(x, f"{layer_name}_norm")
        return keras.layers.ReLU(name=f"{layer_name}_relu")(x) if activation else x

    x = keras.layers.Rescaling(1 / 127.5, offset=-1.0, name="to_unit_range")(images)
    x = PadToMultiple(name="pad_to_multiple")(x)
    x = conv(x, width, 9, "down1")
    x = conv(x, 2 * width, 3, "down2", strides=2)
    x = conv(x, 4 * width, 3, "down3", strides=2)
    for block in range(1, residual_blocks + 1):
        y = conv(x, 4 * width, 3, f"residual{block}_a")
        y = conv(y, 4 * width, 3, f"residual{block}_b", activation=False)
        x = keras.layers.Add(name=f"residual{block}")([x, y])
    for step, filters in ((1, 2 * width), (2, width)):
        x = keras.layers.UpSampling2D(2, interpolation="nearest", name=f"up{step}_resize")(x)
        x = conv(x, filters, 3, f"up{step}")
    x = ReflectionPad(4, name="out_pad")(x)
    x = keras.layers.Conv2D(3, 9, name="out")(x)
    x = ToPixels(name="to_pixels")(x)
    outputs = CropLike(name="crop")(x, images)
    return keras.Model(
        inputs if style_weights is not None else images,
        outputs,
        name=name or f"transformer_{variant}_{num_styles}",
    )


def num_styles(model):
    """How many styles a transformation network was built for (1 if it takes images only)."""
    return model.inputs[1].shape[-1] if len(model.inputs) > 1 else 1
