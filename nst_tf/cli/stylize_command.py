"""`nst-tf stylize CONTENT STYLE...`: optimisation; with --model, a trained network's one pass."""

import os

from absl import flags

from nst_tf import defaults, tf_startup
from nst_tf.cli import common, engine_flag, fast_flag, model_flag, optimization_flags
from nst_tf.errors import NstError
from nst_tf.optimize import presets

SIZE = 512


def define_flags():
    """The flags of `nst-tf stylize`."""
    fv = flags.FlagValues()
    optimization_flags.define_optimization_flags(fv, default_size=SIZE)
    flags.DEFINE_enum(
        "preset", None, list(presets.PRESETS), optimization_flags.preset_help(), flag_values=fv
    )
    flags.DEFINE_float(
        "temporal-weight",
        None,
        "Optimising a video: weight of the temporal loss that keeps each frame where the "
        f"previous one moved (default {defaults.TEMPORAL_WEIGHT}).",
        lower_bound=0,
        flag_values=fv,
    )
    flags.DEFINE_integer(
        "first-frame-iterations",
        None,
        "Optimising a video: iterations of the first frame (default: twice --iterations; the "
        "others start from the previous result).",
        lower_bound=1,
        flag_values=fv,
    )
    model_flag.define_model_flags(fv)
    fast_flag.define_fast_flags(fv)
    engine_flag.define_engine_flag(fv)
    return fv


def run(values, content_path, *style_paths):
    """Runs `nst-tf stylize`."""
    if values["model"] or values["fast"]:
        common.check_one_pass_photo_flags(values)
    elif "engine" in values["given_flags"]:
        raise NstError(
            "--engine applies to --fast and --model; the optimisation runs on TensorFlow"
        )
    if values["model"]:
        if style_paths:
            raise NstError("give either STYLE images (optimisation) or --model, not both")
        model_flag.run(values, content_path)
        return
    if values["fast"]:
        fast_flag.run(values, content_path, style_paths)
        return
    if not style_paths:
        raise NstError("missing STYLE: give a style image, or a trained network with --model")
    from nst_tf.io import image_io
    from nst_tf.optimize import inputs
    from nst_tf.optimize.options import Options

    size = values["size"] or SIZE
    if os.path.isdir(content_path):
        raise NstError("a folder of photos goes through --model or --fast, not the optimisation")
    kind = common.content_kind(content_path, common.require_output(values))
    for name in ("temporal_weight", "first_frame_iterations"):
        if values[name] is not None and kind != "video":
            raise NstError(f"--{name.replace('_', '-')} applies to videos")
    if kind == "video" and values["temporal_smoothing"] is not None:
        raise NstError(
            "--temporal-smoothing applies to --model and --fast; the optimisation keeps frames "
            "together with --temporal-weight"
        )
    if kind == "video" and values["loss_plot"]:
        raise NstError("--loss-plot applies to single images, not to videos")
    arguments = optimization_flags.option_arguments(values, video=kind == "video")
    # Options a preset sets take its value unless their flags were given.
    for name in presets.PRESET_OPTIONS:
        given = optimization_flags.flag_name(name) in values["given_flags"]
        given = given or optimization_flags.value_key(name) in values["given_flags"]
        arguments[name] = arguments[name] if given else None
    options = Options.from_arguments(arguments, values["preset"])
    options.validate()
    if kind == "video":
        _run_video(values, content_path, style_paths, size, options)
        return
    content = image_io.load_image(content_path)
    styles = [image_io.load_image(path) for path in style_paths]
    image_io.check_min_side(content.shape, "content image")
    for style in styles:
        image_io.check_min_side(style.shape, "style image")
    masks = inputs.check_style_controls(options, styles, content.shape[:2])
    if masks is not None:
        options.masks, options.label_map = masks, None
    shape = image_io.scaled_size(*content.shape[:2], size)
    common.print_schedule(shape, options, with_content=True)
    tf_startup.import_tensorflow_quietly()
    from nst_tf.optimize import run as optimization

    common.write_result(values, optimization.run_optimization(content, styles, shape, options))


def _run_video(values, content_path, style_paths, size, options):
    """`nst-tf stylize VIDEO STYLE...`: every frame optimised, held together by the flow."""
    from nst_tf.io import image_io
    from nst_tf.optimize import inputs

    styles = [image_io.load_image(path) for path in style_paths]
    for style in styles:
        image_io.check_min_side(style.shape, "style image")
    inputs.check_style_controls(options, styles)
    tf_startup.import_tensorflow_quietly()
    from nst_tf.optimize import video_optimization

    weight = values["temporal_weight"]
    frames = video_optimization.optimize_video(
        content_path,
        styles,
        values["output"],
        size=size,
        temporal=values["temporal"],
        temporal_weight=defaults.TEMPORAL_WEIGHT if weight is None else weight,
        first_frame_iterations=values["first_frame_iterations"],
        progress=options.progress,
        options=options,
    )
    common.report_video(content_path, values["output"], frames)


COMMAND = common.Command(
    define_flags,
    ("CONTENT", "[STYLE...]"),
    "Transfer the style of STYLE (one or more images) onto CONTENT in one pass (--fast) or by "
    "optimising the pixels, or apply a trained network (--model) to an image, a folder or a "
    "video.",
    run,
)
