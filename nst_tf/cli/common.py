"""What the commands share: the Command record, flag groups, and flag values as library values.

Nothing here imports TensorFlow.
"""

import dataclasses
import os

from nst_tf import defaults
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


def config_from_flags(config_class, values, renamed=None, **given):
    """A settings dataclass (TrainConfig, UpscaleConfig) from parsed flag values: each field
    from the flag of its name, or of `renamed[field]`; --vgg-weights read as weights_choice;
    `given` values win."""
    arguments = {}
    for field in dataclasses.fields(config_class):
        key = (renamed or {}).get(field.name, field.name)
        if key in values:
            arguments[field.name] = values[key]
    if "vgg_weights" in arguments:
        arguments["vgg_weights"] = weights_choice(arguments["vgg_weights"])
    return config_class(**{**arguments, **given})


def require_output(values):
    """The --output flag's value, or a one-line NstError when it is missing."""
    if not values["output"]:
        raise NstError("missing --output (-o): where to write the result")
    return values["output"]


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
    """--vgg, --vgg-weights and --pooling, as the optimisation's options declare them."""
    from nst_tf.cli import optimization_flags

    optimization_flags.define_network_flags(fv)


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


def write_result(values, result):
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

    from nst_tf.io import video_io

    warning = video_io.short_of_frames(path, frames)
    if warning:
        print(f"nst-tf: warning: {warning}", file=sys.stderr)
    print(f"wrote {output} ({frames} frames)")


def content_kind(content_path, output):
    """What CONTENT is ("image", "folder" or "video"), after checking that it exists and that
    `output` suits it (a folder, a video file, an image file) and can be written.

    Raises:
      NstError: missing content, or an output that does not suit it.
    """
    from nst_tf.io import files, image_io, video_io

    if os.path.isdir(content_path):
        files.check_writable_destination(os.path.join(output, "x"))
        return "folder"
    if not os.path.isfile(content_path):
        raise NstError(f"content not found: {content_path}")
    if video_io.is_video(content_path):
        if not video_io.is_video(output):
            raise NstError(
                f"a video goes to a video file ({', '.join(video_io.VIDEO_ENDINGS)}): {output}"
            )
        files.check_writable_destination(output)
        return "video"
    image_io.check_writable_image_path(output)
    return "image"
