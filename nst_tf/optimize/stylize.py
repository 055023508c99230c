"""Image optimisation style transfer (Gatys, Ecker & Bethge 2015/2016) and texture synthesis.

The pixels of one image are optimised with L-BFGS (nst_tf.optimize.lbfgs) or Adam (Keras) so that its VGG
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

from nst_tf.optimize import colors
from nst_tf import defaults
from nst_tf.optimize import lbfgs
from nst_tf.encoders import vgg as networks
from nst_tf.optimize import presets
from nst_tf.optimize import pyramid
from nst_tf.losses import style as style_losses
from nst_tf.io import image_io as image_io
from nst_tf.optimize import style_controls as style_rules
from nst_tf.errors import NstError
from nst_tf.losses.core import ContentLoss, TotalVariation

OPTIMIZERS = ("lbfgs", "adam")
INITS = ("content", "style", "noise")
LOSS_NAMES = ("total", "content", "style", "tv")


@dataclasses.dataclass
class StylizeResult:
    """What an optimisation returns.

    Attributes:
      image: float32 array (height, width, 3) in [0, 255].
      history: one dict per iteration (iteration 0 is the initial image) with the keys
        "iteration", "seconds" (since the start), "evaluations" (loss evaluations so far),
        "level" (pyramid level, 0 the coarsest; each level starts with an entry of its upsampled
        starting image, at the iteration count where the level below ended) and the weighted
        losses "total", "content", "style", "tv".
    """

    image: np.ndarray
    history: list


class Objective:
    """The weighted sum of content, style and total variation losses of one image, with its gradient.

    The style term is the blend-weighted sum over the style images of the chosen style loss
    (nst_tf.losses.style), each restricted to its region mask if masks are given.
    `losses_and_gradient` is a `tf.function` with a fixed input signature, traced once.

    Args:
      loss_network: model returning a dict of named activations (see networks.build_loss_network).
      shape: (height, width) of the image being optimised.
      content: content image (height, width, 3), or None for texture synthesis (then
        content_layers must be empty).
      style: one style image (any size, 3 channels), or a list of them.
      content_layers, style_layers: layer names.
      content_weight, style_weight, tv_weight: loss weights.
      style_layer_weights: one weight per style layer; default 1/number each.
      tv_mode: "l1" or "squared".
      style_loss: a name in style_losses.STYLE_LOSSES.
      blend: one weight per style image; default equal weights summing to 1.
      masks: None, or one region mask per style image ((height, width), any size, values in
        [0, 1]); each is averaged down to every style layer's resolution (needs the content).
      xla: compile the loss and gradient with XLA.
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
        style_loss="gram",
        blend=None,
        masks=None,
        xla=True,
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
        self.style_loss = style_losses.make_style_loss(style_loss, style_layer_weights)
        self.total_variation = TotalVariation(tv_mode)
        styles = list(style) if isinstance(style, (list, tuple)) else [style]
        blend = [1.0 / len(styles)] * len(styles) if blend is None else blend
        self.content_targets = []
        content_style_features = None
        if content is not None:
            content_features = loss_network(content[None])
            self.content_targets = [
                tf.constant(content_features[name]) for name in self.content_layers
            ]
            content_style_features = [content_features[name] for name in self.style_layers]
        masks = [None] * len(styles) if masks is None else masks
        self.style_terms = []
        for weight, image, mask in zip(blend, styles, masks):
            features = loss_network(image[None])
            targets = self.style_loss.targets(
                [features[name] for name in self.style_layers], content_style_features
            )
            positions = None if mask is None else _layer_masks(mask, content_style_features)
            self.style_terms.append((float(weight), tf.nest.map_structure(tf.constant, targets),
                                     positions))  # fmt: skip
        spec = tf.TensorSpec((1, *shape, 3), tf.float32)
        # XLA fuses the VGG backward pass: 25% faster at 512 px on a 2-core CPU (tools/bench_optimize.py).
        self.losses_and_gradient = tf.function(
            self._losses_and_gradient, input_signature=[spec], jit_compile=xla
        )

    def losses(self, image):
        """Weighted losses of a batch of one image.

        Args:
          image: tensor (1, height, width, 3), RGB in [0, 255].

        Returns:
          dict with scalar tensors "total", "content", "style", "tv".
        """
        features = self.loss_network(image)
        style_features = [features[name] for name in self.style_layers]
        style = 0.0
        for weight, targets, positions in self.style_terms:
            if weight:
                style += weight * self.style_loss(style_features, targets, positions)
        parts = {
            "style": self.weights["style"] * style,
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


def _layer_masks(mask, layer_features):
    """A mask (height, width) averaged down to each layer's resolution: (1, h, w, 1) tensors."""
    mask = tf.constant(np.asarray(mask, np.float32)[None, :, :, None])
    return [
        tf.image.resize(mask, tf.shape(feature)[1:3], method="area") for feature in layer_features
    ]


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
      content_layers: VGG layer names.
      style_layers: VGG layer names; None: the style loss's defaults
        (defaults.STYLE_LAYERS_BY_LOSS).
      style_layer_weights: one weight per style layer; default 1/number each.
      style_loss: "gram" (Gatys), "mrf" (Li & Wand 2016), "swap" (Chen & Schmidt 2016; needs a
        content image) or "moments" (channel means and deviations).
      content_weight, style_weight, tv_weight: loss weights (losses on the caffe 0-255 scale).
      tv_mode: "l1" or "squared" total variation.
      init: start from the "content" image, the "style" image (resized) or seeded "noise".
      seed: seed of the noise initialisation.
      style_scale: the style image's longest side is the result's times this factor; one
        number for all style images or a list with one per style.
      style_blend: one weight per style image (normalised to sum 1); default equal.
      masks: one region mask per style image (paths or arrays of the content's size, white where
        the style applies); the content outside every mask gets no style. Needs a content image.
      label_map: instead of masks, one image of the content's size whose pixel values are 0 (no
        style) or k for the k-th style image.
      preserve_colors: "none", "luminance" (transfer on the luminance only, keep the content's
        chroma in YIQ) or "histogram" (recolour the styles to the content's colour mean and
        covariance first). Needs a content image.
      scales: levels of a coarse-to-fine pyramid (1: single scale); see nst_tf.optimize.pyramid.
      progress: show a progress bar with the losses.
      save_every: save the current image every this many iterations (0: never).
      save_path: where to save it: a format string with an {iteration} field.
      xla: compile the loss and its gradient with XLA: about 25 % faster per iteration at 512 px,
        for 3-8 s of compilation per image size; worth turning off for small or few iterations.
    """

    iterations: int = defaults.ITERATIONS
    optimizer: str = "lbfgs"
    learning_rate: float = defaults.LEARNING_RATE
    vgg: str = "vgg19"
    vgg_weights: object = defaults.DEFAULT_WEIGHTS
    pooling: str = "max"
    loss_network: object = None
    content_layers: tuple = defaults.CONTENT_LAYERS
    style_layers: object = None
    style_layer_weights: object = None
    style_loss: str = "gram"
    content_weight: float = defaults.CONTENT_WEIGHT
    style_weight: float = defaults.STYLE_WEIGHT
    tv_weight: float = defaults.TV_WEIGHT
    tv_mode: str = "l1"
    init: str = "content"
    seed: int = 0
    style_scale: object = 1.0
    style_blend: object = None
    masks: object = None
    label_map: object = None
    preserve_colors: str = "none"
    scales: int = 1
    progress: bool = True
    save_every: int = 0
    save_path: object = None
    xla: bool = True

    def check(self):
        """Raises NstError for values out of range or unknown names."""
        _check_positive("iterations", self.iterations)
        _check_positive("scales", self.scales)
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
        if self.style_layers is not None and not list(self.style_layers):
            raise NstError("no style layers given: name at least one, such as block1_conv1")
        _check_choice("style loss", self.style_loss, tuple(style_losses.STYLE_LOSSES))
        _check_choice("preserve colors mode", self.preserve_colors, colors.MODES)
        if self.masks is not None and self.label_map is not None:
            raise NstError("give masks or a label map, not both")
        _check_choice("optimizer", self.optimizer, OPTIMIZERS)
        _check_choice("init", self.init, INITS)
        _check_choice("total variation mode", self.tv_mode, TotalVariation.MODES)
        if self.save_every < 0:
            raise NstError(f"save-every must be 0 or positive, got {self.save_every}")
        if self.save_every:
            _check_save_path(self.save_path)
        style_layers = self.resolved_style_layers()
        if self.style_layer_weights is not None and len(self.style_layer_weights) != len(
            style_layers
        ):
            raise NstError(
                f"got {len(self.style_layer_weights)} style layer weights for "
                f"{len(style_layers)} style layers"
            )

    def resolved_style_layers(self):
        """The style layers: those named, or the style loss's defaults."""
        if self.style_layers is None:
            return list(defaults.STYLE_LAYERS_BY_LOSS.get(self.style_loss, defaults.STYLE_LAYERS))
        return list(self.style_layers)


