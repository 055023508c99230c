"""The Beam DoFns of the pipeline: each wraps a step of `steps` with Beam's counters and sends a
failure to the FAILED output as a dead letter."""

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.windowed_value import WindowedValue

from nst_tf.batch import naming, steps
from nst_tf.batch.handlers import NAMESPACE

FAILED = "failed"


class NotDoneYet(beam.DoFn):
    """Passes on the matched inputs whose output is not there yet; outputs are written whole
    (renamed into place), so one that exists is complete."""

    def __init__(self, base, output_dir):
        self.base, self.output_dir = base, output_dir
        self.kept = Metrics.counter(NAMESPACE, "images_kept")

    def process(self, metadata):
        if FileSystems.exists(naming.output_path(metadata.path, self.base, self.output_dir)):
            self.kept.inc()
            return
        yield metadata


class Decode(beam.DoFn):
    """Decodes a read input (a fileio.ReadableFile) with steps.decode, with its output path;
    an unreadable or too small input goes to the FAILED output."""

    def __init__(self, base, output_dir, size):
        self.base, self.output_dir = base, output_dir
        self.size = size
        self.read = Metrics.counter(NAMESPACE, "bytes_read")
        self.failed = Metrics.counter(NAMESPACE, "images_failed")

    def process(self, readable):
        path = readable.metadata.path
        target = naming.output_path(path, self.base, self.output_dir)
        try:
            data = readable.read()
            self.read.inc(len(data))
            image = steps.decode(path, data, self.size)
        except steps.IMAGE_ERRORS as error:
            self.failed.inc()
            yield beam.pvalue.TaggedOutput(FAILED, steps.dead_letter(path, error))
            return
        yield path, target, image


class BatchBySize(beam.DoFn):
    """steps.SizeBatcher over a bundle: groups of one size, the rest when the bundle ends. No
    state or timers: the DirectRunner drops the metrics of steps after timer-fired bundles
    (GroupIntoBatches lost the writes' counts)."""

    def __init__(self, batch_size):
        self.batch_size = batch_size
        self.batcher = None

    def start_bundle(self):
        self.batcher = steps.SizeBatcher(self.batch_size)

    def process(self, item):
        group = self.batcher.add(item)
        if group:
            yield group

    def finish_bundle(self):
        window = GlobalWindow()
        for group in self.batcher.drain():
            yield WindowedValue(group, window.max_timestamp(), [window])


class Write(beam.DoFn):
    """Writes each stylised image of a batch whole (steps.write_local: a temporary file linked
    into place, never over an output already there; on a remote store one object); a failure
    goes to the FAILED output."""

    def __init__(self):
        self.written = Metrics.counter(NAMESPACE, "images_written")
        self.kept = Metrics.counter(NAMESPACE, "images_kept")
        self.bytes = Metrics.counter(NAMESPACE, "bytes_written")
        self.failed = Metrics.counter(NAMESPACE, "images_failed")

    def process(self, result):
        for (path, target, _), output in zip(result.example, result.inference):
            try:
                data = steps.encode(output, target)
                if naming.is_url(target):
                    with FileSystems.create(target) as f:
                        f.write(data)
                elif not steps.write_local(target, data):
                    self.kept.inc()  # a retried bundle: written by its first attempt
                    continue
            except steps.IMAGE_ERRORS as error:
                self.failed.inc()
                yield beam.pvalue.TaggedOutput(FAILED, steps.dead_letter(path, error))
                continue
            self.written.inc()
            self.bytes.inc(len(data))
