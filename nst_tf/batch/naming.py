"""Where each input of a batch goes: output names derived from input paths (no Beam, no
TensorFlow), for local paths and URLs (gs://bucket/...) alike."""

import os
import re

from nst_tf.io import image_io

# Written when an input's ending is not one we can write (.gif, none): NAME.gif -> NAME.gif.png.
FALLBACK_ENDING = ".png"
DEAD_LETTER_NAME = "failed.jsonl"


def is_url(path):
    """Whether a path names a remote file system (scheme://...), not a local file."""
    return re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", path) is not None


def absolute(path):
    """A local path made absolute; a URL as it is."""
    return path if is_url(path) else os.path.abspath(path)


def glob_base(pattern):
    """The folder of a glob before its first wildcard: outputs keep their paths below it.

    >>> glob_base("photos/2024/**/*.jpg")
    'photos/2024/'
    """
    head = re.split(r"[*?\[]", pattern, maxsplit=1)[0]
    return head[: head.rfind("/") + 1]


def output_path(input_path, base, output_dir):
    """The output of one input: its path below `base`, under `output_dir`, same ending (or
    FALLBACK_ENDING appended when that ending cannot be written)."""
    relative = input_path[len(base) :] if input_path.startswith(base) else input_path
    relative = relative.lstrip("/")
    if os.path.splitext(relative)[1].lower() not in image_io.WRITE_FORMATS:
        relative += FALLBACK_ENDING
    return output_dir.rstrip("/") + "/" + relative
