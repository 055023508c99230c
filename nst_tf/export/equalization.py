"""Channel equalisation of a style network before int8 quantisation.

Instance normalisation divides each channel by its own spread, so scaling the output channel of
the convolution before it by a positive factor g, and the normalisation's epsilon by g², leaves
the network's function unchanged. Full-integer int8 gives each tensor one scale: channels of small
spread then get few levels, and normalisation amplifies their rounding error. Rescaling every
such channel to the same spread, measured on representative images, evens that out (the idea of
Nagel et al. 2019, "Data-free quantization through weight equalization and bias correction").
"""

import keras
import numpy as np

from nst_tf.feedforward.network_layers import InstanceNormalization

# Mean variance given to every channel that feeds an instance normalisation (3 measured a little
# better than 1 or 10 on the shipped networks).
TARGET_VARIANCE = 3.0


def equalized_copy(model, style_weights, samples):
    """A copy of the network whose convolutions feeding instance normalisations are rescaled.

    Args:
      model: the Keras transformation network.
      style_weights: the style (or blend) the copy will be run with (ignored for one style).
      samples: float images (height, width, 3) in [0, 255] on which channel spreads are measured.

    Returns:
      a new keras.Model with the same function and equalised channel spreads.
    """
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    pairs = _normalised_convolutions(copy)
    if not pairs:  # no biased convolution before a normalisation (magenta26): nothing to do
        return copy
    probe = keras.Model(copy.inputs, [conv.output for conv, _ in pairs])
    style_row = np.asarray(style_weights, np.float32)[None]
    totals = [0.0] * len(pairs)
    for image in samples:
        batch = np.asarray(image, np.float32)[None]
        outputs = probe(batch if len(copy.inputs) == 1 else [batch, style_row], training=False)
        for index, output in enumerate(outputs if len(pairs) > 1 else [outputs]):
            totals[index] = totals[index] + np.var(np.asarray(output)[0], axis=(0, 1))
    for (conv, norm), total in zip(pairs, totals):
        epsilon = np.asarray(norm.epsilon)
        gain = np.sqrt(TARGET_VARIANCE / (total / len(samples) + epsilon))
        kernel, bias = conv.get_weights()
        conv.set_weights([kernel * gain, bias * gain])
        # (g x - g mean) / sqrt(g² var + g² eps) is the normalisation of x, exactly.
        norm.epsilon = (epsilon * gain**2).tolist()
    return copy


def _normalised_convolutions(model):
    """(Conv2D, InstanceNormalization) pairs where the convolution feeds the normalisation alone.

    Read from the functional model's config (public): each layer's inbound nodes name the
    layers whose outputs it takes.
    """
    sources = {}  # layer name -> names of the layers it takes inputs from
    for entry in model.get_config()["layers"]:
        sources[entry["name"]] = [
            history[0] for node in entry["inbound_nodes"] for history in _keras_histories(node)
        ]
    consumers = {}
    for inputs in sources.values():
        for source in inputs:
            consumers[source] = consumers.get(source, 0) + 1
    pairs = []
    for layer in model.layers:
        if not isinstance(layer, InstanceNormalization) or not sources[layer.name]:
            continue
        producer = model.get_layer(sources[layer.name][0])  # the features come first
        feeds_only_this = consumers.get(producer.name) == 1
        if isinstance(producer, keras.layers.Conv2D) and producer.use_bias and feeds_only_this:
            pairs.append((producer, layer))
    return pairs


def _keras_histories(value):
    """The (layer name, node index, tensor index) triples of the tensors in a serialised node."""
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            return [value["config"]["keras_history"]]
        return [found for item in value.values() for found in _keras_histories(item)]
    if isinstance(value, (list, tuple)):
        return [found for item in value for found in _keras_histories(item)]
    return []
