"""The quickstart page's commands and Python, and the README's Python example, run as written
(from a scratch folder with the bundled samples at nst_tf/samples)."""

import os
import subprocess
import sys

import pytest
from docs_support import DOCS, REPO, blocks, commands

QUICKSTART = DOCS / "quickstart.md"


@pytest.fixture
def workdir(tmp_path):
    (tmp_path / "nst_tf").mkdir()
    (tmp_path / "nst_tf" / "samples").symlink_to(REPO / "nst_tf" / "samples")
    return tmp_path


def _environment():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
    env.pop("NST_TF_VGG_WEIGHTS", None)
    return env


def _run(arguments, cwd):
    done = subprocess.run(arguments, cwd=cwd, env=_environment(), capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, f"{' '.join(arguments)}\n{done.stderr[-2000:]}"
    return done


def _outputs(words):
    return [words[i + 1] for i, word in enumerate(words[:-1]) if word in ("-o", "--output")]


def test_quickstart_has_snippets():
    assert len(blocks(QUICKSTART, "bash")) >= 3
    assert blocks(QUICKSTART, "python")


@pytest.mark.slow
def test_quickstart_commands_run(workdir):
    """Each `nst-tf` line runs (as `python -m nst_tf`, this checkout) and writes its output;
    `pip install` lines are what CI does before the tests, so they are not repeated here."""
    ran = 0
    for block in blocks(QUICKSTART, "bash"):
        for words in commands(block):
            if words[:2] == ["pip", "install"]:
                continue
            assert words[0] == "nst-tf", f"a quickstart command the test cannot run: {words}"
            _run([sys.executable, "-m", "nst_tf", *words[1:]], workdir)
            for output in _outputs(words):
                assert (workdir / output).stat().st_size > 0, output
            ran += 1
    assert ran >= 3


@pytest.mark.parametrize("page", [QUICKSTART, REPO / "README.md"], ids=lambda p: p.name)
def test_python_snippets_run(workdir, page):
    """The Python blocks run in a fresh interpreter on the one-pass networks (LiteRT)."""
    for code in blocks(page, "python"):
        _run([sys.executable, "-c", code], workdir)
    assert any(path.suffix == ".jpg" for path in workdir.iterdir())
