"""Optimise offline: the server resolves its loss network's weights once at start-up; when they
cannot be had, /api/health says why (naming --vgg-weights) before anyone starts a job, jobs are
refused with that reason, and the download is never tried again."""

import time

import pytest
from serve_helpers import image_bytes, upload

pytest.importorskip("fastapi", reason="the web app's tests need the web extra: pip install .[web]")
pytest.importorskip("httpx", reason="FastAPI's TestClient needs httpx")


def settled(client, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        health = client.get("/api/health").json()
        if health["optimise"] != "checking":
            return health
        time.sleep(0.05)
    raise AssertionError("the loss network was still being resolved")


def test_no_imagenet_weights_offline_turns_optimise_off_once_with_the_flag_named(monkeypatch):
    from fastapi.testclient import TestClient

    from nst_tf.encoders import vgg
    from nst_tf.serve import app as webapp

    calls = []

    def offline(*args, **kwargs):
        calls.append(kwargs.get("weights"))
        raise Exception(  # noqa: TRY002 - what Keras raises when the download fails
            "URL fetch failure on https://storage.googleapis.com/tensorflow/keras-applications/"
            "vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5: None -- [Errno -3] "
            "Temporary failure in name resolution"
        )

    monkeypatch.setitem(vgg.APPLICATIONS, "vgg19", offline)
    monkeypatch.delenv("NST_TF_VGG_WEIGHTS", raising=False)
    app = webapp.create_app(vgg="vgg19")  # the default weights: ImageNet's
    with TestClient(app, base_url="http://localhost") as client:
        health = settled(client)
        assert health["optimise"] == "off"
        reason = health["optimise_reason"]
        assert "--vgg-weights" in reason and "vgg_weights" not in reason, reason
        assert "\n" not in reason and len(reason) <= 160, reason
        assert "ImageNet vgg19 weights cannot be downloaded" in reason
        photo = upload(client, image_bytes()).json()["id"]
        for _ in range(2):
            answer = client.post("/api/jobs", json={"content": photo, "style": "shipwreck"})
            assert answer.status_code == 503 and answer.json()["detail"] == reason
        fast = client.post("/api/fast", json={"content": photo, "style": "style_03", "size": 64})
        assert fast.status_code == 200  # the fast path needs no VGG
    assert calls == ["imagenet"]  # resolved once at start-up, never retried per job


def test_a_missing_weights_file_is_named_and_optimise_is_off():
    from fastapi.testclient import TestClient

    from nst_tf.serve import app as webapp

    app = webapp.create_app(vgg="vgg16", vgg_weights="/nowhere/vgg16.h5")
    with TestClient(app, base_url="http://localhost") as client:
        health = settled(client)
    assert health["optimise"] == "off"
    assert "/nowhere/vgg16.h5" in health["optimise_reason"]
    assert "--vgg-weights" in health["optimise_reason"]


def test_a_ready_loss_network_is_reported(client):
    assert settled(client)["optimise"] == "ready"
