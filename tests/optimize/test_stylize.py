"""Gatys optimisation on a random-weight VGG19 at 48 px: losses fall, options do what they say."""

import numpy as np
import pytest
import tensorflow as tf

from nst_tf import defaults
from nst_tf.errors import NstError
from nst_tf.losses.gram import GramMatrix
from nst_tf.losses.terms import TotalVariation
from nst_tf.optimize import image_optimization, inputs
from nst_tf.optimize import run as run_module
from nst_tf.optimize.objective import Objective
from nst_tf.optimize.options import Options


def run(content, style, network, **options):
    # No XLA: compiling each 48 px run cost more than running it (the quality test, the CLI tests
    # and test_lbfgs_lowers_total_loss_a_hundredfold keep XLA).
    options = {"iterations": 20, "tv_weight": 0.0, "progress": False, "xla": False, **options}
    return image_optimization.stylize(content, style, loss_network=network, **options)


@pytest.mark.slow
def test_lbfgs_lowers_total_loss_a_hundredfold(random_network, content_image, style_image):
    result = run(content_image, style_image, random_network, iterations=40, xla=True)
    first, last = result.history[0], result.history[-1]
    assert [entry["iteration"] for entry in result.history] == list(range(41))
    assert first["content"] < 1e-9  # starts from the content image (XLA rounds differently)
    assert last["total"] < first["total"] / 100
    assert last["style"] < first["style"] / 100
    assert 41 <= last["evaluations"] <= 41 * 1.25  # mostly one evaluation per iteration
    assert result.image.shape == (48, 48, 3) and result.image.dtype == np.float32
    assert result.image.min() >= 0.0 and result.image.max() <= 255.0


@pytest.mark.slow
def test_adam_lowers_total_loss(random_network, content_image, style_image):
    result = run(content_image, style_image, random_network, optimizer="adam", iterations=30)
    first, last = result.history[0], result.history[-1]
    assert len(result.history) == 31
    assert last["total"] < first["total"] / 5
    assert result.image.min() >= 0.0 and result.image.max() <= 255.0


def test_history_losses_are_the_weighted_parts(random_network, content_image, style_image):
    result = run(
        content_image, style_image, random_network, iterations=3, tv_weight=0.5, style_weight=2.0
    )
    start = result.history[0]  # the content image itself
    features = random_network(content_image[None])
    targets = random_network(style_image[None])
    gram = GramMatrix()
    style = np.mean([
        float(tf.reduce_mean(tf.square(gram(features[name]) - gram(targets[name]))))
        for name in defaults.STYLE_LAYERS
    ])  # fmt: skip
    tv = float(TotalVariation()(content_image[None]))
    assert start["content"] == pytest.approx(0.0, abs=1e-6)  # oneDNN/XLA round-off
    assert start["style"] == pytest.approx(2.0 * style, rel=1e-4)
    assert start["tv"] == pytest.approx(0.5 * tv, rel=1e-5)
    for entry in result.history:
        assert entry["total"] == pytest.approx(entry["content"] + entry["style"] + entry["tv"])
    seconds = [entry["seconds"] for entry in result.history]
    assert seconds == sorted(seconds)


@pytest.mark.slow
def test_final_history_entry_is_the_returned_image(random_network, content_image, style_image):
    for optimizer in ("lbfgs", "adam"):
        result = run(content_image, style_image, random_network, iterations=4, optimizer=optimizer)
        options = Options(tv_weight=0.0, xla=False)
        objective = Objective(
            random_network, options, (48, 48), content_image, [style_image], [1.0]
        )
        parts, _ = objective.losses_and_gradient(tf.constant(result.image[None]))
        assert float(parts["total"]) == pytest.approx(result.history[-1]["total"], rel=1e-3)


@pytest.mark.parametrize("optimizer", ["lbfgs", "adam"])
def test_value_and_gradient_is_traced_once(
    monkeypatch, random_network, content_image, style_image, optimizer
):
    made = []

    class Recording(Objective):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(run_module, "Objective", Recording)
    run(content_image, style_image, random_network, iterations=6, optimizer=optimizer)
    assert len(made) == 1
    assert made[0].losses_and_gradient.experimental_get_tracing_count() == 1


@pytest.mark.slow
def test_init_modes(random_network, content_image, style_image):
    def first_losses(init):
        return run(content_image, style_image, random_network, iterations=1, init=init).history[0]

    assert first_losses("content")["content"] == 0.0
    style_start = first_losses("style")
    noise_start = first_losses("noise")
    assert style_start["content"] > 0 and noise_start["content"] > 0
    assert style_start["style"] < noise_start["style"]  # the style image matches its own Grams


