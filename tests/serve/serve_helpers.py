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
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = zlib.compress(b"\0" * (width + 1) * 64, 9)  # a few rows, the rest missing
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def sample_bytes(name="chelsea"):
    return (SAMPLES / f"{name}.jpg").read_bytes()


def upload(client, data, name="photo.jpg"):
    return client.post("/api/images", files={"file": (name, data, "application/octet-stream")})


class ServerThread:
    """The real app on uvicorn in a thread, on a free loopback port; a context manager."""

    def __init__(self, app):
        import socket

        import uvicorn

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)

    def __enter__(self):
        import threading
        import time

        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=30)
