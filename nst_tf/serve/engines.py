"""The web app's calls into the library: the one-pass fast path and the Gatys optimisation.

TensorFlow is imported on first use, not when this module is imported. Every call of the fast
path goes through `fast_stylize`, whose contract (below) stays when its implementation changes.
"""

from __future__ import annotations

import collections
import hashlib
import os
import threading
from collections.abc import Callable

import numpy as np

from nst_tf.errors import NstError
from nst_tf.io import image_io
from nst_tf.optimize import colors

SAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "samples")
# The bundled paintings, by name: the only files a request can name (by key, never by path).
BUILTIN_STYLES = {
    name: os.path.join(SAMPLES, f"{name}.jpg")
    for name in ("starry_night", "the_scream", "woman_with_hat", "shipwreck")
}
# Built-in styles the current fast path can paint (the shipped feed-forward network's styles).
FAST_STYLES = ("starry_night", "the_scream", "woman_with_hat")
FAST_UNSUPPORTED = "fast mode supports the built-in styles {styles}; use Optimise for {what}"


class FastStyleUnsupported(NstError):
    """The fast path cannot paint this style in one pass (the app answers 422)."""


def fast_stylize(
    content: np.ndarray, style: np.ndarray | str, strength: float, preserve_colors: bool, size: int
) -> np.ndarray:
    """Stylises in one forward pass: the fast path of the web app.

    Contract (kept by whatever network implements it):
      content: float32 (height, width, 3) in [0, 255], any size.
      style: the name of a built-in style (a key of BUILTIN_STYLES) or a painting as a float32
        (height, width, 3) array in [0, 255].
      strength: in [0, 1]; 0 gives the content back, 1 the full stylisation.
      preserve_colors: keep the content's colours (chroma), take only the luminance of the
        stylisation.
      size: longest side of the result in px (aspect ratio of the content kept).
      Returns float32 (height, width, 3) in [0, 255] of that size. Safe to call from several
      threads; repeated calls with the same content and style (only strength or colours changed)
      are fast, well under a second at 512 px on 2 cores.
      Raises FastStyleUnsupported (an NstError) for a style it cannot paint in one pass.

    Now: the shipped feed-forward network (styles FAST_STYLES); strength blends its result with
    the content; paintings given as arrays are unsupported.
    """
    if not 0.0 <= strength <= 1.0:
        raise NstError(f"strength must be in [0, 1], got {strength}")
    if not isinstance(style, str) or style not in FAST_STYLES:
        what = "an uploaded painting" if not isinstance(style, str) else f"the style {style!r}"
        raise FastStyleUnsupported(
            FAST_UNSUPPORTED.format(styles=", ".join(FAST_STYLES), what=what)
        )
    content = image_io.resize_longest(np.asarray(content, np.float32), size)
    stylized = _stylized(content, style)
    result = strength * stylized + (1.0 - strength) * content
    if preserve_colors:
        result = colors.combine_luminance(result, content)
    return np.clip(result, 0.0, 255.0).astype(np.float32)


_lock = threading.Lock()
_models = {}
_recent = collections.OrderedDict()  # (content digest, style) -> full-strength stylisation
RECENT_RESULTS = 8


def _stylized(content, style):
    """The shipped network's full-strength result, cached for the last few contents and styles."""
    key = (hashlib.sha1(content.tobytes()).hexdigest(), content.shape, style)
    with _lock:
        if key in _recent:
            _recent.move_to_end(key)
            return _recent[key]
    model = _style_model(style)
    result = model.stylize(content[None], model.style_weights(style))[0]
    with _lock:
        _recent[key] = result
        while len(_recent) > RECENT_RESULTS:
            _recent.popitem(last=False)
    return result


def _style_model(style):
    """The loaded network holding a shipped style, loaded once per process."""
    from nst_tf import tf_startup

    tf_startup.import_tensorflow_quietly()
    from nst_tf.feedforward import model as feedforward

    with _lock:
        if style not in _models:
            _models[style] = feedforward.load_model(style)
        return _models[style]


def warm_up() -> None:
    """Loads the fast network and runs it once, so that the first request is quick."""
    fast_stylize(np.full((64, 64, 3), 128.0, np.float32), FAST_STYLES[0], 1.0, False, 64)


_loss_networks = {}


def optimize(
    content: np.ndarray,
    style: np.ndarray,
    size: int,
    iterations: int,
    preserve_colors: bool,
    network: tuple[str, str | None, str],
    on_iteration: Callable[[int, Callable[[], np.ndarray]], None],
) -> np.ndarray:
    """Gatys optimisation from the content, L-BFGS, default weights; one loss network per process.

    Args:
      content, style: float32 (height, width, 3) arrays in [0, 255].
      size: longest side of the result, px.
      iterations: L-BFGS iterations.
      preserve_colors: keep the content's colours ("luminance" mode).
      network: (vgg, vgg_weights, pooling), the loss network (see
        nst_tf.encoders.vgg.build_loss_network); built once per process.
      on_iteration: see nst_tf.optimize.options.Options; raise in it to stop.

    Returns:
      float32 (height, width, 3) in [0, 255].
    """
    from nst_tf import tf_startup

    tf_startup.import_tensorflow_quietly()
    from nst_tf.encoders import vgg as networks
    from nst_tf.optimize import stylize
    from nst_tf.optimize.options import Options

    options = Options(
        iterations=iterations,
        vgg=network[0],
        vgg_weights=network[1],
        pooling=network[2],
        preserve_colors="luminance" if preserve_colors else "none",
        progress=False,
        xla=iterations >= 50,  # compiling costs more than it saves on short runs
        on_iteration=on_iteration,
    )
    layers = options.resolved_style_layers() + list(options.content_layers)
    if network not in _loss_networks:
        _loss_networks[network] = networks.build_loss_network(layers, *network)
    options.loss_network = _loss_networks[network]
    shape = image_io.scaled_size(*content.shape[:2], size)
    return stylize.optimize_image(content, style, shape, options).image
