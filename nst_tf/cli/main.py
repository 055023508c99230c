"""The `nst-tf` command line: `nst-tf stylize` and `nst-tf texture`.

User mistakes end with a one-line message on stderr and exit code 2, never a traceback.
"""

import dataclasses
import os
import sys

from absl import flags

from nst_tf import defaults
from nst_tf import tf_startup
from nst_tf.errors import NstError

PROGRAM = "nst-tf"
USAGE_ERROR = 2
_STYLIZE_SIZE = 512
_TEXTURE_SIZE = 256


@dataclasses.dataclass(frozen=True)
class Command:
    """A subcommand: its flags, positional argument names, summary and runner."""

    define_flags: object
    positionals: tuple
    summary: str
    run: object


def _define_network_flags(fv):
    flags.DEFINE_enum("vgg", "vgg19", ["vgg19", "vgg16"], "Loss network.", flag_values=fv)
    flags.DEFINE_string(
        "vgg-weights",
        None,
        "Loss network weights: a weights file in the layout of keras.applications "
        "(include_top=False), 'imagenet' (Keras downloads and caches them), or 'none' (random, for "
        "tests). Default: $NST_TF_VGG_WEIGHTS if set, else 'imagenet'.",
        flag_values=fv,
    )
    flags.DEFINE_enum(
        "pooling",
        "max",
        ["max", "avg"],
        "Pooling in the loss network (Gatys et al. used avg).",
        flag_values=fv,
    )


def _define_optimization_flags(fv, default_size, default_init, inits):
    """Flags of the optimisation commands; --size defaults to None, read as `default_size`."""
    flags.DEFINE_string(
        "output", None, "Output image (.jpg, .png, .webp, ...).", short_name="o", flag_values=fv
    )
    flags.DEFINE_integer(
        "size",
        None,
        f"Longest side of the result, px (default: {default_size}"
        + ("; with --model, the content's own size)." if default_size == _STYLIZE_SIZE else ")."),
        lower_bound=1,
        flag_values=fv,
    )
    flags.DEFINE_integer(
        "iterations", defaults.ITERATIONS, "Optimiser iterations.", lower_bound=1, flag_values=fv
    )
    flags.DEFINE_enum("optimizer", "lbfgs", ["lbfgs", "adam"], "Optimiser.", flag_values=fv)
    flags.DEFINE_float(
        "learning-rate",
        defaults.LEARNING_RATE,
        "Adam step size (pixel values).",
        lower_bound=0,
        flag_values=fv,
    )
    flags.DEFINE_enum("init", default_init, inits, "Initial image.", flag_values=fv)
    flags.DEFINE_integer(
        "seed", 0, "Seed of the noise initialisation.", lower_bound=0, flag_values=fv
    )
    flags.DEFINE_float(
        "style-weight", defaults.STYLE_WEIGHT, "Style loss weight.", lower_bound=0, flag_values=fv
    )
    flags.DEFINE_float(
        "tv-weight", defaults.TV_WEIGHT, "Total variation weight.", lower_bound=0, flag_values=fv
    )
    flags.DEFINE_enum(
        "tv-mode", "l1", ["l1", "squared"], "Total variation penalty.", flag_values=fv
    )
    flags.DEFINE_list(
        "style-layers",
        None,
        "Style layers, comma-separated (default: "
        + "; ".join(
            f"{loss}: {','.join(layers)}" for loss, layers in defaults.STYLE_LAYERS_BY_LOSS.items()
        )
        + ").",
        flag_values=fv,
    )
    flags.DEFINE_enum(
        "style-loss",
        "gram",
        list(defaults.STYLE_LAYERS_BY_LOSS),
        "Style loss: Gram matrices (Gatys), MRF patches (Li & Wand 2016), style swap (Chen & "
        "Schmidt 2016, needs content) or channel moments (mean and deviation).",
        flag_values=fv,
    )
    flags.DEFINE_list(
        "style-blend",
        None,
        "One weight per style image (or, with --model, per style of the network), "
        "comma-separated, normalised to sum 1 (default: equal; with --model, the first style).",
        flag_values=fv,
    )
    flags.DEFINE_integer(
        "scales",
        1,
        "Coarse-to-fine pyramid levels (sizes halve per level; --iterations at full size, twice "
        "as many at each level below).",
        lower_bound=1,
        flag_values=fv,
    )
    flags.DEFINE_list(
        "style-layer-weights",
        None,
        "One weight per style layer, comma-separated (default: equal).",
        flag_values=fv,
    )
    flags.DEFINE_list(
        "style-scale",
        "1.0",
        "Style image's longest side relative to the result's: one number, or one per style.",
        flag_values=fv,
    )
    flags.DEFINE_integer(
        "save-every",
        0,
        "Save the current image every N iterations, beside the output "
        "(OUT_0050.jpg, ...); 0: never.",
        lower_bound=0,
        flag_values=fv,
    )
    flags.DEFINE_string(
        "loss-plot", None, "Write a plot of the losses (.png, .svg, .pdf, .jpg).", flag_values=fv
    )
    flags.DEFINE_bool(
        "xla",
        True,
        "Compile the loss with XLA (~25% faster iterations, 3-8 s to compile per image size).",
        flag_values=fv,
    )
    flags.DEFINE_bool("quiet", False, "No progress bar.", flag_values=fv)
    _define_network_flags(fv)


