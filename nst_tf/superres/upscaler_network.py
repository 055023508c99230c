"""The super-resolution network: residual blocks at low resolution, learned x2 upsampling stages.

A light variant of Johnson et al.'s SR network: the residual blocks run on the low-resolution
image, each x2 stage is a sub-pixel convolution (a convolution to 4x the channels, then
depth-to-space; Shi et al. 2016), and the network predicts the difference to a bilinear
upsampling of its input, which it adds back. Images of any size go in (float RGB in [0, 255]).

This module is what a deployed model needs: it imports no loss network.
"""

import math

import keras

from nst_tf.feedforward.network_layers import BilinearUpsample, PixelShuffle, ReflectionPad

# Upscaling factors a network can be built for: powers of two (one sub-pixel stage each).
NETWORK_FACTORS = (2, 4, 8)


def build_upscaler(factor=4, width=32, residual_blocks=4, name=None):
    """Builds a super-resolution network.

    Args:
      factor: upscaling factor, one of NETWORK_FACTORS.
      width: channels of the convolutions.
      residual_blocks: residual blocks at the input resolution.
      name: model name.

    Returns:
      keras.Model from float RGB images (batch, height, width, 3) in [0, 255] to float RGB
      images (batch, factor * height, factor * width, 3) in [0, 255].
    """
    if factor not in NETWORK_FACTORS:
        raise ValueError(f"factor must be one of {NETWORK_FACTORS}, got {factor}")
    images = keras.Input(shape=(None, None, 3), name="images")

    def conv(x, filters, layer_name, activation="relu"):
        x = ReflectionPad(1, name=f"{layer_name}_pad")(x)
        return keras.layers.Conv2D(filters, 3, activation=activation, name=layer_name)(x)

    x = keras.layers.Rescaling(1 / 127.5, offset=-1.0, name="to_unit_range")(images)
    x = head = conv(x, width, "head")
    for block in range(1, residual_blocks + 1):
        y = conv(x, width, f"residual{block}_a")
        y = conv(y, width, f"residual{block}_b", activation=None)
        x = keras.layers.Add(name=f"residual{block}")([x, y])
    x = keras.layers.Add(name="skip_head")([x, head])
    stages = int(math.log2(factor))
    for stage in range(1, stages + 1):
        channels = 3 if stage == stages else width
        activation = None if stage == stages else "relu"
        x = conv(x, 4 * channels, f"up{stage}", activation=activation)
        x = PixelShuffle(2, name=f"up{stage}_shuffle")(x)
    difference = keras.layers.Rescaling(127.5, name="to_pixels")(x)
    smooth = BilinearUpsample(factor, name="bilinear")(images)
    x = keras.layers.Add(name="add_bilinear")([smooth, difference])
    outputs = keras.layers.ReLU(max_value=255.0, name="clip")(x)
    return keras.Model(images, outputs, name=name or f"upscaler_x{factor}")
