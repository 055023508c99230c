"""Quiet start-up of TensorFlow and LiteRT for command-line programs."""

import contextlib
import os
import sys
import tempfile


@contextlib.contextmanager
def stderr_caught():
    """Keeps what C++ writes to stderr (before any logging is set up) off the terminal, at the
    file descriptor; replays it if the block raises."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(saved, 2)
            caught.seek(0)
            sys.stderr.write(caught.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def import_tensorflow_quietly():
    """Imports TensorFlow and finds its devices, with their chatter (CUDA probes) kept off stderr.

    Returns:
      the tensorflow module.
    """
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with stderr_caught():
        import tensorflow

        tensorflow.config.list_physical_devices()  # probes for GPUs, which also chatters
    return tensorflow