def _stylize_flags():
    fv = flags.FlagValues()
    _define_optimization_flags(
        fv, default_size=_STYLIZE_SIZE, default_init="content", inits=["content", "style", "noise"]
    )
    flags.DEFINE_float(
        "content-weight",
        defaults.CONTENT_WEIGHT,
        "Content loss weight.",
        lower_bound=0,
        flag_values=fv,
    )
    flags.DEFINE_list(
        "content-layers",
        ",".join(defaults.CONTENT_LAYERS),
        "Content layers, comma-separated.",
        flag_values=fv,
    )
    flags.DEFINE_enum(
        "preserve-colors",
        "none",
        ["none", "luminance", "histogram"],
        "Keep the content's colours: transfer the luminance only (YIQ), or recolour the styles "
        "to the content's colour mean and covariance first.",
        flag_values=fv,
    )
    flags.DEFINE_list(
        "masks",
        None,
        "One mask image per style, comma-separated, of the content's size: white where the "
        "style applies; content outside every mask gets no style.",
        flag_values=fv,
    )
    flags.DEFINE_string(
        "label-map",
        None,
        "Instead of --masks: a grey image of the content's size whose pixel values are 0 (no "
        "style) or k for the k-th style image.",
        flag_values=fv,
    )
    flags.DEFINE_enum(
        "preset",
        None,
        ["photorealistic"],
        "Option preset; flags given explicitly override it. photorealistic: --init content "
        "--content-weight 5 --preserve-colors histogram.",
        flag_values=fv,
    )
    _define_model_flags(fv)
    return fv


def _define_model_flags(fv):
    """Flags of stylisation with a trained network (`--model`)."""
    flags.DEFINE_string(
        "model",
        None,
        "A trained network (a .keras file, a training run folder, or the name of a shipped "
        "style: starry_night, the_scream, woman_with_hat): stylise with one forward pass "
        "instead of optimising; CONTENT may then be an image, a folder or a video.",
        flag_values=fv,
    )
    flags.DEFINE_string(
        "model-style", None, "With --model: the style to apply, by name or index.", flag_values=fv
    )
    flags.DEFINE_integer(
        "batch-size",
        4,
        "With --model: images or frames per forward pass.",
        lower_bound=1,
        flag_values=fv,
    )
    flags.DEFINE_float(
        "temporal-smoothing",
        0.0,
        "With --model on a video: blend each frame with the previous result where the content "
        "is still, in [0, 1) (0: off; 0.5 damps flicker).",
        flag_values=fv,
    )


