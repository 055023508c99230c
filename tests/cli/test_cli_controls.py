"""The command line's perceptual controls (issue 5): flags reach the optimisation, bad input is a
one-line error with exit code 2, checked before TensorFlow loads where possible."""

import numpy as np
import pytest
from cli_helpers import TINY, expect_usage_error
from PIL import Image
from support import gradient_image, stripes_image

from nst_tf.cli import main as cli
from nst_tf.optimize import run


@pytest.fixture
def inputs(tmp_path):
    """A 64 px content image, two style images and a left-half mask of the content's size."""
    paths = {
        name: str(tmp_path / f"{name}.png") for name in ("content", "a", "b", "left", "labels")
    }
    Image.fromarray(gradient_image(64).astype(np.uint8)).save(paths["content"])
    Image.fromarray(stripes_image(64).astype(np.uint8)).save(paths["a"])
    Image.fromarray(stripes_image(64)[::-1].astype(np.uint8)).save(paths["b"])
    left = np.zeros((64, 64), np.uint8)
    left[:, :32] = 255
    Image.fromarray(left).save(paths["left"])
    Image.fromarray((left > 0).astype(np.uint8) * 2).save(paths["labels"])
    return paths


@pytest.fixture
def captured(monkeypatch):
    """Replaces the optimisation the CLI calls by a recorder that returns the content image."""
    calls = []

    def fake_optimize(content, style, shape, options):
        calls.append({"content": content, "style": style, "shape": shape, **vars(options)})
        return run.StylizeResult(image=content, history=[{
            "iteration": 0, "seconds": 0.0, "style": 1.0, "content": 0.0, "tv": 0.0, "total": 1.0
        }])  # fmt: skip

    monkeypatch.setattr(run, "run_optimization", fake_optimize)
    return calls


def test_control_flags_reach_stylize(tmp_path, inputs, captured):
    out = str(tmp_path / "o.png")
    code = cli.main(["nst-tf", "stylize", inputs["content"], inputs["a"], inputs["b"], "-o", out,
                     "--style-blend", "0.7,0.3", "--style-scale", "1,0.5", "--style-loss", "mrf",
                     "--preserve-colors", "luminance", "--scales", "2", "--label-map",
                     inputs["labels"], "--quiet", "--noxla"])  # fmt: skip
    assert code == 0
    (call,) = captured
    assert call["xla"] is False
    assert len(call["style"]) == 2
    assert call["style_blend"] == [0.7, 0.3] and call["style_scale"] == [1.0, 0.5]
    assert call["style_loss"] == "mrf" and call["preserve_colors"] == "luminance"
    assert call["scales"] == 2 and call["style_layers"] is None
    first, second = call["masks"]
    assert first.max() == 0.0  # label 2 marks the second style's region
    assert second[:, :32].min() == 1.0 and second[:, 32:].max() == 0.0


def test_preset_applies_unless_flags_override(tmp_path, inputs, captured):
    out = str(tmp_path / "o.png")
    base = ["nst-tf", "stylize", inputs["content"], inputs["a"], "-o", out, "--quiet"]
    assert cli.main([*base, "--preset", "photorealistic", "--init", "noise"]) == 0
    assert cli.main([*base]) == 0
    with_preset, without = captured
    assert with_preset["init"] == "noise"  # given explicitly
    assert with_preset["content_weight"] == 5.0 and with_preset["photorealism_weight"] == 1e4
    assert with_preset["preserve_colors"] == "none" and with_preset["photo_smoothing"] == 1.0
    assert without["content_weight"] == 1.0 and without["photorealism_weight"] == 0.0
    assert without["photo_smoothing"] is None


