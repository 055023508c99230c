"""The options of an optimisation, each declared once with its default, choices and help; the\ncommand line's flags and the library's keyword parameters are derived from them (no TensorFlow)."""

import dataclasses
import math

from nst_tf import defaults
from nst_tf.encoders import precision as precisions
from nst_tf.errors import NstError
from nst_tf.optimize import limits, presets

OPTIMIZERS = ("lbfgs", "adam")
INITS = ("content", "style", "noise", "fast")
TEXTURE_INITS = ("noise", "style")
VGGS = ("vgg19", "vgg16")
POOLINGS = ("max", "avg")


def option(default, help, *, choices=None, flag=None, kind=None, bound=None, content=False):
    """One option, declared once: the dataclass field of Options whose metadata the command
    line's flags, the checks and the library's keyword parameters are derived from.

    Args:
      default: the default value.
      help: one line for the flag's help and the docstring.
      choices: the values allowed (checked by Options.validate, an enum flag).
      flag: the flag's name if not the option's with dashes; "" for no flag.
      kind: the flag's type: "int", "float", "string", "enum", "bool", "list" (of strings),
        "floats" (a list of numbers); default: from `default` and `choices`.
      bound: "positive" or "non-negative" (checked by Options.validate, the flag's lower bound).
      content: the option needs a content image (stylize only, not synthesize_texture).
    """
    if kind is None:
        kind = "enum" if choices else {bool: "bool", int: "int", float: "float"}.get(
            type(default), "string"
        )
    metadata = {
        "help": help, "choices": choices, "kind": kind, "bound": bound, "content": content,
        "flag": flag,
    }  # fmt: skip
    return dataclasses.field(default=default, metadata=metadata)


