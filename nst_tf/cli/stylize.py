"""`nst-tf stylize CONTENT STYLE...`: optimisation; with --model, a trained network's one pass."""

from absl import flags

from nst_tf import defaults, tf_startup
from nst_tf.cli import apply_model, common, fast
from nst_tf.errors import NstError

SIZE = 512


def define_flags():
    """The flags of `nst-tf stylize`."""
    fv = flags.FlagValues()
    common.define_optimization_flags(
        fv, default_size=SIZE, default_init="content", inits=["content", "style", "noise", "fast"]
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
    apply_model.define_model_flags(fv)
    fast.define_fast_flags(fv)
    return fv


def run(values, content_path, *style_paths):
    """Runs `nst-tf stylize`."""
    if values["model"]:
        if style_paths:
            raise NstError("give either STYLE images (optimisation) or --model, not both")
        apply_model.run(values, content_path)
        return
    if values["fast"]:
        fast.run(values, content_path, style_paths)
        return
    if not style_paths:
        raise NstError("missing STYLE: give a style image, or a trained network with --model")
    from nst_tf.io import image_io
    from nst_tf.optimize.options import Options

    size = values["size"] or SIZE
    arguments = common.optimization_arguments(values)
    arguments.update(
        content_layers=values["content_layers"],
        masks=values["masks"],
        label_map=values["label_map"],
    )
    # Options a preset sets take its value unless their flags were given.
    for name in ("init", "content_weight", "preserve_colors"):
        arguments[name] = values[name] if name in values["given_flags"] else None
    options = Options.from_arguments(arguments, values["preset"])
    options.validate()
    content = image_io.load_image(content_path)
    styles = [image_io.load_image(path) for path in style_paths]
    masks = common.check_style_controls(options, styles, content.shape[:2])
    if masks is not None:
        options.masks, options.label_map = masks, None
    shape = image_io.scaled_size(*content.shape[:2], size)
    common.print_schedule(shape, options, with_content=True)
    tf_startup.import_tensorflow_quietly()
    from nst_tf.optimize import stylize

    common.finish(values, stylize.optimize_image(content, styles, shape, options))


COMMAND = common.Command(
    define_flags,
    ("CONTENT", "[STYLE...]"),
    "Transfer the style of STYLE (one or more images) onto CONTENT in one pass (--fast) or by "
    "optimising the pixels, or apply a trained network (--model) to an image, a folder or a "
    "video.",
    run,
)
