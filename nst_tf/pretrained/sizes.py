"""What Magenta's arbitrary networks take and give, without TensorFlow."""

STYLE_VECTOR_SIZE = 100
# The side of the square at which the predictor reads a style image (as Magenta trained it).
STYLE_SIZE = 256
