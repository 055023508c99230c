"""The layers of the transformation and super-resolution networks: reflection padding, size
handling, (conditional) instance normalisation, the output mapping to pixels, sub-pixel and
bilinear upsampling. Registered, so saved models load.
"""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

# Every side is padded to a multiple of this (two stride-2 convolutions), then cropped back.
SIZE_MULTIPLE = 4
# Logits beyond ±LOGIT_LIMIT are clipped before the output tanh (see ToPixels).
LOGIT_LIMIT = 4.0

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

    def features_scale_shift(self, inputs):
        """The features of a call's inputs, and the scale and shift of their style weights."""
        if self.num_styles > 1:
            features, style_weights = inputs
            style_weights = ops.cast(style_weights, features.dtype)
            scale = ops.matmul(style_weights, self.scale)[:, None, None, :]
            shift = ops.matmul(style_weights, self.shift)[:, None, None, :]
            return features, scale, shift
        return inputs, self.scale[0], self.shift[0]

    def call(self, inputs):
        features, scale, shift = self.features_scale_shift(inputs)
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


@keras.saving.register_keras_serializable(package=_PACKAGE)
class PixelShuffle(keras.layers.Layer):
    """Depth to space: (h, w, c * s * s) -> (h * s, w * s, c).

    Args:
      scale: the side factor s.
    """

    def __init__(self, scale, **kwargs):
        super().__init__(**kwargs)
        self.scale = int(scale)

    def call(self, features):
        return tf.nn.depth_to_space(features, self.scale)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


@keras.saving.register_keras_serializable(package=_PACKAGE)
class BilinearUpsample(keras.layers.Layer):
    """Bilinear resize by an integer factor, for images whose size is known only at run time.

    Args:
      factor: the side factor.
    """

    def __init__(self, factor, **kwargs):
        super().__init__(**kwargs)
        self.factor = int(factor)

    def call(self, images):
        size = tf.shape(images)[1:3] * self.factor
        return tf.image.resize(images, size, method="bilinear")

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}