@dataclasses.dataclass
class Options:
    """Options of an optimisation, shared by `stylize` and `synthesize_texture`; each field is
    declared once below with its default, choices and help (see `describe`)."""

    iterations: int = option(
        defaults.ITERATIONS, "Optimiser iterations (L-BFGS iterations or Adam steps).",
        bound="positive",
    )
    optimizer: str = option("lbfgs", "Optimiser: L-BFGS or Adam.", choices=OPTIMIZERS)
    learning_rate: float = option(
        defaults.LEARNING_RATE, "Adam step size (pixel values).", bound="non-negative"
    )
    vgg: str = option("vgg19", "Loss network.", choices=VGGS)
    vgg_weights: object = option(
        defaults.DEFAULT_WEIGHTS,
        "Loss network weights: a weights file in the layout of keras.applications "
        "(include_top=False), 'imagenet' (Keras downloads and caches them), or 'none' (random, "
        "for tests). Default: $NST_TF_VGG_WEIGHTS if set, else 'imagenet'.",
        kind="string",
    )
    pooling: str = option(
        "max", "Pooling in the loss network (Gatys et al. used avg).", choices=POOLINGS
    )
    loss_network: object = option(
        None, "A prebuilt loss network to use instead (must output the layers named).", flag=""
    )
    content_layers: tuple = option(
        defaults.CONTENT_LAYERS, "Content layers.", kind="list", content=True
    )
    style_layers: object = option(
        None,
        "Style layers (default: "
        + "; ".join(f"{loss}: {','.join(ls)}" for loss, ls in defaults.STYLE_LAYERS_BY_LOSS.items())
        + ").",
        kind="list",
    )
    style_layer_weights: object = option(
        None, "One weight per style layer (default: equal).", kind="floats"
    )
    style_loss: str = option(
        "gram",
        "Style loss: Gram matrices (Gatys), MRF patches (Li & Wand 2016), style swap (Chen & "
        "Schmidt 2016, needs content) or channel moments (mean and deviation).",
        choices=defaults.STYLE_LOSS_NAMES,
    )
    content_weight: float = option(
        defaults.CONTENT_WEIGHT, "Content loss weight.", bound="non-negative", content=True
    )
    style_weight: float = option(defaults.STYLE_WEIGHT, "Style loss weight.", bound="non-negative")
    tv_weight: float = option(defaults.TV_WEIGHT, "Total variation weight.", bound="non-negative")
    tv_mode: str = option("l1", "Total variation penalty.", choices=defaults.TV_MODES)
    photorealism_weight: float = option(
        0.0,
        "Weight of the matting Laplacian regulariser (Luan et al. 2017): keeps the result "
        "locally an affine recoloring of the content photo; 1e4 is a strong setting.",
        bound="non-negative", content=True,
    )
    photo_smoothing: object = option(
        None,
        "Smooth the result in closed form with the content photo's matting affinity (PhotoWCT), "
        "strength in [0, 1] (1: PhotoWCT's setting); after the optimisation (every frame of a "
        "video), and after --fast and --model on single images.",
        kind="float", content=True,
    )
    init: str = option("content", "Initial image.", choices=INITS)
    seed: int = option(0, "Seed of the noise initialization.", bound="non-negative")
    style_scale: object = option(
        1.0,
        "Style image's longest side relative to the result's: one number, or one per style.",
        kind="floats",
    )
    style_blend: object = option(
        None,
        "One weight per style image (or, with --model, per style of the network), "
        "normalized to sum 1 (default: equal; with --model, the first style).",
        kind="floats",
    )
    masks: object = option(
        None,
        "One mask image per style, of the content's size: white where the style applies; "
        "content outside every mask gets no style.",
        kind="list", content=True,
    )
    label_map: object = option(
        None,
        "Instead of masks: a grey image of the content's size whose pixel values are 0 (no "
        "style) or k for the k-th style image.",
        kind="string", content=True,
    )
    style_label_maps: object = option(
        None,
        "Semantic guidance: one label map per style image (of its size); each region of the "
        "label map (then any grey values) takes the style of the same-valued regions of the "
        "styles (sky to sky, face to face).",
        kind="list", content=True, flag="style-label-map",
    )
    preserve_colors: str = option(
        "none",
        "Keep the content's colors: transfer the luminance only (YIQ), or recolor the styles "
        "to the content's color mean and covariance first.",
        choices=defaults.COLOR_MODES, content=True,
    )
    scales: object = option(
        None,
        "Coarse-to-fine pyramid levels (sizes halve per level; the iterations at full size, "
        "twice as many at each level below). Default: 1 if the result fits in memory whole, "
        "else enough levels for the coarsest to fit.",
        kind="int", bound="positive",
    )
    max_memory: object = option(
        None,
        "Memory the optimisation may use, such as 8G or 512M, or bytes (default: the memory "
        "available). Levels that do not fit whole are optimised in overlapping tiles.",
        kind="string",
    )
    tile_size: object = option(
        None,
        "Optimise the full-size level in overlapping tiles of this side, px, at least twice the "
        "deepest layer's receptive field (default: tiles only where the image does not fit, as "
        "large as fit). With --fast: paint in tiles of this side, sharing the whole image's "
        "normalization statistics (default: tiles of 1024 only beyond 2048x2048 px).",
        kind="int", bound="positive",
    )
    tile_passes: int = option(1, "Sweeps over the tiles of a tiled level.", bound="positive")
    progress: bool = option(True, "Show a progress bar with the losses.", flag="")
    save_every: int = option(
        0,
        "Save the current image every N iterations, beside the output (OUT_0050.jpg, ...); "
        "0: never.",
        bound="non-negative",
    )
    save_path: object = option(
        None, "Where save_every saves: a format string with an {iteration} field.", flag=""
    )
    precision: str = option(
        "auto",
        "The loss network's number format: auto = bfloat16 on CPUs with AVX512-BF16 or AMX "
        "(faster evaluations, see the README), else float32. Loss sums stay float32.",
        choices=precisions.PRECISIONS,
    )
    xla: bool = option(
        True,
        "Compile a float32 loss with XLA (faster iterations after a compilation per image "
        "size, see the README); bfloat16 runs on oneDNN's kernels without it.",
    )
    on_iteration: object = option(
        None,
        "None, or a function called after every iteration as on_iteration(iteration, image): "
        "the iterations so far and a function returning the current result; an exception "
        "raised in it stops the optimisation (a way to cancel).",
        flag="",
    )

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
        for field in dataclasses.fields(self):
            value, meta = getattr(self, field.name), field.metadata
            if meta["choices"] is not None:
                check_choice(field.name, value, meta["choices"])
            if meta["bound"] == "positive" and value is not None:
                check_positive(field.name, value)
            elif meta["bound"] == "non-negative" and value is not None:
                check_non_negative(field.name, value, meta["kind"])
        if self.max_memory is not None:
            limits.parse_memory(self.max_memory)
        if self.optimizer == "adam":
            check_positive("learning_rate", self.learning_rate)
        if self.style_layers is not None and not list(self.style_layers):
            raise NstError("no style layers given: name at least one, such as block1_conv1")
        if self.photo_smoothing is not None:
            from nst_tf.photoreal import smoothing  # SciPy, only when asked

            smoothing.check_strength(self.photo_smoothing)
        if self.masks is not None and self.label_map is not None:
            raise NstError("give masks or a label_map, not both")
        if self.style_label_maps is not None:
            if self.label_map is None:
                raise NstError("style label maps need a label map of the content (label_map)")
            if self.style_loss not in defaults.STYLE_LOSSES_WITH_REGIONS:
                raise NstError(
                    f"style label maps work with the "
                    f"{' and '.join(defaults.STYLE_LOSSES_WITH_REGIONS)} style losses, not "
                    f"{self.style_loss}"
                )
        if self.save_every:
            check_save_path(self.save_path)
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


def check_non_negative(name, value, kind="float"):
    """Raises NstError unless `value` is a finite number >= 0 (`kind` "int": 0 or positive)."""
    if kind == "int" and value < 0:
        raise NstError(f"{name} must be 0 or positive, got {value}")
    if not (math.isfinite(value) and value >= 0):
        raise NstError(f"{name} must be a finite number >= 0, got {value}")


def declared(texture=False):
    """The declared options by name (dataclass fields with their metadata); `texture`: only
    those that apply without a content image."""
    return {
        field.name: field
        for field in dataclasses.fields(Options)
        if not (texture and field.metadata["content"])
    }


def describe():
    """One line per option: its name, default and help (for docstrings and the README)."""
    return "\n".join(
        f"{name} (default {field.default!r}): {field.metadata['help']}"
        for name, field in declared().items()
    )


def check_save_path(save_path):
    """Raises NstError unless `save_path` is a format string with an {iteration} field."""
    try:
        named = save_path.format(iteration=0) != save_path.format(iteration=1)
    except (AttributeError, KeyError, IndexError, ValueError):
        named = False
    if not named:
        raise NstError(
            f"saving every N iterations needs a path with an {{iteration}} field, got {save_path!r}"
        )


Options.__doc__ += "\n\n    Attributes:\n" + "\n".join(
    f"      {line}" for line in describe().splitlines()
)
