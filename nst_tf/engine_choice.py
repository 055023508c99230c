"""Which engine runs a one-pass network: LiteRT (the shipped .tflite files, no TensorFlow) or
TensorFlow (the Keras networks).

"auto" takes LiteRT whenever the request needs nothing only TensorFlow does and the files are
installed, except in a process that has already imported TensorFlow and sees a GPU: there the
Keras network on the GPU is faster, and loading it costs no start-up that was not paid already.
"""

import importlib.util
import sys

from nst_tf.errors import NstError

ENGINES = ("auto", "litert", "tensorflow")


def check_engine(engine):
    """Raises NstError for a name not in ENGINES."""
    if engine not in ENGINES:
        raise NstError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")


def choose(engine="auto", installed=True, tensorflow_only=None):
    """The engine that runs a request: "litert" or "tensorflow".

    Args:
      engine: one of ENGINES.
      installed: whether the shipped .tflite files LiteRT would run are installed.
      tensorflow_only: why the request needs TensorFlow (e.g. "a .keras network"), or None.

    Raises:
      NstError: an unknown engine, or "litert" for a request it cannot run.
    """
    check_engine(engine)
    if engine == "tensorflow":
        return engine
    if engine == "litert":
        if tensorflow_only:
            raise NstError(
                f"the LiteRT engine cannot run {tensorflow_only}: choose the tensorflow engine"
            )
        if not installed:
            raise NstError(
                "the LiteRT engine's .tflite files are missing from this installation "
                "(exported_models/litert; tools/release/ship_litert.py writes them): choose the "
                "tensorflow engine"
            )
        return engine
    usable = (
        not tensorflow_only
        and installed
        and importlib.util.find_spec("ai_edge_litert") is not None
    )
    return "litert" if usable and not _tensorflow_with_gpu() else "tensorflow"


def _tensorflow_with_gpu():
    """Whether TensorFlow is imported already and sees a GPU (never imports it)."""
    tensorflow = sys.modules.get("tensorflow")
    config = getattr(tensorflow, "config", None)
    return bool(config and config.list_physical_devices("GPU"))
