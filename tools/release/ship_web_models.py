"""Writes the fixed-size .tflite files, thumbnails and manifest the page runs in the browser
into exported_models/web, from the Keras networks (nst_tf.export.web_files; the manifest:
nst_tf.serve.site.write_manifest).

    python -m tools.release.ship_web_models
"""

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow is imported


from nst_tf.export import web_files
from nst_tf.serve import site
from tools import benchmarks


def main(argv=None):
    """Exports the files and prints their sizes; returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.path.join(benchmarks.REPOSITORY, "exported_models", web_files.FOLDER)
    parser.add_argument("--out", default=default, help="Folder of the files.")
    parser.add_argument(
        "--manifest-only",
        action="store_true",
        help="Rewrite the manifest and thumbnails of the files there.",
    )
    args = parser.parse_args(argv)
    written = {} if args.manifest_only else web_files.export_all(args.out)
    site.write_manifest(args.out, web_files.PAINT_SIDE, web_files.CAMERA_SIDE)
    for name, size in sorted(written.items()):
        print(f"{name:44s} {size / 1e6:6.2f} MB", flush=True)
    print(f"wrote {args.out} ({benchmarks.folder_bytes(args.out) / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
