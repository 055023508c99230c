"""The batch on Apache Beam: match the inputs, skip those done, decode and resize in parallel, batch
images of one size, stylise them with RunInference, write each output whole; failures go to a
dead-letter file. Beam's pipeline options pass through, so it runs where they say.
"""

import os

import apache_beam as beam
from apache_beam.io import fileio
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.ml.inference.base import RunInference
from apache_beam.options.pipeline_options import PipelineOptions

from nst_tf.batch import beam_steps, handlers, steps
from nst_tf.errors import NstError

# Beam's own Dask runner hands a step's dead letters on with its images (tagged outputs are not
# split) and runs only the last branch of a pipeline: the batch runs on Dask by on_dask instead.
DASK_RUNNER = "DaskRunner"


def any_match(input_glob):
    """Whether a file matches the glob (on any file system Beam knows)."""
    return bool(FileSystems.match([input_glob], limits=[1])[0].metadata_list)


def read_bytes(path):
    """A file's bytes, local or a URL Beam knows."""
    with FileSystems.open(path, compression_type="uncompressed") as f:
        return f.read()


def run(job, pipeline_args):
    """Runs a checked job (job.Job) as a Beam pipeline; returns its counts (steps.COUNTERS)."""
    if job.painting is not None:
        handler = handlers.FastStyleHandler(job.painting, job.engine)
    else:
        handler = handlers.ModelStyleHandler(job.model, job.model_style, job.engine)
    with beam.Pipeline(options=pipeline_options(pipeline_args)) as pipeline:
        build(pipeline, job, handler)
    return counters(pipeline.result)


def pipeline_options(pipeline_args):
    """Beam's options from the given flags; with no --runner, the DirectRunner in multi-process
    mode over the machine's cores (unless its running mode is given), its workers logging
    errors only.

    Raises:
      NstError: Beam's DaskRunner; with no --runner, a flag that no Beam option knows (Beam would drop it; a
        portable runner's job server may know options Beam does not, so they pass there).
    """
    pipeline_args = list(pipeline_args)
    given = {arg.split("=")[0] for arg in pipeline_args}
    if any(arg.startswith("--runner=") and DASK_RUNNER in arg for arg in pipeline_args):
        raise NstError("Beam's DaskRunner loses the batch's dead letters: use --dask-scheduler")
    if "--runner" not in given:
        options = PipelineOptions(pipeline_args)
        unknown = set(options.get_all_options(retain_unknown_options=True))
        unknown -= set(options.get_all_options())
        if unknown:
            names = ", ".join(f"--{name}" for name in sorted(unknown))
            raise NstError(f"unknown flag(s) {names}: neither this command's nor Beam's options")
        if "--direct_running_mode" not in given:
            pipeline_args.append("--direct_running_mode=multi_processing")
            if "--direct_num_workers" not in given:
                pipeline_args.append(f"--direct_num_workers={os.cpu_count() or 1}")
        if "--default_sdk_harness_log_level" not in given:
            pipeline_args.append("--default_sdk_harness_log_level=ERROR")
    return PipelineOptions(pipeline_args)


def build(pipeline, job, handler):
    """Adds the batch stylisation's steps (beam_steps) to a Beam pipeline."""
    decoded = (
        pipeline
        | "Match" >> fileio.MatchFiles(job.input_glob)
        | "NotDoneYet" >> beam.ParDo(beam_steps.NotDoneYet(job.base, job.output_dir))
        | "Spread" >> beam.Reshuffle()  # over the workers: the match is one element's work
        | "Read" >> fileio.ReadMatches(compression=CompressionTypes.UNCOMPRESSED)
        | "Decode"
        >> beam.ParDo(beam_steps.Decode(job.base, job.output_dir, job.size)).with_outputs(
            beam_steps.FAILED, main="images"
        )
    )
    written = (
        decoded.images
        | "BatchBySize" >> beam.ParDo(beam_steps.BatchBySize(job.batch_size))
        | "Stylize" >> RunInference(handler)
        | "Write" >> beam.ParDo(beam_steps.Write()).with_outputs(beam_steps.FAILED, main="done")
    )
    (
        (decoded[beam_steps.FAILED], written[beam_steps.FAILED])
        | "Failures" >> beam.Flatten()
        | "DeadLetters"
        >> beam.io.WriteToText(job.dead_letter, shard_name_template="", num_shards=1)
    )


def counters(result):
    """The pipeline's nst_tf counters (committed, or attempted where a runner has no other)."""
    found = result.metrics().query(MetricsFilter().with_namespace(handlers.NAMESPACE))
    counts = dict.fromkeys(steps.COUNTERS, 0)
    for counter in found["counters"]:
        name = counter.key.metric.name
        if name in counts:  # RunInference adds its own (num_inferences, ...)
            value = counter.committed if counter.committed is not None else counter.attempted
            counts[name] += value or 0
    return counts
