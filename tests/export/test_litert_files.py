"""The shipped .tflite files against the Keras networks they were converted from."""

import os

import pytest
from support import SAMPLES

from nst_tf.export import litert_files
from nst_tf.feedforward import shipped
from nst_tf.io import image_io
from nst_tf.pretrained import lite_runner
from nst_tf.superres import upscaling

pytestmark = pytest.mark.slow

NAMES = [*lite_runner.FILES, *shipped.shipped_models(), upscaling.SHIPPED_NAME]
# Three sizes, one of them not a multiple of 4; the upscaler gets half (its output is 4x).
SIZES = {"chelsea": (256, 256), "astronaut": (301, 383), "coffee": (480, 640)}


@pytest.mark.parametrize("name", NAMES)
def test_every_shipped_file_matches_its_keras_network(name):
    folder = os.path.dirname(shipped.find_tflite(name))
    for photo, (height, width) in SIZES.items():
        if name == upscaling.SHIPPED_NAME:
            height, width = height // 2, width // 2
        image = image_io.resize(image_io.load_image(SAMPLES / f"{photo}.jpg"), (height, width))
        assert litert_files.keras_parity_db(folder, name, image) >= 40.0, (photo, height, width)
