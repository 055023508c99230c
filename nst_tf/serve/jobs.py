"""The optimisation job queue: one worker thread runs one job at a time, the others wait.

A job is a function `work(report)`: it calls `report(iteration, image)` as it goes (the image
a zero-argument function, as nst_tf.optimize.options.Options.on_iteration gives it) and returns
the result. Cancelling a running job makes its next `report` raise, which ends the work.
"""

from __future__ import annotations

import collections
import dataclasses
import secrets
import threading
import time
from collections.abc import Callable

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
ENDED = (DONE, FAILED, CANCELLED)


class QueueFull(Exception):
    """No room in the queue; `retry_after` is a guess of the seconds until there is."""

    def __init__(self, retry_after: int):
        super().__init__(f"the queue is full; try again in {retry_after} s")
        self.retry_after = retry_after


class Cancelled(Exception):
    """Raised inside a job's `report` when the job was cancelled."""


@dataclasses.dataclass
class Job:
    """One optimisation: its state and what the page shows of it."""

    id: str
    iterations: int
    work: Callable
    state: str = QUEUED
    iteration: int = 0
    preview: bytes | None = None  # JPEG of the latest preview
    version: int = 0  # bumped on every visible change
    result: object = None
    error: str | None = None
    submitted: float = dataclasses.field(default_factory=time.monotonic)
    cancel_requested: bool = False


class JobQueue:
    """Runs submitted jobs one at a time in a worker thread.

    Args:
      max_waiting: jobs that may wait behind the running one; more are refused (QueueFull).
      preview: turns a report's image (an array) into JPEG bytes, or None for no previews.
      preview_seconds: least time between two previews of a job.
      keep_ended: ended jobs remembered (the oldest are forgotten first).
    """

    def __init__(self, max_waiting: int = 4, preview=None, preview_seconds=0.5, keep_ended=32):
        self.max_waiting = max_waiting
        self.preview = preview
        self.preview_seconds = preview_seconds
        self.keep_ended = keep_ended
        self.jobs = collections.OrderedDict()
        self.waiting = collections.deque()
        self.lock = threading.Condition()
        self.seconds_per_job = 30.0  # running estimate for Retry-After
        self.finished = 0  # jobs that ended, for the load test's accounting
        self._stop = False
        self.thread = threading.Thread(target=self._run, name="nst-jobs", daemon=True)
        self.thread.start()

    def submit(self, work: Callable, iterations: int) -> Job:
        """Queues a job; raises QueueFull when `max_waiting` jobs already wait."""
        with self.lock:
            if len(self.waiting) >= self.max_waiting:
                raise QueueFull(self._retry_after())
            job = Job(id=f"j{secrets.token_hex(8)}", iterations=iterations, work=work)
            self.jobs[job.id] = job
            self.waiting.append(job)
            self._forget_old()
            self.lock.notify_all()
            return job

    def get(self, job_id: str) -> Job | None:
        with self.lock:
            return self.jobs.get(job_id)

    def position(self, job: Job) -> int:
        """0 for the running job, k for the k-th in line, -1 for an ended job."""
        with self.lock:
            if job.state == RUNNING:
                return 0
            return self.waiting.index(job) + 1 if job in self.waiting else -1

    def cancel(self, job_id: str) -> Job | None:
        """Cancels a waiting job at once, a running one at its next report; None if unknown."""
        with self.lock:
            job = self.jobs.get(job_id)
            if job is None or job.state in ENDED:
                return job
            job.cancel_requested = True
            if job in self.waiting:
                self.waiting.remove(job)
                self._end(job, CANCELLED)
            return job

    def counts(self) -> dict:
        with self.lock:
            running = sum(job.state == RUNNING for job in self.jobs.values())
            return {"running": running, "waiting": len(self.waiting), "finished": self.finished}

    def close(self) -> None:
        """Cancels every job and stops the worker."""
        with self.lock:
            self._stop = True
            for job in list(self.jobs.values()):
                job.cancel_requested = True
            for job in list(self.waiting):
                self._end(job, CANCELLED)
            self.waiting.clear()
            self.lock.notify_all()
        self.thread.join(timeout=30)

    def _run(self):
        while True:
            with self.lock:
                while not self.waiting and not self._stop:
                    self.lock.wait()
                if self._stop:
                    return
                job = self.waiting.popleft()
                job.state = RUNNING
                job.version += 1
                for other in self.waiting:
                    other.version += 1  # their place in line changed
            started = time.monotonic()
            try:
                result = job.work(self._reporter(job))
            except Cancelled:
                self._finish(job, CANCELLED)
            except Exception as error:  # noqa: BLE001 - any failure ends the job, not the worker
                message = str(error).strip().splitlines()[0] if str(error).strip() else ""
                self._finish(job, FAILED, error=message or type(error).__name__)
            else:
                self._finish(job, DONE, result=result)
            self.seconds_per_job = 0.7 * self.seconds_per_job + 0.3 * (time.monotonic() - started)

    def _reporter(self, job):
        last = [0.0]

        def report(iteration, image):
            if job.cancel_requested:
                raise Cancelled()
            now = time.monotonic()
            preview = None
            if self.preview is not None and (
                now - last[0] >= self.preview_seconds or iteration == job.iterations
            ):
                preview, last[0] = self.preview(image()), now
            with self.lock:
                job.iteration = iteration
                if preview is not None:
                    job.preview = preview
                job.version += 1

        return report

    def _finish(self, job, state, result=None, error=None):
        with self.lock:
            job.result, job.error = result, error
            self._end(job, state)

    def _end(self, job, state):
        """Marks a job ended (the lock held) and drops what it no longer needs."""
        job.state = state
        job.work = None  # frees the images the work closed over
        job.version += 1
        self.finished += 1
        self.lock.notify_all()

    def _forget_old(self):
        ended = [job for job in self.jobs.values() if job.state in ENDED]
        for job in ended[: max(0, len(ended) - self.keep_ended)]:
            del self.jobs[job.id]

    def _retry_after(self):
        return max(1, round(self.seconds_per_job * (len(self.waiting) + 1)))
