"""Image optimisation style transfer (Gatys, Ecker & Bethge 2015/2016) and texture synthesis.

The pixels of one image are optimised with L-BFGS (nst_tf.lbfgs) or Adam (Keras) so that its VGG
features match a content image and the Gram matrices of its VGG features match a style image.
"""

import dataclasses
import math
import os
import time

import keras
import numpy as np
import tensorflow as tf
import tqdm

from nst_tf import defaults, lbfgs, networks
from nst_tf import images as image_io
from nst_tf.errors import NstError
from nst_tf.losses import ContentLoss, GramMatrix, StyleLoss, TotalVariation

OPTIMIZERS = ("lbfgs", "adam")
INITS = ("content", "style", "noise")
LOSS_NAMES = ("total", "content", "style", "tv")


@dataclasses.dataclass
class StylizeResult:
    """What an optimisation returns.

    Attributes:
      image: float32 array (height, width, 3) in [0, 255].
      history: one dict per iteration (iteration 0 is the initial image) with the keys
        "iteration", "seconds" (since the start), "evaluations" (loss evaluations so far) and the
        weighted losses "total", "content", "style", "tv".
    """

    image: np.ndarray
    history: list


class Objective:
    """The weighted sum of content, style and total variation losses of one image, with its gradient.

    `losses_and_gradient` is a `tf.function` with a fixed input signature, traced once.

    Args:
      loss_network: model returning a dict of named activations (see networks.build_loss_network).
      shape: (height, width) of the image being optimised.
      content: content image (height, width, 3), or None for texture synthesis (then
        content_layers must be empty).
      style: style image (any size, 3 channels).
      content_layers, style_layers: layer names.
      content_weight, style_weight, tv_weight: loss weights.
      style_layer_weights: one weight per style layer; default 1/number each.
      tv_mode: "l1" or "squared".
    """

    def __init__(
        self,
        loss_network,
        shape,
        content,
        style,
        content_layers,
        style_layers,
        content_weight,
        style_weight,
        tv_weight,
        style_layer_weights=None,
        tv_mode="l1",
    ):
        self.loss_network = loss_network
        self.content_layers = list(content_layers)
        self.style_layers = list(style_layers)
        self.weights = {
            "content": float(content_weight),
            "style": float(style_weight),
            "tv": float(tv_weight),
        }
        self.content_loss = ContentLoss()
        self.style_loss = StyleLoss(style_layer_weights)
        self.total_variation = TotalVariation(tv_mode)
        gram = GramMatrix()
        style_features = loss_network(style[None])
        self.style_targets = [tf.constant(gram(style_features[name])) for name in self.style_layers]
        self.content_targets = []
        if content is not None:
            content_features = loss_network(content[None])
            self.content_targets = [
                tf.constant(content_features[name]) for name in self.content_layers
            ]
        spec = tf.TensorSpec((1, *shape, 3), tf.float32)
        # XLA fuses the VGG backward pass: 25% faster at 512 px on a 2-core CPU (tools/bench_optimize.py).
        self.losses_and_gradient = tf.function(
            self._losses_and_gradient, input_signature=[spec], jit_compile=True
        )

    def losses(self, image):
        """Weighted losses of a batch of one image.

        Args:
          image: tensor (1, height, width, 3), RGB in [0, 255].

        Returns:
          dict with scalar tensors "total", "content", "style", "tv".
        """
        features = self.loss_network(image)
        parts = {
            "style": self.weights["style"]
            * self.style_loss([features[name] for name in self.style_layers], self.style_targets),
            "tv": self.weights["tv"] * self.total_variation(image),
        }
        parts["content"] = (
            self.weights["content"]
            * self.content_loss(
                [features[name] for name in self.content_layers], self.content_targets
            )
            if self.content_layers
            else tf.constant(0.0)
        )
        parts["total"] = parts["content"] + parts["style"] + parts["tv"]
        return parts

    def _losses_and_gradient(self, image):
        with tf.GradientTape() as tape:
            tape.watch(image)
            parts = self.losses(image)
        return parts, tape.gradient(parts["total"], image)


