"""RunInference model handlers for nst_tf's networks: a trained or shipped network (`--model`)
and Magenta's arbitrary network with one painting (`--fast`).

An example is a batch of images of one size, as BatchBySize made it: a list of
(input path, output path, uint8 image); RunInference hands them over one at a time. A worker
makes the painter once (steps.make_painter), on the engine nst_tf.engine_choice picks there
(TensorFlow, when it is the one, is imported there, not where the pipeline is built).
"""

import os
import tempfile
import time

from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics
from apache_beam.ml.inference.base import ModelHandler, PredictionResult

from nst_tf.batch import naming, steps

NAMESPACE = "nst_tf"


class _StyleHandler(ModelHandler):
    """What both handlers share: one same-size batch per call, timed."""

    def __init__(self):
        super().__init__()
        self._milliseconds = Metrics.counter(NAMESPACE, "stylize_ms")
        self._batches = Metrics.counter(NAMESPACE, "batches")

    def batch_elements_kwargs(self):
        return {"max_batch_size": 1}  # each example is already a batch of like-size images

    def get_metrics_namespace(self):
        return NAMESPACE

    def run_inference(self, batch, model, inference_args=None):
        for group in batch:
            started = time.perf_counter()
            outputs = steps.paint(model, group)
            self._milliseconds.inc(round(1000 * (time.perf_counter() - started)))
            self._batches.inc()
            yield PredictionResult(group, outputs)


class ModelStyleHandler(_StyleHandler):
    """A network `nst_tf.load_model` reads: a shipped name, a .keras file (local or a URL such
    as gs://...) or a training run folder, with one style or a mix (`model_style`)."""

    def __init__(self, model, model_style=None, engine="auto"):
        super().__init__()
        self.model = model
        self.model_style = model_style
        self.engine = engine

    def load_model(self):
        return steps.make_painter(local_copy(self.model), self.model_style, engine=self.engine)


class FastStyleHandler(_StyleHandler):
    """`stylize_fast` with one painting (uint8 array), image by image (as `nst-tf stylize
    --fast`; its stroke pass works on one image)."""

    def __init__(self, style, engine="auto"):
        super().__init__()
        self.style = style
        self.engine = engine

    def load_model(self):
        return steps.make_painter(style=self.style, engine=self.engine)


def local_copy(model):
    """A model on a remote file system (a .keras URL, its .json beside it) copied to a local
    folder; anything else (a local path, a shipped name) as it is."""
    if not naming.is_url(model):
        return model
    folder = tempfile.mkdtemp(prefix="nst-tf-model-")
    stem = os.path.splitext(model)[0]
    for source in (model, stem + ".json"):
        if source != model and not FileSystems.exists(source):
            continue
        with FileSystems.open(source) as remote:
            data = remote.read()
        with open(os.path.join(folder, os.path.basename(source)), "wb") as local:
            local.write(data)
    return os.path.join(folder, os.path.basename(model))
