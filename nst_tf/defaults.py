"""Defaults of the Gatys method, shared by the Python API and the CLI (no TensorFlow import).

Losses are on the caffe 0-255 scale of `keras.applications` VGG features; the style/content
weight ratio of 10 sits in the 10-100 range that gives a clearly stylised image.
"""

CONTENT_LAYERS = ("block4_conv2",)
STYLE_LAYERS = ("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1")
# Style layers of each style loss when none are named: the patch losses use the middle layers
# of their papers (Li & Wand 2016: relu3_1, relu4_1; Chen & Schmidt 2016: relu3_1).
STYLE_LAYERS_BY_LOSS = {
    "gram": STYLE_LAYERS,
    "moments": STYLE_LAYERS,
    "mrf": ("block3_conv1", "block4_conv1"),
    "swap": ("block3_conv1",),
}
STYLE_LOSS_NAMES = tuple(STYLE_LAYERS_BY_LOSS)
# The style losses whose targets can come from a region of the style image (semantic guidance).
STYLE_LOSSES_WITH_REGIONS = ("gram", "moments")
TV_MODES = ("l1", "squared")
COLOR_MODES = ("none", "luminance", "histogram")
CONTENT_WEIGHT = 1.0
STYLE_WEIGHT = 10.0
TV_WEIGHT = 1.0
ITERATIONS = 300
LEARNING_RATE = 10.0

# Loss network weights: "default" means the file named by this environment variable if set,
# else Keras' ImageNet weights.
WEIGHTS_ENV_VAR = "NST_TF_VGG_WEIGHTS"
DEFAULT_WEIGHTS = "default"

# Feed-forward training (Johnson et al. 2016 layers, VGG16). Weights calibrated on the stand-in
# VGG16 at 128 px crops: style 1e-3 left the content loss as high as a painting's (~230).
FEEDFORWARD_CONTENT_LAYERS = ("block3_conv3",)
FEEDFORWARD_STYLE_LAYERS = ("block1_conv2", "block2_conv2", "block3_conv3", "block4_conv3")
FEEDFORWARD_CONTENT_WEIGHT = 1.0
FEEDFORWARD_STYLE_WEIGHT = 3e-4
FEEDFORWARD_TV_WEIGHT = 3e-2
FEEDFORWARD_LEARNING_RATE = 1e-3

# Optimising a video: weight of the temporal loss (mean squared pixel difference on the 0-255
# scale, where the motion is reliable) against the default content and style weights. Of 0.5, 5
# and 50, 50 flickered least with no loss of sharpness (tools/bench/bench_video.py --optimise;
# figures in bench_results/bench_video.json and the README's video section).
TEMPORAL_WEIGHT = 50.0
