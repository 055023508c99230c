"""The pipeline's steps around the network: skip what is done, decode, write; each failure
becomes a dead letter (a JSON line: the input and a one-line reason) and is counted."""

import json

import apache_beam as beam
import numpy as np
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.windowed_value import WindowedValue

from nst_tf.batch import naming
from nst_tf.batch.handlers import NAMESPACE
from nst_tf.errors import NstError
from nst_tf.io import files, image_io

FAILED = "failed"


def dead_letter(path, reason):
    """One line of the dead-letter file."""
    return json.dumps({"input": path, "reason": " ".join(str(reason).split())})


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
    """Decodes a read input (a fileio.ReadableFile), resized to `size` (longest side; None: as it
    is), keyed by its size for batching, with its output path; an unreadable or too small input
    goes to the FAILED output."""

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
            image = image_io.decode_image(data, path)
            image_io.check_min_side(image.shape, "image")
            if self.size:
                image = image_io.resize_longest(image, self.size)
        except (NstError, OSError) as error:
            self.failed.inc()
            yield beam.pvalue.TaggedOutput(FAILED, dead_letter(path, error))
            return
        yield f"{image.shape[0]}x{image.shape[1]}", (path, target, image_io.to_uint8(image))


class BatchBySize(beam.DoFn):
    """Gathers decoded images of one size into batches of up to `batch_size` within a bundle,
    as beam.BatchElements does but by size. No state or timers: the DirectRunner drops the
    metrics of steps after timer-fired bundles (GroupIntoBatches lost the writes' counts)."""

    def __init__(self, batch_size):
        self.batch_size = batch_size
        self.pending = {}

    def start_bundle(self):
        self.pending = {}

    def process(self, item):
        size, image = item
        group = self.pending.setdefault(size, [])
        group.append(image)
        if len(group) == self.batch_size:
            yield self.pending.pop(size)

    def finish_bundle(self):
        window = GlobalWindow()
        for group in self.pending.values():
            yield WindowedValue(group, window.max_timestamp(), [window])
        self.pending = {}


class Write(beam.DoFn):
    """Writes each stylised image of a batch whole (a temporary file renamed into place, or one
    object on a remote store); a failure goes to the FAILED output."""

    def __init__(self):
        self.written = Metrics.counter(NAMESPACE, "images_written")
        self.bytes = Metrics.counter(NAMESPACE, "bytes_written")
        self.failed = Metrics.counter(NAMESPACE, "images_failed")

    def process(self, result):
        for (path, target, _), output in zip(result.example, result.inference):
            try:
                data = image_io.encode_image(np.asarray(output), target)
                if naming.is_url(target):
                    with FileSystems.create(target) as f:
                        f.write(data)
                else:
                    files.write_atomically(target, lambda f, data=data: f.write(data))
            except (NstError, OSError) as error:
                self.failed.inc()
                yield beam.pvalue.TaggedOutput(FAILED, dead_letter(path, error))
                continue
            self.written.inc()
            self.bytes.inc(len(data))
