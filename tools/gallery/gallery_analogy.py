"""Makes docs/analogy.jpg: a self-made text effect on one word (S -> S') carried to other words.

The words are rendered with DejaVu Sans Bold (matplotlib's bundled font); the effect (gradient
fill with brick texture, dark outline, soft drop shadow, glow) is drawn here, so every pixel is
ours. Each T' comes from `nst_tf.analogy.analogy.image_analogy`; the time per word is printed.

  NST_TF_VGG_WEIGHTS=../shared/weights/vgg16_hed_bsds500_notop.h5 python -m tools.gallery.gallery_analogy
"""

import argparse
import os

import matplotlib
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from nst_tf.analogy.analogy import ITERATIONS, image_analogy
from nst_tf.io import image_io
from tools import REPOSITORY

FONT = os.path.join(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSans-Bold.ttf")
BRICK = os.path.join(REPOSITORY, "nst_tf", "samples", "brick.jpg")
CANVAS = (320, 112)  # width, height
SOURCE_WORD = "STYLE"
TARGET_WORDS = ("NEURAL", "PATCH", "KERAS")


def render_word(word, canvas=CANVAS, font_size=64):
    """Black text on white, centred: float32 (height, width, 3) in [0, 255]."""
    image = Image.new("L", canvas, 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, font_size)
    left, top, right, bottom = draw.textbbox((0, 0), word, font=font)
    origin = ((canvas[0] - (right - left)) / 2 - left, (canvas[1] - (bottom - top)) / 2 - top)
    draw.text(origin, word, fill=0, font=font)
    return np.repeat(np.asarray(image, np.float32)[..., None], 3, axis=-1)


def text_effect(plain):
    """The self-made effect on a rendered word: dark blue background with a warm glow, soft
    drop shadow, dark outline, and letters filled with a vertical orange-to-yellow gradient
    multiplied by the brick texture."""
    height, width = plain.shape[:2]
    glyphs = Image.fromarray((plain[..., 0] < 128).astype(np.uint8) * 255)
    mask = np.asarray(glyphs, np.float32) / 255
    grow = lambda image, px: np.asarray(image.filter(ImageFilter.MaxFilter(px)), np.float32) / 255  # noqa: E731
    blur = lambda array, px: (  # noqa: E731
        np.asarray(
            Image.fromarray(np.uint8(array * 255)).filter(ImageFilter.GaussianBlur(px)), np.float32
        )
        / 255
    )
    outline = grow(glyphs, 5)
    shadow = np.roll(blur(outline, 3), (5, 5), axis=(0, 1))
    glow = blur(grow(glyphs, 9), 6)
    rows = np.linspace(0, 1, height)[:, None, None]
    background = np.array([20, 30, 70], np.float32) * (1 - 0.4 * rows)
    background = background + glow[..., None] * np.array([120, 60, 10], np.float32)
    background = background * (1 - 0.8 * shadow[..., None])
    brick = image_io.resize(image_io.load_image(BRICK), (height, width)) / 255
    texture = 0.6 + 0.4 * brick.mean(axis=-1, keepdims=True) / brick.mean()
    fill = (np.array([250, 90, 20]) * (1 - rows) + np.array([255, 230, 60]) * rows) * texture
    image = background * (1 - outline[..., None]) + np.array([40, 10, 0]) * outline[..., None]
    image = image * (1 - mask[..., None]) + fill * mask[..., None]
    return np.clip(image, 0, 255).astype(np.float32)


def _labelled(image, label, height=18):
    tile = Image.new("RGB", (image.shape[1], image.shape[0] + height), "white")
    tile.paste(Image.fromarray(image_io.to_uint8(image)), (0, height))
    ImageDraw.Draw(tile).text((4, 3), label, fill=(0, 0, 0))
    return np.asarray(tile, np.float32)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default="docs/analogy.jpg")
    parser.add_argument("--iterations", type=int, default=ITERATIONS)
    parser.add_argument("--examples", default=None, help="also write S, S' and T here")
    args = parser.parse_args()
    source = render_word(SOURCE_WORD)
    styled = text_effect(source)
    rows = [[_labelled(source, "S: plain word"), _labelled(styled, "S': self-made effect")]]
    if args.examples:
        os.makedirs(args.examples, exist_ok=True)
        image_io.save_image(os.path.join(args.examples, "S.png"), source)
        image_io.save_image(os.path.join(args.examples, "S_styled.png"), styled)
    print("| T | seconds |\n| --- | --- |")
    for word in TARGET_WORDS:
        target = render_word(word)
        if args.examples:
            image_io.save_image(os.path.join(args.examples, f"T_{word}.png"), target)
        result = image_analogy(
            source, styled, target, size=CANVAS[0], iterations=args.iterations, progress=False
        )
        print(f"| {word} | {result.seconds:.1f} |")
        rows.append([_labelled(target, f"T: {word}"), _labelled(result.image, f"T': {word}")])
    gap = np.full((rows[0][0].shape[0], 8, 3), 255, np.float32)
    sheet = np.concatenate([np.concatenate([a, gap, b], axis=1) for a, b in rows], axis=0)
    image_io.save_image(args.output, sheet)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
