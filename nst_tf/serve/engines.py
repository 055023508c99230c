"""The web app's calls into the library: the one-pass fast path and the Gatys optimisation.

TensorFlow is imported on first use, not when this module is imported. Every call of the fast
path goes through `fast_stylize`, whose contract (below) stays when its implementation changes.
"""

from __future__ import annotations

import functools
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
# The 26 styles of the shipped magenta26 network (its style names: style_00 ... style_25).
NETWORK = "magenta26"
NETWORK_STYLES = tuple(f"style_{index:02d}" for index in range(26))
THUMBNAIL_SIDE = 160


def fast_stylize(
    content: np.ndarray, style: np.ndarray | str, strength: float, preserve_colors: bool, size: int
) -> np.ndarray:
    """Stylises in one forward pass: the fast path of the web app.

    Contract:
      content: float32 (height, width, 3) in [0, 255], any size.
      style: the name of a bundled painting (a key of BUILTIN_STYLES), of one of the 26 styles
        of the shipped network (NETWORK_STYLES), or a painting as a float32 (height, width, 3)
        array in [0, 255].
      strength: in [0, 1]; 0 gives the content's own look, 1 the full stylisation.
      preserve_colors: keep the content's colours (chroma), take only the luminance of the
        stylisation.
      size: longest side of the result in px (aspect ratio of the content kept).
      Returns float32 (height, width, 3) in [0, 255] of that size, well under a second at
      512 px on 2 cores. Call from one thread at a time (the app's fast gate).

    Paintings go through Magenta's arbitrary network (strength interpolates the style vector
    with the content's); the 26 styles through the shipped network (strength blends pixels).
    """
    if not 0.0 <= strength <= 1.0:
        raise NstError(f"strength must be in [0, 1], got {strength}")
    content = image_io.resize_longest(np.asarray(content, np.float32), size)
    colours = "luminance" if preserve_colors else None
    if isinstance(style, str) and style in NETWORK_STYLES:
        model = _network()
        stylized = model.stylize(content[None], model.style_weights(style))[0]
        result = np.clip(strength * stylized + (1.0 - strength) * content, 0.0, 255.0)
        return colors.combine_luminance(result, content) if preserve_colors else result
    if isinstance(style, str):
        style = image_io.load_image(BUILTIN_STYLES[style])
    from nst_tf.pretrained import fast

    return fast.stylize_fast(content, style, strength=strength, preserve_colors=colours)


def style_thumbnail(name: str) -> np.ndarray:
    """A built-in style as a small picture: the painting, or for the 26 styles the bundled
    photo of a cat painted in that style."""
    if name in BUILTIN_STYLES:
        return image_io.resize_longest(image_io.load_image(BUILTIN_STYLES[name]), THUMBNAIL_SIDE)
    with _lock:
        if name not in _thumbnails:
            cat = image_io.load_image(os.path.join(SAMPLES, "chelsea.jpg"))
            _thumbnails[name] = fast_stylize(cat, name, 1.0, False, THUMBNAIL_SIDE)
        return _thumbnails[name]


_lock = threading.RLock()
_thumbnails = {}


@functools.lru_cache(maxsize=None)
def _network():
    """The shipped 26-style network, loaded once per process."""
    from nst_tf import tf_startup

    tf_startup.import_tensorflow_quietly()
    from nst_tf.feedforward import model as feedforward

    return feedforward.load_model(NETWORK)


def warm_up() -> None:
    """Loads both fast networks and runs them once, so that the first request is quick."""
    grey = np.full((64, 64, 3), 128.0, np.float32)
    for style in (grey, NETWORK_STYLES[0]):
        fast_stylize(grey, style, 0.5, False, 64)


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
        _loss_networks[network] = networks.build_loss_network(layers, *network, options.precision)
    options.loss_network = _loss_networks[network]
    shape = image_io.scaled_size(*content.shape[:2], size)
    return stylize.optimize_image(content, style, shape, options).image
