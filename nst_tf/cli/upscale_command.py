"""`nst-tf upscale IMAGE` and `nst-tf train-upscale`: perceptual-loss super-resolution
(Johnson, Alahi & Fei-Fei 2016)."""

from absl import flags

from nst_tf import tf_startup
from nst_tf.cli import common, engine_flag
from nst_tf.errors import NstError


def define_upscale_flags():
    """The flags of `nst-tf upscale`."""
    fv = flags.FlagValues()
    flags.DEFINE_string(
        "output", None, "Output image (.jpg, .png, .webp, ...).", short_name="o", flag_values=fv
    )
    flags.DEFINE_integer(
        "factor",
        4,
        "Upscaling factor, 4 or 8. x4 is the trained network; x8 is the x4 network followed by "
        "a bicubic x2 (no x8 network is trained, so x8 adds no detail beyond x4's).",
        flag_values=fv,
    )
    flags.DEFINE_string(
        "model",
        None,
        "A super-resolution network (.keras file or train-upscale run folder); default: the "
        "shipped x4 network (exported_models/superres/upscale_x4).",
        flag_values=fv,
    )
    flags.DEFINE_integer(
        "tile",
        None,
        "Upscale in overlapping tiles of this many input px a side (needed when the result "
        "would exceed 16 megapixels).",
        flag_values=fv,
    )
    flags.DEFINE_bool("quiet", False, "No progress bar.", flag_values=fv)
    engine_flag.define_engine_flag(fv)
    return fv


def run_upscale(values, image_path):
    """Runs `nst-tf upscale`."""
    from nst_tf.io import image_io
    from nst_tf.superres.upscaler_config import check_factor, check_upscale

    check_factor(values["factor"])
    output = common.require_output(values)
    image_io.check_writable_image_path(output)
    image = image_io.load_image(image_path)
    check_upscale(image.shape, values["factor"], values["tile"])
    from nst_tf.superres import upscaling

    upscaler = upscaling.load_upscaler(values["model"], values["engine"])
    result = upscaler.upscale(
        image, values["factor"], tile=values["tile"], progress=not values["quiet"]
    )
    image_io.save_image(output, result)
    print(f"wrote {output} ({result.shape[1]}x{result.shape[0]})")


def define_train_flags():
    """The flags of `nst-tf train-upscale`."""
    from nst_tf.superres.upscaler_config import UpscaleConfig

    fv = flags.FlagValues()
    defaults = UpscaleConfig(data="")
    flags.DEFINE_string(
        "data", None, "Training photos: a folder or tfds:NAME[:SPLIT].", flag_values=fv
    )
    flags.DEFINE_string("out", None, "Run folder (checkpoints, model).", flag_values=fv)
    flags.DEFINE_integer(
        "factor", defaults.factor, "Upscaling factor (networks are trained for 4).", flag_values=fv
    )
    flags.DEFINE_enum(
        "loss",
        defaults.loss,
        ["perceptual", "pixel"],
        "perceptual: relu2_2 feature distance plus --pixel-weight times the pixel MSE (Johnson "
        "et al.); pixel: the pixel MSE alone (a baseline).",
        flag_values=fv,
    )
    for name, default, help_text in (
        ("steps", defaults.steps, "Total training steps."),
        ("batch-size", defaults.batch_size, "Crops per step."),
        ("crop-size", defaults.crop_size, "Side of the high-resolution crops, px."),
        ("pool-size", defaults.pool_size, "Shorter side photos are resized to first, px."),
        ("width", defaults.width, "Channels of the network's convolutions."),
        ("residual-blocks", defaults.residual_blocks, "Residual blocks of the network."),
        ("checkpoint-every", defaults.checkpoint_every, "Steps between checkpoints."),
        ("log-every", defaults.log_every, "Steps between loss records."),
    ):
        flags.DEFINE_integer(name, default, help_text, lower_bound=1, flag_values=fv)
    flags.DEFINE_float(
        "pixel-weight",
        defaults.pixel_weight,
        "Weight of the pixel MSE.",
        lower_bound=0,
        flag_values=fv,
    )
    flags.DEFINE_float(
        "learning-rate",
        defaults.learning_rate,
        "Adam learning rate.",
        lower_bound=0,
        flag_values=fv,
    )
    flags.DEFINE_bool(
        "resume",
        False,
        "Continue the run in --out from its newest checkpoint (its saved settings are used; "
        "--steps may raise the total).",
        flag_values=fv,
    )
    flags.DEFINE_integer("seed", defaults.seed, "Seed.", lower_bound=0, flag_values=fv)
    flags.DEFINE_enum("vgg", defaults.vgg, ["vgg16", "vgg19"], "Loss network.", flag_values=fv)
    flags.DEFINE_string(
        "vgg-weights", None, "Loss network weights, as for 'stylize'.", flag_values=fv
    )
    flags.DEFINE_bool("quiet", False, "No progress bar.", flag_values=fv)
    return fv


def run_train(values):
    """Runs `nst-tf train-upscale`."""
    from nst_tf.superres.upscaler_config import UpscaleConfig

    if not values["out"]:
        raise NstError("missing --out: the run folder")
    config = common.config_from_flags(UpscaleConfig, values, data=values["data"] or "")
    if not values["resume"]:
        if not values["data"]:
            raise NstError("missing --data: an image folder or tfds:NAME")
        config.validate()
    tf_startup.import_tensorflow_quietly()
    from nst_tf.superres import upscaler_training

    _, history = upscaler_training.train_upscaler(
        config, values["out"], resume=values["resume"], progress=not values["quiet"]
    )
    last = history[-1] if history else {"step": 0, "total": float("nan")}
    print(f"wrote {values['out']}/model.keras after {last['step']} steps; loss {last['total']:.4g}")


UPSCALE_COMMAND = common.Command(
    define_upscale_flags,
    ("IMAGE",),
    "Upscale IMAGE x4 (or x8) with a perceptual-loss super-resolution network.",
    run_upscale,
)
TRAIN_COMMAND = common.Command(
    define_train_flags,
    (),
    "Train a x4 super-resolution network on --data (Johnson et al. 2016).",
    run_train,
)
