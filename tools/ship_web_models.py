"""Writes the fixed-size .tflite files, thumbnails and manifest the page runs in the browser
into exported_models/web, from the Keras networks (see nst_tf.export.web_files).

    python tools/ship_web_models.py
"""

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow is imported

import benchmarks

from nst_tf.export import web_files


def main(argv=None):
    """Exports the files and prints their sizes; returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.path.join(benchmarks.REPOSITORY, "exported_models", web_files.FOLDER)
    parser.add_argument("--out", default=default, help="Folder of the files.")
    args = parser.parse_args(argv)
    written = web_files.export_all(args.out)
    for name, size in sorted(written.items()):
        print(f"{name:44s} {size / 1e6:6.2f} MB", flush=True)
    print(f"wrote {args.out} ({benchmarks.folder_bytes(args.out) / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
