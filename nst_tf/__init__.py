"""nst_tf: neural style transfer with TensorFlow and Keras.

The public names below are imported on first use, so `import nst_tf` (and the CLI's help and
flag checks) stay fast until TensorFlow is needed.
"""

import importlib

__version__ = "0.1.0"

_PUBLIC = {
    "NstError": "nst_tf.errors",
    "load_image": "nst_tf.images",
    "save_image": "nst_tf.images",
    "ContentLoss": "nst_tf.losses",
    "GramMatrix": "nst_tf.losses",
    "StyleLoss": "nst_tf.losses",
    "TotalVariation": "nst_tf.losses",
    "GramLoss": "nst_tf.style_losses",
    "MomentsLoss": "nst_tf.style_losses",
    "MrfLoss": "nst_tf.style_losses",
    "StyleSwapLoss": "nst_tf.style_losses",
    "build_loss_network": "nst_tf.networks",
    "StylizeResult": "nst_tf.optimize",
    "stylize": "nst_tf.optimize",
    "synthesize_texture": "nst_tf.optimize",
    "plot_loss_history": "nst_tf.plots",
    "build_transformer": "nst_tf.transformer",
    "StyleModel": "nst_tf.feedforward",
    "load_model": "nst_tf.feedforward",
    "TrainConfig": "nst_tf.training",
    "train": "nst_tf.training",
    "stylize_video": "nst_tf.video",
}

__all__ = list(_PUBLIC)


def __getattr__(name):
    if name not in _PUBLIC:
        raise AttributeError(f"module 'nst_tf' has no attribute {name!r}")
    value = getattr(importlib.import_module(_PUBLIC[name]), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(list(globals()) + __all__)
