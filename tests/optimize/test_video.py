"""Videos by optimisation (nst_tf.optimize.video_optimization): temporal loss, flow start,
resume, bad options."""

import imageio.v2 as imageio
import numpy as np
import pytest
from support import gradient_image, stripes_image

from nst_tf import motion
from nst_tf.errors import NstError
from nst_tf.optimize import video_optimization
from nst_tf.optimize.objective import Objective
from nst_tf.optimize.options import Options

TINY = {"iterations": 4, "xla": False, "vgg_weights": None}


def panning_clip(path, frames=4, step=3, size=48):
    """A clip of stripes moving right by `step` px a frame."""
    texture = np.tile(stripes_image(size), (1, 2, 1))
    images = [
        np.ascontiguousarray(texture[:, size - i * step : 2 * size - i * step])
        for i in range(frames)
    ]
    imageio.mimwrite(path, [image.astype(np.uint8) for image in images], fps=5, macro_block_size=1)
    return images


def test_temporal_term_pulls_masked_pixels_to_the_target(random_network):
    options = Options(content_weight=0.0, style_weight=0.0, tv_weight=0.0, xla=False)
    content, style = gradient_image(), stripes_image()
    objective = Objective(random_network, options, (48, 48), content, [style], [1.0],
                          temporal_weight=2.0)  # fmt: skip
    target = np.full((48, 48, 3), 100.0, np.float32)
    mask = np.zeros((48, 48), np.float32)
    mask[:, :24] = 1.0
    objective.set_temporal(target, mask)
    image = np.full((1, 48, 48, 3), 110.0, np.float32)
    parts, gradient = objective.losses_and_gradient(image)
    # Half the pixels 10 away: mean over all of mask * 100 = 50, times the weight 2.
    assert float(parts["temporal"]) == pytest.approx(100.0)
    gradient = gradient.numpy()[0]
    assert np.all(gradient[:, 24:] == 0)
    np.testing.assert_allclose(gradient[:, :24], 2.0 * 2 * 10 / (48 * 48 * 3), rtol=1e-5)


def test_set_content_changes_the_content_target_in_place(random_network):
    options = Options(style_weight=0.0, tv_weight=0.0, xla=False)
    first, second = gradient_image(), stripes_image()
    objective = Objective(random_network, options, (48, 48), first, [second], [1.0])
    assert float(objective.losses_and_gradient(first[None])[0]["content"]) == 0.0
    objective.set_content(second)
    assert float(objective.losses_and_gradient(first[None])[0]["content"]) > 0.0
    assert float(objective.losses_and_gradient(second[None])[0]["content"]) == 0.0


def test_flow_follows_the_scene_and_beats_frames_painted_alone(tmp_path, random_network):
    clip = tmp_path / "clip.mp4"
    panning_clip(clip, frames=4)
    common = dict(TINY, loss_network=random_network, style_weight=1e3, progress=False)
    outputs = {}
    for temporal in ("none", "flow"):
        out = tmp_path / f"{temporal}.mp4"
        assert video_optimization.optimize_video(clip, gradient_image(), out, temporal=temporal,
                                    temporal_weight=5.0, **common) == 4  # fmt: skip
        outputs[temporal] = np.asarray(imageio.mimread(out), np.float32)
    frames = np.asarray(imageio.mimread(clip), np.float32)
    errors = {
        temporal: np.mean(
            [motion.warping_error(o[i - 1], o[i], frames[i - 1], frames[i]) for i in range(1, 4)]
        )  # fmt: skip
        for temporal, o in outputs.items()
    }
    assert errors["flow"] < 0.5 * errors["none"], errors
    assert not list(tmp_path.glob(".*.frames")), "the work folder goes once the video is written"


def test_a_killed_run_resumes_from_the_frames_it_finished(tmp_path, random_network):
    clip, out = tmp_path / "clip.mp4", tmp_path / "out.mp4"
    panning_clip(clip, frames=4)
    started = []

    def count_frames(stop_at):
        def on_iteration(iteration, image):
            if iteration == 1:
                started.append(1)
                if len(started) == stop_at:
                    raise KeyboardInterrupt  # killed while painting this frame

        return dict(TINY, loss_network=random_network, progress=False, on_iteration=on_iteration)

    with pytest.raises(KeyboardInterrupt):
        video_optimization.optimize_video(clip, stripes_image(), out, **count_frames(stop_at=3))
    assert not out.exists()
    assert len(list(tmp_path.glob(".out.mp4.frames/*.png"))) == 2

    started.clear()
    written = video_optimization.optimize_video(
        clip, stripes_image(), out, **count_frames(stop_at=0)
    )
    assert written == 4
    assert len(started) == 2, "only the frames the killed run had not finished"
    assert len(imageio.mimread(out)) == 4


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"scales": 2}, "pyramid levels"),
        ({"style_loss": "swap"}, "style swap"),
        ({"temporal": "warp"}, "temporal must be one of"),
        ({"temporal_weight": -1.0}, "temporal weight"),
    ],
)
def test_options_that_do_not_apply_to_videos_are_refused(tmp_path, arguments, message):
    clip = tmp_path / "clip.mp4"
    panning_clip(clip, frames=2)
    with pytest.raises(NstError, match=message):
        video_optimization.optimize_video(clip, stripes_image(), tmp_path / "o.mp4", **arguments)
    assert not (tmp_path / "o.mp4").exists()