@dataclasses.dataclass
class Options:
    """Options of an optimisation, shared by `stylize` and `synthesize_texture`.

    Attributes:
      iterations: optimiser iterations (L-BFGS iterations or Adam steps).
      optimizer: "lbfgs" (about one loss evaluation per iteration, pixels kept in [0, 255])
        or "adam".
      learning_rate: Adam's step size, in pixel values.
      vgg, vgg_weights, pooling: the loss network (see networks.build_loss_network).
      loss_network: a prebuilt loss network to use instead (must output the layers below).
      content_layers, style_layers: VGG layer names.
      style_layer_weights: one weight per style layer; default 1/number each.
      content_weight, style_weight, tv_weight: loss weights (losses on the caffe 0-255 scale).
      tv_mode: "l1" or "squared" total variation.
      init: start from the "content" image, the "style" image (resized) or seeded "noise".
      seed: seed of the noise initialisation.
      style_scale: the style image's longest side is the result's times this factor.
      progress: show a progress bar with the losses.
      save_every: save the current image every this many iterations (0: never).
      save_path: where to save it: a format string with an {iteration} field.
    """

    iterations: int = defaults.ITERATIONS
    optimizer: str = "lbfgs"
    learning_rate: float = defaults.LEARNING_RATE
    vgg: str = "vgg19"
    vgg_weights: object = defaults.DEFAULT_WEIGHTS
    pooling: str = "max"
    loss_network: object = None
    content_layers: tuple = defaults.CONTENT_LAYERS
    style_layers: tuple = defaults.STYLE_LAYERS
    style_layer_weights: object = None
    content_weight: float = defaults.CONTENT_WEIGHT
    style_weight: float = defaults.STYLE_WEIGHT
    tv_weight: float = defaults.TV_WEIGHT
    tv_mode: str = "l1"
    init: str = "content"
    seed: int = 0
    style_scale: float = 1.0
    progress: bool = True
    save_every: int = 0
    save_path: object = None

    def check(self):
        """Raises NstError for values out of range or unknown names."""
        _check_positive("iterations", self.iterations)
        _check_positive("style scale", self.style_scale)
        if self.optimizer == "adam":
            _check_positive("learning rate", self.learning_rate)
        for name in ("content_weight", "style_weight", "tv_weight"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise NstError(
                    f"{name.replace('_', ' ')} must be a finite number >= 0, got {value}"
                )
        if self.seed < 0:
            raise NstError(f"seed must be 0 or positive, got {self.seed}")
        if not self.style_layers:
            raise NstError("no style layers given: name at least one, such as block1_conv1")
        _check_choice("optimizer", self.optimizer, OPTIMIZERS)
        _check_choice("init", self.init, INITS)
        _check_choice("total variation mode", self.tv_mode, TotalVariation.MODES)
        if self.save_every < 0:
            raise NstError(f"save-every must be 0 or positive, got {self.save_every}")
        if self.save_every:
            _check_save_path(self.save_path)
        if self.style_layer_weights is not None and len(self.style_layer_weights) != len(
            self.style_layers
        ):
            raise NstError(
                f"got {len(self.style_layer_weights)} style layer weights for "
                f"{len(self.style_layers)} style layers"
            )


def _make_options(options):
    """Options from keyword arguments, with a one-line error for unknown names."""
    try:
        return Options(**options)
    except TypeError:
        known = {field.name for field in dataclasses.fields(Options)}
        unknown = ", ".join(sorted(set(options) - known))
        raise NstError(f"unknown option(s) {unknown}") from None


def stylize(content, style, *, size=None, **options):
    """Transfers the style of one image onto the content of another by optimising the pixels.

    Args:
      content: content image, a path or an array (height, width, 3) in [0, 255].
      style: style image, a path or an array.
      size: longest side of the result in px; None keeps the content's size.
      **options: fields of `Options` (iterations, optimizer, vgg, vgg_weights, style_weight, ...).

    Returns:
      StylizeResult.

    Raises:
      NstError: bad images, sizes, layers or options.
    """
    options = _make_options(options)
    content = _as_image(content, "content")
    shape = content.shape[:2]
    if size is not None:
        _check_positive("size", size)
        shape = image_io.scaled_size(*shape, size)
    return _optimize(content, style, shape, options)


def synthesize_texture(style, *, size=512, **options):
    """Synthesises a texture from a style image alone (Gatys, Ecker & Bethge 2015a).

    Args:
      style: the example texture, a path or an array.
      size: longest side in px (int) of a result shaped like the style image, or (height, width).
      **options: fields of `Options` but the content ones; `init` is "noise" (default) or "style".

    Returns:
      StylizeResult.

    Raises:
      NstError: bad images, sizes, layers or options.
    """
    options = _make_options({"init": "noise", **options})
    if options.init == "content":
        raise NstError("texture synthesis has no content image: use init 'noise' or 'style'")
    style = _as_image(style, "style")
    if isinstance(size, (int, np.integer)):
        _check_positive("size", size)
        shape = image_io.scaled_size(*style.shape[:2], size)
    else:
        shape = tuple(int(side) for side in size)
        for side in shape:
            _check_positive("size", side)
    return _optimize(None, style, shape, options)


def _optimize(content, style, shape, options):
    """The optimisation behind `stylize` (content given) and `synthesize_texture` (content None).

    Args:
      content: content image array at any size, or None.
      style: style image, path or array.
      shape: (height, width) of the result.
      options: Options.

    Returns:
      StylizeResult.
    """
    options.check()
    content_layers = list(options.content_layers) if content is not None else []
    all_layers = list(options.style_layers) + content_layers
    networks.check_layers(options.vgg, all_layers)
    style = _as_image(style, "style")
    style_shape = image_io.scaled_size(
        *style.shape[:2], max(1, round(max(shape) * options.style_scale))
    )
    for name, size in (("result", shape), ("style image", style_shape)):
        _check_image_size(name, size, options.vgg, all_layers)
    style = image_io.resize(style, style_shape)
    if content is not None:
        content = image_io.resize(content, shape)

    loss_network = options.loss_network
    if loss_network is None:
        loss_network = networks.build_loss_network(
            all_layers, options.vgg, options.vgg_weights, options.pooling
        )
    objective = Objective(
        loss_network,
        shape,
        content,
        style,
        content_layers,
        options.style_layers,
        options.content_weight,
        options.style_weight,
        options.tv_weight,
        options.style_layer_weights,
        options.tv_mode,
    )
    start = _initial_image(options.init, content, style, shape, options.seed)
    recorder = _Recorder(
        options.iterations, options.progress, options.save_every, options.save_path
    )
    run = _run_lbfgs if options.optimizer == "lbfgs" else _run_adam
    try:
        image = run(objective, start, options.iterations, options.learning_rate, recorder)
    finally:
        recorder.close()
    return StylizeResult(image=image, history=recorder.history)


def _check_positive(name, value):
    if not value > 0:
        raise NstError(f"{name} must be positive, got {value}")


def _check_save_path(save_path):
    """Raises NstError unless `save_path` is a format string with an {iteration} field."""
    try:
        named = save_path.format(iteration=0) != save_path.format(iteration=1)
    except (AttributeError, KeyError, IndexError, ValueError):
        named = False
    if not named:
        raise NstError(
            f"saving every N iterations needs a path with an {{iteration}} field, got {save_path!r}"
        )


def _check_choice(name, value, choices):
    if value not in choices:
        raise NstError(f"unknown {name} {value!r}: choose one of {', '.join(choices)}")


def _check_image_size(name, shape, arch, layers):
    """Raises NstError if an image is too small for the layers or too large for memory."""
    needed = networks.min_image_side(layers)
    if min(shape) < needed:
        raise NstError(
            f"the {name} is {shape[1]}x{shape[0]} px, too small for layer(s) "
            f"{', '.join(layers)}: its shorter side must be at least {needed} px"
        )
    need = networks.estimate_memory_bytes(arch, layers, *shape)
    available = _available_memory_bytes()
    if need > available:
        raise NstError(
            f"the {name} at {shape[1]}x{shape[0]} px needs about {need / 2**30:.1f} GiB, "
            f"more than the {available / 2**30:.1f} GiB available: choose a smaller size"
        )


def _available_memory_bytes():
    """Memory the system can give without swapping: MemAvailable (counts reclaimable cache)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")


def _as_image(image, name):
    """A path or array as a float32 (height, width, 3) array in [0, 255]."""
    if isinstance(image, (str, os.PathLike)):
        return image_io.load_image(image)
    image = np.asarray(image, dtype=np.float32)
    if image.ndim != 3 or image.shape[-1] != 3:
        raise NstError(f"the {name} image must have shape (height, width, 3), got {image.shape}")
    return image


def _initial_image(init, content, style, shape, seed):
    """The starting pixels: the content, the style resized to `shape`, or uniform noise."""
    if init == "content":
        return content.astype(np.float32)
    if init == "style":
        return image_io.resize(style, shape)
    return np.random.default_rng(seed).uniform(0.0, 255.0, (*shape, 3)).astype(np.float32)


class _Recorder:
    """Keeps the loss history, drives the progress bar and saves intermediate images."""

    def __init__(self, iterations, progress, save_every, save_path):
        self.history = []
        self.save_every = save_every
        self.save_path = save_path
        self.started = time.perf_counter()
        self.bar = tqdm.tqdm(total=iterations, disable=not progress, unit="it", dynamic_ncols=True)

    def record(self, iteration, parts, evaluations):
        """Records the losses of the image after `iteration` iterations (0: the initial image).

        Args:
          iteration: iterations done so far.
          parts: dict of scalar losses.
          evaluations: loss evaluations spent so far.
        """
        entry = {
            "iteration": iteration,
            "seconds": time.perf_counter() - self.started,
            "evaluations": evaluations,
        }
        entry.update({name: float(parts[name]) for name in LOSS_NAMES})
        self.history.append(entry)
        if iteration > 0:
            self.bar.update(iteration - self.bar.n)
            self.bar.set_postfix(
                {name: f"{entry[name]:.3g}" for name in ("content", "style", "tv")}, refresh=False
            )

    def wants_image(self, iteration):
        """Whether the image after `iteration` iterations is to be saved."""
        return bool(self.save_every) and iteration > 0 and iteration % self.save_every == 0

    def save(self, iteration, image):
        """Saves the image after `iteration` iterations if `save_every` asks for it."""
        if self.wants_image(iteration):
            image_io.save_image(self.save_path.format(iteration=iteration), image)

    def close(self):
        self.bar.close()


def _run_lbfgs(objective, start, iterations, learning_rate, recorder):
    """Minimises with L-BFGS (nst_tf.lbfgs), pixels kept in [0, 255].

    Returns:
      the final image, float32 (height, width, 3).
    """
    del learning_rate  # L-BFGS scales its own steps.
    shape = start.shape

    def evaluate(x):
        parts, gradient = objective.losses_and_gradient(tf.constant(x.reshape(1, *shape)))
        return float(parts["total"]), gradient.numpy().ravel(), parts

    def on_iteration(iteration, x, parts, evaluations):
        recorder.record(iteration, parts, evaluations)
        recorder.save(iteration, x.reshape(shape))

    return lbfgs.minimize(evaluate, start.ravel(), iterations, on_iteration).reshape(shape)


def _run_adam(objective, start, iterations, learning_rate, recorder):
    """Minimises with Adam, clipping the pixels to [0, 255] after every step.

    Returns:
      the final image, float32 (height, width, 3).
    """
    image = tf.Variable(start[None], dtype=tf.float32)
    adam = keras.optimizers.Adam(learning_rate=learning_rate)
    adam.build([image])

    for iteration in range(iterations):
        parts, gradient = objective.losses_and_gradient(image)  # losses before this update
        lbfgs.check_finite(float(parts["total"]), gradient.numpy())
        adam.apply_gradients([(gradient, image)])
        image.assign(tf.clip_by_value(image, 0.0, 255.0))
        recorder.record(iteration, parts, iteration + 1)
        if recorder.wants_image(iteration + 1):
            recorder.save(iteration + 1, image[0].numpy())
    final_parts, _ = objective.losses_and_gradient(image)
    recorder.record(iterations, final_parts, iterations + 1)
    return image[0].numpy()
