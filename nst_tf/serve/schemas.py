"""The JSON bodies of the web app's API (they document it in the OpenAPI schema)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MIN_SIZE, MAX_SIZE = 64, 512
MAX_ITERATIONS = 300


class Image(BaseModel):
    """An uploaded image, kept in memory under `id` until the server forgets it."""

    id: str
    width: int
    height: int


class Style(BaseModel):
    """A built-in style: a bundled painting (both modes), or one of the 26 styles of the shipped
    network (Fast only: there is no painting to optimise towards)."""

    id: str
    name: str
    optimise: bool
    thumbnail: str


class FastRequest(BaseModel):
    """One pass of the fast network over an uploaded content photo."""

    model_config = ConfigDict(allow_inf_nan=False)  # NaN, Infinity, 1e999: 422

    content: str = Field(description="id of an uploaded image")
    style: str = Field(description="a built-in style name, or the id of an uploaded painting")
    strength: float = Field(1.0, ge=0.0, le=1.0, description="0: the photo, 1: full style")
    preserve_colors: bool = Field(False, description="keep the photo's colours")
    size: int = Field(MAX_SIZE, ge=MIN_SIZE, le=MAX_SIZE, description="longest side, px")


class Result(BaseModel):
    """A finished image, downloadable at `url` until the page forgets it."""

    id: str
    url: str
    width: int
    height: int
    seconds: float


class JobRequest(BaseModel):
    """A Gatys optimisation (L-BFGS, from the content, default loss weights)."""

    model_config = ConfigDict(allow_inf_nan=False)

    content: str = Field(description="id of an uploaded image")
    style: str = Field(description="a built-in style name, or the id of an uploaded painting")
    size: int = Field(256, ge=MIN_SIZE, le=MAX_SIZE, description="longest side, px")
    iterations: int = Field(100, ge=1, le=MAX_ITERATIONS)
    preserve_colors: bool = Field(False, description="keep the photo's colours")


class JobStatus(BaseModel):
    """Where a job is: `position` 0 running, k the k-th in line, -1 ended."""

    id: str
    state: str = Field(description="queued, running, done, failed or cancelled")
    position: int
    iteration: int
    iterations: int
    preview: str | None = Field(None, description="URL of the latest preview image")
    result: Result | None = None
    error: str | None = None


class Forget(BaseModel):
    """What a closing page leaves behind: its results, uploads and job, forgotten at once."""

    results: list[str] = Field(default_factory=list, max_length=1000)
    images: list[str] = Field(default_factory=list, max_length=1000)
    jobs: list[str] = Field(default_factory=list, max_length=100)


class Health(BaseModel):
    """The server's load."""

    status: str
    running: int
    waiting: int
    max_waiting: int
    fast_in_flight: int
    optimise: str = Field(description="checking, ready or off: whether Optimise can run")
    optimise_reason: str | None = Field(None, description="why Optimise is off")
