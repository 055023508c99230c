"""`nst-tf train`: a feed-forward network for one or more styles (Johnson et al. 2016)."""

from absl import flags

from nst_tf import defaults, tf_startup
from nst_tf.cli import common
from nst_tf.errors import NstError


def define_flags():
    """The flags of `nst-tf train`."""
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
        ["none", "mirrored", "multiworker"],
        "Distribution strategy: mirrored trains on every visible device in sync; multiworker on "
        "the machines TF_CONFIG names (start the same command on each; the chief writes --out, "
        "which every worker must reach, and the others read it to --resume).",
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


def run(values):
    """Runs `nst-tf train`."""
    from nst_tf.feedforward.training_config import TrainConfig

    if not values["out"]:
        raise NstError("missing --out: the run folder")
    config = common.config_from_flags(
        TrainConfig,
        values,
        {"variant": "network", "jit_compile": "xla"},
        styles=values["style"] or [],
        data=values["data"] or "",
    )
    if not values["resume"]:
        if not values["style"]:
            raise NstError("missing --style: the style image(s) to train for")
        if not values["data"]:
            raise NstError("missing --data: an image folder or tfds:NAME")
        config.validate()
    tf = tf_startup.import_tensorflow_quietly()
    if values["cpu_devices"]:
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * values["cpu_devices"]
        )
    from nst_tf.feedforward import training

    result = training.train(
        config, values["out"], resume=values["resume"], progress=not values["quiet"]
    )
    last = result.history[-1] if result.history else {"step": 0, "total": float("nan")}
    done = f"after {last['step']} steps; loss {last['total']:.4g}"
    if result.model_path is None:
        print(f"worker done {done} (the chief wrote {values['out']})")
    else:
        print(f"wrote {result.model_path} {done}")


COMMAND = common.Command(
    define_flags,
    (),
    "Train a feed-forward network for --style on --data (Johnson et al. 2016).",
    run,
)
