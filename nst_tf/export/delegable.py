"""Copies of the style networks whose TFLite graphs LiteRT's XNNPACK delegate runs whole, at
sizes known only at run time (a resizable export), for the TFLite exports only.

A copy shares the Keras network's weights and computes the same function; some layers are
written with other operators:
  - reflection padding as slices and concatenations: XNNPACK takes no MIRROR_PAD, and the
    reshape to a run-time shape that keeps the channel count splits the graph;
  - nearest-neighbour upsampling as copies along the channels and depth_to_space, not TILE and a
    reshape to a run-time shape; followed by a reflection padding by 1 and a 3x3 convolution, as
    a convolution of the tensor before upsampling (sub-pixel) and depth_to_space, so that the
    upsampled tensor is never padded and copied;
  - a stride-1 convolution with a large kernel, or to few channels, as space_to_depth, a
    convolution with a smaller kernel to f * f times as many channels (f x f blocks of outputs)
    and depth_to_space: XNNPACK keeps one pointer per kernel tap and output pixel for as long as
    the interpreter lives, and its convolution kernels work on many output channels at once
    and idle on few;
  - an instance norm's variance as the mean of squares less the squared mean, and its
    normalisation as one multiply and one add: fewer full-size temporaries live at once.
"""

import math

import keras
import tensorflow as tf

from nst_tf.export.delegable_norms import one_scan_copy
from nst_tf.feedforward.network_layers import PadToMultiple, ReflectionPad

# Stride-1 convolutions to fewer channels than this, or with kernels at least LARGE_KERNEL
# wide, compute BLOCK x BLOCK blocks of outputs (SpaceToDepthConv); kernels of at least
# LARGEST_KERNEL between fewer than NARROW_CHANNELS channels on both sides, LARGE_BLOCK x
# LARGE_BLOCK blocks where the sides allow (fewer pointers kept, more zero taps: worth it only
# where few channels leave the multiply-add units idle).
NARROW_CHANNELS = 16
LARGE_KERNEL = 5
BLOCK = 2
LARGEST_KERNEL = 9
LARGE_BLOCK = 4
# XNNPACK concatenates at most this many tensors in one operator.
MAX_CONCAT_INPUTS = 4


