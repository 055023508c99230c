"""The shipped weights of Magenta's arbitrary stylisation pair, loaded once per process.

The weights live in exported_models/magenta/ (nst_tf/exported_models/magenta once installed),
written by tools/release/import_magenta.py.
"""

import functools

from nst_tf.errors import NstError
from nst_tf.feedforward import shipped

PREDICTOR_FILE = "style_predictor.weights.h5"
TRANSFORMER_FILE = "arbitrary_transformer.weights.h5"


def weights_path(name):
    """The shipped weights file `name`.

    Raises:
      NstError: not shipped (an install without exported_models).
    """
    path = shipped.find_file("magenta", name)
    if path is not None:
        return path
    raise NstError(
        f"the pretrained weights {name} are missing from this installation "
        "(exported_models/magenta; tools/release/import_magenta.py writes them)"
    )


@functools.cache
def style_predictor():
    """Magenta's style predictor with its shipped weights (see arbitrary.build_style_predictor)."""
    from nst_tf.pretrained import arbitrary

    model = arbitrary.build_style_predictor()
    model.load_weights(weights_path(PREDICTOR_FILE))
    return model


@functools.cache
def arbitrary_transformer(given_moments=False):
    """Magenta's transformer with its shipped weights (see arbitrary.build_arbitrary_transformer).

    Args:
      given_moments: take every instance norm's mean and variance as inputs (tiled use).
    """
    from nst_tf.pretrained import arbitrary

    model = arbitrary.build_arbitrary_transformer(given_moments=given_moments)
    model.load_weights(weights_path(TRANSFORMER_FILE))
    return model


@functools.cache
def moments_model():
    """The per-norm statistics of the shipped transformer (see arbitrary.moments_model)."""
    from nst_tf.pretrained import arbitrary

    return arbitrary.moments_model(arbitrary_transformer())