def _train_flags():
    fv = flags.FlagValues()
    flags.DEFINE_list(
        "style",
        None,
        "Style image(s), comma-separated; several give a multi-style network.",
        flag_values=fv,
    )
    flags.DEFINE_list(
        "style-names", None, "A name per style (default: the file names).", flag_values=fv
    )
    flags.DEFINE_string(
        "data",
        None,
        "Training images: a folder (searched recursively for jpg, png, webp) or "
        "tfds:NAME[:SPLIT] (e.g. tfds:coco/2017).",
        flag_values=fv,
    )
    flags.DEFINE_string("out", None, "Run folder (checkpoints, model, logs).", flag_values=fv)
    flags.DEFINE_integer("steps", 2000, "Total training steps.", lower_bound=1, flag_values=fv)
    flags.DEFINE_integer("batch-size", 4, "Images per step.", lower_bound=1, flag_values=fv)
    flags.DEFINE_integer(
        "image-size", 256, "Side of the square training crops, px.", lower_bound=1, flag_values=fv
    )
    flags.DEFINE_integer(
        "style-size",
        256,
        "Longest side of the style image(s) for their Gram matrices, px.",
        lower_bound=1,
        flag_values=fv,
    )
    flags.DEFINE_enum(
        "network",
        "standard",
        ["standard", "small"],
        "Transformer: standard (Johnson's widths, 5 residual blocks) or small (half width, 3).",
        flag_values=fv,
    )
    for name, default, help_text in (
        ("content-weight", defaults.FEEDFORWARD_CONTENT_WEIGHT, "Content loss weight."),
        ("style-weight", defaults.FEEDFORWARD_STYLE_WEIGHT, "Style loss weight."),
        ("tv-weight", defaults.FEEDFORWARD_TV_WEIGHT, "Total variation weight."),
        ("learning-rate", defaults.FEEDFORWARD_LEARNING_RATE, "Adam learning rate."),
    ):
        flags.DEFINE_float(name, default, help_text, lower_bound=0, flag_values=fv)
    flags.DEFINE_integer(
        "checkpoint-every", 200, "Steps between checkpoints.", lower_bound=1, flag_values=fv
    )
    flags.DEFINE_integer(
        "log-every", 10, "Steps between loss records.", lower_bound=1, flag_values=fv
    )
    flags.DEFINE_bool(
        "resume",
        False,
        "Continue the run in --out from its newest checkpoint (its saved "
        "settings are used; --steps may raise the total).",
        flag_values=fv,
    )
    flags.DEFINE_enum(
        "distribute",
        "none",
        ["none", "mirrored"],
        "Distribution strategy: mirrored trains on every visible device in sync.",
        flag_values=fv,
    )
    flags.DEFINE_integer(
        "cpu-devices",
        0,
        "Split the CPU into this many logical devices (0: as TensorFlow "
        "sees it); with --distribute mirrored this tries data parallelism on one machine.",
        lower_bound=0,
        flag_values=fv,
    )
    flags.DEFINE_integer("seed", 0, "Seed.", lower_bound=0, flag_values=fv)
    flags.DEFINE_bool(
        "xla",
        True,
        "Compile the training step with XLA (faster steps, ~1 min to compile).",
        flag_values=fv,
    )
    flags.DEFINE_bool("quiet", False, "No progress bar.", flag_values=fv)
    flags.DEFINE_enum("vgg", "vgg16", ["vgg16", "vgg19"], "Loss network.", flag_values=fv)
    flags.DEFINE_string(
        "vgg-weights", None, "Loss network weights, as for 'stylize'.", flag_values=fv
    )
    return fv


def _texture_flags():
    fv = flags.FlagValues()
    _define_optimization_flags(
        fv, default_size=_TEXTURE_SIZE, default_init="noise", inits=["noise", "style"]
    )
    return fv


def _export_flags():
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


def _run_export(values, model_path):
    output = values["output"]
    if not output:
        raise NstError("missing --output (-o): where to write the export")
    if not os.path.exists(model_path):
        raise NstError(f"model not found: {model_path}")
    size = _parse_size(values["size"])
    blend = _numbers(values, "style_blend")
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
    from nst_tf.export import exporting as export
    from nst_tf.feedforward import model as feedforward

    style_model = feedforward.load_model(model_path)
    weights = style_model.style_weights(values["model_style"], blend)
    if not tflite:
        path = export.export_saved_model(style_model, output, weights, values["version"])
        print(f"wrote {path} (SavedModel, signatures serving_default and encoded)")
        return
    representative = None
    if values["representative_data"]:
        representative = export.calibration_images(values["representative_data"])
    if not output.endswith(".tflite"):
        name = values["model_style"] or ("blend" if blend else style_model.style_names[0])
        output = os.path.join(output, f"{name}_{quantize}.tflite")
    written = export.export_tflite(style_model, output, weights, quantize, size, representative)
    print(f"wrote {output} ({written / 1e6:.2f} MB, TFLite {quantize})")