def test_initial_images():
    content = np.full((4, 6, 3), 9.0, np.float32)
    styles = [np.random.default_rng(0).uniform(0, 255, (16, 24, 3)).astype(np.float32)]

    def start(init, seed=0, image=content):
        return inputs.initial_image(init, image, styles, [1.0], image.shape[:2], seed)

    np.testing.assert_array_equal(start("content"), content)
    assert start("style").shape == (4, 6, 3)
    noise_a, noise_b, noise_c = start("noise", 1), start("noise", 1), start("noise", 2)
    np.testing.assert_array_equal(noise_a, noise_b)
    assert not np.array_equal(noise_a, noise_c)
    assert 0 <= noise_a.min() and noise_a.max() <= 255
    photo = np.full((32, 48, 3), 120.0, np.float32)
    painted = start("fast", image=photo)  # the pretrained one-pass result
    assert painted.shape == photo.shape and np.abs(painted - photo).mean() > 5


@pytest.mark.parametrize("optimizer", ["lbfgs", "adam"])
@pytest.mark.slow
def test_same_seed_gives_same_image(random_network, content_image, style_image, optimizer):
    results = [
        run(content_image, style_image, random_network, iterations=5, init="noise", seed=seed,
            optimizer=optimizer)
        for seed in (3, 3, 4)
    ]  # fmt: skip
    np.testing.assert_array_equal(results[0].image, results[1].image)
    assert not np.array_equal(results[0].image, results[2].image)


def test_style_is_resized_to_content_size_times_scale(monkeypatch, random_network, content_image):
    seen = []
    original = Objective.__init__

    def spy(self, network, options, shape, content, styles, *args):
        seen.append(styles[0].shape)  # the first (here only) style image
        original(self, network, options, shape, content, styles, *args)

    monkeypatch.setattr(Objective, "__init__", spy)
    big_style = np.random.default_rng(0).uniform(0, 255, (100, 200, 3)).astype(np.float32)
    run(content_image, big_style, random_network, iterations=1)
    run(content_image, big_style, random_network, iterations=1, style_scale=2.0)
    run(content_image, big_style, random_network, iterations=1, size=32)
    assert seen == [(24, 48, 3), (48, 96, 3), (16, 32, 3)]


def test_size_sets_longest_side(random_network, style_image):
    wide = np.random.default_rng(0).uniform(0, 255, (40, 80, 3)).astype(np.float32)
    result = run(wide, style_image, random_network, iterations=1, size=64)
    assert result.image.shape == (32, 64, 3)


def test_texture_synthesis_matches_style_without_content(random_network, style_image):
    result = image_optimization.synthesize_texture(
        style_image, size=(40, 56), iterations=25, loss_network=random_network, tv_weight=0.0,
        progress=False, xla=False,
    )  # fmt: skip
    assert result.image.shape == (40, 56, 3)
    assert all(entry["content"] == 0.0 for entry in result.history)
    assert result.history[-1]["style"] < result.history[0]["style"] / 20


def test_texture_synthesis_refuses_content_init(random_network, style_image):
    with pytest.raises(NstError, match="no content image"):
        image_optimization.synthesize_texture(
            style_image, init="content", loss_network=random_network
        )


@pytest.mark.slow
def test_tv_weight_smooths_the_result(random_network, content_image, style_image):
    rough = run(content_image, style_image, random_network, iterations=15)
    smooth = run(content_image, style_image, random_network, iterations=15, tv_weight=2000.0)
    tv = TotalVariation()
    assert float(tv(smooth.image[None])) < 0.5 * float(tv(rough.image[None]))


@pytest.mark.slow
def test_content_weight_keeps_content(random_network, content_image, style_image):
    # Content loss measured unweighted: with a heavy content weight the result stays nearer.
    def unweighted_content(result):
        features = random_network(result.image[None])["block4_conv2"]
        target = random_network(content_image[None])["block4_conv2"]
        return float(tf.reduce_mean(tf.square(features - target)))

    loose = run(content_image, style_image, random_network, init="noise", content_weight=0.0)
    tight = run(content_image, style_image, random_network, init="noise", content_weight=1e4)
    assert unweighted_content(tight) < 0.5 * unweighted_content(loose)


def test_style_layer_weights_select_layers(random_network, content_image, style_image):
    only_first = [1.0, 0.0, 0.0, 0.0, 0.0]
    result = run(content_image, style_image, random_network, iterations=1,
                 style_layer_weights=only_first)  # fmt: skip
    features = random_network(content_image[None])["block1_conv1"]
    target = random_network(style_image[None])["block1_conv1"]
    gram = GramMatrix()
    expected = float(tf.reduce_mean(tf.square(gram(features) - gram(target))))
    weight = defaults.STYLE_WEIGHT
    assert result.history[0]["style"] == pytest.approx(weight * expected, rel=1e-4)


