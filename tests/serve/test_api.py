"""The web app's JSON API through FastAPI's TestClient: every endpoint and every refusal."""

import io
import json
import pathlib
import re
import time

import numpy as np
import pytest
from PIL import Image
from serve_helpers import bomb_png, image_bytes, sample_bytes, upload

pytest.importorskip("fastapi", reason="the web app's tests need the web extra: pip install .[web]")
pytest.importorskip("httpx", reason="FastAPI's TestClient needs httpx")

STATIC = pathlib.Path(__file__).resolve().parents[2] / "nst_tf" / "serve" / "static"


def decode(answer):
    return np.asarray(Image.open(io.BytesIO(answer.content)).convert("RGB"), np.float32)


def wait_for(client, job_id, states, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(f"/api/jobs/{job_id}").json()
        if status["state"] in states:
            return status
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} still {status['state']} after {timeout} s")


def test_page_and_static_files_are_served_and_fetch_nothing_from_outside(client):
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    for name in ("index.html", "app.js", "style.css"):
        assert client.get(f"/static/{name}").status_code == 200
        text = (STATIC / name).read_text()
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text), name
    assert client.get("/static/../app.py").status_code == 404


def test_openapi_documents_every_endpoint(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths) == {
        "/api/health", "/api/styles", "/api/styles/{name}/thumbnail", "/api/images",
        "/api/images/{image_id}", "/api/fast", "/api/jobs", "/api/jobs/{job_id}",
        "/api/jobs/{job_id}/events", "/api/jobs/{job_id}/preview", "/api/results/{result_id}",
        "/api/forget",
    }  # fmt: skip
    assert client.get("/docs").status_code == 200


def test_health_and_styles(client):
    assert client.get("/api/health").json()["status"] == "ok"
    styles = {style["id"]: style for style in client.get("/api/styles").json()}
    paintings = ["starry_night", "the_scream", "woman_with_hat", "shipwreck"]
    assert list(styles) == paintings + [f"style_{i:02d}" for i in range(26)]
    assert styles["shipwreck"]["optimise"] and not styles["style_07"]["optimise"]
    assert styles["starry_night"]["name"] == "The Starry Night (van Gogh)"
    names = [style["name"] for style in styles.values()]
    assert len(set(names)) == 30 and not any(re.search(r"style|\d", name, re.I) for name in names)
    for name in ("shipwreck", "style_07"):
        thumbnail = client.get(styles[name]["thumbnail"])
        assert thumbnail.headers["content-type"] == "image/jpeg"
        assert max(decode(thumbnail).shape) == 160
    cat_in_two_styles = [
        decode(client.get(styles[n]["thumbnail"])) for n in ("style_03", "style_07")
    ]
    assert np.abs(cat_in_two_styles[0] - cat_in_two_styles[1]).mean() > 10
    assert client.get("/api/styles/..%2Fsetup.py/thumbnail").status_code == 404


def test_upload_keeps_the_image_under_a_generated_id(client):
    answer = upload(client, image_bytes((96, 64), "PNG"), "../../etc/passwd")
    assert answer.status_code == 201
    image = answer.json()
    assert (image["width"], image["height"]) == (96, 64) and re.fullmatch(
        r"i[0-9a-f]{16}", image["id"]
    )
    big = upload(client, image_bytes((1200, 900), "JPEG")).json()
    assert (big["width"], big["height"]) == (512, 384)  # kept at the largest size painted
    assert client.delete(f"/api/images/{image['id']}").status_code == 204
    assert client.delete(f"/api/images/{image['id']}").status_code == 404


@pytest.mark.parametrize(
    "data, status, message",
    [
        (b"just some text, not an image\n" * 10, 422, "not an image"),
        (sample_bytes()[:3000], 422, "cannot decode"),  # a truncated JPEG
        (image_bytes((1, 1), "PNG"), 422, "at least 16 px"),
        (image_bytes((15, 200), "PNG"), 422, "the image is 15x200 px; it needs at least 16 px"),
        (bomb_png(), 422, "megapixels"),
        (bomb_png(7000, 6000), 422, "limit is 40 megapixels"),
        (b"", 422, "empty"),
    ],
    ids=["text", "truncated-jpeg", "1x1", "15x200", "bomb", "42-megapixels", "empty"],
)
def test_bad_uploads_are_refused_with_a_reason(client, data, status, message):
    answer = upload(client, data)
    assert answer.status_code == status, answer.text
    assert message in answer.json()["detail"]


