"""`nst_tf.stylize_batch`: what a batch is (inputs, outputs, network, sizes), checked before any
worker starts, then run on Apache Beam (`pipeline`) or on a Dask cluster (`on_dask`). No Beam,
no Dask, no TensorFlow imported here."""

import dataclasses
import time

import numpy as np

from nst_tf import blending, engine_choice
from nst_tf.batch import naming
from nst_tf.errors import NstError
from nst_tf.feedforward import shipped
from nst_tf.io import image_io


@dataclasses.dataclass(frozen=True)
class Job:
    """A checked batch: absolute paths, and the network as the workers make it
    (steps.make_painter(model, model_style, painting, engine))."""

    input_glob: str
    output_dir: str
    dead_letter: str
    size: int | None
    batch_size: int
    engine: str
    model: str | None = None
    model_style: str | None = None
    painting: np.ndarray | None = None

    @property
    def base(self):
        """The glob's folder: outputs keep their paths below it."""
        return naming.glob_base(self.input_glob)


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
    dask_scheduler=None,
):
    """Stylises every file that matches a glob into a folder, on Apache Beam or on Dask.

    Args:
      input_glob: files to stylise, local or on a file system the engine knows (gs://, s3://,
        hdfs://); ** matches across folders.
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
      dask_scheduler: the address of a running dask.distributed scheduler
        ("tcp://host:8786"): the batch runs on its workers instead of on Beam.

    Returns:
      dict of counts (steps.COUNTERS), "seconds" of the whole run and "dead_letter".

    Raises:
      NstError: neither or both of model and style, no input matches, an unreadable style, Beam
        options with dask_scheduler, the scheduler unreachable or lost.
    """
    if (model is None) == (style is None):
        raise NstError("give either model or style (a painting for the fast network)")
    engine_choice.check_engine(engine)
    if batch_size < 1:
        raise NstError(f"batch_size must be positive, got {batch_size}")
    if size is not None and size < image_io.MIN_SIDE:
        raise NstError(f"size must be at least {image_io.MIN_SIDE} px, got {size}")
    if dask_scheduler is not None and list(pipeline_args):
        raise NstError("Beam's pipeline options do not apply on Dask: give one or the other")
    if dask_scheduler is not None:
        from nst_tf.batch import on_dask as runner
    else:
        from nst_tf.batch import pipeline as runner
    input_glob, output_dir = naming.absolute(input_glob), naming.absolute(output_dir)
    dead_letter = naming.absolute(dead_letter or output_dir + "/" + naming.DEAD_LETTER_NAME)
    if not runner.any_match(input_glob):
        raise NstError(f"no file matches {input_glob}")
    if model is not None and not naming.is_url(model):
        shipped.model_reference(model)  # before any worker starts
    if model_style is not None:
        blending.parse_style_mix(model_style)
    painting = None
    if style is not None:
        style = naming.absolute(style)
        try:
            data = runner.read_bytes(style)
        except OSError as error:
            raise NstError(f"cannot read the style image {style}: {error}") from None
        painting = image_io.decode_image(data, style)
        image_io.check_min_side(painting.shape, "style image")
        painting = image_io.to_uint8(painting)
    job = Job(input_glob, output_dir, dead_letter, size, batch_size, engine, model, model_style,
              painting)  # fmt: skip
    started = time.perf_counter()
    counts = runner.run(job, dask_scheduler if dask_scheduler is not None else pipeline_args)
    return {
        **counts,
        "seconds": round(time.perf_counter() - started, 2),
        "dead_letter": dead_letter,
    }
