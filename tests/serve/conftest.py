"""Fixtures of the web app's tests: an app with a random-weight VGG16 and an uploaded photo."""

import pytest
from serve_helpers import sample_bytes, upload


@pytest.fixture(scope="module")
def client():
    from fastapi.testclient import TestClient

    from nst_tf.serve import app as webapp

    app = webapp.create_app(vgg="vgg16", vgg_weights=None, max_waiting=1, preview_seconds=0.0)
    with TestClient(app, base_url="http://127.0.0.1:8000") as test_client:
        yield test_client


@pytest.fixture(scope="module")
def photo_id(client):
    answer = upload(client, sample_bytes())
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]
