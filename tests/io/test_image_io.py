"""Decoding of every common image kind, resizing, and atomic writes."""

import os

import numpy as np
import pytest
from PIL import Image

from nst_tf.errors import NstError
from nst_tf.io import files
from nst_tf.io import image_io as images


def save(tmp_path, name, image, **options):
    path = tmp_path / name
    image.save(path, **options)
    return str(path)


def test_rgb_round_trip(tmp_path):
    pixels = np.random.default_rng(0).integers(0, 256, (6, 9, 3), dtype=np.uint8)
    path = save(tmp_path, "a.png", Image.fromarray(pixels))
    loaded = images.load_image(path)
    assert loaded.dtype == np.float32 and loaded.shape == (6, 9, 3)
    np.testing.assert_array_equal(loaded, pixels)


def test_greyscale_becomes_three_equal_channels(tmp_path):
    grey = np.arange(20, dtype=np.uint8).reshape(4, 5) * 10
    loaded = images.load_image(save(tmp_path, "g.png", Image.fromarray(grey, "L")))
    for channel in range(3):
        np.testing.assert_array_equal(loaded[..., channel], grey)


def test_alpha_is_composited_over_white(tmp_path):
    rgba = np.zeros((2, 2, 4), np.uint8)
    rgba[0, 0] = (255, 0, 0, 255)  # opaque red
    rgba[0, 1] = (0, 0, 255, 0)  # fully transparent blue -> white
    rgba[1, :] = (0, 0, 0, 128)  # half-transparent black -> mid grey
    loaded = images.load_image(save(tmp_path, "a.png", Image.fromarray(rgba, "RGBA")))
    np.testing.assert_array_equal(loaded[0, 0], (255, 0, 0))
    np.testing.assert_array_equal(loaded[0, 1], (255, 255, 255))
    np.testing.assert_allclose(loaded[1, 0], (127, 127, 127), atol=1)


def test_greyscale_with_alpha(tmp_path):
    la = Image.fromarray(np.array([[[0, 0], [0, 255]]], np.uint8), "LA")
    loaded = images.load_image(save(tmp_path, "la.png", la))
    np.testing.assert_array_equal(loaded[0, 0], (255, 255, 255))
    np.testing.assert_array_equal(loaded[0, 1], (0, 0, 0))


def test_palette_and_palette_with_transparency(tmp_path):
    palette = Image.new("P", (3, 1))
    palette.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 255] + [0] * 759)
    palette.putdata([0, 1, 2])
    loaded = images.load_image(save(tmp_path, "p.png", palette))
    np.testing.assert_array_equal(loaded[0], [(255, 0, 0), (0, 255, 0), (0, 0, 255)])
    loaded = images.load_image(save(tmp_path, "pt.png", palette, transparency=1))
    np.testing.assert_array_equal(loaded[0], [(255, 0, 0), (255, 255, 255), (0, 0, 255)])


def test_sixteen_bit_greyscale_is_scaled_to_eight_bits(tmp_path):
    deep = np.array([[0, 32768, 65535]], np.uint16)
    loaded = images.load_image(save(tmp_path, "d.png", Image.fromarray(deep)))
    np.testing.assert_allclose(loaded[0, :, 0], [0, 127.5, 255], atol=0.01)
    assert np.all(loaded[..., 0] == loaded[..., 2])


def test_dark_sixteen_bit_image_stays_dark(tmp_path):
    dark = np.array([[0, 100, 200]], np.uint16)  # all below 256: still 16-bit values
    loaded = images.load_image(save(tmp_path, "dark.png", Image.fromarray(dark)))
    np.testing.assert_allclose(loaded[0, :, 0], [0, 100 / 257, 200 / 257], atol=0.01)


def test_cmyk_jpeg_becomes_rgb(tmp_path):
    cmyk = Image.new("CMYK", (8, 8), (0, 255, 255, 0))  # pure red in CMYK
    loaded = images.load_image(save(tmp_path, "c.jpg", cmyk, quality=100))
    assert loaded.shape == (8, 8, 3)
    np.testing.assert_allclose(loaded[4, 4], (255, 0, 0), atol=8)