def _optimization_options(values):
    """Keyword arguments of nst_tf.stylize / synthesize_texture from parsed flag values."""
    from nst_tf.io import image_io as images
    from nst_tf.io import plots

    output = values["output"]
    if not output:
        raise NstError("missing --output (-o): where to write the result")
    images.check_writable_image_path(output)
    if values["loss_plot"]:
        plots.check_plot_path(values["loss_plot"])
    stem, ending = os.path.splitext(output.replace("{", "{{").replace("}", "}}"))
    return {
        "iterations": values["iterations"],
        "optimizer": values["optimizer"],
        "learning_rate": values["learning_rate"],
        "vgg": values["vgg"],
        "vgg_weights": _weights_choice(values["vgg_weights"]),
        "pooling": values["pooling"],
        "style_layers": values["style_layers"],
        "style_layer_weights": _numbers(values, "style_layer_weights"),
        "style_loss": values["style_loss"],
        "style_blend": _numbers(values, "style_blend"),
        "scales": values["scales"],
        "style_weight": values["style_weight"],
        "tv_weight": values["tv_weight"],
        "tv_mode": values["tv_mode"],
        "init": values["init"],
        "seed": values["seed"],
        "style_scale": _numbers(values, "style_scale"),
        "progress": not values["quiet"],
        "save_every": values["save_every"],
        "save_path": f"{stem}_{{iteration:04d}}{ending}",
        "xla": values["xla"],
    }


def _numbers(values, name):
    """A list flag's values as floats (None stays None), or a one-line NstError."""
    items = values[name]
    try:
        return None if items is None else [float(item) for item in items]
    except ValueError:
        flag = "--" + name.replace("_", "-")
        raise NstError(f"{flag} must be numbers, got {','.join(items)}") from None


def _check_styles(options, styles, content_shape=None):
    """Checks blend weights, style scales and masks against the style images, before TensorFlow.

    Returns:
      the region masks (list of arrays) or None.
    """
    from nst_tf.optimize import style_controls as style_rules

    style_rules.blend_weights(options["style_blend"], len(styles))
    style_rules.style_scales(options["style_scale"], len(styles))
    if options.get("masks") is not None:
        return style_rules.load_masks(options["masks"], len(styles), content_shape)
    if options.get("label_map") is not None:
        return style_rules.masks_from_label_map(options["label_map"], len(styles), content_shape)
    return None


def _weights_choice(flag_value):
    if flag_value is None:
        return defaults.DEFAULT_WEIGHTS
    if flag_value.lower() == "none":
        return None
    return flag_value


def _run_stylize(values, content_path, *style_paths):
    if values["model"]:
        if style_paths:
            raise NstError("give either STYLE images (optimisation) or --model, not both")
        _run_model(values, content_path)
        return
    if not style_paths:
        raise NstError("missing STYLE: give a style image, or a trained network with --model")
    from nst_tf.io import image_io as images
    from nst_tf.optimize import presets

    values["size"] = values["size"] or _STYLIZE_SIZE
    options = _optimization_options(values)
    options.update(
        content_weight=values["content_weight"],
        content_layers=values["content_layers"],
        preserve_colors=values["preserve_colors"],
        masks=values["masks"],
        label_map=values["label_map"],
    )
    # A preset's options apply unless their flags were given.
    preset = {
        name: value
        for name, value in presets.preset_options(values["preset"]).items()
        if name not in values["given_flags"]
    }
    options = {name: value for name, value in options.items() if name not in preset}
    content = images.load_image(content_path)
    styles = [images.load_image(path) for path in style_paths]
    masks = _check_styles(options, styles, content.shape[:2])
    if masks is not None:
        options.update(masks=masks, label_map=None)
    tf_startup.import_tensorflow_quietly()
    from nst_tf.optimize import stylize as optimize

    result = optimize.stylize(content, styles, size=values["size"], **preset, **options)
    _finish(values, result)