def _make_options(options):
    """Options from keyword arguments, with a one-line error for unknown names."""
    try:
        return Options(**options)
    except TypeError:
        known = {field.name for field in dataclasses.fields(Options)}
        unknown = ", ".join(sorted(set(options) - known))
        raise NstError(f"unknown option(s) {unknown}") from None


def stylize(content, style, *, size=None, preset=None, **options):
    """Transfers the style of one image onto the content of another by optimising the pixels.

    Args:
      content: content image, a path or an array (height, width, 3) in [0, 255].
      style: style image, a path or an array; or a list of them (see `style_blend`, `masks`).
      size: longest side of the result in px; None keeps the content's size.
      preset: None, or a name in nst_tf.optimize.presets.PRESETS whose options apply unless given here.
      **options: fields of `Options` (iterations, optimizer, vgg, vgg_weights, style_weight, ...).

    Returns:
      StylizeResult.

    Raises:
      NstError: bad images, sizes, layers or options.
    """
    options = _make_options({**presets.preset_options(preset), **options})
    content = _as_image(content, "content")
    shape = content.shape[:2]
    if size is not None:
        _check_positive("size", size)
        shape = image_io.scaled_size(*shape, size)
    return _optimize(content, style, shape, options)


def synthesize_texture(style, *, size=512, **options):
    """Synthesises a texture from a style image alone (Gatys, Ecker & Bethge 2015a).

    Args:
      style: the example texture, a path or an array; or a list of them to blend.
      size: longest side in px (int) of a result shaped like the (first) style image, or
        (height, width).
      **options: fields of `Options` but the content ones; `init` is "noise" (default) or "style".

    Returns:
      StylizeResult.

    Raises:
      NstError: bad images, sizes, layers or options.
    """
    options = _make_options({"init": "noise", **options})
    if options.init == "content":
        raise NstError("texture synthesis has no content image: use init 'noise' or 'style'")
    styles = _as_images(style)
    if isinstance(size, (int, np.integer)):
        _check_positive("size", size)
        shape = image_io.scaled_size(*styles[0].shape[:2], size)
    else:
        shape = tuple(int(side) for side in size)
        for side in shape:
            _check_positive("size", side)
    return _optimize(None, styles, shape, options)


