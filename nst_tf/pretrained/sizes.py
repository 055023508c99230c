"""What Magenta's arbitrary networks take and give, without TensorFlow."""

STYLE_VECTOR_SIZE = 100
# The side of the square at which the predictor reads a style image (as Magenta trained it).
STYLE_SIZE = 256
# Every side is padded to a multiple of this (two stride-2 convolutions), then cropped back.
SIZE_MULTIPLE = 4
# Added to the variance in every instance norm (the value in the ONNX graph).
EPSILON = 1e-5
# The transformer's stages (nst_tf.pretrained.stage_networks.transformer_stages): the contraction
# (no norm: it runs on bands of rows), the residual blocks with the first upsampling, and the
# last two convolutions in two passes over bands (their norms' statistics measured over the
# bands first).
STAGES = ("contract", "residuals", "expand_moments", "expand")
# Rows a band must see beyond the rows it keeps: of the contraction at full resolution (its
# receptive field reaches 7 px; a multiple of SIZE_MULTIPLE), of the last two convolutions at
# half resolution (theirs reaches 3 rows there; a multiple of 2).
CONTRACT_MARGIN = 8
EXPAND_MARGIN = 4
