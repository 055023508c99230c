"""The web app's calls into the library: the one-pass fast path and the Gatys optimisation.

The one-pass networks run on LiteRT where they can (nst_tf.engine_choice); TensorFlow is
imported on first use, not when this module is imported. Every call of the fast path goes
through `fast_stylize`, whose contract (below) stays when its implementation changes.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable

import numpy as np

from nst_tf import colors
from nst_tf.errors import NstError
from nst_tf.io import image_io

SAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "samples")
# The bundled paintings, by name: the only files a request can name (by key, never by path).
BUILTIN_STYLES = {
    name: os.path.join(SAMPLES, f"{name}.jpg")
    for name in ("starry_night", "the_scream", "woman_with_hat", "shipwreck")
}
# The bundled paintings' titles, for the page.
BUILTIN_TITLES = {
    "starry_night": "The Starry Night (van Gogh)",
    "the_scream": "The Scream (Munch)",
    "woman_with_hat": "Woman with a Hat (Matisse)",
    "shipwreck": "The Shipwreck (Turner)",
}
# The 26 styles of the shipped magenta26 network (its style names: style_00 ... style_25), and
# names for the page after how each paints (the network carries no titles of its paintings).
NETWORK = "magenta26"
NETWORK_STYLES = tuple(f"style_{index:02d}" for index in range(26))
NETWORK_TITLES = (
    "Pastel cubist", "Yellow blocks", "Charcoal", "Bright ribbons", "Warm pastel",
    "Thick colour", "Blue dots", "Blue and gold", "White sketch", "Red and teal mosaic",
    "Brown oil", "Gold engraving", "Soft lilac", "Green stained glass", "Pale wash",
    "Pastel glass", "Blue haze", "Woven bars", "Sepia woodcut", "Blue swirls", "Red ink",
    "Black brushwork", "Grey ink", "Smoke", "Teal pastel", "Warm mosaic",
)  # fmt: skip
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
    color_mode = "luminance" if preserve_colors else None
    if isinstance(style, str) and style in NETWORK_STYLES:
        model = _network()
        stylized = model.stylize(content[None], model.style_weights(style))[0]
        result = np.clip(strength * stylized + (1.0 - strength) * content, 0.0, 255.0)
        return colors.combine_luminance(result, content) if preserve_colors else result
    if isinstance(style, str):
        style = image_io.load_image(BUILTIN_STYLES[style])
    from nst_tf.pretrained import fast

    return fast.stylize_fast(content, style, strength=strength, preserve_colors=color_mode)


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


@functools.cache
def _network():
    """The shipped 26-style network, loaded once per process (on LiteRT where it can be)."""
    from nst_tf.feedforward import styles

    return styles.load_style_network(NETWORK)


def warm_up() -> None:
    """Loads both fast networks and runs them once, so that the first request is quick."""
    grey = np.full((64, 64, 3), 128.0, np.float32)
    for style in (grey, NETWORK_STYLES[0]):
        fast_stylize(grey, style, 0.5, False, 64)


class LossNetwork:
    """The loss network of Optimise, resolved once per server: built, or why it cannot be.

    `resolve` runs once (at start-up, in the background); jobs wait for it with `get`, and a
    failed download is never tried again.

    Args:
      vgg, weights, pooling: see nst_tf.encoders.vgg.build_loss_network.
    """

    def __init__(self, vgg: str, weights: str | None, pooling: str):
        self.vgg, self.weights, self.pooling = vgg, weights, pooling
        self.model = None
        self.error = None  # one line for the page, naming the server's flag
        self._resolved = threading.Event()
        self._once = threading.Lock()

    @property
    def state(self) -> str:
        """"checking", "ready" or "off"."""
        if not self._resolved.is_set():
            return "checking"
        return "off" if self.error else "ready"

    def resolve(self) -> None:
        """Builds the network (downloading ImageNet weights if asked); runs once."""
        if not self._once.acquire(blocking=False):
            return
        try:
            from nst_tf import tf_startup

            tf_startup.import_tensorflow_quietly()
            from nst_tf.encoders import vgg as networks
            from nst_tf.optimize.options import Options

            options = Options()
            layers = options.resolved_style_layers() + list(options.content_layers)
            self.model = networks.build_loss_network(
                layers, self.vgg, self.weights, self.pooling, options.precision
            )
        except Exception as error:  # noqa: BLE001 - any failure turns Optimise off, once
            self.error = self._reason(error)
        finally:
            self._resolved.set()

    def get(self):
        """The network once resolved; raises NstError (one line) when it cannot be had."""
        self.resolve()
        self._resolved.wait()
        if self.error:
            raise NstError(self.error)
        return self.model

    def _reason(self, error):
        from nst_tf.encoders import vgg as networks

        try:
            imagenet = networks.resolve_weights(self.weights) == "imagenet"
        except NstError:
            imagenet = False
        cause = (
            f"the ImageNet {self.vgg} weights cannot be downloaded here"
            if imagenet
            else str(error).splitlines()[0][:120]
        )
        return f"Optimise is off: {cause}. Start the server with --vgg-weights FILE (a VGG .h5)."


def optimize(
    content: np.ndarray,
    style: np.ndarray,
    size: int,
    iterations: int,
    preserve_colors: bool,
    loss_network: LossNetwork,
    on_iteration: Callable[[int, Callable[[], np.ndarray]], None],
) -> np.ndarray:
    """Gatys optimisation from the content, L-BFGS, default weights.

    Args:
      content, style: float32 (height, width, 3) arrays in [0, 255].
      size: longest side of the result, px.
      iterations: L-BFGS iterations.
      preserve_colors: keep the content's colours ("luminance" mode).
      loss_network: the server's LossNetwork (NstError when it is off).
      on_iteration: see nst_tf.optimize.options.Options; raise in it to stop.

    Returns:
      float32 (height, width, 3) in [0, 255].
    """
    model = loss_network.get()
    from nst_tf.optimize.options import Options
    from nst_tf.optimize.run import run_optimization

    options = Options(
        iterations=iterations,
        vgg=loss_network.vgg,
        pooling=loss_network.pooling,
        preserve_colors="luminance" if preserve_colors else "none",
        progress=False,
        xla=iterations >= 50,  # compiling costs more than it saves on short runs
        on_iteration=on_iteration,
        loss_network=model,
    )
    shape = image_io.scaled_size(*content.shape[:2], size)
    return run_optimization(content, style, shape, options).image
