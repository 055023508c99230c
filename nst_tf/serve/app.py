"""The web app: a static page and a JSON API (FastAPI; the schema is at /docs and /openapi.json).

Everything lives in memory under generated ids (uploads, results, jobs), in bounded stores;
no request parameter names a file.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import threading
import time
from typing import Annotated

import numpy as np
from fastapi import FastAPI, File, HTTPException, Request, Response, UploadFile
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from PIL import Image as PilImage

from nst_tf import defaults
from nst_tf.errors import NstError
from nst_tf.io import image_io
from nst_tf.serve import engines, jobs, schemas, uploads

STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")
CHUNK = 1 << 16


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
) -> FastAPI:
    """The web app.

    Args:
      vgg, vgg_weights, pooling: the loss network of Optimise (see nst_tf.encoders.vgg).
      max_waiting: optimisation jobs that may wait behind the running one (then 429).
      max_fast: fast requests being served or waiting at once (then 503).
      preview_seconds: least time between two previews of a job.
      warm_up: load the fast network at start-up.
    """
    queue = jobs.JobQueue(max_waiting, lambda image: to_jpeg(image, 85), preview_seconds)
    images = uploads.Store(64, "i")
    results = uploads.Store(200, "r")  # JPEGs of ~100 kB
    fast_gate = threading.Semaphore(1)  # one forward pass at a time: it uses every core
    fast_count = [0]
    fast_lock = threading.Lock()
    builtin_arrays = {}

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        if warm_up:
            await asyncio.to_thread(engines.warm_up)
        yield
        await asyncio.to_thread(queue.close)

    app = FastAPI(
        title="nst_tf web app",
        summary="Neural style transfer on this machine: a fast pass or a Gatys optimisation.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.queue, app.state.images, app.state.results = queue, images, results
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.middleware("http")
    async def refuse_large_bodies(request: Request, call_next):
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > uploads.MAX_BYTES + CHUNK:
            return JSONResponse({"detail": _too_large(int(length))}, status_code=413)
        return await call_next(request)

    @app.get("/", include_in_schema=False)
    def index():
        return FileResponse(os.path.join(STATIC, "index.html"))

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
        )

    @app.get("/api/styles", response_model=list[schemas.Style], tags=["styles"])
    def styles():
        """The built-in styles: the bundled paintings, then the shipped network's 26 styles."""
        return [
            schemas.Style(
                id=name,
                name=name.replace("_", " ").title(),
                optimise=name in engines.BUILTIN_STYLES,
                thumbnail=f"/api/styles/{name}/thumbnail",
            )
            for name in (*engines.BUILTIN_STYLES, *engines.NETWORK_STYLES)
        ]

    @app.get("/api/styles/{name}/thumbnail", tags=["styles"], response_class=Response)
    def style_thumbnail(name: str):
        """A built-in style, 160 px (JPEG)."""
        if name not in engines.BUILTIN_STYLES and name not in engines.NETWORK_STYLES:
            raise HTTPException(404, f"no built-in style {name!r}")
        data = to_jpeg(engines.style_thumbnail(name), 85)
        return Response(data, media_type="image/jpeg", headers={"Cache-Control": "max-age=3600"})

    @app.post("/api/images", response_model=schemas.Image, status_code=201, tags=["images"])
    async def upload_image(
        file: Annotated[UploadFile, File(description="JPEG, PNG or WebP, at most 20 MB")],
    ):
        """Uploads a photo or a painting; refused: over 20 MB (413), not an image, truncated,
        under 16 px a side, over 40 megapixels (422)."""
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
        return schemas.Image(id=images.add(image_io.to_uint8(image)), width=width, height=height)

    @app.delete("/api/images/{image_id}", status_code=204, tags=["images"])
    def forget_image(image_id: str):
        """Forgets an upload."""
        if not images.remove(image_id):
            raise HTTPException(404, "no such image")

    @app.post("/api/fast", response_model=schemas.Result, tags=["fast"])
    def fast(request: schemas.FastRequest, response: Response):
        """One pass of a pretrained network: a built-in style or an uploaded painting.
        Busy (too many requests at once): 503 with Retry-After."""
        content = _content(request.content)
        builtin = (*engines.BUILTIN_STYLES, *engines.NETWORK_STYLES)
        style = request.style if request.style in builtin else _upload(request.style, "style")
        with fast_lock:
            if fast_count[0] >= max_fast:
                raise HTTPException(503, "busy: too many fast requests", {"Retry-After": "2"})
            fast_count[0] += 1
        try:
            started = time.perf_counter()
            with fast_gate:
                image = engines.fast_stylize(
                    content, style, request.strength, request.preserve_colors, request.size
                )
            return _keep_result(to_jpeg(image), image.shape, time.perf_counter() - started)
        except NstError as error:
            raise HTTPException(422, str(error)) from None
        finally:
            with fast_lock:
                fast_count[0] -= 1

    @app.post("/api/jobs", response_model=schemas.JobStatus, status_code=202, tags=["jobs"])
    def submit_job(request: schemas.JobRequest):
        """Queues a Gatys optimisation; a full queue answers 429 with Retry-After."""
        content = _content(request.content)
        style = (
            _builtin(request.style)
            if request.style in engines.BUILTIN_STYLES
            else _upload(request.style, "style")
        )
        started = time.perf_counter()

        def work(report):
            image = engines.optimize(
                content, style, request.size, request.iterations, request.preserve_colors,
                (vgg, vgg_weights, pooling), report,
            )  # fmt: skip
            return _keep_result(to_jpeg(image), image.shape, time.perf_counter() - started)

        try:
            job = queue.submit(work, request.iterations)
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

    def _keep_result(data, shape, seconds):
        key = results.add(data)
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
            raise HTTPException(404, f"no built-in style {name!r}")
        if name not in builtin_arrays:
            image = image_io.load_image(engines.BUILTIN_STYLES[name])
            builtin_arrays[name] = image_io.resize_longest(image, uploads.KEEP_SIDE)
        return builtin_arrays[name]

    return app


def _too_large(length):
    try:
        uploads.check_size(length)
    except uploads.UploadError as error:
        return str(error)
    return "the request is too large"
