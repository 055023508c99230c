"""`nst-tf batch INPUT_GLOB -o OUTPUT_DIR (--model NAME | --style IMAGE --fast)`: stylisation of
many files on Apache Beam (needs the `beam` extra; Beam's pipeline options pass through) or on
a Dask cluster (`--dask-scheduler`, needs the `dask` extra)."""

import importlib.util
import logging

from absl import flags

from nst_tf.cli import common, engine_flag
from nst_tf.errors import NstError


def define_flags():
    """The flags of `nst-tf batch` (the pipeline's own; Beam's pass through)."""
    fv = flags.FlagValues()
    flags.DEFINE_string(
        "output",
        None,
        "Folder (or URL, gs://...) of the outputs, at their paths below the glob's folder; "
        "outputs already there are kept, so a re-run completes what is missing.",
        short_name="o",
        flag_values=fv,
    )
    flags.DEFINE_string(
        "model",
        None,
        "A trained network: a shipped name (magenta26:7), a .keras file (local or a URL, with "
        "its .json beside it) or a training run folder.",
        flag_values=fv,
    )
    flags.DEFINE_string(
        "model-style", None, "With --model: a style or a mix (3:0.5,12:0.5).", flag_values=fv
    )
    flags.DEFINE_string("style", None, "With --fast: the painting (a path or URL).", flag_values=fv)
    flags.DEFINE_bool(
        "fast", False, "Magenta's arbitrary network with --style as the painting.", flag_values=fv
    )
    flags.DEFINE_integer(
        "size", None, "Longest side of the outputs, px (default: each input's own).",
        lower_bound=16, flag_values=fv,
    )  # fmt: skip
    flags.DEFINE_integer(
        "batch-size", 4, "Images of one size per forward pass.", lower_bound=1, flag_values=fv
    )
    flags.DEFINE_string(
        "dead-letter",
        None,
        "JSON lines file of the inputs that failed and why (default: OUTPUT_DIR/failed.jsonl).",
        flag_values=fv,
    )
    flags.DEFINE_string(
        "dask-scheduler",
        None,
        "Run on a dask.distributed cluster: its scheduler's address (tcp://HOST:8786), started "
        "with `dask scheduler` and `dask worker` (needs the `dask` extra; Beam is not used).",
        flag_values=fv,
    )
    engine_flag.define_engine_flag(fv)
    return fv


def run(values, input_glob):
    """Runs `nst-tf batch`."""
    output = common.require_output(values)
    if values["model"] is None and not values["fast"]:
        raise NstError("give --model NAME, or --style IMAGE --fast")
    if values["model"] is not None and (values["fast"] or values["style"] is not None):
        raise NstError("give either --model or --style with --fast, not both")
    if values["fast"] != (values["style"] is not None):
        raise NstError("--fast needs --style IMAGE (the painting), and --style needs --fast")
    if values["model_style"] is not None and values["model"] is None:
        raise NstError("--model-style needs --model")
    scheduler = values["dask_scheduler"]
    if scheduler is not None:
        if values["pipeline_args"]:
            names = ", ".join(arg.split("=")[0] for arg in values["pipeline_args"])
            raise NstError(f"Beam's pipeline options ({names}) do not apply with --dask-scheduler")
        if importlib.util.find_spec("distributed") is None:
            raise NstError('--dask-scheduler needs Dask: pip install "nst_tf[dask]"')
    elif importlib.util.find_spec("apache_beam") is None:
        raise NstError('nst-tf batch needs Apache Beam: pip install "nst_tf[beam]"')
    logging.getLogger().setLevel(logging.ERROR)  # Beam's import warns of absent cloud clients
    if scheduler is not None:
        quiet_dask()
    from nst_tf.batch import job

    report = job.stylize_batch(
        input_glob,
        output,
        model=values["model"],
        model_style=values["model_style"],
        style=values["style"],
        size=values["size"],
        batch_size=values["batch_size"],
        dead_letter=values["dead_letter"],
        pipeline_args=values["pipeline_args"],
        engine=values["engine"],
        dask_scheduler=scheduler,
    )
    print(
        f"wrote {report['images_written']} images to {output} in {report['seconds']:.1f} s "
        f"({report['images_kept']} there already, {report['images_failed']} failed"
        + (f": see {report['dead_letter']}" if report["images_failed"] else "")
        + f"); read {report['bytes_read'] / 1e6:.1f} MB, wrote {report['bytes_written'] / 1e6:.1f}"
        f" MB; {report['batches']} batches, {report['stylize_ms'] / 1000:.1f} s in the network"
    )


def quiet_dask():
    """Silences Dask's client logs (a lost scheduler comes with tracebacks): the error is
    reported in one line."""
    import distributed  # noqa: F401  (sets up its loggers, each with its own level)

    for name in list(logging.root.manager.loggerDict):
        if name.split(".")[0] == "distributed":
            logging.getLogger(name).setLevel(logging.CRITICAL)


COMMAND = common.Command(
    define_flags,
    ("INPUT_GLOB",),
    "Stylise every file matching a glob on Apache Beam; its pipeline options (--runner=..., "
    "as --name=value) pass through (local multi-process by default; Dataflow, Flink, Spark); "
    "or on a Dask cluster with --dask-scheduler.",
    run,
    passes_unknown_flags=True,
)
