"""The benchmarks page, rendered from bench_results/*.json: one section per file with the
machine it ran on, the command that made it, its settings and its results as tables.

Run as a script to print the page: `python docs_gen/benchmarks_page.py`.
"""

import json
import pathlib
import sys

RESULTS = pathlib.Path(__file__).resolve().parent.parent / "bench_results"

# Files whose JSON does not record the loss network's weights but whose bench ran with the
# stand-in VGG16 (the bench's docstring gives the command with NST_TF_VGG_WEIGHTS).
_STAND_IN_UNRECORDED = {"bench_photoreal", "bench_analogy", "bench_video"}

_STAND_IN_NOTE = (
    "Loss network: the stand-in VGG16 (HED's VGG16 convolutions, fine-tuned on edges, not "
    "ImageNet VGG; see [the stand-in loss network](licences.md#the-stand-in-loss-network))."
)

_MACHINE_KEYS = ("processor", "cpu_count", "cpus_usable", "platform", "python", "tensorflow",
                 "keras", "numpy", "load_average_at_start")


def _cell(value):
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list) and value and all(isinstance(v, (int, float)) for v in value):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, (list, dict)):
        text = json.dumps(value, separators=(",", ":"))
        return text if len(text) <= 60 else text[:57] + "..."
    return "–" if value is None else str(value)


def _escape(text):
    return text.replace("|", "\\|").replace("\n", " ")


def _table(rows):
    columns = []
    for row in rows:
        columns += [key for key in row if key not in columns]
    lines = ["| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(_escape(_cell(row.get(c))) for c in columns) + " |")
    return lines + [""]


def _results(value, depth):
    """Markdown for a results value: tables of records, nested by heading."""
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return _table(value)
    if isinstance(value, dict) and value:
        if all(isinstance(v, dict) for v in value.values()) and not any(
            isinstance(x, (dict, list)) and len(json.dumps(x)) > 60
            for v in value.values() for x in v.values()
        ):
            return _table([{"": key, **v} for key, v in value.items()])
        lines, scalars = [], {}
        for key, v in value.items():
            if isinstance(v, (dict, list)) and v and not (
                isinstance(v, list) and not isinstance(v[0], dict)
            ):
                lines += [f"{'#' * depth} {key}", ""] + _results(v, min(depth + 1, 6))
            else:
                scalars[key] = v
        if scalars:
            lines = _table([scalars]) + lines
        return lines
    return [f"`{_cell(value)}`", ""]


def render_file(path):
    """One JSON file's section."""
    data = json.loads(path.read_text(encoding="utf-8"))
    lines = [f"## {path.stem}", ""]
    machine = data.get("machine") if isinstance(data, dict) else None
    if machine:
        facts = [f"{key} {_cell(machine[key])}" for key in _MACHINE_KEYS if key in machine]
        lines += ["**Machine:** " + _escape("; ".join(facts)) + ".", ""]
    else:
        lines += ["**Machine:** not recorded in the file.", ""]
    when = data.get("date") if isinstance(data, dict) else None
    if when:
        lines += [f"**Recorded:** {when}" + (
            f", {data['seconds']} s in all." if "seconds" in data else "."), ""]
    command = data.get("command") if isinstance(data, dict) else None
    lines += ["**Command:**", "", "```text", command or "not recorded in the file", "```", ""]
    text = json.dumps(data)
    if "vgg16_hed" in text or path.stem in _STAND_IN_UNRECORDED:
        lines += [_STAND_IN_NOTE, ""]
    if isinstance(data, dict) and data.get("settings"):
        lines += ["**Settings:** `" + json.dumps(data["settings"], separators=(", ", ": ")) + "`",
                  ""]
    results = data.get("results", data.get("rows")) if isinstance(data, dict) else data
    if results is None:
        results = {k: v for k, v in data.items() if k not in ("settings", "machine", "command")}
    return lines + _results(results, 3)


def render(results_dir=RESULTS):
    """The whole page's Markdown."""
    lines = [
        "# Benchmarks",
        "",
        "Generated from the JSON files in `bench_results/` when the site is built; each bench",
        "tool writes one (the tools are listed in `tools/README.md`). Each section shows the",
        "machine and the command that produced it. Most ran on a 2-core VM shared with other",
        "jobs: compare figures within a table, not across machines.",
        "",
    ]
    for path in sorted(results_dir.glob("*.json")):
        lines += render_file(path)
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(render() + "\n")
