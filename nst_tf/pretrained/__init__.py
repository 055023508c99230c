"""TensorFlow's pretrained one-pass networks in Keras: Magenta's arbitrary stylisation (any
painting as the style) and the 26-style network of the TensorFlow Android demo."""
