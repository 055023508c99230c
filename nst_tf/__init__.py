"""nst_tf: neural style transfer with TensorFlow and Keras.

The public names below are imported on first use, so `import nst_tf` (and the CLI's help and
flag checks) stay fast until TensorFlow is needed.
"""

import importlib

__version__ = "0.1.0"

# Each public name and the module that defines it (the API reference page is built from it).
DEFINED_IN = {
    "NstError": "nst_tf.errors",
    "load_image": "nst_tf.io.image_io",
    "save_image": "nst_tf.io.image_io",
    "ContentLoss": "nst_tf.losses.terms",
    "GramMatrix": "nst_tf.losses.gram",
    "StyleLoss": "nst_tf.losses.style",
    "TotalVariation": "nst_tf.losses.terms",
    "GramLoss": "nst_tf.losses.style",
    "MomentsLoss": "nst_tf.losses.style",
    "MrfLoss": "nst_tf.losses.style",
    "StyleSwapLoss": "nst_tf.losses.style",
    "build_loss_network": "nst_tf.encoders.vgg",
    "StylizeResult": "nst_tf.optimize.run",
    "Options": "nst_tf.optimize.options",
    "run_optimization": "nst_tf.optimize.run",
    "stylize": "nst_tf.optimize.image_optimization",
    "synthesize_texture": "nst_tf.optimize.image_optimization",
    "optimize_video": "nst_tf.optimize.video_optimization",
    "plot_loss_history": "nst_tf.io.plots",
    "build_transformer": "nst_tf.feedforward.transformer",
    "StyleModel": "nst_tf.feedforward.model",
    "StyleNetwork": "nst_tf.feedforward.styles",
    "load_style_network": "nst_tf.feedforward.styles",
    "LiteStyleNetwork": "nst_tf.feedforward.lite_model",
    "load_model": "nst_tf.feedforward.model",
    "TrainConfig": "nst_tf.feedforward.training_config",
    "train": "nst_tf.feedforward.training",
    "stylize_video": "nst_tf.feedforward.video_stylization",
    "export_saved_model": "nst_tf.export.saved_model",
    "export_tflite": "nst_tf.export.tflite",
    "LiteStyleModel": "nst_tf.feedforward.lite_model",
    "stylize_fast": "nst_tf.pretrained.fast",
    "style_vector": "nst_tf.pretrained.fast",
    "build_style_predictor": "nst_tf.pretrained.arbitrary",
    "build_arbitrary_transformer": "nst_tf.pretrained.arbitrary",
    "build_multistyle_network": "nst_tf.pretrained.multistyle",
    "export_arbitrary_saved_model": "nst_tf.export.arbitrary_pair",
    "export_arbitrary_tflite": "nst_tf.export.arbitrary_pair",
    "LiteArbitraryModel": "nst_tf.pretrained.lite_runner",
    "stylize_batch": "nst_tf.batch.job",
    "matting_laplacian": "nst_tf.photoreal.matting",
    "photo_smooth": "nst_tf.photoreal.smoothing",
    "image_analogy": "nst_tf.analogy.analogy",
    "AnalogyResult": "nst_tf.analogy.analogy",
    "build_upscaler": "nst_tf.superres.upscaler_network",
    "UpscaleConfig": "nst_tf.superres.upscaler_config",
    "train_upscaler": "nst_tf.superres.upscaler_training",
    "Upscaler": "nst_tf.superres.upscaling",
    "load_upscaler": "nst_tf.superres.upscaling",
}

__all__ = list(DEFINED_IN)


def __getattr__(name):
    if name not in DEFINED_IN:
        raise AttributeError(f"module 'nst_tf' has no attribute {name!r}")
    value = getattr(importlib.import_module(DEFINED_IN[name]), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(list(globals()) + __all__)
