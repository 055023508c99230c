"""`nst-tf stylize CONTENT STYLE...`: optimisation; with --model, a trained network's one pass."""

import os

from absl import flags

from nst_tf import defaults, tf_startup
from nst_tf.cli import apply_model, common, engine, fast
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
    flags.DEFINE_float(
        "photorealism-weight",
        0.0,
        "Weight of the matting Laplacian regulariser (Luan et al. 2017): keeps the result "
        "locally an affine recolouring of the content photo; 1e4 is a strong setting.",
        lower_bound=0,
        flag_values=fv,
    )
    flags.DEFINE_float(
        "photo-smoothing",
        None,
        "Smooth the result in closed form with the content photo's matting affinity (PhotoWCT), "
        "strength in [0, 1] (1: PhotoWCT's setting); after the optimisation (every frame of a "
        "video), and after --fast and --model on single images.",
        flag_values=fv,
    )
    flags.DEFINE_list(
        "style-label-map",
        None,
        "Semantic guidance: one label map per style image (of its size), comma-separated; each "
        "region of --label-map (then any grey values) takes the style of the same-valued regions "
        "of the styles (sky to sky, face to face).",
        flag_values=fv,
    )
    flags.DEFINE_enum(
        "preset",
        None,
        ["photorealistic"],
        "Option preset; flags given explicitly override it. photorealistic: --init content "
        "--content-weight 5 --preserve-colors none --photorealism-weight 1e4 "
        "--photo-smoothing 1.",
        flag_values=fv,
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
    apply_model.define_model_flags(fv)
    fast.define_fast_flags(fv)
    engine.define_engine_flag(fv)
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
        apply_model.run(values, content_path)
        return
    if values["fast"]:
        fast.run(values, content_path, style_paths)
        return
    if not style_paths:
        raise NstError("missing STYLE: give a style image, or a trained network with --model")
    from nst_tf.io import image_io
    from nst_tf.optimize import presets
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
    arguments = common.optimization_arguments(values, video=kind == "video")
    arguments.update(
        content_layers=values["content_layers"],
        masks=values["masks"],
        label_map=values["label_map"],
        style_label_maps=values["style_label_map"],
    )
    # Options a preset sets take its value unless their flags were given.
    for name in presets.PRESET_OPTIONS:
        arguments[name] = values[name] if name in values["given_flags"] else None
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
    masks = common.check_style_controls(options, styles, content.shape[:2])
    if masks is not None:
        options.masks, options.label_map = masks, None
    shape = image_io.scaled_size(*content.shape[:2], size)
    common.print_schedule(shape, options, with_content=True)
    tf_startup.import_tensorflow_quietly()
    from nst_tf.optimize import run as optimization

    common.finish(values, optimization.run_optimization(content, styles, shape, options))


def _run_video(values, content_path, style_paths, size, options):
    """`nst-tf stylize VIDEO STYLE...`: every frame optimised, held together by the flow."""
    from nst_tf.io import image_io

    styles = [image_io.load_image(path) for path in style_paths]
    for style in styles:
        image_io.check_min_side(style.shape, "style image")
    common.check_style_controls(options, styles)
    tf_startup.import_tensorflow_quietly()
    from nst_tf.optimize import video

    weight = values["temporal_weight"]
    frames = video.optimize_video(
        content_path,
        styles,
        values["output"],
        size=size,
        temporal=values["temporal"],
        temporal_weight=defaults.TEMPORAL_WEIGHT if weight is None else weight,
        first_frame_iterations=values["first_frame_iterations"],
        progress=options.progress,
        **{name: value for name, value in vars(options).items() if name != "progress"},
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
