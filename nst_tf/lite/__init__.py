"""The LiteRT runtime: .tflite networks run without TensorFlow or Keras."""
