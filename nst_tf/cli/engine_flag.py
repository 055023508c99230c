"""The `--engine` flag of the one-pass commands."""

from absl import flags

from nst_tf import engine_choice


def define_engine_flag(fv):
    """`--engine {auto,litert,tensorflow}`."""
    flags.DEFINE_enum(
        "engine",
        "auto",
        list(engine_choice.ENGINES),
        "What runs the one-pass networks: litert runs the shipped .tflite files with LiteRT "
        "(no TensorFlow start-up), tensorflow the Keras networks (also networks of your own); "
        "auto takes LiteRT whenever the request needs nothing only TensorFlow does.",
        flag_values=fv,
    )
