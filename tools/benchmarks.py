"""What the benchmarks under tools/ share (tools/bench/, tools/bench_batch.py) and the release
tools use: machine facts, one configuration per subprocess (so its peak memory is its own), a
plain-text table, repository-relative paths and an atomically written JSON report."""

import datetime
import importlib.metadata
import json
import os
import platform
import resource
import shlex
import subprocess
import sys
import tempfile
import time

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULT_PREFIX = "BENCH_RESULT "
# The offline stand-in loss network (HED's VGG16 conv layers), beside the repository.
STAND_IN_WEIGHTS = os.path.join(REPOSITORY, "..", "shared", "weights", "vgg16_hed_bsds500_notop.h5")
# Bundled photos (nst_tf/samples) on which exports are compared with the Keras network.
PARITY_PHOTOS = ("chelsea.jpg", "astronaut.jpg", "coffee.jpg", "brick.jpg", "shipwreck.jpg")



def add_image_flags(parser):
    """--content and --style, by default bundled coffee.jpg and starry_night.jpg."""
    samples = os.path.join(REPOSITORY, "nst_tf", "samples")
    parser.add_argument("--content", default=os.path.join(samples, "coffee.jpg"))
    parser.add_argument("--style", default=os.path.join(samples, "starry_night.jpg"))


def add_vgg_weights_flag(parser):
    """--vgg-weights: a weights file, or 'none'; by default the stand-in VGG16 if present."""
    parser.add_argument(
        "--vgg-weights",
        default=STAND_IN_WEIGHTS if os.path.isfile(STAND_IN_WEIGHTS) else "none",
        help="weights file, or 'none' for random weights (default: the stand-in VGG16 if present)",
    )

def machine_facts():
    """Facts about this machine and its software, without importing TensorFlow.

    Returns:
      dict.
    """

    def version(package):
        try:
            return importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            return None

    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "load_average_at_start": list(os.getloadavg()),
        **{name: version(name) for name in ("tensorflow", "keras", "numpy", "scipy")},
    }


def folder_bytes(path):
    """Total size of the files under a folder, bytes."""
    return sum(
        os.path.getsize(os.path.join(root, name))
        for root, _, names in os.walk(path)
        for name in names
    )


def peak_rss_mib():
    """Peak resident memory of this process so far, MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def print_result(result):
    """Hands a configuration's result dict from a `--one` subprocess to its parent."""
    print(RESULT_PREFIX + json.dumps(result), flush=True)


def python_command(script, python=sys.executable):
    """How to run a tool: `python -m tools.kind.name` for one in a folder under tools/ (a module
    of the tools package, run from the repository's root), `python path` for a script."""
    path = os.path.abspath(script)
    folder = os.path.join(REPOSITORY, "tools")
    if os.path.dirname(os.path.dirname(path)) == folder:
        module = os.path.relpath(os.path.splitext(path)[0], REPOSITORY).replace(os.sep, ".")
        return [python, "-m", module]
    return [python, path]


def with_repository_on_path():
    """The environment with the repository first on PYTHONPATH, so a child process imports this
    checkout's nst_tf and tools."""
    paths = [REPOSITORY, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def run_subprocess(script, arguments, describe):
    """Runs `script arguments` in a fresh Python process and returns its printed result.

    Args:
      script: path of the benchmark script (its __file__).
      arguments: its arguments (selecting one configuration).
      describe: dict naming the configuration, merged into an error result.

    Returns:
      the result dict, or `describe` with an "error" key if the process failed.
    """
    process = subprocess.run(
        [*python_command(script), *arguments],
        capture_output=True, text=True, check=False, env=with_repository_on_path(),
    )  # fmt: skip
    for line in reversed(process.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX) :])
    tail = (process.stderr or process.stdout).strip().splitlines()[-5:]
    return {**describe, "error": f"exit {process.returncode}: {tail}"}


