"""Plots for people: the loss curves of an optimisation."""

import io
import os

from nst_tf.errors import NstError
from nst_tf.io.files import check_writable_destination, write_atomically

_PLOT_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf", ".jpg": "jpg", ".jpeg": "jpg"}


def check_plot_path(path):
    """Raises NstError unless `path` ends in a format we can plot to."""
    if os.path.splitext(path)[1].lower() not in _PLOT_FORMATS:
        raise NstError(f"cannot write plot {path!r}: use one of {', '.join(sorted(_PLOT_FORMATS))}")
    check_writable_destination(path)


def plot_loss_history(history, path, title="Losses", x_key="iteration"):
    """Draws the weighted losses per iteration on a log scale and writes the figure atomically.

    Args:
      history: list of dicts with x_key and loss keys (see optimize.StylizeResult).
      path: output file; the ending (.png, .svg, .pdf, .jpg) picks the format.
      title: figure title.
      x_key: the history key on the horizontal axis ("iteration", or "step" for training).
    """
    check_plot_path(path)
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(6, 4), dpi=120)
    iterations = [entry[x_key] for entry in history]
    for name, style in (("total", "k--"), ("content", "C0"), ("style", "C1"), ("tv", "C2")):
        values = [entry[name] for entry in history]
        if any(value > 0 for value in values):
            axes.plot(iterations, values, style, label=name)
    axes.set_yscale("log")
    axes.set_xlabel(x_key)
    axes.set_ylabel("weighted loss")
    axes.set_title(title)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format=_PLOT_FORMATS[os.path.splitext(path)[1].lower()])
    pyplot.close(figure)
    write_atomically(path, lambda f: f.write(buffer.getvalue()))
