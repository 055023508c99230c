"""Benchmarks: each writes a JSON report to bench_results/ (helpers in tools/benchmarks.py)."""
