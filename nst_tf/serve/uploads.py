"""Checks and decoding of uploaded images, and the in-memory store they are kept in.

Uploads never touch the file system here: bytes are checked and decoded in memory, reduced to
the largest size the app paints, and kept under a generated id.
"""

from __future__ import annotations

import collections
import io
import secrets
import threading
import warnings

import numpy as np
from PIL import Image, ImageOps

from nst_tf.errors import NstError
from nst_tf.io import image_io

MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000
KEEP_SIDE = 512  # the largest size either mode paints
FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF")


class UploadError(Exception):
    """A refused upload: `status` is the HTTP status to answer with, the message says why."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def check_size(length: int) -> None:
    """Raises UploadError (413) for more than MAX_BYTES."""
    if length > MAX_BYTES:
        raise UploadError(
            413, f"the file is {length / 2**20:.1f} MB; the limit is {MAX_BYTES // 2**20} MB"
        )


def decode(data: bytes) -> np.ndarray:
    """Checks and decodes an uploaded image.

    Args:
      data: the file's bytes.

    Returns:
      float32 RGB array (height, width, 3) in [0, 255], longest side at most KEEP_SIDE.

    Raises:
      UploadError: too large (413), empty, not an image, truncated, too small, too many pixels
        (decompression bombs) (422).
    """
    check_size(len(data))
    if not data:
        raise UploadError(422, "the file is empty")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                _check_header(image)
                image.draft("RGB", (KEEP_SIDE, KEEP_SIDE))  # JPEG: decode at a reduced scale
                image.load()
                image = ImageOps.exif_transpose(image)
                image.thumbnail((KEEP_SIDE, KEEP_SIDE), Image.LANCZOS)
                return _rgb(image)
        except UploadError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise UploadError(
                422,
                "the image has too many pixels to decode safely (a decompression bomb?); "
                f"the limit is {MAX_PIXELS // 1_000_000} megapixels",
            ) from None
        except Image.UnidentifiedImageError:
            raise UploadError(422, "not an image (format not recognised)") from None
        except (OSError, SyntaxError, ValueError, EOFError) as error:
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise UploadError(422, f"cannot decode the image ({reason[:120]})") from None


def _check_header(image):
    """Refuses formats, pixel counts and sizes from the header, before any decoding."""
    if image.format not in FORMATS:
        raise UploadError(422, f"unsupported image format {image.format}: use JPEG, PNG or WebP")
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise UploadError(
            422,
            f"the image is {width}x{height} px ({width * height / 1e6:.0f} megapixels); "
            f"the limit is {MAX_PIXELS // 1_000_000} megapixels",
        )
    try:
        image_io.check_min_side((height, width), "image")
    except NstError as error:
        raise UploadError(422, str(error)) from None


def _rgb(image):
    """A decoded Pillow image as float32 RGB, transparency composited over white."""
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA"):
        rgba = image.convert("RGBA")
        image = Image.alpha_composite(Image.new("RGBA", rgba.size, (255,) * 4), rgba)
    return np.asarray(image.convert("RGB"), dtype=np.float32)


class Store:
    """A bounded in-memory dict from generated ids to items, each kept for a client.

    A client holds at most `share` items (its oldest go first); when the store is full, the
    oldest item of the client holding the most goes: one client cannot evict another's items
    while it holds more.
    """

    def __init__(self, capacity: int, prefix: str, share: int | None = None):
        self.capacity = capacity
        self.prefix = prefix
        self.share = share or capacity
        self._items = collections.OrderedDict()  # id -> (client, item)
        self._lock = threading.Lock()

    def add(self, item, client: str = "") -> str:
        """Keeps `item` for `client`; returns its new id."""
        key = f"{self.prefix}{secrets.token_hex(8)}"
        with self._lock:
            self._items[key] = (client, item)
            mine = [k for k, (owner, _) in self._items.items() if owner == client]
            for old in mine[: max(0, len(mine) - self.share)]:
                del self._items[old]
            while len(self._items) > self.capacity:
                counts = collections.Counter(owner for owner, _ in self._items.values())
                largest = max(counts, key=counts.get)
                del self._items[next(k for k, (o, _) in self._items.items() if o == largest)]
        return key

    def get(self, key: str):
        """The item of an id, or None."""
        with self._lock:
            kept = self._items.get(key)
        return None if kept is None else kept[1]

    def remove(self, key: str) -> bool:
        """Forgets an id; whether it was there."""
        with self._lock:
            return self._items.pop(key, None) is not None

    def __len__(self):
        with self._lock:
            return len(self._items)
