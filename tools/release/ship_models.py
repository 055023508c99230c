"""Ships a trained style network into exported_models/: the Keras network (found by
`nst-tf stylize PHOTO --model STYLE`), and per style a SavedModel and TFLite float16 and int8
files, with a manifest of how it was trained and its measured parity with Keras.

    python -m tools.release.ship_models --model runs/styles3b --name styles3 \\
        --representative-data ../shared/images/train
"""

import argparse
import os
import shutil
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow is imported


from nst_tf.errors import NstError
from nst_tf.export import parity, saved_model, tflite
from nst_tf.feedforward import lite_model
from nst_tf.feedforward import model as feedforward
from nst_tf.io import files
from nst_tf.io import image_io as images
from tools import benchmarks

REPO = benchmarks.REPOSITORY
TFLITE_KINDS = ("float16", "int8")


def parse_args(argv=None):
    """Parses the command line (argv without the program name)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="A .keras network or training run folder.")
    parser.add_argument("--name", required=True, help="File name of the shipped network.")
    parser.add_argument("--representative-data", required=True, help="Calibration image folder.")
    parser.add_argument("--tflite-size", default="384x384", help="TFLite input HxW.")
    parser.add_argument("--note", default="", help="A line on the training, for the manifest.")
    parser.add_argument("--out", default=os.path.join(REPO, "exported_models"))
    return parser.parse_args(argv)


def main(argv=None):
    """Exports every style of the network; returns 0, or 2 for an input error."""
    args = parse_args(argv)
    try:
        size = tuple(int(v) for v in args.tflite_size.lower().split("x"))
        style_model = feedforward.load_model(args.model)
        calibration = tflite.calibration_images(args.representative_data)
        photos = [
            images.resize(images.load_image(os.path.join(REPO, "nst_tf", "samples", name)), size)
            for name in benchmarks.PARITY_PHOTOS
        ]
        keras_path = os.path.join(args.out, f"{args.name}.keras")
        metadata = benchmarks.portable(style_model.metadata)
        feedforward.save_model(style_model.model, keras_path, metadata)
        manifest = {
            "network": os.path.basename(keras_path),
            "training": {
                key: metadata.get(key)
                for key in (
                    "styles",
                    "data",
                    "steps",
                    "image_size",
                    "variant",
                    "loss_network",
                    "weights",
                )
            },
            "note": args.note,
            "keras_bytes": os.path.getsize(keras_path),
            "tflite_size": list(size),
            "parity_photos": list(benchmarks.PARITY_PHOTOS),
            "styles": {},
        }
        for style in style_model.style_names:
            weights = style_model.style_weights(style)
            expected = [style_model.stylize(p[None], weights)[0] for p in photos]
            folder = os.path.join(args.out, style)
            shutil.rmtree(folder, ignore_errors=True)
            saved = saved_model.export_saved_model(style_model, os.path.join(folder, "saved_model"),
                                              weights, version=1)  # fmt: skip
            entry = {"saved_model": os.path.relpath(saved, args.out),
                     "saved_model_bytes": benchmarks.folder_bytes(saved)}  # fmt: skip
            for kind in TFLITE_KINDS:
                path = os.path.join(folder, f"{style}_{kind}.tflite")
                entry[f"tflite_{kind}_bytes"] = tflite.export_tflite(
                    style_model, path, weights, kind, size, calibration
                )
                lite = lite_model.LiteStyleModel(path)
                entry[f"tflite_{kind}_psnr_db"] = round(
                    min(parity.psnr(e, lite.stylize(p)) for e, p in zip(expected, photos)), 2
                )
            manifest["styles"][style] = entry
            print(style, {k: v for k, v in entry.items() if "psnr" in k}, flush=True)
        files.write_json(os.path.join(args.out, "manifest.json"), benchmarks.portable(manifest))
        print(f"wrote {args.out} ({benchmarks.folder_bytes(args.out) / 1e6:.1f} MB)")
    except NstError as error:
        print(f"ship_models: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
