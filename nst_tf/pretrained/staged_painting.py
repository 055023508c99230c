"""Magenta's arbitrary transformer run stage by stage (nst_tf.pretrained.sizes.STAGES): it paints
what the whole network paints, holding one stage in memory at a time, and of the stages at full
resolution one band of rows at a time. Images are float arrays (height, width, 3), RGB in
[0, 255].

- The contraction has no norm: it runs on bands of rows, each seeing CONTRACT_MARGIN rows beyond
  the rows it keeps.
- The residual blocks and the first upsampling run on the whole (a quarter and half of the
  height and width).
- The last two convolutions are each followed by a norm over the whole image: a first pass over
  bands measures the first one's statistics (each row's sums), a second paints the bands with
  them and measures the last one's, which `finished` then applies with the sigmoid.
"""

import numpy as np

from nst_tf.pretrained.sizes import CONTRACT_MARGIN, EPSILON, EXPAND_MARGIN, SIZE_MULTIPLE

# Pixels of a band at full resolution (its rows follow from the width): the bands' memory then
# stays under that of the residual blocks.
BAND_PIXELS = 256 * 1024


def windows(length, band, margin, multiple=1):
    """Equal windows over [0, length) and the rows each keeps, the kept rows tiling it.

    Args:
      length: rows, a multiple of `multiple`.
      band: rows kept per window (rounded up to a multiple of `multiple`).
      margin: rows each window sees beyond the rows it keeps, except at the ends (a multiple of
        `multiple`).
      multiple: every start and size is a multiple of it.

    Returns:
      list of ((start, end) of the window, (start, end) of the rows it keeps).
    """
    band = -(-band // multiple) * multiple
    size = band + 2 * margin
    if length <= size:
        return [((0, length), (0, length))]
    spans = []
    for start in range(0, length, band):
        first = min(max(start - margin, 0), length - size)
        window, end = (first, first + size), min(start + band, length)
        if spans and spans[-1][0] == window:  # the last window already reaches the end
            start = spans.pop()[1][0]
        spans.append((window, (start, end)))
    return spans


def paint(open_stage, image, vector, band_pixels=BAND_PIXELS):
    """The transformer on one image, stage by stage.

    Args:
      open_stage: function stage name -> the stage, a function of named arrays (batch 1)
        returning a dict of named arrays, as nst_tf.pretrained.stage_networks.transformer_stages
        describes them ("contract" takes "content" in [0, 255]). Called once per stage, when the
        one before is done with.
      image: float array (height, width, 3) in [0, 255].
      vector: style vector (100,).
      band_pixels: pixels of a band at full resolution.

    Returns:
      float32 array like `image`, in [0, 255].
    """
    height, width = image.shape[:2]
    padded = np.asarray(image, np.float32)
    if height % SIZE_MULTIPLE or width % SIZE_MULTIPLE:
        padding = [(0, -height % SIZE_MULTIPLE), (0, -width % SIZE_MULTIPLE), (0, 0)]
        padded = np.pad(padded, padding, mode="reflect")
    vector = np.asarray(vector, np.float32)[None]
    rows = max(band_pixels // padded.shape[1], SIZE_MULTIPLE)
    features = contracted(open_stage("contract"), padded, rows)
    del padded
    half = open_stage("residuals")(features=features, style_vector=vector)["features"]
    del features
    return expanded(open_stage, half, vector, rows // 2)[:height, :width]


def contracted(contract, padded, rows):
    """The contraction's features (1, height / 4, width / 4, channels) of a padded image, on bands
    of `rows` rows."""
    parts = []
    for (first, last), (start, end) in windows(
        padded.shape[0], rows, CONTRACT_MARGIN, SIZE_MULTIPLE
    ):
        features = contract(content=padded[None, first:last])["features"][0]
        parts.append(features[(start - first) // SIZE_MULTIPLE : (end - first) // SIZE_MULTIPLE])
    return np.concatenate(parts)[None]


def expanded(open_stage, half, vector, rows):
    """The image (twice the height and width of `half`, the residual stage's features), in two
    passes over bands of `rows` rows of `half`."""
    spans = windows(half.shape[1], rows, EXPAND_MARGIN, 2)
    width = 2 * half.shape[2]
    measure, statistics = open_stage("expand_moments"), Moments(width)
    for (first, last), (start, end) in spans:
        kept = slice(2 * (start - first), 2 * (end - first))
        statistics.add(measure(features=half[:, first:last]), kept.start, kept.stop)
    del measure
    expand, moments, last_statistics = open_stage("expand"), statistics.moments(), Moments(width)
    raw = np.empty((2 * half.shape[1], width, 3), np.float32)
    for (first, last), (start, end) in spans:
        outputs = expand(features=half[:, first:last], style_vector=vector, **moments)
        kept = slice(2 * (start - first), 2 * (end - first))
        raw[2 * start : 2 * end] = outputs["raw"][0, kept]
        last_statistics.add(outputs, kept.start, kept.stop)
    return finished(raw, last_statistics, outputs["scale"][0], outputs["shift"][0])


class Moments:
    """Each channel's mean and variance over bands of rows, from their rows' sums.

    Args:
      width: the rows' width.
    """

    def __init__(self, width):
        self.width = width
        self.count = self.sums = self.squares = 0

    def add(self, outputs, start, end):
        """Adds rows [start, end) of a band's "sums" and "squares" (1, rows, 1, channels)."""
        sums, squares = outputs["sums"][0, start:end, 0], outputs["squares"][0, start:end, 0]
        self.sums = self.sums + sums.sum(axis=0, dtype=np.float64)
        self.squares = self.squares + squares.sum(axis=0, dtype=np.float64)
        self.count += (end - start) * self.width

    def moments(self):
        """{"mean", "variance"}, each float32 (1, 1, 1, channels)."""
        mean = self.sums / self.count
        variance = np.maximum(self.squares / self.count - mean * mean, 0.0)
        return {
            "mean": mean.astype(np.float32).reshape(1, 1, 1, -1),
            "variance": variance.astype(np.float32).reshape(1, 1, 1, -1),
        }


def finished(raw, statistics, scale, shift):
    """255 * sigmoid of the norm of the last convolution's output, in place."""
    moments = statistics.moments()
    gain = scale / np.sqrt(moments["variance"][0, 0, 0] + EPSILON)
    raw *= gain
    raw += shift - moments["mean"][0, 0, 0] * gain
    np.negative(raw, out=raw)
    with np.errstate(over="ignore"):  # exp(large) is inf, and 1 / (1 + inf) the 0 it should be
        np.exp(raw, out=raw)
    raw += 1.0
    np.reciprocal(raw, out=raw)
    raw *= 255.0
    return raw
