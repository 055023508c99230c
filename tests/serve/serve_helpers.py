"""Helpers of the web app's tests: images as bytes, uploads."""

import io
import pathlib
import struct
import zlib

import numpy as np
from PIL import Image

SAMPLES = pathlib.Path(__file__).resolve().parents[2] / "nst_tf" / "samples"


def image_bytes(size=(96, 64), fmt="JPEG", seed=0):
    """A random-noise image file's bytes."""
    pixels = np.random.default_rng(seed).integers(0, 256, (size[1], size[0], 3), np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, fmt)
    return buffer.getvalue()


def bomb_png(width=100_000, height=100_000):
    """A tiny PNG whose header claims `width` x `height` pixels (a decompression bomb)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = zlib.compress(b"\0" * (width + 1) * 64, 9)  # a few rows, the rest missing
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def sample_bytes(name="chelsea"):
    return (SAMPLES / f"{name}.jpg").read_bytes()


def upload(client, data, name="photo.jpg"):
    return client.post("/api/images", files={"file": (name, data, "application/octet-stream")})
