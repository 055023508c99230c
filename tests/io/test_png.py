"""PNG files written on every core: Pillow reads back every pixel, and the chunks and the zlib
stream joined from parts are valid."""

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from nst_tf.io import png


def chunks(data):
    """(type, data) of each chunk, checking its CRC."""
    assert data[:8] == png.SIGNATURE
    position, found = 8, []
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert crc == zlib.crc32(kind + body), kind
        found.append((kind, body))
        position += 12 + length
    return found


@pytest.mark.parametrize("shape", [(1, 1, 3), (5, 7, 3), (300, 451, 3), (700, 600, 3)])
def test_pillow_reads_back_every_pixel(shape):
    pixels = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    data = png.encode_png(pixels)
    decoded = Image.open(io.BytesIO(data))
    assert decoded.mode == "RGB" and decoded.size == (shape[1], shape[0])
    np.testing.assert_array_equal(np.asarray(decoded), pixels)
    assert [kind for kind, _ in chunks(data)] == [b"IHDR", b"IDAT", b"IEND"]


def test_a_large_image_is_deflated_in_parts_joined_into_one_valid_stream():
    rows = np.linspace(0, 255, 1000 * 800 * 3).astype(np.uint8).reshape(1000, 800, 3)
    data = png.encode_png(rows)
    stream = dict(chunks(data))[b"IDAT"]
    assert len(rows.tobytes()) > 2 * png.PART_BYTES  # more than one part
    filtered = zlib.decompress(stream)  # checks the Adler-32 of the joined parts
    assert len(filtered) == 1000 * (800 * 3 + 1)
    assert filtered[0] == png.FILTER_UP
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(data))), rows)
    assert len(data) < rows.nbytes / 10  # the Up filter makes the smooth ramp compress