def test_oversize_upload_is_refused_before_it_is_read(client):
    data = b"\xff\xd8" + bytes(21 * 2**20)
    answer = upload(client, data)
    assert answer.status_code == 413 and "limit is 20 MB" in answer.json()["detail"]


def test_oversize_upload_without_a_length_is_refused_as_it_is_read(client, monkeypatch, tmp_path):
    from nst_tf.serve import uploads

    monkeypatch.setattr(uploads, "MAX_BYTES", 1000)  # below the Content-Length check's slack
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))  # where large uploads spool
    answer = upload(client, image_bytes((256, 256), "PNG"))
    assert answer.status_code == 413 and "limit" in answer.json()["detail"]
    assert list(tmp_path.iterdir()) == []  # the spooled upload is gone


def test_fast_paints_a_builtin_style_at_the_asked_size(client, photo_id):
    body = {"content": photo_id, "style": "the_scream", "size": 320}
    answer = client.post("/api/fast", json=body)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert (result["width"], result["height"]) == (320, 213)
    image = decode(client.get(result["url"]))
    assert image.shape == (213, 320, 3) and image.std() > 10
    plain = client.post("/api/fast", json={**body, "strength": 0.0}).json()
    content = decode(client.get(plain["url"]))
    assert np.abs(content - image).mean() > 10  # strength 0 is the photo, not the painting
    kept = client.get(f"{result['url']}?download=true")
    assert "attachment" in kept.headers["content-disposition"]
    assert client.delete(result["url"]).status_code == 204
    assert client.get(result["url"]).status_code == 404


def test_fast_rerender_with_another_strength_is_quick(client, photo_id):
    body = {"content": photo_id, "style": "starry_night", "size": 512}
    client.post("/api/fast", json=body)
    for strength, preserve_colors in ((0.3, False), (0.7, True)):
        answer = client.post("/api/fast", json={**body, "strength": strength,
                                                "preserve_colors": preserve_colors})  # fmt: skip
        assert answer.status_code == 200 and answer.json()["seconds"] < 1.0


def test_fast_paints_an_uploaded_painting_and_the_builtin_network_styles(client, photo_id):
    painting = upload(client, image_bytes((200, 150), "PNG", seed=5)).json()["id"]
    results = {}
    for style in (painting, "style_03", "style_07"):
        body = {"content": photo_id, "style": style, "size": 256}
        answer = client.post("/api/fast", json=body)
        assert answer.status_code == 200, answer.text
        results[style] = decode(client.get(answer.json()["url"]))
        assert results[style].shape == (170, 256, 3)
    assert np.abs(results["style_03"] - results["style_07"]).mean() > 10


@pytest.mark.parametrize(
    "change, status, message",
    [
        ({"content": "i0000000000000000"}, 404, "no such content image"),
        ({"style": "/etc/passwd"}, 404, "no such style image"),
        ({"strength": 1.5}, 422, "less than or equal to 1"),
        ({"size": 4096}, 422, "less than or equal to 512"),
    ],
)
def test_fast_refusals(client, photo_id, change, status, message):
    if change.get("style") == "upload":
        change = {"style": upload(client, image_bytes()).json()["id"]}
    answer = client.post("/api/fast", json={"content": photo_id, "style": "starry_night", **change})
    assert answer.status_code == status, answer.text
    assert message in str(answer.json()["detail"])


def test_fast_answers_503_with_retry_after_when_busy():
    from fastapi.testclient import TestClient

    from nst_tf.serve import app as webapp

    app = webapp.create_app(vgg="vgg16", vgg_weights=None, max_fast=0)
    with TestClient(app, base_url="http://localhost") as busy:
        photo = upload(busy, image_bytes()).json()["id"]
        answer = busy.post("/api/fast", json={"content": photo, "style": "starry_night"})
    assert answer.status_code == 503 and int(answer.headers["retry-after"]) >= 1


