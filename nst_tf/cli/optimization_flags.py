"""The optimisation's flags, derived from the declared options (nst_tf.optimize.options): one
flag per option of the command, with the option's default, choices, bound and help."""

import os

from absl import flags

from nst_tf.cli import common
from nst_tf.optimize import options as declared_options
from nst_tf.optimize import presets

DEFINE = {
    "int": flags.DEFINE_integer,
    "float": flags.DEFINE_float,
    "string": flags.DEFINE_string,
    "bool": flags.DEFINE_bool,
    "list": flags.DEFINE_list,
    "floats": flags.DEFINE_list,
}
NETWORK_OPTIONS = ("vgg", "vgg_weights", "pooling")
# Flag defaults that differ from the option's: unset --vgg-weights reads $NST_TF_VGG_WEIGHTS.
FLAG_DEFAULTS = {"vgg_weights": None}


def flag_name(name):
    """The flag of option `name`, such as "style-label-map" for style_label_maps."""
    return declared_options.declared()[name].metadata["flag"] or name.replace("_", "-")


def value_key(name):
    """The key of option `name`'s flag in the parsed flag values."""
    return flag_name(name).replace("-", "_")


def flag_options(texture=False):
    """The names of the options that have a flag (`texture`: those without a content image)."""
    return [
        name
        for name, field in declared_options.declared(texture).items()
        if field.metadata["flag"] != ""
    ]


def define_option_flags(fv, names, overrides=None):
    """Defines the flags of the options `names`; `overrides`: {name: {"default": ...,
    "choices": ...}} for a command whose flag narrows the option."""
    for name in names:
        field = declared_options.declared()[name]
        meta = {**field.metadata, **(overrides or {}).get(name, {})}
        default = (overrides or {}).get(name, {}).get(
            "default", FLAG_DEFAULTS.get(name, field.default)
        )
        help_text = meta["help"]
        if meta["kind"] in ("list", "floats"):
            help_text += " Comma-separated."
            if default is not None:
                items = default if isinstance(default, (list, tuple)) else [default]
                default = ",".join(str(item) for item in items)
        if meta["kind"] == "enum":
            flags.DEFINE_enum(
                flag_name(name), default, list(meta["choices"]), help_text, flag_values=fv
            )
            continue
        keywords = {"flag_values": fv}
        if meta["bound"] is not None:
            positive_int = meta["bound"] == "positive" and meta["kind"] == "int"
            keywords["lower_bound"] = 1 if positive_int else 0
        DEFINE[meta["kind"]](flag_name(name), default, help_text, **keywords)


def define_network_flags(fv):
    """--vgg, --vgg-weights and --pooling."""
    define_option_flags(fv, NETWORK_OPTIONS)


def define_optimization_flags(fv, default_size, texture=False):
    """The flags of an optimisation command: its options', --output, --size, --loss-plot and
    --quiet; `texture`: no content image (init noise or style)."""
    flags.DEFINE_string(
        "output", None, "Output image (.jpg, .png, .webp, ...).", short_name="o", flag_values=fv
    )
    flags.DEFINE_integer(
        "size",
        None,
        f"Longest side of the result, px (default: {default_size}"
        + (")." if texture else "; with --model or --fast, the content's own size)."),
        lower_bound=1,
        flag_values=fv,
    )
    flags.DEFINE_string(
        "loss-plot", None, "Write a plot of the losses (.png, .svg, .pdf, .jpg).", flag_values=fv
    )
    flags.DEFINE_bool("quiet", False, "No progress bar.", flag_values=fv)
    overrides = (
        {"init": {"default": "noise", "choices": declared_options.TEXTURE_INITS}}
        if texture
        else {}
    )
    define_option_flags(fv, flag_options(texture), overrides)


def preset_help():
    """The --preset flag's help: each preset's options as flags."""
    described = []
    for preset, values in presets.PRESETS.items():
        settings = " ".join(
            f"--{flag_name(name)} {value:g}" if isinstance(value, float)
            else f"--{flag_name(name)} {value}"
            for name, value in values.items()
        )  # fmt: skip
        described.append(f"{preset}: {settings}")
    return "Option preset; flags given explicitly override it. " + "; ".join(described) + "."


def option_arguments(values, texture=False, video=False):
    """The Options keyword arguments from parsed flag values, after checking the output paths
    (`video`: the output is a video, whose path content_kind has checked)."""
    from nst_tf.io import image_io, plots

    output = common.require_output(values)
    if not video:
        image_io.check_writable_image_path(output)
    if values["loss_plot"]:
        plots.check_plot_path(values["loss_plot"])
    arguments = {}
    for name in flag_options(texture):
        kind = declared_options.declared()[name].metadata["kind"]
        if kind == "floats":
            arguments[name] = common.numbers(values, value_key(name))
        else:
            arguments[name] = values[value_key(name)]
    arguments["vgg_weights"] = common.weights_choice(values["vgg_weights"])
    stem, ending = os.path.splitext(output.replace("{", "{{").replace("}", "}}"))
    arguments.update(progress=not values["quiet"], save_path=f"{stem}_{{iteration:04d}}{ending}")
    return arguments