def _run_texture(values, *style_paths):
    from nst_tf.io import image_io as images

    values["size"] = values["size"] or _TEXTURE_SIZE
    options = _optimization_options(values)
    styles = [images.load_image(path) for path in style_paths]
    _check_styles(options, styles)
    tf_startup.import_tensorflow_quietly()
    from nst_tf.optimize import stylize as optimize

    result = optimize.synthesize_texture(styles, size=values["size"], **options)
    _finish(values, result)


def _run_model(values, content_path):
    """`stylize CONTENT --model M`: an image, a folder of images or a video."""
    from nst_tf.io import image_io as images
    from nst_tf.io import video

    output = values["output"]
    if not output:
        raise NstError("missing --output (-o): where to write the result")
    is_folder = os.path.isdir(content_path)
    is_video = video.is_video(content_path)
    if not is_folder and not os.path.isfile(content_path):
        raise NstError(f"content not found: {content_path}")
    if is_folder:
        images.check_writable_destination(os.path.join(output, "x"))
    elif is_video:
        if not video.is_video(output):
            raise NstError(
                f"a video goes to a video file ({', '.join(video.VIDEO_ENDINGS)}): {output}"
            )
        images.check_writable_destination(output)
    else:
        images.check_writable_image_path(output)
    if values["model_style"] is not None and values["style_blend"] is not None:
        raise NstError("give either --model-style or --style-blend, not both")
    blend = _numbers(values, "style_blend")
    tf_startup.import_tensorflow_quietly()
    from nst_tf.feedforward import model as feedforward

    style_model = feedforward.load_model(values["model"])
    weights = style_model.style_weights(values["model_style"], blend)
    if is_folder:
        written = feedforward.stylize_folder(
            style_model,
            weights,
            content_path,
            output,
            values["size"],
            values["batch_size"],
            progress=not values["quiet"],
        )
        print(f"wrote {len(written)} images to {output}")
    elif is_video:
        frames = video.stylize_video(
            style_model,
            weights,
            content_path,
            output,
            values["size"],
            values["temporal_smoothing"],
            values["batch_size"],
            progress=not values["quiet"],
        )
        print(f"wrote {output} ({frames} frames)")
    else:
        content = images.load_image(content_path)
        if values["size"]:
            content = images.resize_longest(content, values["size"])
        result = style_model.stylize(content[None], weights)[0]
        images.save_image(output, result)
        print(f"wrote {output} ({result.shape[1]}x{result.shape[0]})")


def _run_train(values):
    from nst_tf.io import image_io as images

    if not values["out"]:
        raise NstError("missing --out: the run folder")
    if not values["resume"]:
        if not values["style"]:
            raise NstError("missing --style: the style image(s) to train for")
        if not values["data"]:
            raise NstError("missing --data: an image folder or tfds:NAME")
        for path in values["style"]:
            images.load_image(path)
    if values["cpu_devices"]:
        tf = tf_startup.import_tensorflow_quietly()
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * values["cpu_devices"]
        )
    tf_startup.import_tensorflow_quietly()
    from nst_tf.feedforward import training

    config = training.TrainConfig(
        styles=values["style"] or [],
        style_names=values["style_names"],
        data=values["data"] or "",
        steps=values["steps"],
        batch_size=values["batch_size"],
        image_size=values["image_size"],
        style_size=values["style_size"],
        variant=values["network"],
        vgg=values["vgg"],
        vgg_weights=_weights_choice(values["vgg_weights"]),
        content_weight=values["content_weight"],
        style_weight=values["style_weight"],
        tv_weight=values["tv_weight"],
        learning_rate=values["learning_rate"],
        checkpoint_every=values["checkpoint_every"],
        log_every=values["log_every"],
        distribute=values["distribute"],
        seed=values["seed"],
        jit_compile=values["xla"],
    )
    result = training.train(
        config, values["out"], resume=values["resume"], progress=not values["quiet"]
    )
    last = result.history[-1] if result.history else {"step": 0, "total": float("nan")}
    print(f"wrote {result.model_path} after {last['step']} steps; loss {last['total']:.4g}")


