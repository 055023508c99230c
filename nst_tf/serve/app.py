"""The web app: a static page and a JSON API (FastAPI; the schema is at /docs and /openapi.json).

Everything lives in memory under generated ids (uploads, results, jobs), in bounded stores;
no request parameter names a file.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import threading
import time
from typing import Annotated

import numpy as np
from fastapi import FastAPI, File, HTTPException, Request, Response, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from PIL import Image as PilImage

from nst_tf import defaults
from nst_tf.errors import NstError
from nst_tf.io import image_io
from nst_tf.serve import engines, guards, jobs, pages, schemas, site, uploads

CHUNK = 1 << 16  # slack over the upload limit for a multipart form's headers


def to_jpeg(image: np.ndarray, quality: int = 92) -> bytes:
    """A float [0, 255] RGB image as JPEG bytes."""
    buffer = io.BytesIO()
    PilImage.fromarray(image_io.to_uint8(image)).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def create_app(
    vgg: str = "vgg19",
    vgg_weights: str | None = defaults.DEFAULT_WEIGHTS,
    pooling: str = "max",
    max_waiting: int = 4,
    max_fast: int = 8,
    preview_seconds: float = 0.5,
    warm_up: bool = False,
    host: str = "127.0.0.1",
    allowed_hosts: tuple[str, ...] = (),
    allowed_origins: tuple[str, ...] = (),
) -> FastAPI:
    """The web app.

    Args:
      vgg, vgg_weights, pooling: the loss network of Optimise (see nst_tf.encoders.vgg),
        resolved once at start-up; when it cannot be had, Optimise is off and the page says why.
      max_waiting: optimisation jobs that may wait behind the running one (then 429).
      max_fast: fast requests being served or waiting at once (then 503).
      preview_seconds: least time between two previews of a job.
      warm_up: load the fast network at start-up.
      host, allowed_hosts, allowed_origins: the Host names and origins served (see
        nst_tf.serve.guards.Guards).
    """
    queue = jobs.JobQueue(max_waiting, lambda image: to_jpeg(image, 85), preview_seconds)
    images = uploads.Store(64, "i", share=16)  # a client's uploads never evict another's
    results = uploads.Store(200, "r", share=50)  # JPEGs of ~100 kB
    loss_network = engines.LossNetwork(vgg, vgg_weights, pooling)
    fast_gate = threading.Semaphore(1)  # one forward pass at a time: it uses every core
    fast_count = [0]
    fast_lock = threading.Lock()
    builtin_arrays = {}

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        if warm_up:
            await asyncio.to_thread(engines.warm_up)
        threading.Thread(target=loss_network.resolve, name="nst-vgg", daemon=True).start()
        yield
        await asyncio.to_thread(queue.close)

    app = FastAPI(
        title="nst_tf web app",
        summary="Neural style transfer on this machine: a fast pass or a Gatys optimisation.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.queue, app.state.images, app.state.results = queue, images, results
    app.state.loss_network = loss_network
    app.add_middleware(
        guards.Guards, host=host, allowed_hosts=allowed_hosts, allowed_origins=allowed_origins,
        max_bytes=lambda: uploads.MAX_BYTES + CHUNK,
    )  # fmt: skip
    pages.add_pages(app)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request, error):
        return JSONResponse({"detail": guards.short_errors(error.errors())}, status_code=422)

    @app.get("/api/health", response_model=schemas.Health, tags=["server"])
    def health():
        """The server's load."""
        counts = queue.counts()
        return schemas.Health(
            status="ok",
            running=counts["running"],
            waiting=counts["waiting"],
            max_waiting=max_waiting,
            fast_in_flight=fast_count[0],
            optimise=loss_network.state,
            optimise_reason=loss_network.error,
        )

    @app.get("/api/styles", response_model=list[schemas.Style], tags=["styles"])
    def styles():
        """The built-in styles: the bundled paintings, then the shipped network's 26 styles."""
        return [
            schemas.Style(
                id=name, name=title, optimise=name in engines.BUILTIN_STYLES,
                thumbnail=f"/api/styles/{name}/thumbnail",
            )  # fmt: skip
            for name, title in (
                *engines.BUILTIN_TITLES.items(),
                *zip(engines.NETWORK_STYLES, engines.NETWORK_TITLES),
            )
        ]

    @app.get("/api/styles/{name}/thumbnail", tags=["styles"], response_class=Response)
    def style_thumbnail(name: str):
        """A built-in style, 160 px (JPEG)."""
        if name not in engines.BUILTIN_STYLES and name not in engines.NETWORK_STYLES:
            raise HTTPException(404, f"no built-in style {guards.excerpt(name)!r}")
        data = site.thumbnail(name) or to_jpeg(engines.style_thumbnail(name), 85)
        return Response(data, media_type="image/jpeg", headers={"Cache-Control": "max-age=3600"})

    @app.post("/api/images", response_model=schemas.Image, status_code=201, tags=["images"])
    async def upload_image(
        file: Annotated[UploadFile, File(description="JPEG, PNG or WebP, at most 20 MB")],
        request: Request,
    ):
        """Uploads a photo or a painting; refused: over 20 MB (413), not an image, truncated,
        under 16 px a side, over 40 megapixels, more than one file (422)."""
        files = len((await request.form()).getlist("file"))
        if files > 1:
            raise HTTPException(422, f"one image per upload; this form has {files}")
        data = bytearray()
        while chunk := await file.read(CHUNK):
            data += chunk
            if len(data) > uploads.MAX_BYTES:
                raise HTTPException(413, "the file is over 20 MB; the limit is 20 MB")
        try:
            image = await asyncio.to_thread(uploads.decode, bytes(data))
        except uploads.UploadError as error:
            raise HTTPException(error.status, str(error)) from None
        height, width = image.shape[:2]
        key = images.add(image_io.to_uint8(image), guards.client_of(request))
        return schemas.Image(id=key, width=width, height=height)

    @app.delete("/api/images/{image_id}", status_code=204, tags=["images"])
    def forget_image(image_id: str):
        """Forgets an upload."""
        if not images.remove(image_id):
            raise HTTPException(404, "no such image")

    @app.post("/api/fast", response_model=schemas.Result, tags=["fast"])
    def fast(body: schemas.FastRequest, request: Request):
        """One pass of a pretrained network: a built-in style or an uploaded painting.
        Busy (too many requests at once): 503 with Retry-After."""
        content = _content(body.content)
        builtin = (*engines.BUILTIN_STYLES, *engines.NETWORK_STYLES)
        style = body.style if body.style in builtin else _upload(body.style, "style")
        with fast_lock:
            if fast_count[0] >= max_fast:
                raise HTTPException(503, "busy: too many fast requests", {"Retry-After": "2"})
            fast_count[0] += 1
        try:
            started = time.perf_counter()
            with fast_gate:
                image = engines.fast_stylize(
                    content, style, body.strength, body.preserve_colors, body.size
                )
            seconds = time.perf_counter() - started
            return _keep_result(to_jpeg(image), image.shape, seconds, guards.client_of(request))
        except NstError as error:
            raise HTTPException(422, str(error)) from None
        finally:
            with fast_lock:
                fast_count[0] -= 1

    @app.post("/api/jobs", response_model=schemas.JobStatus, status_code=202, tags=["jobs"])
    def submit_job(body: schemas.JobRequest, request: Request):
        """Queues a Gatys optimisation; a full queue answers 429 with Retry-After, a server
        without its loss network's weights 503 (the page says why beforehand: /api/health)."""
        if loss_network.state == "off":
            raise HTTPException(503, loss_network.error)
        if body.style in engines.NETWORK_STYLES:
            raise HTTPException(
                422, "the network's 26 styles paint in Fast only (there is no painting to "
                "optimise towards): choose a painting",
            )  # fmt: skip
        content = _content(body.content)
        style = (
            _builtin(body.style)
            if body.style in engines.BUILTIN_STYLES
            else _upload(body.style, "style")
        )
        started, client = time.perf_counter(), guards.client_of(request)

        def work(report):
            image = engines.optimize(
                content, style, body.size, body.iterations, body.preserve_colors,
                loss_network, report,
            )  # fmt: skip
            seconds = time.perf_counter() - started
            return _keep_result(to_jpeg(image), image.shape, seconds, client)

        try:
            job = queue.submit(work, body.iterations)
        except jobs.QueueFull as error:
            raise HTTPException(
                429, f"{error} (at most {max_waiting} jobs wait)",
                {"Retry-After": str(error.retry_after)},
            ) from None  # fmt: skip
        return _status(job)

    @app.get("/api/jobs/{job_id}", response_model=schemas.JobStatus, tags=["jobs"])
    def job_status(job_id: str):
        """A job's state, place in line, progress, preview and result."""
        return _status(_job(job_id))

    @app.delete("/api/jobs/{job_id}", response_model=schemas.JobStatus, tags=["jobs"])
    def cancel_job(job_id: str):
        """Cancels a job: at once if waiting, within an iteration if running."""
        if queue.cancel(job_id) is None:
            raise HTTPException(404, "no such job")
        return _status(_job(job_id))

    @app.get("/api/jobs/{job_id}/events", tags=["jobs"], response_class=StreamingResponse)
    async def job_events(job_id: str, request: Request):
        """Server-Sent Events: a `status` event (JobStatus JSON) on every change, until the job
        ends."""
        job = _job(job_id)

        async def stream():
            seen, quiet = -1, 0.0
            while not await request.is_disconnected():
                if job.version != seen:
                    seen = job.version
                    yield f"event: status\ndata: {_status(job).model_dump_json()}\n\n"
                    if job.state in jobs.ENDED:
                        return
                    quiet = 0.0
                elif quiet > 15:
                    yield ": keep-alive\n\n"
                    quiet = 0.0
                await asyncio.sleep(0.2)
                quiet += 0.2

        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)

    @app.get("/api/jobs/{job_id}/preview", tags=["jobs"], response_class=Response)
    def job_preview(job_id: str):
        """The latest preview of a job (JPEG)."""
        preview = _job(job_id).preview
        if preview is None:
            raise HTTPException(404, "no preview yet")
        return Response(preview, media_type="image/jpeg", headers={"Cache-Control": "no-store"})

    @app.get("/api/results/{result_id}", tags=["results"], response_class=Response)
    def result(result_id: str, download: bool = False):
        """A result (JPEG); `download=true` asks the browser to save it."""
        kept = results.get(result_id)
        if kept is None:
            raise HTTPException(404, "no such result (results are kept while the page is open)")
        headers = {"Cache-Control": "private, max-age=3600"}
        if download:
            headers["Content-Disposition"] = f'attachment; filename="nst_{result_id}.jpg"'
        return Response(kept, media_type="image/jpeg", headers=headers)

    @app.post("/api/forget", status_code=204, tags=["results"])
    def forget(request: schemas.Forget):
        """Forgets a closing page's results and uploads and cancels its job, in one request
        (a page sends it with navigator.sendBeacon, which survives the page's closing)."""
        for result_id in request.results:
            results.remove(result_id)
        for image_id in request.images:
            images.remove(image_id)
        for job_id in request.jobs:
            queue.cancel(job_id)

    @app.delete("/api/results/{result_id}", status_code=204, tags=["results"])
    def forget_result(result_id: str):
        """Forgets a result (the page does so when it closes)."""
        if not results.remove(result_id):
            raise HTTPException(404, "no such result")

    def _keep_result(data, shape, seconds, client):
        key = results.add(data, client)
        return schemas.Result(
            id=key, url=f"/api/results/{key}", width=shape[1], height=shape[0],
            seconds=round(seconds, 3),
        )  # fmt: skip

    def _status(job):
        with queue.lock:
            preview = f"/api/jobs/{job.id}/preview?v={job.version}" if job.preview else None
            return schemas.JobStatus(
                id=job.id, state=job.state, position=queue.position(job),
                iteration=job.iteration, iterations=job.iterations, preview=preview,
                result=job.result, error=job.error,
            )  # fmt: skip

    def _job(job_id):
        job = queue.get(job_id)
        if job is None:
            raise HTTPException(404, "no such job")
        return job

    def _content(image_id):
        return _upload(image_id, "content")

    def _upload(image_id, what):
        image = images.get(image_id)
        if image is None:
            raise HTTPException(404, f"no such {what} image: upload it again")
        return image.astype(np.float32)

    def _builtin(name):
        if name not in engines.BUILTIN_STYLES:
            raise HTTPException(404, f"no built-in style {guards.excerpt(name)!r}")
        if name not in builtin_arrays:
            image = image_io.load_image(engines.BUILTIN_STYLES[name])
            builtin_arrays[name] = image_io.resize_longest(image, uploads.KEEP_SIDE)
        return builtin_arrays[name]

    return app
