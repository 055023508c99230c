"""`nst-tf stylize CONTENT STYLE... --fast`: one pass of Magenta's arbitrary network."""

from absl import flags

from nst_tf.cli import common, model_flag
from nst_tf.errors import NstError
from nst_tf.pretrained.fast import STYLE_SIZE, WORKING_SIZE


def define_fast_flags(fv):
    """Flags of the one-pass path (`--fast`)."""
    flags.DEFINE_bool(
        "fast",
        False,
        "One pass of Magenta's pretrained arbitrary stylisation network instead of optimising: "
        "any painting as STYLE, about a second, at the content's own size (or --size); CONTENT "
        "may be a folder (outputs already there are kept, so a killed run resumes) or a video "
        "(see --temporal).",
        flag_values=fv,
    )
    flags.DEFINE_float(
        "strength",
        1.0,
        "With --fast: how much style, in [0, 1] (interpolates the painting's style vector with "
        "the content's own).",
        flag_values=fv,
    )
    flags.DEFINE_integer(
        "style-size",
        STYLE_SIZE,
        "With --fast: side at which each style image is read, px (smaller: larger patterns).",
        flag_values=fv,
    )
    flags.DEFINE_integer(
        "working-size",
        WORKING_SIZE,
        "With --fast: longest side at which the brush strokes are painted, px, independent of "
        "the output size (larger: finer strokes); 0 paints at the output size only.",
        flag_values=fv,
    )


def run(values, content_path, style_paths):
    """`stylize CONTENT STYLE... --fast`."""
    from nst_tf.io import image_io

    output = common.require_output(values)
    kind = common.content_kind(content_path, output)
    is_folder, is_video = kind == "folder", kind == "video"
    common.check_photo_smoothing_target(values, kind)
    if not style_paths:
        raise NstError("missing STYLE: --fast needs a style image (any painting)")
    if not 0.0 <= values["strength"] <= 1.0:
        raise NstError(f"--strength must be in [0, 1], got {values['strength']}")
    blend = common.numbers(values, "style_blend")
    if blend is not None and len(blend) != len(style_paths):
        raise NstError(
            f"--style-blend has {len(blend)} weight(s) for {len(style_paths)} style image(s)"
        )
    content = None if is_folder or is_video else image_io.load_image(content_path)
    styles = [image_io.load_image(path) for path in style_paths]
    from nst_tf.pretrained import fast

    options = {
        "engine": values["engine"],
        "strength": values["strength"],
        "style_blend": blend,
        "style_size": values["style_size"],
        "size": values["size"],
        "working_size": values["working_size"] or None,
        "preserve_colors": values["preserve_colors"],
        "tile_size": values["tile_size"],
    }
    if is_video:
        network = fast.FastVideoModel(styles, **{**options, "size": None})
        model_flag.run_video(values, network, None, content_path, output)
        return
    if is_folder:
        report = fast.stylize_fast_folder(
            content_path, output, styles, progress=not values["quiet"], **options
        )
        for path, reason in report["failed"]:
            print(f"skipped {path}: {reason}")
        print(
            f"wrote {len(report['written'])} images to {output} ({len(report['kept'])} there "
            f"already, {len(report['failed'])} unreadable)"
        )
        return
    result = fast.stylize_fast(content, styles, progress=not values["quiet"], **options)
    result = common.photo_smoothed(values, content_path, result)
    image_io.save_image(output, result)
    print(f"wrote {output} ({result.shape[1]}x{result.shape[0]})")
