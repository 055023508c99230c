"""The documentation site's generated pages: the command-line and Python references and the
benchmarks page, rendered from the code and bench_results/ when MkDocs builds (hooks.py)."""