def _finish(values, result):
    """Writes the image (and the loss plot) and prints a one-line summary."""
    from nst_tf.io import image_io as images
    from nst_tf.io import plots

    images.save_image(values["output"], result.image)
    if values["loss_plot"]:
        plots.plot_loss_history(result.history, values["loss_plot"])
    first, last = result.history[0], result.history[-1]
    height, width = result.image.shape[:2]
    print(
        f"wrote {values['output']} ({width}x{height}) after {last['iteration']} iterations in "
        f"{last['seconds']:.1f} s; style loss {first['style']:.4g} -> {last['style']:.4g}, "
        f"content loss {last['content']:.4g}"
    )


COMMANDS = {
    "stylize": Command(
        _stylize_flags,
        ("CONTENT", "[STYLE...]"),
        "Transfer the style of STYLE (one or more images) onto CONTENT by optimising the pixels, "
        "or apply a trained network (--model) to an image, a folder or a video.",
        _run_stylize,
    ),
    "train": Command(
        _train_flags,
        (),
        "Train a feed-forward network for --style on --data (Johnson et al. 2016).",
        _run_train,
    ),
    "export": Command(
        _export_flags,
        ("MODEL",),
        "Export a trained network as a SavedModel (TF Serving) or TFLite (LiteRT).",
        _run_export,
    ),
    "texture": Command(
        _texture_flags,
        ("STYLE...",),
        "Synthesise a texture from the example image STYLE (or a blend of several).",
        _run_texture,
    ),
}


def _usage():
    lines = [f"usage: {PROGRAM} COMMAND [flags] ARGS", "", "commands:"]
    for name, command in COMMANDS.items():
        lines.append(f"  {name} {' '.join(command.positionals):<16} {command.summary}")
    lines.append(f"\n'{PROGRAM} COMMAND --help' lists a command's flags.")
    return "\n".join(lines)


def main(argv=None):
    """Runs the command line.

    Args:
      argv: arguments including the program name; default sys.argv.

    Returns:
      the exit code: 0 on success, 2 for a usage or input error.
    """
    argv = list(sys.argv if argv is None else argv)
    try:
        return _dispatch(argv)
    except NstError as error:
        print(f"{PROGRAM}: error: {error}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print(f"{PROGRAM}: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        if not _is_out_of_memory(error):
            raise
        print(f"{PROGRAM}: error: ran out of memory: choose a smaller --size", file=sys.stderr)
        return USAGE_ERROR


def _is_out_of_memory(error):
    """Whether an exception is Python's or TensorFlow's out-of-memory error."""
    return isinstance(error, MemoryError) or type(error).__name__ == "ResourceExhaustedError"


def _dispatch(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help", "help"):
        print(_usage())
        return 0 if len(argv) >= 2 else USAGE_ERROR
    name, arguments = argv[1], argv[2:]
    if name not in COMMANDS:
        raise NstError(f"unknown command {name!r}: choose one of {', '.join(COMMANDS)}")
    command = COMMANDS[name]
    fv = command.define_flags()
    if "-h" in arguments or "--help" in arguments or "--helpfull" in arguments:
        print(
            f"usage: {PROGRAM} {name} {' '.join(command.positionals)} [flags]\n\n"
            f"{command.summary}\n\n{fv.get_help()}"
        )
        return 0
    try:
        positionals = fv([f"{PROGRAM} {name}"] + arguments)[1:]
    except flags.Error as error:
        raise NstError(str(error).strip().splitlines()[0]) from None
    required = [p for p in command.positionals if not p.startswith("[")]
    repeated = bool(command.positionals) and command.positionals[-1].rstrip("]").endswith("...")
    if len(positionals) < len(required) or (
        len(positionals) > len(command.positionals) and not repeated
    ):
        raise NstError(
            f"'{name}' takes the argument(s) {' '.join(command.positionals)}, got "
            f"{len(positionals)}: {' '.join(positionals) or 'none'}"
        )
    values = {flag_name.replace("-", "_"): fv[flag_name].value for flag_name in fv}
    values["given_flags"] = {
        flag_name.replace("-", "_") for flag_name in fv if fv[flag_name].present
    }
    command.run(values, *positionals)
    return 0


def run():
    """Console-script entry point."""
    sys.exit(main())
