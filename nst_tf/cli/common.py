"""What the commands share: the Command record, flag groups, and flag values as library values.

Nothing here imports TensorFlow.
"""

import dataclasses
import os

from absl import flags

from nst_tf import defaults
from nst_tf.encoders import precision as precisions
from nst_tf.errors import NstError


@dataclasses.dataclass(frozen=True)
class Command:
    """A subcommand: its flags, positional argument names, summary and runner; a command that
    passes unknown flags on (to Apache Beam) gets them as values["pipeline_args"]."""

    define_flags: object
    positionals: tuple
    summary: str
    run: object
    passes_unknown_flags: bool = False


def numbers(values, name):
    """A list flag's values as floats (None stays None), or a one-line NstError."""
    items = values[name]
    try:
        return None if items is None else [float(item) for item in items]
    except ValueError:
        flag = "--" + name.replace("_", "-")
        raise NstError(f"{flag} must be numbers, got {','.join(items)}") from None


def weights_choice(flag_value):
    """--vgg-weights as the library takes it: unset -> "default", "none" -> None (random)."""
    if flag_value is None:
        return defaults.DEFAULT_WEIGHTS
    if flag_value.lower() == "none":
        return None
    return flag_value


def require_output(values):
    """The --output flag's value, or a one-line NstError when it is missing."""
    if not values["output"]:
        raise NstError("missing --output (-o): where to write the result")
    return values["output"]


def optimization_arguments(values, video=False):
    """The Options fields common to stylize and texture, from parsed flag values (`video`: the
    output is a video, whose path content_kind has checked)."""
    from nst_tf.io import image_io, plots

    output = require_output(values)
    if not video:
        image_io.check_writable_image_path(output)
    if values["loss_plot"]:
        plots.check_plot_path(values["loss_plot"])
    stem, ending = os.path.splitext(output.replace("{", "{{").replace("}", "}}"))
    return {
        "iterations": values["iterations"],
        "optimizer": values["optimizer"],
        "learning_rate": values["learning_rate"],
        "vgg": values["vgg"],
        "vgg_weights": weights_choice(values["vgg_weights"]),
        "pooling": values["pooling"],
        "style_layers": values["style_layers"],
        "style_layer_weights": numbers(values, "style_layer_weights"),
        "style_loss": values["style_loss"],
        "style_blend": numbers(values, "style_blend"),
        "scales": values["scales"],
        "max_memory": values["max_memory"],
        "tile_size": values["tile_size"],
        "tile_passes": values["tile_passes"],
        "style_weight": values["style_weight"],
        "tv_weight": values["tv_weight"],
        "tv_mode": values["tv_mode"],
        "init": values["init"],
        "seed": values["seed"],
        "style_scale": numbers(values, "style_scale"),
        "progress": not values["quiet"],
        "save_every": values["save_every"],
        "save_path": f"{stem}_{{iteration:04d}}{ending}",
        "precision": values["precision"],
        "xla": values["xla"],
    }


def check_style_controls(options, styles, content_shape=None):
    """Checks blend weights, style scales, masks and label maps against the images, before
    TensorFlow.

    Returns:
      the region masks (list of arrays) or None.
    """
    from nst_tf.optimize import style_controls

    blend = style_controls.blend_weights(options.style_blend, len(styles))
    style_controls.style_scales(options.style_scale, len(styles))
    if options.style_label_maps is not None:
        style_controls.semantic_regions(
            options.label_map, list(options.style_label_maps), blend, content_shape,
            [image.shape[:2] for image in styles],
        )  # fmt: skip
        return None
    if options.masks is not None:
        return style_controls.load_masks(list(options.masks), len(styles), content_shape)
    if options.label_map is not None:
        return style_controls.masks_from_label_map(options.label_map, len(styles), content_shape)
    return None


def check_one_pass_photo_flags(values):
    """Checks --photo-smoothing (and refuses --photorealism-weight and --preset) for --fast and
    --model."""
    if values["preset"] is not None:
        raise NstError(
            "--preset belongs to the optimisation; after --fast or --model use --photo-smoothing"
        )
    if "photorealism_weight" in values["given_flags"]:
        raise NstError(
            "--photorealism-weight belongs to the optimisation; after --fast or --model use "
            "--photo-smoothing"
        )
    if values["photo_smoothing"] is not None:
        from nst_tf.photoreal import smoothing

        smoothing.check_strength(values["photo_smoothing"])


def check_photo_smoothing_target(values, kind):
    """Raises NstError if --photo-smoothing is given for a folder or a video (kind)."""
    if values["photo_smoothing"] is not None and kind != "image":
        raise NstError(f"--photo-smoothing works on single images, not on a {kind}")


