"""Writes the .tflite files of nst_tf's LiteRT runtime into exported_models/litert from the
shipped Keras networks, and a manifest with each file's size and its parity with Keras (PSNR on
the bundled photos at three sizes, one of them not a multiple of 4).

    python -m tools.release.ship_litert
"""

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow is imported


from nst_tf.export import litert_files
from nst_tf.feedforward import shipped
from nst_tf.io import files, image_io
from nst_tf.superres import upscaling
from tools import benchmarks

REPO = benchmarks.REPOSITORY
# (height, width) of the content; the upscaler gets half of each (its output is 4x larger).
PARITY_SIZES = ((256, 256), (301, 383), (480, 640))


def parse_args(argv=None):
    """Parses the command line (argv without the program name)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.path.join(REPO, "exported_models", shipped.LITERT_FOLDER)
    parser.add_argument("--out", default=default, help="Folder of the .tflite files.")
    return parser.parse_args(argv)


def parity_inputs(name):
    """The parity photos at the sizes the file `name` is checked at."""
    halve = name == upscaling.SHIPPED_NAME
    for photo in benchmarks.PARITY_PHOTOS:
        image = image_io.load_image(os.path.join(REPO, "nst_tf", "samples", photo))
        for height, width in PARITY_SIZES:
            size = (height // 2, width // 2) if halve else (height, width)
            yield image_io.resize(image, size)


def main(argv=None):
    """Exports the files, measures them and writes the manifest; returns 0."""
    args = parse_args(argv)
    written = litert_files.export_all(args.out)
    manifest = {
        "source": "tools/release/ship_litert.py, from the Keras networks in exported_models",
        "weights": litert_files.QUANTIZE,
        "parity_photos": list(benchmarks.PARITY_PHOTOS),
        "parity_sizes": [list(size) for size in PARITY_SIZES],
        "files": {},
    }
    for file_name, size in written.items():
        name = file_name.removesuffix(".tflite")
        worst = min(
            litert_files.keras_parity_db(args.out, name, image) for image in parity_inputs(name)
        )
        manifest["files"][file_name] = {"bytes": size, "min_psnr_db": round(worst, 2)}
        print(f"{file_name:40s} {size / 1e6:6.2f} MB  min PSNR {worst:6.2f} dB", flush=True)
    files.write_json(os.path.join(args.out, "manifest.json"), benchmarks.portable(manifest))
    print(f"wrote {args.out} ({benchmarks.folder_bytes(args.out) / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
