"""Contact sheets: one photo in every style of a multi-style network, labelled, on one image."""

import numpy as np
from PIL import Image, ImageDraw

from nst_tf.io import image_io

_LABEL_HEIGHT = 18


def contact_sheet(style_model, photo, tile=256, columns=7):
    """The photo, then the photo in each style of the network, in a grid with captions.

    Args:
      style_model: a StyleNetwork (see nst_tf.feedforward.styles).
      photo: float array (height, width, 3) in [0, 255].
      tile: longest side of each cell's image, px.
      columns: cells per row.

    Returns:
      uint8 array (rows * (cell height + caption), columns * cell width, 3).
    """
    small = image_io.resize_longest(photo, tile)
    names = style_model.style_names
    cells = [("photo", small)]
    for index, name in enumerate(names):
        weights = np.eye(len(names), dtype=np.float32)[index]
        label = name if name == str(index) or name.startswith("style") else f"{index}: {name}"
        cells.append((label, style_model.stylize(small[None], weights)[0]))
    columns = min(columns, len(cells))
    height, width = small.shape[:2]
    rows = -(-len(cells) // columns)
    sheet = Image.new("RGB", (columns * width, rows * (height + _LABEL_HEIGHT)), "white")
    draw = ImageDraw.Draw(sheet)
    for position, (label, image) in enumerate(cells):
        left, top = (position % columns) * width, (position // columns) * (height + _LABEL_HEIGHT)
        sheet.paste(Image.fromarray(image_io.to_uint8(image)), (left, top))
        draw.text((left + 4, top + height + 3), label, fill="black")
    return np.asarray(sheet)