def _optimize(content, style, shape, options):
    """The optimisation behind `stylize` (content given) and `synthesize_texture` (content None).

    Args:
      content: content image array at any size, or None.
      style: style image, path or array, or a list of them.
      shape: (height, width) of the result.
      options: Options.

    Returns:
      StylizeResult.
    """
    options.check()
    styles = _as_images(style)
    blend = style_rules.blend_weights(options.style_blend, len(styles))
    scales = style_rules.style_scales(options.style_scale, len(styles))
    _check_content_needs(content, options)
    masks = _region_masks(options, content, len(styles))
    style_layers = options.resolved_style_layers()
    content_layers = list(options.content_layers) if content is not None else []
    all_layers = style_layers + content_layers
    networks.check_layers(options.vgg, all_layers)
    level_shapes = pyramid.level_shapes(shape, options.scales)
    for level_shape in level_shapes:
        _check_level_sizes(level_shape, styles, scales, options, all_layers)
    colour_source = content
    content, styles = _colour_inputs(content, styles, options.preserve_colors)

    def finish(image):
        if options.preserve_colors != "luminance":
            return image
        return colors.combine_luminance(image, image_io.resize(colour_source, image.shape[:2]))

    loss_network = options.loss_network
    if loss_network is None:
        loss_network = networks.build_loss_network(
            all_layers, options.vgg, options.vgg_weights, options.pooling
        )
    history = []
    started = time.perf_counter()
    image = None
    levels = zip(level_shapes, pyramid.level_iterations(options.iterations, len(level_shapes)))
    for level_shape, iterations in levels:
        level_content = None if content is None else image_io.resize(content, level_shape)
        level_styles = [
            image_io.resize(style_image, _style_shape(style_image, level_shape, scale))
            for style_image, scale in zip(styles, scales)
        ]
        objective = Objective(
            loss_network,
            level_shape,
            level_content,
            level_styles,
            content_layers,
            style_layers,
            options.content_weight,
            options.style_weight,
            options.tv_weight,
            options.style_layer_weights,
            options.tv_mode,
            options.style_loss,
            blend,
            masks,
            options.xla,
        )
        if image is None:
            start = _initial_image(
                options.init, level_content, level_styles[0], level_shape, options.seed
            )
        else:
            start = image_io.resize(image, level_shape)
        recorder = _Recorder(iterations, options, started, history, finish)
        run = _run_lbfgs if options.optimizer == "lbfgs" else _run_adam
        try:
            image = run(objective, start, iterations, options.learning_rate, recorder)
        finally:
            recorder.close()
        history += recorder.history
    return StylizeResult(image=finish(image), history=history)


