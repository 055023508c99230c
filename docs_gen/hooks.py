"""MkDocs hooks: add the generated pages (command line, Python API, benchmarks) to the site."""

import pathlib
import sys

from mkdocs.structure.files import File

ROOT = pathlib.Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from docs_gen import api_reference, benchmarks_page, cli_reference  # noqa: E402

GENERATED = {
    "reference/cli.md": cli_reference.render,
    "reference/python.md": api_reference.render,
    "benchmarks.md": benchmarks_page.render,
}


def on_files(files, config):
    """Adds each generated page, rendered from the code and bench_results/ now."""
    for uri, render in GENERATED.items():
        files.append(File.generated(config, uri, content=render()))
    return files
