"""Quiet TensorFlow start-up for command-line programs."""

import os
import sys
import tempfile


def import_tensorflow_quietly():
    """Imports TensorFlow and finds its devices, with their chatter (CUDA probes) kept off stderr.

    The chatter is written by C++ before logging is set up, so it is caught at the file
    descriptor; it is replayed if the import fails.

    Returns:
      the tensorflow module.
    """
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        try:
            import tensorflow

            tensorflow.config.list_physical_devices()  # probes for GPUs, which also chatters
        except BaseException:
            os.dup2(saved, 2)
            caught.seek(0)
            sys.stderr.write(caught.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
    return tensorflow