def test_job_runs_with_progress_events_preview_and_result(client, photo_id):
    painting = upload(client, image_bytes((80, 80), "PNG", seed=3)).json()["id"]
    body = {"content": photo_id, "style": painting, "size": 64, "iterations": 4}
    answer = client.post("/api/jobs", json=body)
    assert answer.status_code == 202, answer.text
    job = answer.json()
    assert job["state"] in ("queued", "running") and job["position"] in (0, 1)
    events = []
    with client.stream("GET", f"/api/jobs/{job['id']}/events") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        for line in stream.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
    assert events[-1]["state"] == "done" and events[-1]["iteration"] == 4
    assert any(event["state"] == "running" for event in events)
    result = events[-1]["result"]
    assert (result["width"], result["height"]) == (64, 43)  # chelsea.jpg is 451x300
    assert decode(client.get(result["url"])).shape == (result["height"], result["width"], 3)
    preview = client.get(events[-1]["preview"])
    assert preview.headers["content-type"] == "image/jpeg"
    assert client.get(f"/api/jobs/{job['id']}").json()["state"] == "done"


@pytest.mark.parametrize(
    "change, status, message",
    [({"iterations": 301}, 422, "less than or equal to 300"),
     ({"size": 32}, 422, "greater than or equal"),
     ({"iterations": 0}, 422, "greater than or equal to 1"),
     ({"style": "style_07"}, 422, "paint in Fast only"),  # no painting to optimise towards
     ({"style": "nope"}, 404, "no such style")],
)  # fmt: skip
def test_job_refusals(client, photo_id, change, status, message):
    answer = client.post("/api/jobs", json={"content": photo_id, "style": "shipwreck", **change})
    assert answer.status_code == status and message in str(answer.json()["detail"])


def test_cancel_and_queue_full(client, photo_id):
    body = {"content": photo_id, "style": "starry_night", "size": 64, "iterations": 300}
    running = client.post("/api/jobs", json=body).json()
    # Started before the next arrives: on a loaded machine it could still be waiting.
    status = wait_for(client, running["id"], ("running",))
    waiting = client.post("/api/jobs", json=body).json()
    assert waiting["state"] == "queued"
    full = client.post("/api/jobs", json=body)  # max_waiting=1
    assert full.status_code == 429 and int(full.headers["retry-after"]) >= 1
    assert "queue is full" in full.json()["detail"]
    assert client.get(f"/api/jobs/{waiting['id']}").json()["position"] == 1
    cancelled = client.delete(f"/api/jobs/{waiting['id']}").json()
    assert cancelled["state"] == "cancelled" and cancelled["position"] == -1
    wait_for(client, running["id"], ("running",))
    while status["iteration"] < 1:
        status = client.get(f"/api/jobs/{running['id']}").json()
        time.sleep(0.05)
    started = time.monotonic()
    client.delete(f"/api/jobs/{running['id']}")
    ended = wait_for(client, running["id"], ("cancelled", "done", "failed"), timeout=30)
    assert ended["state"] == "cancelled" and ended["iteration"] < 300
    assert time.monotonic() - started < 10
    assert client.get("/api/health").json()["running"] == 0
    assert client.delete("/api/jobs/jnothing").status_code == 404
    assert client.get("/api/jobs/jnothing/preview").status_code == 404


def test_forget_drops_a_closing_pages_results_and_uploads_at_once(client, photo_id):
    result = client.post("/api/fast", json={"content": photo_id, "style": "style_03", "size": 64})
    url = result.json()["url"]
    answer = client.post("/api/forget", json={"results": [result.json()["id"], "r-unknown"],
                                              "images": [photo_id], "jobs": ["j-unknown"]})  # fmt: skip
    assert answer.status_code == 204
    assert client.get(url).status_code == 404
    again = client.post("/api/fast", json={"content": photo_id, "style": "style_03"})
    assert again.status_code == 404  # the upload is gone too
    assert client.post("/api/forget", json={"results": "not a list"}).status_code == 422
