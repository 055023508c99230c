"""The LiteRT engine: the one-pass paths without TensorFlow, the same pictures as TensorFlow's
(>= 40 dB on the bundled photos), and the engine choice."""

import os
import sys
import textwrap
import types

import numpy as np
import pytest
from support import SAMPLES, run_python

from nst_tf import engine_choice
from nst_tf.errors import NstError
from nst_tf.export import parity
from nst_tf.feedforward import styles
from nst_tf.io import image_io
from nst_tf.pretrained import fast

PARITY_DB = 40.0


def sample(name, size=None):
    image = image_io.load_image(SAMPLES / f"{name}.jpg")
    return image_io.resize_longest(image, size) if size else image


ONE_PASS_WITHOUT_TENSORFLOW = textwrap.dedent(
    """
    import os, sys
    import imageio.v2 as imageio
    import numpy as np
    from nst_tf.cli import main
    samples, out = sys.argv[1], sys.argv[2]
    os.makedirs(f"{out}/photos")
    frames = [np.roll(np.indices((48, 64)).sum(0) * 2 % 256, 4 * i, axis=1) for i in range(4)]
    frames = [np.stack([f] * 3, -1).astype(np.uint8) for f in frames]
    imageio.mimwrite(f"{out}/clip.mp4", frames, fps=4, macro_block_size=1)
    for i, frame in enumerate(frames[:2]):
        imageio.imwrite(f"{out}/photos/{i}.png", frame)
    painting = f"{samples}/starry_night.jpg"
    for arguments in (
        ["stylize", f"{samples}/chelsea.jpg", painting, "--fast", "--size", "200",
         "-o", f"{out}/fast.png", "--quiet"],
        ["stylize", f"{samples}/chelsea.jpg", "--model", "magenta26:7", "--size", "120",
         "-o", f"{out}/m26.png", "--quiet"],
        ["upscale", f"{out}/m26.png", "-o", f"{out}/up.png", "--quiet"],
        ["stylize", f"{out}/photos", painting, "--fast", "-o", f"{out}/styled", "--quiet"],
        ["stylize", f"{out}/clip.mp4", "--model", "magenta26:3", "-o", f"{out}/clip_out.mp4",
         "--quiet"],
        ["stylize", f"{out}/clip.mp4", painting, "--fast", "-o", f"{out}/clip_fast.mp4",
         "--quiet"],
    ):
        assert main.main(["nst-tf", *arguments]) == 0, arguments
    print(sorted(name for name in sys.modules if name.split(".")[0] in ("tensorflow", "keras")))
    """
)


def test_the_cli_one_pass_paths_never_import_tensorflow_or_keras(tmp_path):
    done = run_python(ONE_PASS_WITHOUT_TENSORFLOW, SAMPLES, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert image_io.load_image(tmp_path / "up.png").shape == (4 * 80, 4 * 120, 3)
    assert sorted(os.listdir(tmp_path / "styled")) == ["0.png", "1.png"]
    assert all((tmp_path / name).stat().st_size for name in ("clip_out.mp4", "clip_fast.mp4"))


def test_auto_takes_litert_unless_tensorflow_is_needed():
    assert engine_choice.choose("auto", installed=True) == "litert"
    assert engine_choice.choose("auto", True, "a .keras network") == "tensorflow"
    assert engine_choice.choose("auto", installed=False) == "tensorflow"
    assert engine_choice.choose("tensorflow", installed=True) == "tensorflow"
    with pytest.raises(NstError, match="cannot run a .keras network"):
        engine_choice.choose("litert", True, "a .keras network")
    with pytest.raises(NstError, match="files are missing from this installation"):
        engine_choice.choose("litert", installed=False)
    with pytest.raises(NstError, match="unknown engine 'gpu'"):
        engine_choice.choose("gpu")


def test_auto_keeps_tensorflow_where_it_is_loaded_with_a_gpu(monkeypatch):
    class Config:
        @staticmethod
        def list_physical_devices(kind):
            return ["/physical_device:GPU:0"] if kind == "GPU" else []

    monkeypatch.setitem(sys.modules, "tensorflow", types.SimpleNamespace(config=Config))
    assert engine_choice.choose("auto", installed=True) == "tensorflow"
    assert engine_choice.choose("litert", installed=True) == "litert"


def both(function):
    """function(engine) on LiteRT and on TensorFlow."""
    return function("litert"), function("tensorflow")


FAST_OPTIONS = {
    "default": {},
    "strength and blend": {"strength": 0.6, "style_blend": [3, 1], "extra_style": True},
    "histogram colours": {"preserve_colors": "histogram"},
    "luminance colours": {"preserve_colors": "luminance"},
    "style size": {"style_size": 128},
    "working size": {"working_size": 160},
    "tiles with the whole image's moments": {"tile_size": 288, "working_size": None},
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(FAST_OPTIONS))
def test_the_fast_path_paints_the_same_on_both_engines(case):
    options = dict(FAST_OPTIONS[case])
    painting = [sample("starry_night")]
    if options.pop("extra_style", False):
        painting.append(sample("the_scream"))
    for photo in (sample("chelsea", 301), sample("astronaut", 416)):
        lite, keras = both(lambda e, photo=photo: fast.stylize_fast(photo, painting, engine=e, **options))
        assert lite.shape == keras.shape == photo.shape
        assert parity.psnr(keras, lite) >= PARITY_DB, case


@pytest.mark.slow
def test_beyond_one_pass_the_tiles_share_a_shrunk_overview_on_both_engines(monkeypatch):
    monkeypatch.setattr(fast, "MAX_UNTILED_PIXELS", 200 * 200)
    monkeypatch.setattr(fast, "OVERVIEW_PIXELS", 200 * 200)
    photo, painting = sample("coffee", 480), sample("the_scream")
    options = {"working_size": None, "tile_size": 288}
    lite, keras = both(lambda e: fast.stylize_fast(photo, painting, engine=e, **options))
    assert parity.psnr(keras, lite) >= PARITY_DB


@pytest.mark.slow
@pytest.mark.parametrize("reference, style", [("magenta26", "3:0.5,12:0.5"), ("styles3", None)])
def test_shipped_style_networks_paint_the_same_on_both_engines(reference, style):
    networks = both(lambda engine: styles.load_style_network(reference, engine))
    assert [type(n).__name__ for n in networks] == ["LiteStyleNetwork", "StyleModel"]
    batch = np.stack([sample("chelsea", 301), sample("coffee", 301)[:200, :301]])[:, :200]
    lite, keras = (n.stylize(batch, n.style_weights(style)) for n in networks)
    for a, b in zip(lite, keras):
        assert parity.psnr(b, a) >= PARITY_DB


@pytest.mark.slow
@pytest.mark.parametrize("factor, tile", [(4, None), (8, 48)])
def test_the_shipped_upscaler_gives_the_same_on_both_engines(factor, tile):
    from nst_tf.superres import upscaling

    image = sample("astronaut", 97)
    lite, keras = both(
        lambda engine: upscaling.load_upscaler(engine=engine).upscale(image, factor, tile)
    )
    assert lite.shape == keras.shape == (factor * image.shape[0], factor * image.shape[1], 3)
    assert parity.psnr(keras, lite) >= PARITY_DB


def test_a_network_of_your_own_needs_tensorflow(tmp_path):
    (tmp_path / "own.keras").write_bytes(b"a network of the user's")
    with pytest.raises(NstError, match="cannot run a .keras network of your own"):
        styles.load_style_network(str(tmp_path / "own.keras"), "litert")
