"""The job queue alone (no TensorFlow): order, failures, cancel, a full queue, shutdown."""

import threading
import time

import pytest

from nst_tf.errors import NstError
from nst_tf.serve import jobs


def wait_until(condition, timeout=10):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def stepping(release, steps=3):
    """A job that reports `steps` iterations, waiting for `release` before each."""

    def work(report):
        for step in range(1, steps + 1):
            release.wait(10)
            report(step, lambda: b"image")
        return "result"

    return work


@pytest.fixture
def queue():
    job_queue = jobs.JobQueue(max_waiting=2, preview=lambda image: image, preview_seconds=0)
    yield job_queue
    job_queue.close()


def test_jobs_run_one_at_a_time_in_order_with_previews(queue):
    release = threading.Event()
    first = queue.submit(stepping(release), 3)
    second = queue.submit(stepping(release), 3)
    wait_until(lambda: first.state == jobs.RUNNING)
    assert queue.position(first) == 0 and queue.position(second) == 1
    assert second.state == jobs.QUEUED
    release.set()
    wait_until(lambda: second.state in jobs.ENDED)
    assert (first.state, first.result, first.iteration, first.preview) == (
        jobs.DONE, "result", 3, b"image"
    )  # fmt: skip
    assert second.state == jobs.DONE and queue.position(second) == -1
    assert first.work is None  # what the work held is freed
    assert queue.counts() == {"running": 0, "waiting": 0, "finished": 2}


def test_a_failing_job_fails_alone_with_its_message(queue):
    def broken(report):
        raise NstError("the style image is too small\nsecond line")

    failed = queue.submit(broken, 1)
    after = queue.submit(lambda report: "fine", 1)
    wait_until(lambda: after.state in jobs.ENDED)
    assert (failed.state, failed.error) == (jobs.FAILED, "the style image is too small")
    assert after.state == jobs.DONE


def test_cancel_a_waiting_and_a_running_job(queue):
    release = threading.Event()
    running = queue.submit(stepping(release, steps=100), 100)
    waiting = queue.submit(stepping(release), 3)
    wait_until(lambda: running.state == jobs.RUNNING)
    assert queue.cancel(waiting.id).state == jobs.CANCELLED
    queue.cancel(running.id)
    release.set()
    wait_until(lambda: running.state in jobs.ENDED)
    assert running.state == jobs.CANCELLED and running.iteration == 0
    assert queue.cancel("jnothing") is None


def test_a_full_queue_refuses_with_a_retry_time(queue):
    release = threading.Event()
    queue.submit(stepping(release), 3)
    wait_until(lambda: queue.counts()["running"] == 1)
    queue.submit(stepping(release), 3)
    queue.submit(stepping(release), 3)
    with pytest.raises(jobs.QueueFull) as refused:
        queue.submit(stepping(release), 3)
    assert refused.value.retry_after >= 1
    release.set()


def test_close_cancels_everything_and_stops_the_worker():
    def endless(report):
        while True:
            report(1, lambda: b"image")
            time.sleep(0.001)

    queue = jobs.JobQueue(max_waiting=3)
    running = queue.submit(endless, 100)
    waiting = queue.submit(endless, 100)
    wait_until(lambda: running.state == jobs.RUNNING)
    queue.close()
    assert running.state == jobs.CANCELLED and waiting.state == jobs.CANCELLED
    assert not queue.thread.is_alive()


def test_ended_jobs_are_forgotten_oldest_first():
    queue = jobs.JobQueue(max_waiting=10, keep_ended=2)
    try:
        done = [queue.submit(lambda report: None, 1) for _ in range(4)]
        wait_until(lambda: all(job.state == jobs.DONE for job in done))
        queue.submit(lambda report: None, 1)
        assert queue.get(done[0].id) is None and queue.get(done[3].id) is not None
    finally:
        queue.close()
