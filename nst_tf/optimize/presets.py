"""Named option presets for `nst_tf.stylize` (and `nst-tf stylize --preset`)."""

from nst_tf.errors import NstError

PRESETS = {
    # Photorealistic transfer (Luan et al. 2017; Li et al. 2018): start from the photo, keep its
    # structure with a higher content weight and the matting Laplacian regulariser (the result
    # stays locally an affine recolouring of the photo, so it takes the style's colours but not
    # its brush strokes), then smooth the result in closed form. Weight 1e4 as Luan et al.; the
    # term and the smoothing each keep more of the photo's edges than the old preset did
    # (tools/bench/bench_photoreal.py; figures in bench_results/bench_photoreal.json and the
    # README's photorealistic section).
    "photorealistic": {
        "init": "content",
        "content_weight": 5.0,
        "preserve_colors": "none",
        "photorealism_weight": 1e4,
        "photo_smoothing": 1.0,
    },
}

# Every option a preset may set; left at None by a caller, they take the preset's value.
PRESET_OPTIONS = (
    "init",
    "content_weight",
    "preserve_colors",
    "photorealism_weight",
    "photo_smoothing",
)


def preset_options(name):
    """The options of preset `name` (None: no options).

    Raises:
      NstError: unknown preset name.
    """
    if name is None:
        return {}
    if name not in PRESETS:
        raise NstError(f"unknown preset {name!r}: choose one of {', '.join(PRESETS)}")
    return dict(PRESETS[name])