def photo_smoothed(values, content_path, image):
    """The one-pass result smoothed with the content photo if --photo-smoothing asks."""
    if values["photo_smoothing"] is None:
        return image
    from nst_tf.io import image_io
    from nst_tf.photoreal import smoothing

    content = image_io.load_image(content_path)
    return smoothing.photo_smooth(image, content, values["photo_smoothing"])


def define_network_flags(fv):
    """--vgg, --vgg-weights and --pooling."""
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


def define_optimization_flags(fv, default_size, default_init, inits):
    """Flags of the optimisation commands; --size defaults to None, read as `default_size`."""
    flags.DEFINE_string(
        "output", None, "Output image (.jpg, .png, .webp, ...).", short_name="o", flag_values=fv
    )
    flags.DEFINE_integer(
        "size",
        None,
        f"Longest side of the result, px (default: {default_size}"
        + (
            "; with --model or --fast, the content's own size)."
            if default_init == "content"
            else ")."
        ),
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
        None,
        "Coarse-to-fine pyramid levels (sizes halve per level; --iterations at full size, twice "
        "as many at each level below). Default: 1 if the result fits in memory whole, else "
        "enough levels for the coarsest to fit.",
        lower_bound=1,
        flag_values=fv,
    )
    flags.DEFINE_string(
        "max-memory",
        None,
        "Memory the optimisation may use, such as 8G or 512M (default: the memory available). "
        "Levels that do not fit whole are optimised in overlapping tiles.",
        flag_values=fv,
    )
    flags.DEFINE_integer(
        "tile-size",
        None,
        "Optimise the full-size level in overlapping tiles of this side, px, at least twice the "
        "deepest layer's receptive field (default: tiles only where the image does not fit, as "
        "large as fit). With --fast: paint in tiles of this side, sharing the whole image's "
        "normalisation statistics (default: tiles of 1024 only beyond 2048x2048 px).",
        lower_bound=1,
        flag_values=fv,
    )
    flags.DEFINE_integer(
        "tile-passes", 1, "Sweeps over the tiles of a tiled level.", lower_bound=1, flag_values=fv
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
    flags.DEFINE_enum(
        "precision",
        "auto",
        list(precisions.PRECISIONS),
        "The loss network's number format: auto = bfloat16 on CPUs with AVX512-BF16 or AMX "
        "(about 2x faster evaluations), else float32. Loss sums stay float32.",
        flag_values=fv,
    )
    flags.DEFINE_bool(
        "xla",
        True,
        "Compile a float32 loss with XLA (~25% faster iterations, 3-8 s to compile per image "
        "size); bfloat16 runs on oneDNN's kernels without it.",
        flag_values=fv,
    )
    flags.DEFINE_bool("quiet", False, "No progress bar.", flag_values=fv)
    define_network_flags(fv)


def print_schedule(shape, options, with_content):
    """Chooses the schedule before TensorFlow loads (refusing sizes and limits that cannot fit)
    and prints it on one line.

    Args:
      shape: (height, width) of the result.
      options: validated Options.
      with_content: whether there is a content image.
    """
    from nst_tf.optimize import schedule

    print(schedule.plan_for(shape, options, with_content).describe(), flush=True)


def finish(values, result):
    """Writes the image (and the loss plot) and prints a one-line summary."""
    from nst_tf.io import image_io, plots

    image_io.save_image(values["output"], result.image)
    if values["loss_plot"]:
        plots.plot_loss_history(result.history, values["loss_plot"])
    first, last = result.history[0], result.history[-1]
    height, width = result.image.shape[:2]
    print(
        f"wrote {values['output']} ({width}x{height}) after {last['iteration']} iterations in "
        f"{last['seconds']:.1f} s; style loss {first['style']:.4g} -> {last['style']:.4g}, "
        f"content loss {last['content']:.4g}"
    )


def report_video(path, output, frames):
    """Prints what a video run wrote, and on stderr a warning if the input was cut short."""
    import sys

    from nst_tf.io import video

    warning = video.short_of_frames(path, frames)
    if warning:
        print(f"nst-tf: warning: {warning}", file=sys.stderr)
    print(f"wrote {output} ({frames} frames)")


def content_kind(content_path, output):
    """What CONTENT is ("image", "folder" or "video"), after checking that it exists and that
    `output` suits it (a folder, a video file, an image file) and can be written.

    Raises:
      NstError: missing content, or an output that does not suit it.
    """
    from nst_tf.io import files, image_io, video

    if os.path.isdir(content_path):
        files.check_writable_destination(os.path.join(output, "x"))
        return "folder"
    if not os.path.isfile(content_path):
        raise NstError(f"content not found: {content_path}")
    if video.is_video(content_path):
        if not video.is_video(output):
            raise NstError(
                f"a video goes to a video file ({', '.join(video.VIDEO_ENDINGS)}): {output}"
            )
        files.check_writable_destination(output)
        return "video"
    image_io.check_writable_image_path(output)
    return "image"