def test_save_every_writes_intermediate_images(
    tmp_path, random_network, content_image, style_image
):
    for optimizer in ("lbfgs", "adam"):
        pattern = str(tmp_path / optimizer / "step_{iteration:03d}.png")
        run(content_image, style_image, random_network, iterations=6, optimizer=optimizer,
            save_every=2, save_path=pattern)  # fmt: skip
        assert sorted(p.name for p in (tmp_path / optimizer).iterdir()) == [
            "step_002.png", "step_004.png", "step_006.png"
        ]  # fmt: skip


@pytest.mark.parametrize(
    "options, message",
    [
        ({"iterations": 0}, "iterations must be positive"),
        ({"optimizer": "sgd"}, "unknown optimizer"),
        ({"init": "zeros"}, "unknown init"),
        ({"style_scale": -1.0}, "style scale must be positive"),
        ({"style_layers": ["block9_conv1"]}, "unknown vgg19 layer"),
        ({"content_layers": ["conv4_2"]}, "unknown vgg19 layer"),
        ({"style_layer_weights": [1.0, 2.0]}, "2 style layer weights for 5 style layers"),
        ({"save_every": 2, "save_path": "no_field.png"}, "{iteration} field"),
        ({"size": 0}, "size must be positive"),
        ({"size": 8}, "too small"),
        ({"size": 200_000}, "GiB"),
        ({"tv_mode": "l3"}, "unknown tv_mode"),
        ({"seed": -1}, "seed must be 0 or positive"),
        ({"style_layers": []}, "no style layers"),
        ({"style_weight": float("nan")}, "style_weight must be a finite number"),
        ({"content_weight": -1.0}, "content_weight must be a finite number"),
        ({"optimizer": "adam", "learning_rate": 0.0}, "learning_rate must be positive"),
    ],
)
def test_bad_options_are_one_line_errors(
    random_network, content_image, style_image, options, message
):
    with pytest.raises(NstError, match=message.replace("{", r"\{").replace("}", r"\}")) as error:
        image_optimization.stylize(
            content_image, style_image, loss_network=random_network, **options
        )
    assert "\n" not in str(error.value)


def test_unknown_option_is_a_type_error(random_network, content_image, style_image):
    with pytest.raises(TypeError, match="color"):
        image_optimization.stylize(
            content_image, style_image, loss_network=random_network, color="red"
        )


def test_tiny_style_image_is_refused(random_network, content_image):
    with pytest.raises(NstError, match="style image .* too small"):
        run(content_image, np.zeros((48, 48, 3), np.float32), random_network, style_scale=0.2)


@pytest.mark.parametrize("optimizer", ["lbfgs", "adam"])
def test_on_iteration_sees_every_iteration_and_can_stop(
    random_network, content_image, style_image, optimizer
):
    seen = []

    def on_iteration(iteration, image):
        seen.append(iteration)
        if iteration == 2:
            picture = image()
            assert picture.shape == (48, 48, 3) and picture.dtype == np.float32
        if iteration == 4:
            raise KeyboardInterrupt  # stands for a cancel

    with pytest.raises(KeyboardInterrupt):
        run(content_image, style_image, random_network, optimizer=optimizer, iterations=10,
            on_iteration=on_iteration)  # fmt: skip
    assert seen == [1, 2, 3, 4]
    result = run(content_image, style_image, random_network, iterations=3,
                 on_iteration=lambda iteration, image: seen.append(iteration))  # fmt: skip
    assert seen[4:] == [1, 2, 3] and len(result.history) == 4


def test_on_iteration_must_be_callable(random_network, content_image, style_image):
    with pytest.raises(NstError, match="on_iteration must be a function"):
        run(content_image, style_image, random_network, on_iteration="print")


@pytest.mark.parametrize("which", ["content", "style"])
def test_an_image_under_16_px_a_side_is_refused_by_the_python_api(
    random_network, content_image, style_image, which
):
    tiny = np.full((15, 64, 3), 128.0, np.float32)  # resized to `size`, it would paint
    images = {"content": content_image, "style": style_image, which: tiny}
    with pytest.raises(NstError, match=f"the {which} image is 64x15 px; it needs at least 16"):
        image_optimization.stylize(images["content"], images["style"], size=48,
                         loss_network=random_network)  # fmt: skip
    if which == "style":
        with pytest.raises(NstError, match="at least 16 px a side"):
            image_optimization.synthesize_texture(tiny, size=48, loss_network=random_network)
