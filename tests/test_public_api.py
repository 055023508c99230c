"""The public names of `import nst_tf`: each imports, and the package imports no TensorFlow until
one is used."""

import subprocess
import sys

import pytest

import nst_tf

PUBLIC = [
    "NstError", "load_image", "save_image", "ContentLoss", "GramMatrix", "StyleLoss",
    "TotalVariation", "GramLoss", "MomentsLoss", "MrfLoss", "StyleSwapLoss", "build_loss_network",
    "StylizeResult", "Options", "run_optimization", "stylize", "synthesize_texture", "optimize_video", "plot_loss_history", "build_transformer",
    "StyleModel", "StyleNetwork", "load_style_network", "LiteStyleNetwork", "load_model", "TrainConfig", "train", "stylize_video", "export_saved_model",
    "export_tflite", "LiteStyleModel", "stylize_fast", "style_vector", "build_style_predictor",
    "build_arbitrary_transformer", "build_multistyle_network", "export_arbitrary_saved_model",
    "export_arbitrary_tflite", "LiteArbitraryModel", "stylize_batch", "matting_laplacian",
    "photo_smooth", "image_analogy", "AnalogyResult", "build_upscaler", "UpscaleConfig",
    "train_upscaler", "Upscaler", "load_upscaler",
]  # fmt: skip


def test_public_names_are_listed_and_import():
    assert sorted(nst_tf.__all__) == sorted(PUBLIC)
    for name in PUBLIC:
        assert getattr(nst_tf, name) is not None, name
    with pytest.raises(AttributeError):
        nst_tf.no_such_name  # noqa: B018


@pytest.mark.parametrize(
    "function, options",
    [
        (
            "stylize",
            (
                "iterations",
                "style_weight",
                "vgg",
                "scales",
                "style_loss",
                "photorealism_weight",
                "photo_smoothing",
            ),
        ),
        ("synthesize_texture", ("iterations", "style_weight", "vgg", "scales", "style_loss")),
        ("stylize_fast", ("strength", "style_blend", "working_size", "tile_size")),
        ("image_analogy", ("size", "iterations", "guidance", "vgg_weights")),
    ],
)
def test_options_are_explicit_keyword_parameters(function, options):
    import inspect

    parameters = inspect.signature(getattr(nst_tf, function)).parameters
    assert not any(p.kind is p.VAR_KEYWORD for p in parameters.values())
    for name in options:
        assert parameters[name].kind is inspect.Parameter.KEYWORD_ONLY
        assert parameters[name].annotation is not inspect.Parameter.empty


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["stylize", "--help"],
        ["stylize", "missing.jpg", "x.jpg", "-o", "y.jpg"],
        ["train", "--style", "missing.jpg", "--data", ".", "--out", "run"],
        ["texture", "missing.png", "-o", "t.png"],
        ["stylize", "missing.jpg", "x.jpg", "--fast", "-o", "y.jpg"],
        ["analogy", "missing.png", "s.png", "t.png", "-o", "y.png"],
        ["analogy", "--help"],
    ],
)
def test_help_and_argument_errors_load_no_tensorflow(argv, tmp_path):
    check = (
        "import sys; from nst_tf.cli import main; code = main.main(['nst-tf', *sys.argv[1:]]); "
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, 'TF loaded'; "
        "sys.exit(code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", check, *argv], cwd=tmp_path, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert "TF loaded" not in done.stderr, done.stderr
    if argv[-1] == "--help":
        assert done.returncode == 0 and "usage: nst-tf" in done.stdout
    else:
        assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
        assert "not found" in done.stderr
