"""`nst-tf texture STYLE...`: texture synthesis from example images (Gatys et al. 2015a)."""

from absl import flags

from nst_tf import tf_startup
from nst_tf.cli import common, optimization_flags

SIZE = 256


def define_flags():
    """The flags of `nst-tf texture`."""
    fv = flags.FlagValues()
    optimization_flags.define_optimization_flags(fv, default_size=SIZE, texture=True)
    return fv


def run(values, *style_paths):
    """Runs `nst-tf texture`."""
    from nst_tf.io import image_io
    from nst_tf.optimize import inputs
    from nst_tf.optimize.options import Options

    size = values["size"] or SIZE
    options = Options.from_arguments(optimization_flags.option_arguments(values, texture=True))
    options.validate()
    styles = [image_io.load_image(path) for path in style_paths]
    inputs.check_style_controls(options, styles)
    shape = image_io.scaled_size(*styles[0].shape[:2], size)
    common.print_schedule(shape, options, with_content=False)
    tf_startup.import_tensorflow_quietly()
    from nst_tf.optimize import run as optimization

    common.write_result(values, optimization.run_optimization(None, styles, shape, options))


COMMAND = common.Command(
    define_flags,
    ("STYLE...",),
    "Synthesise a texture from the example image STYLE (or a blend of several).",
    run,
)