@pytest.mark.slow
def test_two_styles_with_masks_end_to_end(tmp_path, inputs):
    out = tmp_path / "o.png"
    code = cli.main(["nst-tf", "stylize", inputs["content"], inputs["a"], inputs["b"], "-o",
                     str(out), *TINY, "--masks", f"{inputs['left']},{inputs['left']}",
                     "--style-blend", "1,1", "--size", "32", "--preserve-colors", "histogram"])  # fmt: skip
    assert code == 0
    with Image.open(out) as image:
        assert image.size == (32, 32)


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--style-blend", "1,2,3"], "3 blend weights for 2 style image(s)"),
        (["--style-blend", "0,0"], "sum to a positive number"),
        (["--style-blend", "1,x"], "--style-blend must be numbers"),
        (["--style-scale", "1,2,3"], "3 style scales for 2"),
        (["--style-loss", "mmd"], "--style-loss"),
        (["--preserve-colors", "gray"], "--preserve-colors"),
        (["--scales", "0"], "--scales"),
        (["--masks", "MASK"], "1 mask(s) for 2 style image(s)"),
        (["--masks", "SMALL,SMALL"], "is 32x16 px but the content image is 64x64 px"),
        (["--label-map", "LABELS3"], "label 3 but there are 2 style image(s)"),
        (["--masks", "missing.png,missing.png"], "not found"),
        (["--preset", "oil"], "--preset"),
        (["--style-label-map", "LABELS3,LABELS3"], "style label maps need a label map"),
        (
            ["--label-map", "LABELS", "--style-label-map", "LABELS3,LABELS3"],
            "label 0 of the label map is in no style label map",
        ),
        (["--label-map", "LABELS", "--style-label-map", "LABELS"], "1 style label map(s) for 2"),
        (["--label-map", "LABELS", "--style-label-map", "SMALL,SMALL"], "but its style image is"),
        (
            ["--label-map", "LABELS", "--style-label-map", "LABELS,LABELS", "--style-loss", "mrf"],
            "style label maps work with the gram and moments style losses, not mrf",
        ),
    ],
)
def test_bad_control_flags(capsys, monkeypatch, tmp_path, inputs, extra, message):
    small, labels3 = tmp_path / "small.png", tmp_path / "labels3.png"
    Image.fromarray(np.zeros((16, 32), np.uint8)).save(small)
    Image.fromarray(np.full((64, 64), 3, np.uint8)).save(labels3)
    names = {"MASK": inputs["left"], "SMALL,SMALL": f"{small},{small}", "LABELS3": str(labels3),
             "LABELS3,LABELS3": f"{labels3},{labels3}", "LABELS": inputs["labels"],
             "LABELS,LABELS": f"{inputs['labels']},{inputs['labels']}"}  # fmt: skip
    extra = [names.get(item, item) for item in extra]
    monkeypatch.setattr("nst_tf.tf_startup.import_tensorflow_quietly", pytest.fail)  # not reached
    arguments = ["stylize", inputs["content"], inputs["a"], inputs["b"]]
    expect_usage_error(capsys, [*arguments, "-o", str(tmp_path / "o.png"), *extra], message)


def test_style_label_maps_reach_stylize(tmp_path, inputs, captured):
    out = str(tmp_path / "o.png")
    code = cli.main(["nst-tf", "stylize", inputs["content"], inputs["a"], inputs["b"], "-o", out,
                     "--label-map", inputs["labels"], "--style-label-map",
                     f"{inputs['labels']},{inputs['labels']}", "--quiet"])  # fmt: skip
    assert code == 0
    (call,) = captured
    assert call["label_map"] == inputs["labels"] and call["masks"] is None
    assert call["style_label_maps"] == [inputs["labels"]] * 2


def test_texture_with_swap_loss_is_refused(capsys, tmp_path, inputs):
    expect_usage_error(capsys, ["texture", inputs["a"], "-o", str(tmp_path / "t.png"), *TINY,
                                "--style-loss", "swap"], "needs a content image")  # fmt: skip


def test_help_lists_control_flags(capsys):
    assert cli.main(["nst-tf", "stylize", "--help"]) == 0
    out = capsys.readouterr().out
    assert "CONTENT [STYLE...]" in out
    for flag in ("--preserve-colors", "--style-blend", "--style-scale", "--scales", "--masks",
                 "--label-map", "--style-label-map", "--style-loss", "--preset", "--model", "--temporal-smoothing"):  # fmt: skip
        assert flag in out
