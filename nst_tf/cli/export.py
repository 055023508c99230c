"""`nst-tf export MODEL`: a trained network as a SavedModel (TF Serving) or TFLite (LiteRT)."""

import os

from absl import flags

from nst_tf import tf_startup
from nst_tf.cli import common
from nst_tf.errors import NstError


def define_flags():
    """The flags of `nst-tf export`."""
    fv = flags.FlagValues()
    flags.DEFINE_string(
        "output",
        None,
        "SavedModel: the base folder (VERSION/ goes inside); TFLite: a folder or a .tflite file.",
        short_name="o",
        flag_values=fv,
    )
    flags.DEFINE_enum(
        "format", "saved_model", ["saved_model", "tflite"], "Export format.", flag_values=fv
    )
    flags.DEFINE_enum(
        "quantize",
        "none",
        ["none", "float16", "dynamic", "int8"],
        "TFLite quantisation (int8 needs --representative-data).",
        flag_values=fv,
    )
    flags.DEFINE_string(
        "size",
        "384x384",
        "TFLite input size HxW (fixed), or 'any' for a resizable input.",
        flag_values=fv,
    )
    flags.DEFINE_string(
        "representative-data",
        None,
        "Folder of images to calibrate integer quantisation (up to 64, spread over it).",
        flag_values=fv,
    )
    flags.DEFINE_integer(
        "version", None, "SavedModel version (default: one more than the newest).", flag_values=fv
    )
    flags.DEFINE_string(
        "model-style", None, "The style to export, by name or index.", flag_values=fv
    )
    flags.DEFINE_list(
        "style-blend", None, "Export a blend of the styles, one weight per style.", flag_values=fv
    )
    return fv


def _parse_size(text):
    """'HxW' -> (H, W); 'any' -> None. NstError unless both are positive integers."""
    if text.lower() == "any":
        return None
    height, _, width = text.lower().partition("x")
    if not (height.isdigit() and width.isdigit() and int(height) > 0 and int(width) > 0):
        raise NstError(
            f"--size must be HxW with positive integers (e.g. 384x384) or 'any', got {text}"
        )
    return int(height), int(width)


def run(values, model_path):
    """Runs `nst-tf export`."""
    output = values["output"]
    if not output:
        raise NstError("missing --output (-o): where to write the export")
    if not os.path.exists(model_path):
        raise NstError(f"model not found: {model_path}")
    size = _parse_size(values["size"])
    blend = common.numbers(values, "style_blend")
    if values["version"] is not None and values["version"] < 1:
        raise NstError(f"--version must be a positive integer, got {values['version']}")
    quantize = values["quantize"]
    tflite = values["format"] == "tflite"
    if quantize == "int8" and not values["representative_data"]:
        raise NstError(
            f"{quantize} quantisation needs representative images: --representative-data DIR"
        )
    if quantize != "none" and not tflite:
        raise NstError("--quantize applies to --format tflite")
    tf_startup.import_tensorflow_quietly()
    from nst_tf.export import saved_model, tflite
    from nst_tf.feedforward import model as feedforward

    style_model = feedforward.load_model(model_path)
    weights = style_model.style_weights(values["model_style"], blend)
    if not tflite:
        path = saved_model.export_saved_model(style_model, output, weights, values["version"])
        print(f"wrote {path} (SavedModel, signatures serving_default and encoded)")
        return
    representative = None
    if values["representative_data"]:
        representative = tflite.calibration_images(values["representative_data"])
    if not output.endswith(".tflite"):
        name = values["model_style"] or ("blend" if blend else style_model.style_names[0])
        output = os.path.join(output, f"{name}_{quantize}.tflite")
    written = tflite.export_tflite(style_model, output, weights, quantize, size, representative)
    print(f"wrote {output} ({written / 1e6:.2f} MB, TFLite {quantize})")


COMMAND = common.Command(
    define_flags,
    ("MODEL",),
    "Export a trained network as a SavedModel (TF Serving) or TFLite (LiteRT).",
    run,
)
