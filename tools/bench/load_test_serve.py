"""Load test of the web app on loopback: many fast requests and a few optimisation jobs at once.

Starts `nst-tf serve` (as `python -m nst_tf serve`) on a free 127.0.0.1 port, uploads a few
photos, then sends `--fast` fast requests and `--jobs` optimisation jobs all at once and follows
every accepted job to its end. Checks that every request got an answer (a result, or 429/503
with Retry-After), that no job was lost or ended twice, that the server's memory stayed bounded,
and that it still serves afterwards. Bounded in count and time (`--timeout`); stops the server
it started. Prints a table and writes JSON.

Run from the repository root:

    python -m tools.bench.load_test_serve
    python -m tools.bench.load_test_serve --fast 10 --jobs 2 --out /tmp/serve_load.json
"""

import argparse
import concurrent.futures
import json
import os
import pathlib
import socket
import subprocess
import sys
import threading
import time

import httpx
import psutil

REPO = pathlib.Path(__file__).resolve().parents[2]
PHOTOS = ("chelsea", "coffee", "astronaut", "brick")
STYLES = ("starry_night", "the_scream", "woman_with_hat")


def parse_args(argv):
    """Parses the command line (argv without the program name)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", type=int, default=50, help="concurrent fast requests")
    parser.add_argument("--jobs", type=int, default=5, help="optimisation jobs submitted at once")
    parser.add_argument("--job-size", type=int, default=64, help="jobs' longest side, px")
    parser.add_argument("--job-iterations", type=int, default=20)
    parser.add_argument("--vgg", default="vgg16", choices=("vgg16", "vgg19"))
    parser.add_argument("--vgg-weights", default="none", help="'none': random (speed is the same)")
    parser.add_argument("--max-queue", type=int, default=4, help="the server's --max-queue")
    parser.add_argument("--max-fast", type=int, default=8, help="the server's --max-fast")
    parser.add_argument("--memory-limit-mib", type=float, default=1536.0,
                        help="allowed growth of the server's RSS over its warmed-up level")  # fmt: skip
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds for the whole test")
    parser.add_argument("--out", default="bench_results/serve_load.json", help="JSON path")
    return parser.parse_args(argv)


class Server:
    """`nst-tf serve` in a subprocess on a free loopback port, with its peak memory sampled."""

    def __init__(self, args):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        command = [
            sys.executable, "-m", "nst_tf", "serve", "--host", "127.0.0.1",
            "--port", str(self.port), "--vgg", args.vgg, "--vgg-weights", args.vgg_weights,
            "--max-queue", str(args.max_queue), "--max-fast", str(args.max_fast),
        ]  # fmt: skip
        self.process = subprocess.Popen(command, cwd=REPO)
        self.peak = 0
        self._sampling = True
        self._sampler = threading.Thread(target=self._sample, daemon=True)

    def rss(self):
        try:
            return psutil.Process(self.process.pid).memory_info().rss
        except psutil.Error:
            return 0

    def _sample(self):
        while self._sampling:
            self.peak = max(self.peak, self.rss())
            time.sleep(0.05)

    def wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with code {self.process.returncode}")
            try:
                if httpx.get(f"{self.url}/api/health", timeout=2).status_code == 200:
                    self._sampler.start()
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("the server did not start in time")

    def stop(self):
        self._sampling = False
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)


def fast_request(client, body):
    started = time.perf_counter()
    try:
        answer = client.post("/api/fast", json=body)
        status, retry = answer.status_code, answer.headers.get("retry-after")
    except httpx.HTTPError as error:
        status, retry = f"error: {type(error).__name__}", None
    return {"kind": "fast", "status": status, "retry_after": retry,
            "seconds": time.perf_counter() - started}  # fmt: skip


def job_request(client, body, deadline):
    """Submits a job and follows it to its end; records every terminal state it reports."""
    started = time.perf_counter()
    try:
        answer = client.post("/api/jobs", json=body)
    except httpx.HTTPError as error:
        return {"kind": "job", "status": f"error: {type(error).__name__}", "seconds": 0.0}
    record = {"kind": "job", "status": answer.status_code,
              "retry_after": answer.headers.get("retry-after"),
              "seconds": time.perf_counter() - started}  # fmt: skip
    if answer.status_code != 202:
        return record
    job = answer.json()
    record.update(id=job["id"], positions=[job["position"]], ended=[])
    while time.monotonic() < deadline:
        status = client.get(f"/api/jobs/{job['id']}").json()
        record["positions"].append(status["position"])
        if status["state"] in ("done", "failed", "cancelled"):
            record["ended"].append(status["state"])
            record["result"] = (status.get("result") or {}).get("id")
            again = client.get(f"/api/jobs/{job['id']}").json()  # stays ended, same result
            record["ended"].append(again["state"])
            record["same_result"] = (again.get("result") or {}).get("id") == record["result"]
            break
        time.sleep(0.2)
    record["job_seconds"] = time.perf_counter() - started
    return record


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))] if values else None


def run(args):
    """Runs the load test; returns the report (a dict)."""
    server = Server(args)
    try:
        server.wait_ready(min(120.0, args.timeout))
        deadline = time.monotonic() + args.timeout
        timeout = httpx.Timeout(max(10.0, args.timeout / 2))
        with httpx.Client(base_url=server.url, timeout=timeout) as client:
            photos = []
            for name in PHOTOS:
                data = (REPO / "nst_tf" / "samples" / f"{name}.jpg").read_bytes()
                photos.append(client.post("/api/images", files={"file": (name, data)}).json()["id"])
            client.post("/api/fast", json={"content": photos[0], "style": STYLES[0]})  # warm
            baseline = server.rss()
            bodies = [
                {"content": photos[i % len(photos)], "style": STYLES[i % len(STYLES)],
                 "strength": 0.5 + 0.5 * (i % 2), "size": 512}
                for i in range(args.fast)
            ]  # fmt: skip
            job_body = {"content": photos[0], "style": "shipwreck", "size": args.job_size,
                        "iterations": args.job_iterations}  # fmt: skip
            started = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(args.fast + args.jobs) as pool:
                futures = [pool.submit(job_request, client, job_body, deadline)
                           for _ in range(args.jobs)]  # fmt: skip
                futures += [pool.submit(fast_request, client, body) for body in bodies]
                records = [future.result() for future in futures]
            wall = time.perf_counter() - started
            after = client.post("/api/fast", json={"content": photos[1], "style": STYLES[1]})
            health = client.get("/api/health").json()
        return report(args, records, wall, baseline, server, after.status_code, health)
    finally:
        server.stop()


def report(args, records, wall, baseline, server, after_status, health):
    """The figures and checks of one run."""
    by_status = {}
    for record in records:
        key = f"{record['kind']} {record['status']}"
        by_status[key] = by_status.get(key, 0) + 1
    fast_seconds = [r["seconds"] for r in records if r["kind"] == "fast"]
    served = [r["seconds"] for r in records if r["kind"] == "fast" and r["status"] == 200]
    jobs = [r for r in records if r["kind"] == "job"]
    accepted = [r for r in jobs if r["status"] == 202]
    refused = [r for r in records if r["status"] in (429, 503)]
    ids = [r["id"] for r in accepted]
    results = [r.get("result") for r in accepted]
    checks = {
        "every request answered": all(r["status"] in (200, 202, 429, 503) for r in records),
        "refusals carry Retry-After": all(r.get("retry_after") for r in refused),
        "no job lost (each accepted job ended, done)": all(
            r.get("ended") and r["ended"][0] == "done" for r in accepted
        ),
        "no job answered twice (one end, one result each)": len(set(ids)) == len(ids)
        and all(r.get("ended", [None])[0] == r.get("ended", [None])[-1] for r in accepted)
        and all(r.get("same_result") for r in accepted)
        and len(set(results)) == len(results),
        "memory bounded": (server.peak - baseline) / 2**20 <= args.memory_limit_mib,
        "still serving afterwards": after_status == 200 and health["status"] == "ok",
    }
    return {
        "requests": len(records),
        "fast_requests": args.fast,
        "jobs_submitted": args.jobs,
        "jobs_accepted": len(accepted),
        "answers_by_status": dict(sorted(by_status.items())),
        "fast_latency_p50_s": percentile(fast_seconds, 0.5),
        "fast_latency_p95_s": percentile(fast_seconds, 0.95),
        "fast_served_latency_p50_s": percentile(served, 0.5),
        "fast_served_latency_p95_s": percentile(served, 0.95),
        "job_seconds_p50": percentile([r["job_seconds"] for r in accepted], 0.5),
        "job_seconds_max": max([r["job_seconds"] for r in accepted], default=None),
        "wall_seconds": wall,
        "server_rss_warm_mib": baseline / 2**20,
        "server_rss_peak_mib": server.peak / 2**20,
        "checks": checks,
        "settings": {k: v for k, v in vars(args).items() if k != "out"},
        "cpu_count": os.cpu_count(),
    }


def print_table(result):
    rows = [
        ("requests", result["requests"]),
        *[(f"answers: {key}", count) for key, count in result["answers_by_status"].items()],
        ("fast latency p50 / p95 (all answers)",
         f"{result['fast_latency_p50_s']:.2f} s / {result['fast_latency_p95_s']:.2f} s"),
        ("fast latency p50 / p95 (200 only)",
         (f"{result['fast_served_latency_p50_s'] or 0:.2f} s / "
          f"{result['fast_served_latency_p95_s'] or 0:.2f} s")),
        ("jobs accepted / submitted", f"{result['jobs_accepted']} / {result['jobs_submitted']}"),
        ("job submit-to-done p50 / max",
         f"{result['job_seconds_p50'] or 0:.1f} s / {result['job_seconds_max'] or 0:.1f} s"),
        ("server RSS warm / peak",
         f"{result['server_rss_warm_mib']:.0f} MiB / {result['server_rss_peak_mib']:.0f} MiB"),
        ("wall time", f"{result['wall_seconds']:.1f} s"),
        *[(f"check: {name}", "ok" if ok else "FAILED") for name, ok in result["checks"].items()],
    ]  # fmt: skip
    width = max(len(name) for name, _ in rows)
    print("\n".join(f"{name:<{width}}  {value}" for name, value in rows))


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    result = run(args)
    print_table(result)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
    print(f"wrote {args.out}")
    return 0 if all(result["checks"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
