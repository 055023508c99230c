"""The networks shipped with nst_tf, found by name (no TensorFlow here).

A network is NAME.keras with NAME.json beside it ("style_names", "description", ...), in
nst_tf/exported_models once installed, or exported_models/ in a checkout. The LiteRT runtime's
.tflite files (written by tools/release/ship_litert.py) are in its litert/ folder.
"""

import functools
import json
import os

from nst_tf.errors import NstError

# Shipped networks: nst_tf/exported_models once installed, exported_models/ in a checkout.
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # nst_tf/
SHIPPED_DIRS = (
    os.path.join(_PACKAGE_DIR, "exported_models"),
    os.path.join(os.path.dirname(_PACKAGE_DIR), "exported_models"),
)


LITERT_FOLDER = "litert"


def find_file(*parts):
    """A shipped file by its path under exported_models (folder, ..., name), or None."""
    for folder in SHIPPED_DIRS:
        path = os.path.join(folder, *parts)
        if os.path.isfile(path):
            return path
    return None


def find_tflite(name):
    """The shipped file litert/NAME.tflite, or None."""
    return find_file(LITERT_FOLDER, f"{name}.tflite")


def has_tflite(names):
    """Whether every shipped file litert/NAME.tflite of `names` is installed."""
    return all(find_tflite(name) for name in names)


def load_tflite(name):
    """The shipped file litert/NAME.tflite on LiteRT (see nst_tf.lite.interpreter.Network).

    Raises:
      NstError: not installed.
    """
    from nst_tf.lite import interpreter

    path = find_tflite(name)
    if path is None:
        raise NstError(
            f"the LiteRT file {name}.tflite is missing from this installation "
            f"(exported_models/{LITERT_FOLDER}; tools/release/ship_litert.py writes it)"
        )
    return interpreter.Network(path)


@functools.cache
def tflite_network(name):
    """The shipped file litert/NAME.tflite on LiteRT, loaded once per process."""
    return load_tflite(name)


def shipped_models():
    """The shipped networks by name (their file name without ending).

    Returns:
      dict name -> .keras file.
    """
    found = {}
    for folder in SHIPPED_DIRS:
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            stem, ending = os.path.splitext(name)
            if ending == ".keras" and os.path.isfile(os.path.join(folder, stem + ".json")):
                found.setdefault(stem, os.path.join(folder, name))
    return found


def shipped_styles():
    """The named styles of the shipped networks.

    Returns:
      dict style name -> .keras file holding it.
    """
    found = {}
    for keras_file in shipped_models().values():
        with open(os.path.splitext(keras_file)[0] + ".json") as f:
            for style in json.load(f).get("style_names", []):
                found.setdefault(style, keras_file)
    return found


def model_reference(text):
    """What a --model argument names: (the .keras file, the style asked for or None).

    Accepted: a .keras file, a training run folder, a shipped network's name, NAME:STYLE (a
    style or a mix of that shipped network, e.g. magenta26:7 or magenta26:3:0.5,12:0.5), or the
    name of a style of a shipped network.

    Raises:
      NstError: nothing that looks like a model there.
    """
    text = os.fspath(text)
    if not os.path.exists(text):
        models, styles = shipped_models(), shipped_styles()
        name, _, style = text.partition(":")
        if name in models:
            return models[name], style or None
        if text in styles:
            return styles[text], text
        known = ", ".join([*models, *styles])
        raise NstError(
            f"model not found: {text} (give a .keras file, a training run folder, or a shipped "
            f"network or style: {known})"
        )
    if os.path.isdir(text):
        inside = os.path.join(text, "model.keras")
        if not os.path.isfile(inside):
            raise NstError(f"not a model: {text} is a folder without model.keras")
        return inside, None
    if not text.endswith(".keras"):
        raise NstError(f"not a model: {text} (expected a .keras file or a training run folder)")
    return text, None
