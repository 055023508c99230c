"""Image input and output: decode any common file to RGB float32, resize, write atomically.

Images are numpy arrays of shape (height, width, 3), float32, values in [0, 255].
"""

import contextlib
import io
import os

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from nst_tf.errors import NstError
from nst_tf.io import png
from nst_tf.io.files import check_writable_destination, write_atomically

# File endings we can write, mapped to Pillow format names.
WRITE_FORMATS = {
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".png": "PNG",
    ".webp": "WEBP",
    ".bmp": "BMP",
    ".tif": "TIFF",
    ".tiff": "TIFF",
}
# The least side, px, of a content or style image that any entry takes (the one size rule).
MIN_SIDE = 16


def load_image(path):
    """Reads an image file as RGB.

    Handles greyscale, palette, alpha (composited over white), 16-bit, CMYK and
    EXIF-rotated files.

    Args:
      path: file path.

    Returns:
      float32 array (height, width, 3) in [0, 255].

    Raises:
      NstError: the file is missing, empty, truncated or not an image.
    """
    with _opened(path) as image:
        image.load()
        return _to_rgb_array(ImageOps.exif_transpose(image))


def decode_image(data, name):
    """Decodes the bytes of an image file (read from any file system) as RGB, like load_image.

    Args:
      data: the file's bytes.
      name: the file's name or path, for messages.

    Returns:
      float32 array (height, width, 3) in [0, 255].

    Raises:
      NstError: empty, truncated or not an image.
    """
    if not data:
        raise NstError(f"image file is empty: {name}")
    with _decoded(io.BytesIO(data), name) as image:
        image.load()
        return _to_rgb_array(ImageOps.exif_transpose(image))


def check_image_file(path):
    """Raises NstError unless `path` is an image file whose header can be read (no decoding)."""
    with _opened(path):
        pass


@contextlib.contextmanager
def _opened(path):
    """Opens an image file with Pillow, turning every way it can fail into a one-line NstError."""
    path = os.fspath(path)
    if os.path.isdir(path):
        raise NstError(f"expected an image file, got a folder: {path}")
    if not os.path.isfile(path):
        raise NstError(f"image file not found: {path}")
    if os.path.getsize(path) == 0:
        raise NstError(f"image file is empty: {path}")
    with _decoded(path, path) as image:
        yield image


@contextlib.contextmanager
def _decoded(source, name):
    """Opens a file or file object with Pillow; every way it can fail is a one-line NstError."""
    try:
        with Image.open(source) as image:
            yield image
    except UnidentifiedImageError:
        raise NstError(f"not an image file (format not recognised): {name}") from None
    except Image.DecompressionBombError:
        raise NstError(f"image has too many pixels to decode safely: {name}") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise NstError(f"cannot decode image {name}: {error}") from None


def _to_rgb_array(image):
    """Converts a decoded Pillow image of any mode to a float32 RGB array in [0, 255]."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # 16-bit data (PNG/TIFF open as I;16 or I) spans 0-65535 whatever its brightness;
        # float images are taken as 0-255.
        peak = 255.0 if image.mode == "F" else 65535.0
        grey = np.clip(np.asarray(image, dtype=np.float32) * (255.0 / peak), 0, 255)
        return np.repeat(grey[..., None], 3, axis=-1)
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    return np.asarray(image.convert("RGB"), dtype=np.float32)


def check_min_side(shape, name):
    """Raises NstError unless an image of `shape` ((height, width, ...)) has both sides at least
    MIN_SIDE px: the one check of every entry that takes a content or style image.

    Args:
      shape: the image's shape, or its (height, width).
      name: what the image is, for the message ("content image", "style image", ...).
    """
    height, width = shape[:2]
    if min(height, width) < MIN_SIDE:
        raise NstError(
            f"the {name} is {width}x{height} px; it needs at least {MIN_SIDE} px a side"
        )


def scaled_size(height, width, longest_side):
    """Size with the longest side set to `longest_side`, aspect ratio kept.

    Args:
      height, width: original size.
      longest_side: target length of the longer side, pixels.

    Returns:
      (height, width) as ints, each at least 1.
    """
    scale = longest_side / max(height, width)
    return max(1, round(height * scale)), max(1, round(width * scale))


def resize(image, size):
    """Resizes an image with antialiasing (Lanczos).

    Args:
      image: float array (height, width, 3) in [0, 255].
      size: (height, width).

    Returns:
      float32 array of shape (*size, 3).
    """
    height, width = size
    if image.shape[:2] == (height, width):
        return image.astype(np.float32)
    pil = Image.fromarray(to_uint8(image))
    return np.asarray(pil.resize((width, height), Image.LANCZOS), dtype=np.float32)


def resize_float(image, size):
    """Resizes a float image without rounding or clipping: area when shrinking, bicubic when
    enlarging (for intermediate results, where `resize` would round to 8 bits).

    Args:
      image: float array (height, width, channels).
      size: (height, width).

    Returns:
      float32 array of shape (*size, channels).
    """
    image = np.asarray(image, np.float32)
    height, width = size
    if image.shape[:2] == (height, width):
        return image
    shrinking = height * width < image.shape[0] * image.shape[1]
    method = Image.BOX if shrinking else Image.BICUBIC
    resized = np.empty((height, width, image.shape[-1]), np.float32)
    for c in range(image.shape[-1]):
        resized[..., c] = np.asarray(Image.fromarray(image[..., c]).resize((width, height), method))
    return resized


def resize_longest(image, longest_side):
    """Resizes so the longest side is `longest_side` pixels, keeping the aspect ratio."""
    return resize(image, scaled_size(*image.shape[:2], longest_side))


def to_uint8(image):
    """Rounds and clips a [0, 255] float image to uint8."""
    rounded = np.rint(image)
    return np.clip(rounded, 0, 255, out=rounded).astype(np.uint8)


def check_writable_image_path(path):
    """Checks that `path` has an image ending we can write and a folder we can write in.

    Creates missing parent folders, so that a long run does not fail at its very end.

    Raises:
      NstError: unknown ending, or the destination cannot be written.
    """
    ending = os.path.splitext(os.fspath(path))[1].lower()
    if ending not in WRITE_FORMATS:
        known = ", ".join(sorted(WRITE_FORMATS))
        raise NstError(f"cannot write image {path!r}: use one of the endings {known}")
    check_writable_destination(path)


def save_image(path, image):
    """Writes an image atomically: a temporary file in the same folder, then a rename.

    A crash never leaves a half-written file at `path`; parent folders are created.

    Args:
      path: destination; the ending chooses the format.
      image: array (height, width, 3) in [0, 255], any float or uint8 dtype.
    """
    path = os.fspath(path)
    check_writable_image_path(path)
    data = encode_image(image, path)
    write_atomically(path, lambda f: f.write(data))


def encode_image(image, path):
    """The bytes of an image file in the format that `path`'s ending names (JPEG and WebP at
    quality 95; PNG on every core, see nst_tf.io.png).

    Args:
      image: array (height, width, 3) in [0, 255], any float or uint8 dtype.
      path: a file name whose ending is one of WRITE_FORMATS.

    Returns:
      bytes.
    """
    image_format = WRITE_FORMATS[os.path.splitext(os.fspath(path))[1].lower()]
    if image_format == "PNG":
        return png.encode_png(to_uint8(image))
    options = {"quality": 95} if image_format in ("JPEG", "WEBP") else {}
    buffer = io.BytesIO()
    Image.fromarray(to_uint8(image)).save(buffer, image_format, **options)
    return buffer.getvalue()
