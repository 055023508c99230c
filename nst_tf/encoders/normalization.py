"""Gatys' normalised VGG: every filter rescaled so that its mean activation is 1.

Over a set of images and all positions, the mean (post-ReLU) activation m of each filter of each
convolution is measured. The filter's weights and bias are divided by m, and the next
convolution's weights for that input channel are multiplied by m. ReLU and pooling commute with
positive scaling, so every layer then outputs the original activations divided by its own m:
the same function up to a per-channel scale, with comparable magnitudes across layers. Because
the compensation undoes the scaling of the layer below, all means are measured in one pass of
the original network.
"""

import os

import keras
import numpy as np

from nst_tf.encoders import vgg as networks
from nst_tf.errors import NstError
from nst_tf.io import files, image_io


def load_folder(folder, size):
    """The images of a folder, each resized to `size` px on its longest side.

    Raises:
      NstError: not a folder, or no images in it.
    """
    if not os.path.isdir(folder):
        raise NstError(f"not a folder of images: {folder}")
    names = sorted(name for name in os.listdir(folder) if files.is_image_file(name))
    if not names:
        raise NstError(f"no images ({', '.join(files.IMAGE_ENDINGS)}) in {folder}")
    return [
        image_io.resize_longest(image_io.load_image(os.path.join(folder, n)), size) for n in names
    ]


def mean_activations(body, image_list):
    """Mean activation of every filter of every convolution over the images and positions.

    Args:
      body: VGG body (keras.Model with blockI_convJ layers), caffe-preprocessed input.
      image_list: RGB images (height, width, 3) in [0, 255], any sizes.

    Returns:
      dict layer name -> float64 array (channels,).
    """
    convs = [layer for layer in body.layers if isinstance(layer, keras.layers.Conv2D)]
    probe = keras.Model(body.input, [layer.output for layer in convs])
    preprocess = networks.CaffePreprocess()
    sums = [np.zeros(layer.filters) for layer in convs]
    counts = [0] * len(convs)
    for image in image_list:
        outputs = probe(preprocess(np.asarray(image, np.float32)[None]))
        for i, output in enumerate(outputs):
            output = np.asarray(output, np.float64)
            sums[i] += output.sum(axis=(0, 1, 2))
            counts[i] += output.shape[1] * output.shape[2]
    return {layer.name: total / count for layer, total, count in zip(convs, sums, counts)}


def normalize(body, means):
    """Rescales the body's convolutions in place so that each filter's mean activation is 1.

    Filters whose mean is 0 (never active on the images) are left as they are.

    Args:
      body: VGG body.
      means: from `mean_activations` on the same body.
    """
    incoming = None  # the scale of the previous convolution's outputs, per channel
    for layer in body.layers:
        if not isinstance(layer, keras.layers.Conv2D):
            continue
        kernel, bias = layer.get_weights()
        scale = np.where(means[layer.name] > 0, means[layer.name], 1.0)
        if incoming is not None:
            kernel = kernel * incoming[None, None, :, None]
        layer.set_weights([kernel / scale, bias / scale])
        incoming = scale


def write_normalized_weights(arch, weights, folder, size, output):
    """Computes the normalised VGG from a folder of images and saves its weights.

    Args:
      arch: "vgg16" or "vgg19".
      weights: the original weights (see networks.resolve_weights).
      folder: folder of images.
      size: longest side the images are resized to, px.
      output: weights file to write; must end in ".weights.h5" (Keras' weights format), which
        `--vgg-weights` and `build_loss_network(weights=...)` load.

    Returns:
      dict layer name -> mean activation array before normalisation.
    """
    if not str(output).endswith(".weights.h5"):
        raise NstError(f"the output must end in .weights.h5, got {output}")
    files.check_writable_destination(output)
    image_list = load_folder(folder, size)
    body = networks.load_vgg_body(arch, weights)
    means = mean_activations(body, image_list)
    normalize(body, means)
    with files.atomic_path(output) as temporary:
        body.save_weights(temporary)
    return means
