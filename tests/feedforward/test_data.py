"""The tf.data training pipeline: folders (nested, mixed formats, corrupt files) and TFDS."""

import numpy as np
import pytest
import tensorflow_datasets as tfds
from PIL import Image
from support import gradient_image

from nst_tf.errors import NstError
from nst_tf.feedforward import training_config, training_input
from nst_tf.io import files


@pytest.fixture
def image_folder(tmp_path):
    """Two good images in nested folders (jpg, webp), a png, a corrupt jpg and a text file."""
    (tmp_path / "a" / "b").mkdir(parents=True)
    Image.fromarray(gradient_image(40).astype(np.uint8)).save(tmp_path / "one.jpg")
    Image.fromarray(np.full((30, 50, 3), 200, np.uint8)).save(tmp_path / "a" / "b" / "two.WEBP")
    Image.fromarray(np.full((20, 20), 10, np.uint8)).save(tmp_path / "a" / "grey.png")
    (tmp_path / "a" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 this is not really a jpeg")
    (tmp_path / "notes.txt").write_text("not an image")
    return tmp_path


def test_lists_images_recursively_by_ending(image_folder):
    names = sorted(p.split("/")[-1] for p in files.list_image_files(str(image_folder)))
    assert names == ["broken.jpg", "grey.png", "one.jpg", "two.WEBP"]


def test_folder_batches_have_the_size_and_range_and_skip_corrupt_files(image_folder):
    training = training_input.training_data(str(image_folder), image_size=16, batch_size=3, seed=1)
    batches = [batch.numpy() for batch in training.dataset.take(4)]
    assert all(batch.shape == (3, 16, 16, 3) and batch.dtype == np.float32 for batch in batches)
    values = np.concatenate(batches)
    assert 0 <= values.min() and values.max() <= 255
    # Every readable image shows up: the flat grey (10), the flat light one (200), the ramp.
    means = sorted({round(float(image.mean())) for image in values})
    assert means[0] == 10 and 200 in means and len(means) >= 3
    assert training.skipped.count == 1 and training.skipped.examples[0].endswith("broken.jpg")
    assert "3 images" in training.description


def test_crops_keep_the_aspect_ratio(tmp_path):
    # A wide image, left half black and right half white. Squashed to a square, every crop
    # would be half white; cropped from the image at its aspect ratio, most crops of 8 are
    # all black or all white (a crop starts at one of 31 positions, 20 of them pure).
    image = np.zeros((20, 80, 3), np.uint8)
    image[:, 40:] = 255
    Image.fromarray(image).save(tmp_path / "wide.png")
    training = training_input.training_data(str(tmp_path), image_size=10, batch_size=8, seed=0)
    batch = next(iter(training.dataset)).numpy()
    fractions_white = (batch.mean(axis=-1) > 127).mean(axis=(1, 2))
    assert np.any(np.abs(fractions_white - 0.5) > 0.4)


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda p: p / "missing", "folder not found"),
        (lambda p: p, "no images"),
    ],
)
def test_bad_folders_are_one_line_errors(tmp_path, make, message):
    (tmp_path / "readme.txt").write_text("x")
    with pytest.raises(NstError, match=message):
        training_config.check_data_source(str(make(tmp_path)))


def test_a_folder_of_only_unreadable_files_fails_at_once(tmp_path):
    (tmp_path / "a.jpg").write_bytes(b"junk")
    with pytest.raises(NstError, match="none of the 1 image files"):
        training_input.training_data(str(tmp_path), image_size=8, batch_size=1)


def test_tfds_source_with_mock_data():
    with tfds.testing.mock_data(num_examples=5):
        training = training_input.training_data("tfds:imagenette", image_size=24, batch_size=2)
        batch = next(iter(training.dataset)).numpy()
    assert batch.shape == (2, 24, 24, 3)
    assert 0 <= batch.min() and batch.max() <= 255 and batch.std() > 10
    assert training.description == "tfds:imagenette (train)"


def test_unknown_tfds_name_is_a_one_line_error():
    with pytest.raises(NstError, match="cannot load the TensorFlow dataset 'no_such_set'"):
        training_input.training_data("tfds:no_such_set", image_size=8, batch_size=1)
    with pytest.raises(NstError, match="missing dataset name"):
        training_config.check_data_source("tfds:")
