"""Feed-forward image transformation networks (Johnson, Alahi & Fei-Fei 2016).

Johnson's residual design with the changes that became standard: instance normalisation
(Ulyanov et al. 2016), or conditional instance normalisation for several styles in one network
(Dumoulin et al. 2017); nearest-neighbour upsampling followed by a convolution instead of
transposed convolutions; reflection padding. Images of any height and width go in (float RGB in
[0, 255]) and come out at the same size.

This module is what a deployed model needs: it imports no loss network.
"""

import keras
import numpy as np
from keras import ops

# Every side is padded to a multiple of this (two stride-2 convolutions), then cropped back.
SIZE_MULTIPLE = 4
# Smallest side the reflection paddings allow.
MIN_SIDE = 8
# Logits beyond ±LOGIT_LIMIT are clipped before the output tanh (see ToPixels).
LOGIT_LIMIT = 4.0

VARIANTS = {
    # name: (channels of the first convolution, residual blocks)
    "standard": (32, 5),
    "small": (16, 3),
}

_PACKAGE = "nst_tf"


@keras.saving.register_keras_serializable(package=_PACKAGE)
class ReflectionPad(keras.layers.Layer):
    """Pads height and width by mirroring (the edge pixel is not repeated).

    Args:
      padding: pixels added on each side.
    """

    def __init__(self, padding, **kwargs):
        super().__init__(**kwargs)
        self.padding = int(padding)

    def build(self, input_shape):
        self.channels = input_shape[-1]

    def call(self, images):
        p = self.padding
        padded = ops.pad(images, [[0, 0], [p, p], [p, p], [0, 0]], mode="reflect")
        # Sizes known only at run time (a resizable TFLite export) lose the channel count after
        # the dynamic paddings and upsamplings before; the next convolution needs it.
        shape = ops.shape(padded)
        return ops.reshape(padded, (shape[0], shape[1], shape[2], self.channels))

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}


@keras.saving.register_keras_serializable(package=_PACKAGE)
class PadToMultiple(keras.layers.Layer):
    """Pads height and width (bottom and right, by mirroring) up to a multiple of `multiple`."""

    def __init__(self, multiple=SIZE_MULTIPLE, **kwargs):
        super().__init__(**kwargs)
        self.multiple = int(multiple)

    def call(self, images):
        shape = ops.shape(images)
        pad_height = (-shape[1]) % self.multiple
        pad_width = (-shape[2]) % self.multiple
        return ops.pad(images, [[0, 0], [0, pad_height], [0, pad_width], [0, 0]], mode="reflect")

    def get_config(self):
        return {**super().get_config(), "multiple": self.multiple}


@keras.saving.register_keras_serializable(package=_PACKAGE)
class CropLike(keras.layers.Layer):
    """Crops the first input to the height and width of the second (top-left corner kept)."""

    def call(self, images, reference):
        shape = ops.shape(reference)
        return images[:, : shape[1], : shape[2], :]


@keras.saving.register_keras_serializable(package=_PACKAGE)
class InstanceNormalization(keras.layers.Layer):
    """Normalises each channel of each image over its positions, then scales and shifts.

    With `num_styles` > 1 it is conditional (Dumoulin et al. 2017): one scale and shift per style,
    and the layer is called with `(features, style_weights)`, style_weights being (batch,
    num_styles): a one-hot row picks a style, a convex combination blends styles.

    Args:
      num_styles: number of (scale, shift) pairs.
      epsilon: added to the variance: a number, or one per channel (see nst_tf.export.equalization).
    """

    def __init__(self, num_styles=1, epsilon=1e-3, **kwargs):
        super().__init__(**kwargs)
        self.num_styles = int(num_styles)
        self.epsilon = float(epsilon) if np.ndim(epsilon) == 0 else [float(e) for e in epsilon]

    def build(self, input_shape):
        feature_shape = input_shape[0] if self.num_styles > 1 else input_shape
        channels = feature_shape[-1]
        self.scale = self.add_weight(
            shape=(self.num_styles, channels), initializer="ones", name="scale"
        )
        self.shift = self.add_weight(
            shape=(self.num_styles, channels), initializer="zeros", name="shift"
        )

    def call(self, inputs):
        if self.num_styles > 1:
            features, style_weights = inputs
            style_weights = ops.cast(style_weights, features.dtype)
            scale = ops.matmul(style_weights, self.scale)[:, None, None, :]
            shift = ops.matmul(style_weights, self.shift)[:, None, None, :]
        else:
            features = inputs
            scale, shift = self.scale[0], self.shift[0]
        mean = ops.mean(features, axis=(1, 2), keepdims=True)
        centered = features - mean
        variance = ops.mean(centered * centered, axis=(1, 2), keepdims=True)
        # One per-channel affine map of the features: integer (int8) kernels then requantise the
        # full-size tensor twice instead of four times.
        gain = scale * ops.rsqrt(variance + np.asarray(self.epsilon, np.float32))
        return features * gain + (shift - mean * gain)

    def compute_output_shape(self, input_shape):
        return input_shape[0] if self.num_styles > 1 else input_shape

    def get_config(self):
        return {**super().get_config(), "num_styles": self.num_styles, "epsilon": self.epsilon}


@keras.saving.register_keras_serializable(package=_PACKAGE)
class ToPixels(keras.layers.Layer):
    """Maps unbounded activations to RGB in [0, 255] (scaled tanh of the logits clipped to ±4)."""

    def call(self, x):
        # Clipped first (tanh(4) is within 0.09 grey levels of 1), so that an int8 export spends
        # its 256 levels on the logits that matter. And not (tanh + 1) * 127.5: the int8 converter
        # gives that sum the 0-255 scale of the product.
        return ops.tanh(ops.clip(x, -LOGIT_LIMIT, LOGIT_LIMIT)) * 127.5 + 127.5


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
