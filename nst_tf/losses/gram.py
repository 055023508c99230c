"""The Gram matrix of feature maps: the style statistic of Gatys et al., with a cheap gradient."""

import keras
import tensorflow as tf


@tf.custom_gradient
def gram(features):
    """Gram matrices (batch, channels, channels) of features (batch, height, width, channels),
    normalised by the number of positions: G = F^T F / (height * width).

    Its gradient, F (U + U^T) / (height * width) for an upstream gradient U, is one matrix product
    instead of the two that automatic differentiation of F^T F would spend.
    """
    shape = tf.shape(features)
    positions = tf.cast(shape[1] * shape[2], features.dtype)
    flat = tf.reshape(features, (shape[0], shape[1] * shape[2], shape[3]))
    matrix = tf.linalg.matmul(flat, flat, transpose_a=True) / positions

    def gradient(upstream):
        symmetric = upstream + tf.linalg.matrix_transpose(upstream)
        return tf.reshape(tf.linalg.matmul(flat, symmetric) / positions, shape)

    return matrix, gradient


@keras.saving.register_keras_serializable(package="nst_tf")
class GramMatrix(keras.layers.Layer):
    """`gram` as a Keras layer: (batch, height, width, channels) -> (batch, channels, channels)."""

    def call(self, features):
        return gram(features)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1], input_shape[-1])
