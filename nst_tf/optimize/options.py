"""The settings of an optimisation, checked without TensorFlow (the command line checks them first)."""

import dataclasses
import math

from nst_tf import defaults
from nst_tf.encoders import precision as precisions
from nst_tf.errors import NstError
from nst_tf.optimize import limits, presets

OPTIMIZERS = ("lbfgs", "adam")
INITS = ("content", "style", "noise", "fast")


@dataclasses.dataclass
class Options:
    """Options of an optimisation, shared by `stylize` and `synthesize_texture`.

    Attributes:
      iterations: optimiser iterations (L-BFGS iterations or Adam steps).
      optimizer: "lbfgs" (about one loss evaluation per iteration, pixels kept in [0, 255])
        or "adam".
      learning_rate: Adam's step size, in pixel values.
      vgg, vgg_weights, pooling: the loss network (see encoders.vgg.build_loss_network).
      loss_network: a prebuilt loss network to use instead (must output the layers below).
      content_layers: VGG layer names.
      style_layers: VGG layer names; None: the style loss's defaults
        (defaults.STYLE_LAYERS_BY_LOSS).
      style_layer_weights: one weight per style layer; default 1/number each.
      style_loss: "gram" (Gatys), "mrf" (Li & Wand 2016), "swap" (Chen & Schmidt 2016; needs a
        content image) or "moments" (channel means and deviations).
      content_weight, style_weight, tv_weight: loss weights (losses on the caffe 0-255 scale).
      tv_mode: "l1" or "squared" total variation.
      photorealism_weight: weight of Luan et al.'s matting Laplacian regulariser (0: off), which
        keeps the result locally an affine recolouring of the content photo; the loss is
        sum_c V_c^T L V_c on colours in [0, 1]. Needs a content image.
      photo_smoothing: None, or the strength in [0, 1] of the closed-form smoothing
        (nst_tf.photoreal.smoothing) applied to the result. Needs a content image.
      init: start from the "content" image, the "style" image (resized), seeded "noise", or
        the "fast" one-pass result of the pretrained arbitrary network (needs content).
      seed: seed of the noise initialisation.
      style_scale: the style image's longest side is the result's times this factor; one
        number for all style images or a list with one per style.
      style_blend: one weight per style image (normalised to sum 1); default equal.
      masks: one region mask per style image (paths or arrays of the content's size, white where
        the style applies); the content outside every mask gets no style. Needs a content image.
      label_map: instead of masks, one image of the content's size whose pixel values are 0 (no
        style) or k for the k-th style image; with style_label_maps, its values name regions.
      style_label_maps: semantic guidance: one label map per style image, of its size; each
        region of the content's label_map takes the style of the same-valued regions of the
        style images (Gram and moments losses).
      preserve_colors: "none", "luminance" (transfer on the luminance only, keep the content's
        chroma in YIQ) or "histogram" (recolour the styles to the content's colour mean and
        covariance first). Needs a content image.
      scales: levels of a coarse-to-fine pyramid (1: single scale; None: 1 if the result fits in
        memory whole, else enough levels for the coarsest to fit); see nst_tf.optimize.pyramid.
      max_memory: memory the optimisation may use, bytes or a string such as "8G" or "512M";
        None: the memory available. Levels that do not fit whole are optimised in tiles
        (nst_tf.optimize.schedule chooses them).
      tile_size: tile side in px for the full-size level (forces tiling); None: chosen to fit.
      tile_passes: sweeps over the tiles of a tiled level (each tile gets `iterations` per pass).
      progress: show a progress bar with the losses.
      save_every: save the current image every this many iterations (0: never).
      save_path: where to save it: a format string with an {iteration} field.
      precision: the loss network's number format: "auto" (bfloat16 on CPUs that compute it
        natively, such as those with AVX512-BF16, else float32), "float32" or "bfloat16"; the
        loss terms are summed in float32 either way (see nst_tf.encoders.precision).
      xla: compile a float32 loss and its gradient with XLA: about 25 % faster per iteration at
        512 px, for 3-8 s of compilation per image size; worth turning off for small or few
        iterations. A bfloat16 loss runs as a plain graph on oneDNN's kernels, which XLA's CPU
        backend does not use.
      on_iteration: None, or a function called after every iteration as
        `on_iteration(iteration, image)`: the iterations done so far (over all pyramid levels) and
        a function of no arguments that returns the current result (float32 (height, width, 3)
        in [0, 255], colours put back). For progress displays; an exception raised in it stops
        the optimisation and propagates (a way to cancel).
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
    photorealism_weight: float = 0.0
    photo_smoothing: object = None
    init: str = "content"
    seed: int = 0
    style_scale: object = 1.0
    style_blend: object = None
    masks: object = None
    label_map: object = None
    style_label_maps: object = None
    preserve_colors: str = "none"
    scales: object = None
    max_memory: object = None
    tile_size: object = None
    tile_passes: int = 1
    progress: bool = True
    save_every: int = 0
    save_path: object = None
    precision: str = "auto"
    xla: bool = True
    on_iteration: object = None

    @classmethod
    def from_arguments(cls, arguments, preset=None):
        """Options from keyword arguments; the preset's options that are None there take the
        preset's value (or the default).

        Raises:
          NstError: an unknown preset or option name.
        """
        given = {
            name: value
            for name, value in arguments.items()
            if not (value is None and name in presets.PRESET_OPTIONS)
        }
        try:
            return cls(**{**presets.preset_options(preset), **given})
        except TypeError:
            known = {field.name for field in dataclasses.fields(cls)}
            unknown = ", ".join(sorted(set(given) - known))
            raise NstError(f"unknown option(s) {unknown}") from None

    def validate(self):
        """Raises NstError for values out of range or unknown names."""
        check_positive("iterations", self.iterations)
        for name in ("scales", "tile_size"):
            if getattr(self, name) is not None:
                check_positive(name, getattr(self, name))
        check_positive("tile_passes", self.tile_passes)
        if self.max_memory is not None:
            limits.parse_memory(self.max_memory)
        if self.optimizer == "adam":
            check_positive("learning_rate", self.learning_rate)
        for name in ("content_weight", "style_weight", "tv_weight", "photorealism_weight"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise NstError(f"{name} must be a finite number >= 0, got {value}")
        if self.seed < 0:
            raise NstError(f"seed must be 0 or positive, got {self.seed}")
        if self.style_layers is not None and not list(self.style_layers):
            raise NstError("no style layers given: name at least one, such as block1_conv1")
        if self.photo_smoothing is not None:
            from nst_tf.photoreal import smoothing  # SciPy, only when asked

            smoothing.check_strength(self.photo_smoothing)
        check_choice("style_loss", self.style_loss, defaults.STYLE_LOSS_NAMES)
        check_choice("preserve_colors", self.preserve_colors, defaults.COLOR_MODES)
        if self.masks is not None and self.label_map is not None:
            raise NstError("give masks or a label_map, not both")
        if self.style_label_maps is not None:
            if self.label_map is None:
                raise NstError("style label maps need a label map of the content (label_map)")
            if self.style_loss not in defaults.STYLE_LOSSES_WITH_REGIONS:
                raise NstError(
                    f"style label maps work with the {' and '.join(defaults.STYLE_LOSSES_WITH_REGIONS)} "
                    f"style losses, not {self.style_loss}"
                )
        check_choice("optimizer", self.optimizer, OPTIMIZERS)
        check_choice("init", self.init, INITS)
        check_choice("tv_mode", self.tv_mode, defaults.TV_MODES)
        check_choice("precision", self.precision, precisions.PRECISIONS)
        if self.save_every < 0:
            raise NstError(f"save_every must be 0 or positive, got {self.save_every}")
        if self.save_every:
            _check_save_path(self.save_path)
        if self.on_iteration is not None and not callable(self.on_iteration):
            raise NstError(f"on_iteration must be a function or None, got {self.on_iteration!r}")
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


def check_positive(name, value):
    """Raises NstError unless `value` > 0."""
    if not value > 0:
        raise NstError(f"{name} must be positive, got {value}")


def check_choice(name, value, choices):
    """Raises NstError unless `value` is one of `choices`."""
    if value not in choices:
        raise NstError(f"unknown {name} {value!r}: choose one of {', '.join(choices)}")


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
