"""What every request passes before a route: the Host allow-list (against DNS rebinding), the
Origin check of state-changing requests (against other pages), the body limit while the body
streams, and HEAD answered as GET without a body. Also the short excerpt that error messages
quote of a request, and who the client is (for its share of the stores).
"""

from __future__ import annotations

import ipaddress
import json
import re
import secrets

from starlette.exceptions import HTTPException

LOOPBACK = ("localhost", "127.0.0.1", "::1")
WILDCARDS = ("0.0.0.0", "::", "")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CLIENT_COOKIE = "nst_client"
_CLIENT_ID = re.compile(r"[0-9a-f]{32}")


def excerpt(text, limit: int = 40) -> str:
    """At most `limit` characters of a request's text, for an error message."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def short_errors(errors) -> list[dict]:
    """A request's validation errors without the input they were about: where and why only
    (an input may be huge, or NaN, which JSON cannot carry)."""
    return [
        {
            "loc": [item if isinstance(item, int) else excerpt(item) for item in error["loc"]],
            "msg": excerpt(error["msg"], 200),
            "type": error["type"],
        }
        for error in errors[:10]
    ]


def host_name(header: str) -> str:
    """The host of a Host header or of an origin's authority, without port or brackets."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def client_of(request) -> str:
    """Who made a request, for its share of the stores: the page's cookie, else the address."""
    cookie = request.cookies.get(CLIENT_COOKIE, "")
    if _CLIENT_ID.fullmatch(cookie):
        return cookie
    return request.client.host if request.client else "unknown"


def new_client_cookie() -> str:
    """A Set-Cookie value that names a new client."""
    return f"{CLIENT_COOKIE}={secrets.token_hex(16)}; Path=/; HttpOnly; SameSite=Strict"


class Guards:
    """ASGI middleware: refuses a Host not served (400), a cross-origin state-changing request
    (403), a body over `max_bytes` (413, while it streams, chunked or not); answers HEAD as GET.

    Args:
      app: the ASGI app guarded.
      host: the address the server listens on (--host); a name or address there is served.
      allowed_hosts: more host names the server answers to (--allowed-host).
      allowed_origins: origins besides the server's own that may change state
        ("http://host:port").
      max_bytes: a callable giving the largest body, in bytes (read per request).
    """

    def __init__(self, app, host, allowed_hosts=(), allowed_origins=(), max_bytes=None):
        self.app = app
        self.hosts = {name.lower() for name in (*LOOPBACK, *allowed_hosts)}
        self.any_address = host in WILDCARDS  # listening everywhere: any IP literal is served
        if not self.any_address:
            self.hosts.add(host_name(host))
        self.origins = {origin.rstrip("/").lower() for origin in allowed_origins}
        self.max_bytes = max_bytes

    def host_served(self, header: str) -> bool:
        name = host_name(header).rstrip(".")
        if name in self.hosts:
            return True
        if self.any_address:
            try:
                ipaddress.ip_address(name)
            except ValueError:
                return False
            return True  # a rebinding attack needs a name, never an address
        return False

    def origin_refusal(self, scope, headers):
        """Why a state-changing request comes from another page, or None."""
        origin = headers.get("origin")
        if origin is not None:
            own = f"{scope.get('scheme', 'http')}://{headers.get('host', '')}".lower()
            if origin.lower() in (own, *self.origins):
                return None
            return f"a request from another page ({excerpt(origin)}) cannot change this server"
        if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return "a request from another page cannot change this server"
        return None  # not from a browser (curl, scripts)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {key.decode("latin-1").lower(): value.decode("latin-1")
                   for key, value in scope["headers"]}  # fmt: skip
        if not self.host_served(headers.get("host", "")):
            return await _refuse(
                send, 400,
                f"this server does not answer to the host {excerpt(headers.get('host', ''))!r}; "
                "start it with --allowed-host NAME to allow a name",
            )  # fmt: skip
        if scope["method"] not in SAFE_METHODS:
            refusal = self.origin_refusal(scope, headers)
            if refusal:
                return await _refuse(send, 403, refusal)
        limit = self.max_bytes()
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            return await _refuse(send, 413, _too_large(int(length), limit))
        if scope["method"] == "HEAD":
            scope, send = {**scope, "method": "GET"}, _without_body(send)
        await self.app(scope, _limited(receive, limit), send)


def _too_large(size, limit):
    return f"the request is {size / 2**20:.1f} MB or more; the limit is {limit // 2**20} MB"


def _limited(receive, limit):
    """`receive` that raises HTTPException(413) the moment the body passes `limit` bytes."""
    seen = [0]

    async def limited():
        message = await receive()
        if message["type"] == "http.request":
            seen[0] += len(message.get("body", b""))
            if seen[0] > limit:
                raise HTTPException(413, _too_large(seen[0], limit))
        return message

    return limited


def _without_body(send):
    """`send` that passes the status and headers of a response but not its body (HEAD)."""
    ended = [False]

    async def head_send(message):
        if message["type"] == "http.response.body":
            if not ended[0]:
                ended[0] = True
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        await send(message)

    return head_send


async def _refuse(send, status, detail):
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})