def _check_level_sizes(shape, styles, scales, options, layers):
    """Raises NstError if the result or a style image at one pyramid level is too small for the
    layers, or too large for memory."""
    _check_image_size("result", shape, options.vgg, layers)
    for image, scale in zip(styles, scales):
        style_shape = _style_shape(image, shape, scale)
        _check_image_size("style image", style_shape, options.vgg, layers)
        if options.style_loss in ("mrf", "swap"):
            _check_patch_memory(shape, style_shape, options.resolved_style_layers())


def _colour_inputs(content, styles, preserve_colors):
    """The content and style images the optimisation sees under a colour preservation mode.

    Returns:
      (content, styles): grey luminance images for "luminance", the styles recoloured to the
      content's colour statistics for "histogram", the inputs unchanged for "none".
    """
    if preserve_colors == "histogram":
        return content, [colors.match_colors(image, content) for image in styles]
    if preserve_colors == "luminance":
        styles = [colors.match_luminance(image, content) for image in styles]
        return colors.luminance_image(content), styles
    return content, styles


def _as_images(style):
    """One style image or a list of them (paths or arrays) as a non-empty list of arrays."""
    many = isinstance(style, (list, tuple))
    styles = [_as_image(image, "style") for image in (style if many else [style])]
    if not styles:
        raise NstError("no style image given")
    return styles


def _style_shape(style, shape, scale):
    """The size of a style image whose longest side is the result's times `scale`."""
    return image_io.scaled_size(*style.shape[:2], max(1, round(max(shape) * scale)))


