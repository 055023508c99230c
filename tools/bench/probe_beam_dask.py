"""What Beam's DaskRunner delivers on a real dask.distributed cluster: small pipelines whose every
element is logged where it arrives (a file each worker appends to), counted once each. Why
`nst-tf batch` runs on Dask with its own tasks (nst_tf/batch/on_dask.py) and refuses that runner.

    dask scheduler --port 8831 --no-dashboard &
    dask worker tcp://127.0.0.1:8831 --nthreads 2 --no-dashboard &   # twice
    python -m tools.bench.probe_beam_dask --scheduler tcp://127.0.0.1:8831
"""

import argparse
import collections
import os
import sys
import tempfile

from tools import benchmarks

RUNNER = "apache_beam.runners.dask.dask_runner.DaskRunner"


def parse_args(argv):
    """Parses the command line (argv without the program name)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scheduler", required=True)
    parser.add_argument("--out", default="bench_results/beam_dask_runner.json")
    return parser.parse_args(argv)


def arrive(log, name):
    """A function that logs an element's arrival (and the process) under `name`."""

    def logged(element):
        with open(log, "a") as f:
            f.write(f"{name} {os.path.basename(str(element))} {os.getpid()}\n")
        return element

    return logged


def probe(name, scheduler, build, work):
    """Runs one pipeline; {branch: (distinct elements, arrivals, processes)} from its log."""
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions

    log = os.path.join(work, name + ".log")
    options = PipelineOptions([f"--runner={RUNNER}", f"--dask_client_address={scheduler}"])
    with beam.Pipeline(options=options) as pipeline:
        build(pipeline, log, beam)
    rows = []
    if os.path.exists(log):
        with open(log) as f:
            rows = [line.split() for line in f.read().splitlines()]
    found = {}
    for branch in sorted({row[0] for row in rows}):
        elements = collections.Counter(row[1] for row in rows if row[0] == branch)
        processes = {row[2] for row in rows if row[0] == branch}
        found[branch] = {"distinct": len(elements), "arrivals": sum(elements.values()),
                         "processes": len(processes)}  # fmt: skip
    return found


def main(argv=None):
    """Runs the probes, prints the table, writes the JSON report."""
    args = parse_args(argv if argv is not None else sys.argv[1:])
    report = benchmarks.Report(vars(args))
    work = tempfile.mkdtemp(prefix="probe-beam-dask-")
    files = os.path.join(work, "files")
    os.makedirs(files)
    for index in range(200):
        with open(os.path.join(files, f"{index:03d}.txt"), "w") as f:
            f.write(str(index))
    matched = os.path.join(files, "*.txt")

    def batched(count):
        def build(p, log, beam):
            names = sorted(os.listdir(files))[:count]
            (p | beam.Create(names) | beam.BatchElements(min_batch_size=2, max_batch_size=2)
             | beam.FlatMap(lambda batch: batch) | beam.Map(arrive(log, "out")))  # fmt: skip

        return build

    def match_files(p, log, beam):
        from apache_beam.io import fileio

        (p | fileio.MatchFiles(matched) | fileio.ReadMatches() | beam.Reshuffle()
         | beam.Map(lambda r: r.metadata.path) | beam.Map(arrive(log, "out")))  # fmt: skip

    def tagged(p, log, beam):
        class SendTens(beam.DoFn):
            def process(self, element):
                if element % 10 == 0:
                    yield beam.pvalue.TaggedOutput("tens", element)
                else:
                    yield element

        split = (
            p
            | beam.Create(list(range(30)))
            | beam.ParDo(SendTens()).with_outputs("tens", main="rest")
        )
        split.rest | "Rest" >> beam.Map(arrive(log, "rest"))

    def two_branches(p, log, beam):
        numbers = p | beam.Create(list(range(10)))
        numbers | "A" >> beam.Map(arrive(log, "a"))
        numbers | "B" >> beam.Map(arrive(log, "b"))

    cases = [
        ("BatchElements(2), 6 elements", batched(6), "out: 6 once each"),
        ("BatchElements(2), 30 elements", batched(30), "out: 30 once each"),
        ("MatchFiles, Reshuffle, 200 files", match_files, "out: 200 over 2 processes"),
        ("3 of 30 sent to a tagged output", tagged, "rest: 27"),
        ("two Maps reading one PCollection", two_branches, "a: 10 and b: 10"),
    ]
    results = []
    for index, (name, build, expected) in enumerate(cases):
        try:
            found = probe(f"case{index}", args.scheduler, build, work)
        except Exception as error:  # noqa: BLE001  (a runner failure is a finding too)
            found = {"error": " ".join(str(error).split())[:300]}
        results.append({"pipeline": name, "expected": expected, "found": found})
        report.write(args.out, results)
    rows = [(r["pipeline"], r["expected"], "; ".join(
        f"{branch}: {v['distinct']} distinct, {v['arrivals']} arrivals, {v['processes']} process(es)"
        if isinstance(v, dict) else f"{branch}: {v}" for branch, v in r["found"].items()) or "nothing")
        for r in results]  # fmt: skip
    print(benchmarks.format_table(("pipeline", "expected", "found"), rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