def delegable_copy(model, quantize=None, input_multiple=1, banded=False):
    """A copy of a functional network (sharing its weights) with the layers above rewritten.

    A convolution is rewritten only where its padded input's height and width are even for every
    input size (after a PadToMultiple, as the style networks begin, or given inputs whose sides
    are multiples of `input_multiple`). The instance norms are written in one scan unless
    `quantize` is "int8" (squares lose too much in 8 bits). A network that runs on bands of rows
    (`banded`) keeps few pointers anyway: every block is BLOCK x BLOCK, with fewer zero taps.
    """
    one_scan = quantize != "int8"
    sizes = {}  # new tensor id -> (m, q): its height and width are m * n + q for some n
    # New tensor id -> (stage, tensor): an upsampling by 2 ("upsampled") of the tensor, or a
    # reflection padding by 1 of that ("padded") with the tensor edge-padded by 1.
    upsampled = {}

    def call(layer, *args, **kwargs):
        features = args[0][0] if isinstance(args[0], (list, tuple)) else args[0]
        multiple, extra = sizes.get(id(features), (input_multiple, 0))
        stage, before = upsampled.get(id(features), (None, None))
        replacement, then = None, None
        if isinstance(layer, PadToMultiple):
            replacement, multiple, extra = KnownChannels(layer), layer.multiple, 0
        elif isinstance(layer, ReflectionPad):
            replacement, extra = SlicedReflectionPad(layer.padding), extra + 2 * layer.padding
            if stage == "upsampled" and layer.padding == 1:
                then = ("padded", SlicedReflectionPad(1, edge=True)(before))
        elif _is_nearest_upsampling(layer):
            replacement = NearestUpsampling(layer.size[0])
            multiple, extra = multiple * layer.size[0], extra * layer.size[0]
            if layer.size[0] == 2:
                then = ("upsampled", features)
        elif one_scan and (norm := one_scan_copy(layer)):
            replacement = norm
        elif isinstance(layer, keras.layers.Conv2D):
            kernel, stride = layer.kernel_size[0], layer.strides[0]
            if stage == "padded" and _subpixel_conv_fits(layer):
                replacement, args = SubpixelConv(layer), (before, *args[1:])
            elif factor := _block_factor(layer, features.shape[-1], multiple, extra, banded):
                replacement = SpaceToDepthConv(layer, factor)
            same = extra == kernel - 1 and multiple % stride == 0
            multiple, extra = (multiple // stride, 0) if same else (1, 0)
        output = (replacement or layer)(*args, **kwargs)
        for tensor in keras.tree.flatten(output):
            sizes[id(tensor)] = (multiple, extra)
        if then:
            upsampled[id(output)] = then
        return output

    return keras.models.clone_model(model, clone_function=lambda layer: layer, call_function=call)


def _is_nearest_upsampling(layer):
    return (
        isinstance(layer, keras.layers.UpSampling2D)
        and layer.interpolation == "nearest"
        and layer.size[0] == layer.size[1]
    )


def _subpixel_conv_fits(conv):
    """A 3x3 stride-1 convolution, the one a reflection padding by 1 of an upsampling feeds."""
    return (
        conv.kernel_size == (3, 3)
        and conv.strides == (1, 1)
        and conv.dilation_rate == (1, 1)
        and conv.padding == "valid"
    )


def _block_factor(conv, channels_in, multiple, extra, banded):
    """The block side for a square stride-1 convolution with odd kernel, large or to few
    channels, on sides that are multiples of it: LARGE_BLOCK for the largest kernels between
    few channels unless `banded`, else BLOCK; None if none fits."""
    kernel = conv.kernel_size
    fits = (
        conv.strides == (1, 1)
        and conv.dilation_rate == (1, 1)
        and conv.padding == "valid"
        and kernel[0] == kernel[1]
        and (kernel[0] >= LARGE_KERNEL or conv.filters < NARROW_CHANNELS)
    )
    if not fits:
        return None
    narrow = max(channels_in, conv.filters) < NARROW_CHANNELS
    largest = kernel[0] >= LARGEST_KERNEL and narrow and not banded
    blocks = (LARGE_BLOCK, BLOCK) if largest else (BLOCK,)
    for block in blocks:
        if (kernel[0] - 1) % block == 0 and multiple % block == 0 and extra % block == 0:
            return block
    return None


def concat(tensors, axis):
    """tf.concat in operators of at most MAX_CONCAT_INPUTS inputs."""
    while len(tensors) > MAX_CONCAT_INPUTS:
        groups = math.ceil(len(tensors) / MAX_CONCAT_INPUTS)
        size = math.ceil(len(tensors) / groups)
        tensors = [
            tf.concat(tensors[i : i + size], axis) if len(tensors[i : i + size]) > 1 else tensors[i]
            for i in range(0, len(tensors), size)
        ]
    return tensors[0] if len(tensors) == 1 else tf.concat(tensors, axis)


def space_to_depth(images, factor):
    """tf.nn.space_to_depth as a convolution (stride and kernel the factor) by the identity,
    exact: XNNPACK takes no SPACE_TO_DEPTH of a tensor sized at run time."""
    channels = images.shape[-1] * factor * factor
    identity = tf.reshape(tf.eye(channels), [factor, factor, images.shape[-1], channels])
    return tf.nn.conv2d(images, identity, factor, "VALID")


class KnownChannels(keras.layers.Layer):
    """A layer whose output keeps the channel count of its input in the traced graph.

    Args:
      layer: the layer called (a padding to sizes known at run time loses the channel count).
    """

    def __init__(self, layer, **kwargs):
        super().__init__(name=f"{layer.name}_known_channels", **kwargs)
        self.layer = layer

    def call(self, images):
        output = self.layer(images)
        shape = tf.shape(output)
        return tf.reshape(output, [shape[0], shape[1], shape[2], images.shape[-1]])


class SlicedReflectionPad(keras.layers.Layer):
    """ReflectionPad as slices of one row (column) each, concatenated.

    Args:
      padding: pixels added on each side.
      edge: mirror with the edge pixel repeated (symmetric padding).
    """

    def __init__(self, padding, edge=False, **kwargs):
        super().__init__(**kwargs)
        self.padding = int(padding)
        self.edge = bool(edge)

    def call(self, images):
        p = self.padding
        for axis in (1, 2):

            def line(start, stop, axis=axis, images=images):
                index = [slice(None)] * 4
                index[axis] = slice(start, stop)
                return images[tuple(index)]

            shift = 0 if self.edge else 1
            before = [line(k, k + 1) for k in range(p - 1 + shift, shift - 1, -1)]
            after = [line(-k - shift, -k - shift + 1 or None) for k in range(1, p + 1)]
            if p:
                images = concat([concat(before, axis), images, concat(after, axis)], axis)
        return images


class NearestUpsampling(keras.layers.Layer):
    """Nearest-neighbour upsampling by an integer factor, as channel copies and depth_to_space.

    Args:
      factor: the side factor.
    """

    def __init__(self, factor, **kwargs):
        super().__init__(**kwargs)
        self.factor = int(factor)

    def call(self, images):
        return tf.nn.depth_to_space(concat([images] * self.factor**2, -1), self.factor)


class SubpixelConv(keras.layers.Layer):
    """A 3x3 convolution of a nearest-neighbour upsampling by 2 padded by reflecting 1 pixel, as
    a convolution of the tensor before upsampling, padded by repeating its edge, to four times the
    channels (the 2x2 pixels each input pixel became), then depth_to_space.

    Called with the edge-padded tensor. Each output pixel of a block sees the input taps its
    3 x 3 window covers after upsampling: along a side, the first pixel of a block sums the
    original taps (0), (1, 2) over input taps 0, 1; the second (0, 1), (2) over input taps 1, 2.

    Args:
      conv: the keras.layers.Conv2D (3x3, stride 1, valid padding).
    """

    def __init__(self, conv, **kwargs):
        super().__init__(name=f"{conv.name}_subpixel", **kwargs)
        self.conv = conv

    def call(self, images):
        outputs = tf.nn.conv2d(images, self.subpixel_kernel(), 1, "VALID")
        if self.conv.use_bias:
            outputs = outputs + tf.tile(self.conv.bias, [4])
        return self.conv.activation(tf.nn.depth_to_space(outputs, 2))

    def subpixel_kernel(self):
        """The kernel (3, 3, in, 4 * out), output channels as depth_to_space reads them."""
        kernel = self.conv.kernel

        def sides(taps):  # taps along axis 0 -> the 3-tap kernels of a block's two pixels
            zero = tf.zeros_like(taps[0])
            return [
                tf.stack([taps[0], taps[1] + taps[2], zero]),
                tf.stack([zero, taps[0] + taps[1], taps[2]]),
            ]

        rows = sides(kernel)  # each (3, 3, in, out): along height
        corners = [
            tf.transpose(column, [1, 0, 2, 3])
            for row in rows
            for column in sides(tf.transpose(row, [1, 0, 2, 3]))
        ]
        channels_in, channels_out = kernel.shape[2:]
        return tf.reshape(tf.stack(corners, 3), [3, 3, channels_in, 4 * channels_out])


class SpaceToDepthConv(keras.layers.Layer):
    """A stride-1 convolution computing f x f blocks of outputs at once: space_to_depth(f), a
    convolution with a ((k - 1) / f + 1)-square kernel to f * f times the channels, then
    depth_to_space(f).

    Of an input whose height and width are multiples of f, as the convolution does when f
    divides k - 1 (the kernel copied into an (f + k - 1)-square window once per output pixel of
    a block, at that pixel's offset; the bias repeated, the activation after). XNNPACK keeps one
    pointer per kernel tap and output pixel; this needs f * f times fewer per tap.

    Args:
      conv: the keras.layers.Conv2D (stride 1, valid padding, odd square kernel).
      factor: f, the side of a block.
    """

    def __init__(self, conv, factor, **kwargs):
        super().__init__(name=f"{conv.name}_blocks{factor}", **kwargs)
        self.conv = conv
        self.factor = int(factor)

    def call(self, images):
        f = self.factor
        outputs = tf.nn.conv2d(space_to_depth(images, f), self.block_kernel(), 1, "VALID")
        if self.conv.use_bias:
            outputs = outputs + tf.tile(self.conv.bias, [f * f])
        return self.conv.activation(tf.nn.depth_to_space(outputs, f))

    def block_kernel(self):
        """The kernel (k', k', f * f * in, f * f * out), k' = (k - 1) / f + 1: input channels
        ordered as space_to_depth writes them, output channels as depth_to_space reads them
        (block row, block column, channel)."""
        kernel, f = self.conv.kernel, self.factor
        size, _, channels_in, channels_out = kernel.shape
        blocks = (size - 1) // f + 1
        corners = [
            tf.pad(kernel, [[row, f - 1 - row], [column, f - 1 - column], [0, 0], [0, 0]])
            for row in range(f)
            for column in range(f)
        ]
        window = tf.stack(corners, 3)  # (f * blocks, f * blocks, in, f * f, out)
        window = tf.reshape(window, [blocks, f, blocks, f, channels_in, f * f * channels_out])
        window = tf.transpose(window, [0, 2, 1, 3, 4, 5])
        return tf.reshape(window, [blocks, blocks, f * f * channels_in, f * f * channels_out])