def run_each(script, argv, key, values, report, out):
    """Runs `script argv --one VALUE` for each value in its own process (so each peak memory is
    its own), rewriting the report after each so a killed run keeps what it measured.

    Args:
      script: path of the benchmark script.
      argv: its arguments.
      key: what a value is ("config", "size"), for the progress line and failed results.
      values: the configurations to run.
      report: a Report.
      out: JSON path.

    Returns:
      list of result dicts (with an "error" key where a process failed).
    """
    results = []
    for value in values:
        print(f"running {key} {value} ...", file=sys.stderr, flush=True)
        results.append(run_subprocess(script, [*argv, "--one", str(value)], {key: value}))
        report.write(out, results)
    return results


def run_benchmark(script, argv, parse_args, run_one, key, format_table):
    """The main of a benchmark that runs each of `args.<key>s` in its own process, that process
    being the script itself with `--one VALUE` (which runs `run_one(value, args)` and hands the
    result back); prints the table and writes the report to `args.out`.

    Returns:
      (args, results): results is None in a `--one` process.
    """
    args = parse_args(argv)
    if args.one:
        print_result(run_one(args.one, args))
        return args, None
    report = Report({name: value for name, value in vars(args).items() if name != "one"})
    results = run_each(script, argv, key, getattr(args, key + "s"), report, args.out)
    print(format_table(results))
    return args, results


def format_table(header, rows):
    """A plain-text table; a row shorter than the header (a failure) runs on after its cells.

    Args:
      header: column titles.
      rows: tuples of strings.

    Returns:
      str.
    """
    rows = [tuple(header), *rows]
    complete = [row for row in rows if len(row) == len(header)]
    widths = [max(len(row[i]) for row in complete) for i in range(len(header))]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:])]
        if len(row) < len(header):  # a failure: its message runs on after the cells before it
            cells[-1] = row[-1]
        lines.append("  ".join(cells))
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def portable(value):
    """`value` with every absolute path under the repository's parent folder written relative to
    the repository (`exported_models/x`, `../shared/images`) and every one under the temporary
    folder as `$TMPDIR/...`, and programs of this Python's installation by their names
    (`python`, `nst-tf`), so reports name no machine's paths."""
    if isinstance(value, dict):
        return {key: portable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [portable(item) for item in value]
    if isinstance(value, str) and os.path.isabs(value):
        path = os.path.normpath(value)
        if path.startswith(os.path.dirname(REPOSITORY) + os.sep):
            return os.path.relpath(path, REPOSITORY)
        if os.path.dirname(path) == os.path.dirname(sys.executable):
            return "python" if path == sys.executable else os.path.basename(path)
        temporary = os.path.realpath(tempfile.gettempdir())
        if os.path.realpath(path).startswith(temporary + os.sep):
            return os.path.join("$TMPDIR", os.path.relpath(os.path.realpath(path), temporary))
    return value


def portable_command(argv):
    """The command line `argv` as a shell would take it, its paths made `portable` (a `$TMPDIR`
    prefix written as the shell's `${TMPDIR:-/tmp}`, so the line still runs when pasted)."""
    words = []
    for word in map(portable, argv):
        if word.startswith("$TMPDIR/"):
            words.append('"${TMPDIR:-/tmp}"' + shlex.quote(word[len("$TMPDIR") :]))
        else:
            words.append(shlex.quote(word))
    return " ".join(words)


class Report:
    """Collects a benchmark run's context and writes it as JSON."""

    def __init__(self, settings):
        self.started = datetime.datetime.now(datetime.UTC)
        self.clock = time.perf_counter()
        self.settings = settings
        self.machine = machine_facts()

    def write(self, path, results):
        """Writes the report atomically to `path`."""
        from nst_tf.io.files import write_json

        write_json(
            path,
            portable(
                {
                    "date": self.started.isoformat(timespec="seconds"),
                    "seconds": round(time.perf_counter() - self.clock, 1),
                    "command": portable_command(
                        [*python_command(sys.argv[0], "python"), *sys.argv[1:]]
                    ),
                    "settings": self.settings,
                    "machine": self.machine,
                    "results": results,
                }
            ),
        )
        print(f"wrote {path}")
