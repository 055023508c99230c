"""`nst-tf export MODEL`: a trained or shipped network as a SavedModel (TF Serving) or TFLite
(LiteRT); `nst-tf export arbitrary`: Magenta's arbitrary stylisation pair; `nst-tf export web
DIR`: the web page as a static site that paints in the browser."""

import os

from absl import flags

from nst_tf import tf_startup
from nst_tf.cli import common
from nst_tf.errors import NstError
from nst_tf.feedforward import shipped
from nst_tf.pretrained import networks

# The MODEL name that exports Magenta's arbitrary stylisation pair (predictor and transformer).
ARBITRARY = "arbitrary"
# The MODEL name that writes the page as a static site (nst_tf.serve.site).
WEB = "web"


def define_flags():
    """The flags of `nst-tf export`."""
    fv = flags.FlagValues()
    flags.DEFINE_string(
        "output",
        None,
        "SavedModel: the base folder (VERSION/ goes inside); TFLite: a folder or a .tflite file "
        f"(a folder for '{ARBITRARY}', which writes two files).",
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
        "TFLite input size HxW (fixed), or 'any' for a resizable input (for 'arbitrary': the "
        "transformer's; the style predictor takes 256x256).",
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
        "model-style",
        None,
        "The style to bake in, by name or index (default for a multi-style network: the style "
        "weights become an input).",
        flag_values=fv,
    )
    flags.DEFINE_list(
        "style-blend", None, "Bake in a blend of the styles, one weight per style.", flag_values=fv
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


def run(values, model, folder=None):
    """Runs `nst-tf export`."""
    if model == WEB:
        return _export_web(folder or values["output"])
    if folder is not None:
        raise NstError(f"a second argument (the folder) applies to '{WEB}' only: use --output")
    output = values["output"]
    if not output:
        raise NstError("missing --output (-o): where to write the export")
    arbitrary = model == ARBITRARY
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
    if arbitrary and (values["model_style"] or blend):
        raise NstError(f"--model-style and --style-blend do not apply to '{ARBITRARY}'")
    if arbitrary and tflite and output.endswith(".tflite"):
        raise NstError(f"'{ARBITRARY}' writes two TFLite files: give a folder as --output")
    # "model not found" or missing weights before TensorFlow starts.
    if arbitrary:
        networks.weights_path(networks.PREDICTOR_FILE)
        networks.weights_path(networks.TRANSFORMER_FILE)
    else:
        shipped.model_reference(model)
    tf_startup.import_tensorflow_quietly()
    from nst_tf.export import tflite as lite

    representative = None
    if tflite and quantize == "int8":
        representative = lite.calibration_images(values["representative_data"])
    if arbitrary:
        _export_arbitrary(output, tflite, values["version"], quantize, size, representative)
    else:
        _export_network(values, model, blend, size, representative)


def _export_web(folder):
    """The page, LiteRT.js and the browser's models as plain files (no TensorFlow)."""
    from nst_tf.serve import site

    if not folder:
        raise NstError(f"missing the folder: nst-tf export {WEB} DIR")
    written = site.write_site(folder)
    print(
        f"wrote {folder} ({written / 1e6:.1f} MB): serve it from any static host; send the "
        "headers in its _headers file for the runtime's threads (it works, slower, without)"
    )


def _export_arbitrary(output, tflite, version, quantize, size, representative):
    """Magenta's arbitrary stylisation pair, shipped weights."""
    from nst_tf.export import arbitrary_pair

    if not tflite:
        path = arbitrary_pair.export_arbitrary_saved_model(output, version)
        print(f"wrote {path} (SavedModel, signatures serving_default and encoded)")
        return
    written = arbitrary_pair.export_arbitrary_tflite(output, quantize, size, representative)
    for path, length in written.items():
        print(f"wrote {path} ({length / 1e6:.2f} MB, TFLite {quantize})")


def _export_network(values, model, blend, size, representative):
    """A trained or shipped network: with a style baked in, or the style weights as an input."""
    from nst_tf.export import saved_model, tflite
    from nst_tf.feedforward import model as feedforward

    style_model = feedforward.load_model(model)
    style, output, quantize = values["model_style"], values["output"], values["quantize"]
    names = style_model.style_names
    chosen = style is not None or blend is not None or "default_style" in style_model.metadata
    weights = style_model.style_weights(style, blend) if chosen or len(names) == 1 else None
    if values["format"] == "saved_model":
        path = saved_model.export_saved_model(style_model, output, weights, values["version"])
        inputs = "" if weights is not None else ", style weights as an input"
        print(f"wrote {path} (SavedModel, signatures serving_default and encoded{inputs})")
        return
    if not output.endswith(".tflite"):
        if weights is None:
            name = os.path.splitext(os.path.basename(style_model.path))[0]
        else:
            name = names[int(weights.argmax())] if weights.max() == 1 else "blend"
        output = os.path.join(output, f"{name}_{quantize}.tflite")
    written = tflite.export_tflite(style_model, output, weights, quantize, size, representative)
    print(f"wrote {output} ({written / 1e6:.2f} MB, TFLite {quantize})")


COMMAND = common.Command(
    define_flags,
    ("MODEL", "[DIR]"),
    "Export a trained or shipped network, or 'arbitrary' (a reserved name: Magenta's arbitrary "
    "stylisation pair), as a SavedModel (TF Serving) or TFLite (LiteRT); 'web DIR': the page as "
    "a static site that paints in the browser.",
    run,
)
