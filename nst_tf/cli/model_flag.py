"""`nst-tf stylize CONTENT --model M`: a trained network on an image, a folder or a video."""

from absl import flags

from nst_tf import blending
from nst_tf.cli import common
from nst_tf.errors import NstError


def define_model_flags(fv):
    """Flags of stylisation with a trained network (`--model`)."""
    flags.DEFINE_string(
        "model",
        None,
        "A trained network: a .keras file, a training run folder, a shipped network by name "
        "(NAME, or NAME:STYLE with a style or mix of it, e.g. magenta26:7) or one of the shipped "
        "styles by name (`nst-tf styles` lists them): stylise with one forward pass instead of "
        "optimising; CONTENT may then be an image, a folder or a video.",
        flag_values=fv,
    )
    flags.DEFINE_string(
        "model-style",
        None,
        "With --model: the style to apply, by name or index, or a mix of styles with weights "
        "(3:0.5,12:0.5 mixes the normalisation parameters of styles 3 and 12).",
        flag_values=fv,
    )
    flags.DEFINE_integer(
        "batch-size",
        4,
        "With --model: images or frames per forward pass.",
        lower_bound=1,
        flag_values=fv,
    )
    flags.DEFINE_enum(
        "temporal",
        "flow",
        ["none", "blend", "flow"],
        "On a video: how flicker is damped. flow: the previous result moved along the optical "
        "flow is blended in (--model, --fast) or starts the frame and is kept by a temporal loss "
        "(optimisation) where the motion is reliable; blend: the same in place, where the "
        "content is still (moving things smear); none: every frame alone.",
        flag_values=fv,
    )
    flags.DEFINE_float(
        "temporal-smoothing",
        None,
        "With --model or --fast on a video: how much of the previous result is kept, in [0, 1) "
        "(default: 0.9 with flow, 0.5 with blend).",
        flag_values=fv,
    )


def run(values, content_path):
    """`stylize CONTENT --model M`: an image, a folder of images or a video."""
    from nst_tf.io import image_io

    output = common.require_output(values)
    kind = common.content_kind(content_path, output)
    is_folder, is_video = kind == "folder", kind == "video"
    common.check_photo_smoothing_target(values, kind)
    if values["model_style"] is not None and values["style_blend"] is not None:
        raise NstError("give either --model-style or --style-blend, not both")
    blend = common.numbers(values, "style_blend")
    if values["model_style"] is not None:
        blending.parse_style_mix(values["model_style"])  # its syntax, before TensorFlow loads
    from nst_tf.feedforward import styles

    style_model = styles.load_style_network(values["model"], values["engine"])
    weights = style_model.style_weights(values["model_style"], blend)
    if is_folder:
        written = styles.stylize_folder(
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
        run_video(values, style_model, weights, content_path, output)
    else:
        content = image_io.load_image(content_path)
        if values["size"]:
            content = image_io.resize_longest(content, values["size"])
        result = style_model.stylize(content[None], weights)[0]
        result = common.photo_smoothed(values, content_path, result)
        image_io.save_image(output, result)
        print(f"wrote {output} ({result.shape[1]}x{result.shape[0]})")


def run_video(values, network, weights, content_path, output):
    """A video through a one-pass network (a StyleNetwork or the fast path's FastVideoModel)
    with the video flags (--size, --temporal, --temporal-smoothing, --batch-size)."""
    from nst_tf.feedforward import video_stylization

    frames = video_stylization.stylize_video(
        network,
        weights,
        content_path,
        output,
        values["size"],
        values["temporal_smoothing"],
        values["batch_size"],
        progress=not values["quiet"],
        temporal=values["temporal"],
    )
    common.report_video(content_path, output, frames)
