"""A smaller run of tools/bench/load_test_serve.py: concurrent fast requests and jobs on loopback."""

import json
import os
import subprocess
import sys

import pytest
from serve_helpers import SAMPLES

pytest.importorskip("fastapi", reason="the web app's tests need the web extra: pip install .[web]")
pytest.importorskip("psutil", reason="the load test measures memory with psutil")

REPO = SAMPLES.parents[1]


@pytest.mark.slow
def test_every_request_is_answered_and_the_server_survives(tmp_path):
    out = tmp_path / "load.json"
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "tools.bench.load_test_serve", "--fast", "16", "--jobs", "3",
         "--max-queue", "1", "--max-fast", "4", "--job-iterations", "5", "--timeout", "240",
         "--out", str(out)],
        capture_output=True, text=True, timeout=400, env=environment, cwd=REPO, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(out.read_text())
    assert all(result["checks"].values()), result["checks"]
    answers = result["answers_by_status"]
    assert result["requests"] == 19 == sum(answers.values())
    assert answers.get("job 429", 0) >= 1  # one runs, one waits, the third is refused
    assert answers.get("fast 503", 0) >= 1 and answers.get("fast 200", 0) >= 4