def _check_content_needs(content, options):
    """Raises NstError for controls that need a content image when there is none."""
    if content is not None:
        return
    needs = {
        "colour preservation": options.preserve_colors != "none",
        "masks": options.masks is not None or options.label_map is not None,
        "the style swap loss": options.style_loss == "swap",
    }
    for name, wanted in needs.items():
        if wanted:
            verb = "need" if name == "masks" else "needs"
            raise NstError(f"{name} {verb} a content image: use stylize, not texture synthesis")


def _region_masks(options, content, count):
    """The region masks of the styles at the content's size, or None."""
    if options.masks is not None:
        return style_rules.load_masks(list(options.masks), count, content.shape[:2])
    if options.label_map is not None:
        return style_rules.masks_from_label_map(options.label_map, count, content.shape[:2])
    return None


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


def _check_patch_memory(shape, style_shape, layers):
    """Raises NstError if the patch matching scores (one per result patch and style patch, at
    each style layer, with their gradient's temporaries) would not fit in memory."""
    need = 0
    for name in layers:
        stride = 2 ** (int(name[len("block")]) - 1)  # the conv layers of block b: halved b-1 times
        positions = [(side // stride) * (other // stride) for side, other in (shape, style_shape)]
        need += positions[0] * positions[1] * 4 * 3
    available = _available_memory_bytes()
    if need > available:
        raise NstError(
            f"patch matching at {shape[1]}x{shape[0]} px with a {style_shape[1]}x{style_shape[0]} "
            f"px style needs about {need / 2**30:.1f} GiB, more than the {available / 2**30:.1f} "
            "GiB available: choose a smaller --size or --style-scale"
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
    """Keeps the loss history of one pyramid level, drives the progress bar, saves images.

    Args:
      iterations: iterations of this level.
      options: Options (progress, save_every, save_path).
      started: `time.perf_counter()` at the start of the whole optimisation.
      earlier: the history of the coarser levels, which this level's entries continue.
      finish: turns the optimised image into the result (puts the colours back in luminance
        mode); saved images go through it too.
    """

    def __init__(self, iterations, options, started, earlier, finish):
        self.history = []
        self.finish = finish
        self.save_every = options.save_every
        self.save_path = options.save_path
        self.started = started
        last = earlier[-1] if earlier else {"level": -1, "iteration": 0, "evaluations": 0}
        self.level = last["level"] + 1
        self.first_iteration = last["iteration"]
        self.first_evaluation = last["evaluations"]
        self.bar = tqdm.tqdm(
            total=iterations, disable=not options.progress, unit="it", dynamic_ncols=True
        )

    def record(self, iteration, parts, evaluations):
        """Records the losses of the image after `iteration` iterations (0: the initial image).

        Args:
          iteration: iterations done so far in this level.
          parts: dict of scalar losses.
          evaluations: loss evaluations spent so far in this level.
        """
        entry = {
            "iteration": self.first_iteration + iteration,
            "seconds": time.perf_counter() - self.started,
            "evaluations": self.first_evaluation + evaluations,
            "level": self.level,
        }
        entry.update({name: float(parts[name]) for name in LOSS_NAMES})
        self.history.append(entry)
        if iteration > 0:
            self.bar.update(iteration - self.bar.n)
            self.bar.set_postfix(
                {name: f"{entry[name]:.3g}" for name in ("content", "style", "tv")}, refresh=False
            )

    def wants_image(self, iteration):
        """Whether the image after `iteration` iterations of this level is to be saved."""
        iteration += self.first_iteration
        return bool(self.save_every) and iteration > 0 and iteration % self.save_every == 0

    def save(self, iteration, image):
        """Saves the image after `iteration` iterations of this level if `save_every` asks."""
        if self.wants_image(iteration):
            path = self.save_path.format(iteration=self.first_iteration + iteration)
            image_io.save_image(path, self.finish(image))

    def close(self):
        self.bar.close()


def _run_lbfgs(objective, start, iterations, learning_rate, recorder):
    """Minimises with L-BFGS (nst_tf.optimize.lbfgs), pixels kept in [0, 255].

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
