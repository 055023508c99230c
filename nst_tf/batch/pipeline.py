"""The batch pipeline: match the inputs, skip those done, decode and resize in parallel, batch
images of one size, stylise them with RunInference, write each output whole; failures go to a
dead-letter file. Beam's pipeline options pass through, so it runs where they say.
"""

import os
import time

import apache_beam as beam
from apache_beam.io import fileio
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.ml.inference.base import RunInference
from apache_beam.options.pipeline_options import PipelineOptions

from nst_tf import blending, engine_choice
from nst_tf.batch import handlers, naming, steps
from nst_tf.errors import NstError
from nst_tf.feedforward import shipped
from nst_tf.io import image_io

COUNTERS = (
    "images_written",
    "images_kept",
    "images_failed",
    "bytes_read",
    "bytes_written",
    "batches",
    "stylize_ms",
)


def stylize_batch(
    input_glob,
    output_dir,
    *,
    model=None,
    model_style=None,
    style=None,
    size=None,
    batch_size=4,
    dead_letter=None,
    pipeline_args=(),
    engine="auto",
):
    """Stylises every file that matches a glob into a folder, on Apache Beam.

    Args:
      input_glob: files to stylise, local or on a file system Beam knows (gs://, s3://, hdfs://);
        ** matches across folders.
      output_dir: where the outputs go, at their paths below the glob's folder. Outputs already
        there are kept, so a run after a crash completes what is missing.
      model: a network `nst_tf.load_model` reads (a shipped name, a .keras file or its URL);
        or `style`.
      model_style: with `model`: a style or mix of its styles ("3:0.5,12:0.5").
      style: a painting (path or URL) for Magenta's arbitrary network (as `stylize_fast`).
      size: longest side the inputs are resized to (None: their own size).
      batch_size: images of one size per forward pass.
      dead_letter: the JSON lines file of failures (default: OUTPUT_DIR/failed.jsonl).
      pipeline_args: Beam pipeline options (["--runner=DataflowRunner", ...]); default: the
        DirectRunner in multi-process mode over this machine's cores.
      engine: what runs the network on the workers: "litert", "tensorflow" or "auto" (see
        nst_tf.engine_choice).

    Returns:
      dict of counts (COUNTERS), "seconds" of the whole run and "dead_letter".

    Raises:
      NstError: neither or both of model and style, no input matches, an unreadable style.
    """
    if (model is None) == (style is None):
        raise NstError("give either model or style (a painting for the fast network)")
    engine_choice.check_engine(engine)
    if batch_size < 1:
        raise NstError(f"batch_size must be positive, got {batch_size}")
    if size is not None and size < image_io.MIN_SIDE:
        raise NstError(f"size must be at least {image_io.MIN_SIDE} px, got {size}")
    input_glob, output_dir = naming.absolute(input_glob), naming.absolute(output_dir)
    dead_letter = naming.absolute(dead_letter or output_dir + "/" + naming.DEAD_LETTER_NAME)
    if not FileSystems.match([input_glob], limits=[1])[0].metadata_list:
        raise NstError(f"no file matches {input_glob}")
    if model is not None and not naming.is_url(model):
        shipped.model_reference(model)  # before any worker starts
    if model_style is not None:
        blending.parse_style_mix(model_style)
    if style is not None:
        with FileSystems.open(naming.absolute(style), compression_type="uncompressed") as f:
            painting = image_io.decode_image(f.read(), style)
        image_io.check_min_side(painting.shape, "style image")
        painting = image_io.to_uint8(painting)
        handler = handlers.FastStyleHandler(painting, engine)
    else:
        handler = handlers.ModelStyleHandler(model, model_style, engine)
    started = time.perf_counter()
    with beam.Pipeline(options=pipeline_options(pipeline_args)) as pipeline:
        build(pipeline, input_glob, output_dir, handler, size, batch_size, dead_letter)
    counts = counters(pipeline.result)
    return {
        **counts,
        "seconds": round(time.perf_counter() - started, 2),
        "dead_letter": dead_letter,
    }


def pipeline_options(pipeline_args):
    """Beam's options from the given flags; with no --runner, the DirectRunner in multi-process
    mode over the machine's cores (unless its running mode is given), its workers logging
    errors only.

    Raises:
      NstError: with no --runner, a flag that no Beam option knows (Beam would drop it; a
        portable runner's job server may know options Beam does not, so they pass there).
    """
    pipeline_args = list(pipeline_args)
    given = {arg.split("=")[0] for arg in pipeline_args}
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


def build(pipeline, input_glob, output_dir, handler, size, batch_size, dead_letter):
    """Adds the batch stylisation's steps to a Beam pipeline."""
    base = naming.glob_base(input_glob)
    decoded = (
        pipeline
        | "Match" >> fileio.MatchFiles(input_glob)
        | "NotDoneYet" >> beam.ParDo(steps.NotDoneYet(base, output_dir))
        | "Spread" >> beam.Reshuffle()  # over the workers: the match is one element's work
        | "Read" >> fileio.ReadMatches(compression=CompressionTypes.UNCOMPRESSED)
        | "Decode"
        >> beam.ParDo(steps.Decode(base, output_dir, size)).with_outputs(
            steps.FAILED, main="images"
        )
    )
    written = (
        decoded.images
        | "BatchBySize" >> beam.ParDo(steps.BatchBySize(batch_size))
        | "Stylize" >> RunInference(handler)
        | "Write" >> beam.ParDo(steps.Write()).with_outputs(steps.FAILED, main="done")
    )
    (
        (decoded[steps.FAILED], written[steps.FAILED])
        | "Failures" >> beam.Flatten()
        | "DeadLetters" >> beam.io.WriteToText(dead_letter, shard_name_template="", num_shards=1)
    )


def counters(result):
    """The pipeline's nst_tf counters (committed, or attempted where a runner has no other)."""
    found = result.metrics().query(MetricsFilter().with_namespace(handlers.NAMESPACE))
    counts = dict.fromkeys(COUNTERS, 0)
    for counter in found["counters"]:
        name = counter.key.metric.name
        if name in counts:  # RunInference adds its own (num_inferences, ...)
            value = counter.committed if counter.committed is not None else counter.attempted
            counts[name] += value or 0
    return counts
