"""The `nst-tf` command line: `nst-tf stylize` and `nst-tf texture`.

User mistakes end with a one-line message on stderr and exit code 2, never a traceback.
"""

import dataclasses
import os
import sys

from absl import flags

from nst_tf import defaults, tf_startup
from nst_tf.errors import NstError

PROGRAM = "nst-tf"
USAGE_ERROR = 2


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
    flags.DEFINE_string(
        "output", None, "Output image (.jpg, .png, .webp, ...).", short_name="o", flag_values=fv
    )
    flags.DEFINE_integer(
        "size", default_size, "Longest side of the result, px.", lower_bound=1, flag_values=fv
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
        "One weight per style image, comma-separated, normalised to sum 1 (default: equal).",
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
    flags.DEFINE_bool("quiet", False, "No progress bar.", flag_values=fv)
    _define_network_flags(fv)


def _stylize_flags():
    fv = flags.FlagValues()
    _define_optimization_flags(
        fv, default_size=512, default_init="content", inits=["content", "style", "noise"]
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
    return fv


def _texture_flags():
    fv = flags.FlagValues()
    _define_optimization_flags(fv, default_size=256, default_init="noise", inits=["noise", "style"])
    return fv


def _optimization_options(values):
    """Keyword arguments of nst_tf.stylize / synthesize_texture from parsed flag values."""
    from nst_tf import images, plots

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
    from nst_tf import styles as style_rules

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
    from nst_tf import images, presets

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
    from nst_tf import optimize

    result = optimize.stylize(content, styles, size=values["size"], **preset, **options)
    _finish(values, result)


def _run_texture(values, *style_paths):
    from nst_tf import images

    options = _optimization_options(values)
    styles = [images.load_image(path) for path in style_paths]
    _check_styles(options, styles)
    tf_startup.import_tensorflow_quietly()
    from nst_tf import optimize

    result = optimize.synthesize_texture(styles, size=values["size"], **options)
    _finish(values, result)


def _finish(values, result):
    """Writes the image (and the loss plot) and prints a one-line summary."""
    from nst_tf import images, plots

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
        ("CONTENT", "STYLE..."),
        "Transfer the style of STYLE (one or more images) onto CONTENT by optimising the pixels.",
        _run_stylize,
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
    expected = len(command.positionals)
    repeated = command.positionals[-1].endswith("...")  # the last one may be repeated
    if len(positionals) < expected or (len(positionals) > expected and not repeated):
        raise NstError(
            f"'{name}' takes {'at least ' if repeated else ''}{expected} argument(s) "
            f"{' '.join(command.positionals)}, got {len(positionals)}: "
            f"{' '.join(positionals) or 'none'}"
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
