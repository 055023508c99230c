"""The inference graph of a transformation network: its instance normalisations fused.

TensorFlow computes a single image's instance normalisation in one kernel, FusedBatchNormV3
(statistics over the positions of a batch of one = instance statistics), in place of the
elementwise passes and two reductions of the portable layer, in less time per image (the README
and tools/bench/bench_inference.py measure it). The saved networks keep the portable layer (what the
exports convert), which also serves batches of more than one image.
"""

import keras
import numpy as np
import tensorflow as tf

from nst_tf.feedforward.network_layers import InstanceNormalization


class FusedInstanceNormalization(InstanceNormalization):
    """InstanceNormalization computed by TensorFlow's fused kernel for a batch of one image."""

    def call(self, inputs):
        features, style_weights = inputs if self.num_styles > 1 else (inputs, None)

        def fused():
            scale, shift = self.scale[0], self.shift[0]
            if style_weights is not None:
                weights = tf.cast(style_weights[:1], features.dtype)
                scale, shift = tf.matmul(weights, self.scale)[0], tf.matmul(weights, self.shift)[0]
            normalised, _, _ = tf.compat.v1.nn.fused_batch_norm(
                features, scale, shift, epsilon=self.epsilon, is_training=True
            )
            return normalised

        return tf.cond(
            tf.shape(features)[0] == 1, fused, lambda: InstanceNormalization.call(self, inputs)
        )


def inference_network(model):
    """A copy of a transformation network (same weights, values copied) for inference.

    Instance normalisations with one epsilon become FusedInstanceNormalization; a per-channel
    epsilon (an export's equalised network) keeps the portable layer.

    Args:
      model: a network from transformer.build_transformer (or loaded).

    Returns:
      keras.Model with the same inputs and outputs.
    """
    replaced = {}

    def clone(layer):
        if isinstance(layer, InstanceNormalization) and np.ndim(layer.epsilon) == 0:
            replaced[layer.name] = FusedInstanceNormalization.from_config(layer.get_config())
            return replaced[layer.name]
        return layer  # shared, weights and all

    copy = keras.models.clone_model(model, clone_function=clone)
    for name, layer in replaced.items():
        layer.set_weights(model.get_layer(name).get_weights())
    return copy
