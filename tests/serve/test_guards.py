"""The web app against other pages and bad requests: the Host allow-list (DNS rebinding), the
Origin check, each client's share of the image store, non-finite JSON numbers, bodies over the
limit while they stream, short error bodies, HEAD, and the API docs served offline."""

import io
import re

import pytest
from PIL import Image
from serve_helpers import ServerThread, image_bytes, upload

pytest.importorskip("fastapi", reason="the web app's tests need the web extra: pip install .[web]")
pytest.importorskip("httpx", reason="FastAPI's TestClient needs httpx")

OWN = "http://127.0.0.1:8000"  # the fixture's base URL


def app_client(base_url="http://localhost", **settings):
    from fastapi.testclient import TestClient

    from nst_tf.serve import app as webapp

    app = webapp.create_app(vgg="vgg16", vgg_weights=None, **settings)
    return TestClient(app, base_url=base_url)


@pytest.mark.parametrize("host", ["localhost:8000", "127.0.0.1:8000", "[::1]:8000", "localhost"])
def test_loopback_host_names_are_served(client, host):
    assert client.get("/api/health", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:8000", "127.0.0.1.nip.io"])
def test_a_dns_rebinding_host_is_refused(client, host):
    for answer in (client.get("/api/health", headers={"Host": host}),
                   client.get("/", headers={"Host": host}),
                   client.post("/api/forget", json={}, headers={"Host": host})):  # fmt: skip
        assert answer.status_code == 400 and "--allowed-host" in answer.json()["detail"]


def test_allowed_host_and_a_wildcard_listen_address():
    with app_client("http://studio.lan:8000", allowed_hosts=("studio.lan",)) as named:
        assert named.get("/api/health").status_code == 200
        assert named.get("/api/health", headers={"Host": "other.lan"}).status_code == 400
    with app_client("http://192.168.1.20:8000", host="0.0.0.0") as everywhere:
        assert everywhere.get("/api/health").status_code == 200  # an address: no rebinding
        assert everywhere.get("/api/health", headers={"Host": "evil.example"}).status_code == 400
    with app_client("http://box.lan:8000", host="box.lan") as listening:
        assert listening.get("/api/health").status_code == 200


def test_a_cross_origin_post_is_refused_and_stores_nothing(client):
    images = client.app.state.images
    before = len(images)
    for headers in ({"Origin": "http://attacker.example"}, {"Origin": "null"},
                    {"Origin": "http://127.0.0.1:9999"}, {"Sec-Fetch-Site": "cross-site"}):  # fmt: skip
        answer = client.post("/api/images", files={"file": ("a.png", image_bytes())},
                             headers=headers)  # fmt: skip
        assert answer.status_code == 403, answer.text
        assert "another page" in answer.json()["detail"]
    assert len(images) == before
    evil = {"Origin": "http://attacker.example"}
    assert client.post("/api/forget", json={}, headers=evil).status_code == 403
    assert client.delete("/api/images/i0", headers=evil).status_code == 403
    assert client.get("/api/health", headers=evil).status_code == 200  # reading is no change
    same = client.post("/api/images", files={"file": ("a.png", image_bytes())},
                       headers={"Origin": OWN, "Sec-Fetch-Site": "same-origin"})  # fmt: skip
    assert same.status_code == 201


def test_an_allowed_origin_may_post():
    with app_client(allowed_origins=("http://studio.lan:3000",)) as configured:
        answer = configured.post("/api/forget", json={},
                                 headers={"Origin": "http://studio.lan:3000"})  # fmt: skip
        assert answer.status_code == 204


def test_the_page_names_its_client_and_one_client_cannot_evict_anothers_photo():
    from fastapi.testclient import TestClient

    with app_client() as browser:
        cookie = browser.get("/").headers["set-cookie"]
        assert re.match(r"nst_client=[0-9a-f]{32}; ", cookie), cookie
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert "set-cookie" not in browser.get("/").headers  # kept once given
        app = browser.app
        mine = TestClient(app, base_url="http://localhost", cookies={"nst_client": "a" * 32})
        theirs = TestClient(app, base_url="http://localhost", cookies={"nst_client": "b" * 32})
        photo = upload(mine, image_bytes((64, 48))).json()["id"]
        flood = [upload(theirs, image_bytes((16, 16), "PNG", seed=i)).json()["id"]
                 for i in range(70)]  # fmt: skip
        store = app.state.images
        assert store.get(photo) is not None  # 70 uploads of another did not evict it
        assert store.get(flood[0]) is None and store.get(flood[-1]) is not None
        assert len(store) <= 64


@pytest.mark.parametrize(
    "path, text",
    [
        ("/api/fast", '{"content": "i0", "style": "starry_night", "strength": NaN}'),
        ("/api/fast", '{"content": "i0", "style": "starry_night", "strength": Infinity}'),
        ("/api/jobs", '{"content": "i0", "style": "shipwreck", "size": 1e999}'),
        ("/api/jobs", '{"content": "i0", "style": "shipwreck", "iterations": -Infinity}'),
        ("/api/forget", '{"results": [NaN, 1e999]}'),
    ],
)
def test_non_finite_numbers_are_a_422_that_does_not_echo_them(client, path, text):
    answer = client.post(path, content=text, headers={"Content-Type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert not re.search(r"NaN|Infinity|1e999|inf\b", answer.text), answer.text
    assert client.get("/api/health").status_code == 200  # the connection lives on


def test_error_bodies_quote_a_short_excerpt_at_most(client):
    huge = ["r" * 10] * 300_000  # 4 MB, within the body limit, over the list's length limit
    answer = client.post("/api/forget", json={"results": huge})
    assert answer.status_code == 422 and len(answer.content) < 1000, len(answer.content)
    answer = client.get("/api/styles/" + "x" * 5000 + "/thumbnail")
    assert answer.status_code == 404 and len(answer.content) < 200


def test_two_files_in_one_upload_are_refused(client):
    files = [("file", ("a.png", image_bytes(seed=1))), ("file", ("b.png", image_bytes(seed=2)))]
    answer = client.post("/api/images", files=files)
    assert answer.status_code == 422 and "one image per upload" in answer.json()["detail"]


def test_head_is_answered_on_get_routes(client):
    for path in ("/", "/api/health", "/api/styles", "/favicon.ico"):
        answer = client.head(path)
        assert answer.status_code == 200 and answer.content == b"", path
    assert client.head("/api/health").headers["content-type"] == "application/json"


def test_api_docs_and_favicon_are_served_from_the_package(client):
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert not re.search(r"https?://", docs.text), docs.text  # nothing from elsewhere
    for asset in re.findall(r'(?:src|href)="([^"]+)"', docs.text):
        assert client.get(asset).status_code == 200, asset
    assert "SwaggerUIBundle" in client.get("/docs/assets/swagger-ui-bundle.js").text
    icon = client.get("/favicon.ico")
    assert icon.headers["content-type"] == "image/x-icon"
    assert Image.open(io.BytesIO(icon.content)).size[0] >= 16


class Pulled:
    """An ASGI app around another that counts the body bytes the inner app read."""

    def __init__(self, app):
        self.app, self.bytes = app, 0

    async def __call__(self, scope, receive, send):
        async def counted():
            message = await receive()
            self.bytes += len(message.get("body", b""))
            return message

        await self.app(scope, counted, send)


@pytest.mark.parametrize("path", ["/api/forget", "/api/images", "/api/fast"])
def test_a_chunked_body_is_refused_the_moment_it_passes_the_limit(monkeypatch, path):
    import httpx

    from nst_tf.serve import app as webapp
    from nst_tf.serve import uploads

    monkeypatch.setattr(uploads, "MAX_BYTES", 200_000)  # the limit: that plus 64 kB of slack
    pulled = Pulled(webapp.create_app(vgg="vgg16", vgg_weights=None))

    form = path == "/api/images"
    kind = "multipart/form-data; boundary=x" if form else "application/json"

    def body():  # 8 MB with no Content-Length: sent chunked
        if form:
            yield b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\n'
        for _ in range(500):
            yield b" " * 16384

    with ServerThread(pulled) as server:
        answer = httpx.post(server.url + path, content=body(), headers={"Content-Type": kind})
        assert server.url and httpx.get(server.url + "/api/health").status_code == 200
    assert answer.status_code == 413 and "limit" in answer.json()["detail"], answer.text
    assert pulled.bytes < 1_000_000, pulled.bytes  # refused while it streamed, not once read