def test_exif_rotation_is_applied(tmp_path):
    pixels = np.zeros((4, 8, 3), np.uint8)
    pixels[:, :4] = 255  # left half white
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 clockwise to display"
    path = save(tmp_path, "r.jpg", Image.fromarray(pixels), exif=exif, quality=100)
    loaded = images.load_image(path)
    assert loaded.shape == (8, 4, 3)  # portrait once rotated
    assert loaded[1, 2].mean() > 200 and loaded[6, 2].mean() < 50  # white half is now on top


@pytest.mark.parametrize(
    "kind, message",
    [
        ("missing", "not found"),
        ("folder", "got a folder"),
        ("empty", "empty"),
        ("text", "not an image"),
        ("truncated", "cannot decode"),
    ],
)
def test_bad_files_give_one_line_errors(tmp_path, kind, message):
    path = tmp_path / "bad.png"
    if kind == "folder":
        path.mkdir()
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "text":
        path.write_text("this is not a picture\n")
    elif kind == "truncated":
        noisy = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
        Image.fromarray(noisy).save(path)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    with pytest.raises(NstError, match=message) as error:
        images.load_image(path)
    assert "\n" not in str(error.value)


def test_resize_longest_keeps_aspect_ratio():
    image = np.zeros((30, 60, 3), np.float32)
    assert images.resize_longest(image, 20).shape == (10, 20, 3)
    assert images.scaled_size(30, 60, 120) == (60, 120)
    assert images.scaled_size(1, 1000, 10) == (1, 10)


def test_save_image_writes_format_from_ending(tmp_path):
    image = np.random.default_rng(1).uniform(0, 255, (5, 7, 3))
    for ending, kind in ((".png", "PNG"), (".jpg", "JPEG"), (".webp", "WEBP")):
        path = tmp_path / "sub" / f"out{ending}"
        images.save_image(path, image)
        with Image.open(path) as written:
            assert written.format == kind and written.size == (7, 5)
    np.testing.assert_array_equal(
        images.load_image(tmp_path / "sub" / "out.png"), images.to_uint8(image)
    )


def test_save_image_refuses_unknown_ending(tmp_path):
    with pytest.raises(NstError, match="use one of the endings"):
        images.save_image(tmp_path / "out.xyz", np.zeros((2, 2, 3)))


def test_failed_write_leaves_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "keep.png"
    images.save_image(path, np.full((4, 4, 3), 10.0))
    before = path.read_bytes()

    def crash(f):
        f.write(b"partial")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        files.write_atomically(str(path), crash)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["keep.png"]


def test_written_files_have_ordinary_permissions(tmp_path):
    path = tmp_path / "perm.png"
    images.save_image(path, np.zeros((2, 2, 3)))
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_unwritable_destinations_are_refused_before_work(tmp_path):
    (tmp_path / "taken.png").mkdir()
    with pytest.raises(NstError, match="it is a folder"):
        images.check_writable_image_path(tmp_path / "taken.png")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(NstError, match="cannot create the folder"):
        images.check_writable_image_path(blocker / "out.png")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    if os.access(locked, os.W_OK):  # root ignores permissions
        pytest.skip("running as root: permissions are not enforced")
    with pytest.raises(NstError, match="no permission"):
        images.check_writable_image_path(locked / "out.png")


@pytest.mark.parametrize("shape", [(1, 1, 3), (15, 400, 3), (400, 15), (0, 0, 3)])
def test_the_one_size_rule_refuses_a_side_under_16_px(shape):
    with pytest.raises(NstError, match=r"at least 16 px a side") as error:
        images.check_min_side(shape, "content image")
    assert f"the content image is {shape[1]}x{shape[0]} px" in str(error.value)


def test_the_one_size_rule_takes_16_px():
    images.check_min_side((16, 16, 3), "style image")
    images.check_min_side((16, 4000), "style image")


def test_a_write_that_keeps_existing_never_replaces_a_file(tmp_path):
    target = tmp_path / "sub" / "out.png"
    assert files.write_atomically(target, lambda f: f.write(b"first"), keep_existing=True)
    inode = target.stat().st_ino
    assert not files.write_atomically(target, lambda f: f.write(b"second"), keep_existing=True)
    assert target.read_bytes() == b"first" and target.stat().st_ino == inode
    assert files.write_atomically(target, lambda f: f.write(b"third"))
    assert target.read_bytes() == b"third"
    assert [p.name for p in target.parent.iterdir()] == ["out.png"]  # no temporary file left
