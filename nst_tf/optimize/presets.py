"""Named option presets for `nst_tf.stylize` (and `nst-tf stylize --preset`)."""

from nst_tf.errors import NstError

PRESETS = {
    # Photorealistic transfer: start from the photo, keep its structure with a higher content
    # weight, and recolour the style to the photo's colours so that only texture and tone move.
    "photorealistic": {
        "init": "content",
        "content_weight": 5.0,
        "preserve_colors": "histogram",
    },
}

# Every option a preset may set; left at None by a caller, they take the preset's value.
PRESET_OPTIONS = ("init", "content_weight", "preserve_colors")


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
