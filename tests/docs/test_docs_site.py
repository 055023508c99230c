"""The site builds with `mkdocs build --strict` (a broken link, a missing reference or a
stale name fails), and its generated pages hold every public name, command and result file."""

import json
import os
import subprocess
import sys

import pytest
from docs_support import REPO

import nst_tf
from nst_tf.cli import main

pytest.importorskip("mkdocs")
pytest.importorskip("mkdocstrings")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=300,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return out


def _page(site, path):
    return (site / path / "index.html").read_text(encoding="utf-8")


def test_every_public_name_is_in_the_reference(site):
    page = _page(site, "reference/python")
    missing = [name for name, module in nst_tf.DEFINED_IN.items()
               if f'id="{module}.{name}"' not in page or f"nst_tf.{name}" not in page]
    assert not missing, f"not in the Python reference: {missing}"


def test_every_command_and_flag_is_in_the_cli_reference(site):
    page = _page(site, "reference/cli")
    for name, command in main.COMMANDS.items():
        assert f'id="{name}"' in page, name
        for flag in command.define_flags():
            assert f"--{flag}" in page or f"--[no]{flag}" in page, (name, flag)


def test_every_result_file_is_on_the_benchmarks_page(site):
    page = _page(site, "benchmarks")
    for path in sorted((REPO / "bench_results").glob("*.json")):
        assert f'id="{path.stem.replace("_", "_")}"' in page or path.stem in page, path.name
        command = json.loads(path.read_text()).get("command")
        if command:
            assert command.split()[1].split("/")[-1] in page, path.name


def test_no_fonts_or_scripts_from_elsewhere(site):
    """The theme fetches nothing at run time (theme.font: false): the site works offline."""
    for html in site.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text, html
