"""The batch on a running dask.distributed cluster (`dask scheduler`, `dask worker`): the inputs
not done yet, in chunks of `batch_size`, one task each that runs the steps of `steps` (decode,
batch by size, paint, write whole, dead letters). A task whose worker dies runs again on
another and finds the outputs its first attempt wrote (steps.write_local never writes over
one). Files go through fsspec (local paths, or URLs where its file systems are installed).
"""

import dataclasses
import glob
import hashlib
import os
import socket
import tempfile
import threading
import time

from nst_tf.batch import naming, steps
from nst_tf.errors import NstError
from nst_tf.io import files

# Seconds to reach the scheduler, and to wait for it to come back once it has gone.
CONNECT_SECONDS = 10
# On a worker: the painters made so far, and one lock for the network (its interpreters are not
# made for two threads at once; decoding and writing of other tasks go on meanwhile).
_PAINTERS = {}
_PAINTER_LOCK = threading.Lock()
_PAINT_LOCK = threading.Lock()


def _file_system(url):
    import fsspec

    return fsspec.core.url_to_fs(url)[0]


def list_inputs(input_glob):
    """The files a glob matches (** across folders), sorted; hidden files left out."""
    if naming.is_url(input_glob):
        fs = _file_system(input_glob)
        return sorted(fs.unstrip_protocol(p) for p in fs.glob(input_glob) if fs.isfile(p))
    return sorted(p for p in glob.glob(input_glob, recursive=True) if os.path.isfile(p))


def any_match(input_glob):
    """Whether a file matches the glob."""
    return bool(list_inputs(input_glob))


def read_bytes(path):
    """A file's bytes, local or a URL."""
    if naming.is_url(path):
        with _file_system(path).open(path, "rb") as f:
            return f.read()
    with open(path, "rb") as f:
        return f.read()


def exists(path):
    """Whether a file is there, local or a URL."""
    return _file_system(path).exists(path) if naming.is_url(path) else os.path.exists(path)


def write_new(target, data):
    """Writes an output whole unless it is there; whether it wrote it."""
    if not naming.is_url(target):
        return steps.write_local(target, data)
    fs = _file_system(target)
    if fs.exists(target):
        return False
    with fs.open(target, "wb") as f:  # an object store makes the object whole on close
        f.write(data)
    return True


def write_text(path, text):
    """Writes a text file whole (over one there), local or a URL."""
    if naming.is_url(path):
        with _file_system(path).open(path, "w") as f:
            f.write(text)
    else:
        files.write_atomically(path, lambda f: f.write(text.encode()))


def local_model(model):
    """A model given as a URL (a .keras file, its .json beside it) copied to a local folder;
    anything else as it is."""
    if not naming.is_url(model):
        return model
    fs, folder = _file_system(model), tempfile.mkdtemp(prefix="nst-tf-model-")
    for source in (model, os.path.splitext(model)[0] + ".json"):
        if source == model or fs.exists(source):
            fs.get(source, os.path.join(folder, os.path.basename(source)))
    return os.path.join(folder, os.path.basename(model))


def painter(job, painting, key):
    """The painter of a job on this worker, made once (`key` names the network and painting)."""
    with _PAINTER_LOCK:
        if key not in _PAINTERS:
            model = local_model(job.model) if job.model is not None else None
            _PAINTERS[key] = steps.make_painter(model, job.model_style, painting, job.engine)
        return _PAINTERS[key]


def stylize_chunk(paths, job, painting, painter_key):
    """A task: the steps over some inputs on a worker.

    Returns:
      (counts as steps.COUNTERS, dead-letter lines).
    """
    counts, letters = dict.fromkeys(steps.COUNTERS, 0), []
    paint = painter(job, painting, painter_key)

    def fail(path, error):
        counts["images_failed"] += 1
        letters.append(steps.dead_letter(path, error))

    def flush(group):
        with _PAINT_LOCK:
            started = time.perf_counter()
            outputs = steps.paint(paint, group)
            counts["stylize_ms"] += round(1000 * (time.perf_counter() - started))
        counts["batches"] += 1
        for (path, target, _), output in zip(group, outputs):
            try:
                data = steps.encode(output, target)
                written = write_new(target, data)
            except steps.IMAGE_ERRORS as error:
                fail(path, error)
                continue
            counts["images_written" if written else "images_kept"] += 1
            counts["bytes_written"] += len(data) if written else 0

    batcher = steps.SizeBatcher(job.batch_size)
    for path in paths:
        target = naming.output_path(path, job.base, job.output_dir)
        if exists(target):  # written by an attempt of this task on a worker that died
            counts["images_kept"] += 1
            continue
        try:
            data = read_bytes(path)
            counts["bytes_read"] += len(data)
            image = steps.decode(path, data, job.size)
        except steps.IMAGE_ERRORS as error:
            fail(path, error)
            continue
        group = batcher.add((path, target, image))
        if group:
            flush(group)
    for group in batcher.drain():
        flush(group)
    return counts, letters


def connect(address):
    """A client of the scheduler at `address`.

    Raises:
      NstError: Dask is not installed, or the scheduler cannot be reached.
    """
    try:
        from dask import distributed
    except ImportError:
        raise NstError('running on Dask needs it: pip install "nst_tf[dask]"') from None
    full = address if "://" in address else "tcp://" + address  # Dask's default protocol
    try:
        if full.startswith("tcp://"):  # refused at once rather than retried until the timeout
            host, port = distributed.comm.parse_host_port(full[len("tcp://") :])
            socket.create_connection((host, port), timeout=CONNECT_SECONDS).close()
        return distributed.Client(full, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        reason = " ".join(str(error).split()) or type(error).__name__
        raise NstError(f"cannot reach the Dask scheduler at {address}: {reason}") from None


def run(job, address):
    """Runs a checked job (job.Job) on the cluster whose scheduler is at `address`; writes the
    dead letters gathered so far even when the run stops; returns the counts (steps.COUNTERS).

    Raises:
      NstError: the scheduler unreachable or lost, or a task failed (a worker killed over and
        over, a network that does not load).
    """
    from dask import distributed

    counts, letters = dict.fromkeys(steps.COUNTERS, 0), []
    todo = []
    for path in list_inputs(job.input_glob):
        if exists(naming.output_path(path, job.base, job.output_dir)):
            counts["images_kept"] += 1
        else:
            todo.append(path)
    client = connect(address)
    try:
        painting, key = None, (job.model, job.model_style, job.engine)
        if job.painting is not None:
            key += (hashlib.sha256(job.painting.tobytes()).hexdigest(),)
            painting = client.scatter(job.painting, broadcast=True, hash=False)
        spec = dataclasses.replace(job, painting=None)
        chunks = [todo[i : i + job.batch_size] for i in range(0, len(todo), job.batch_size)]
        futures = client.map(
            stylize_chunk, chunks, job=spec, painting=painting, painter_key=key, pure=False
        )
        for future in distributed.as_completed(futures, loop=client.loop):
            if future.status == "error":
                raise NstError(f"a Dask task failed: {_one_line(future.exception())}")
            if future.status != "finished":
                raise NstError(f"lost the Dask scheduler at {address}: the run stopped")
            chunk_counts, chunk_letters = future.result()
            for name, value in chunk_counts.items():
                counts[name] += value
            letters.extend(chunk_letters)
        sweep_temporaries([naming.output_path(path, job.base, job.output_dir) for path in todo])
    except (OSError, TimeoutError, distributed.client.CancelledError) as error:
        raise NstError(f"lost the Dask scheduler at {address}: {_one_line(error)}") from None
    finally:
        write_text(job.dead_letter, "".join(line + "\n" for line in letters))
        client.close(timeout=CONNECT_SECONDS)
    return counts


def sweep_temporaries(targets):
    """Removes what writers killed mid-write left beside these outputs (files.write_atomically's
    hidden .tmp-*NAME files); called once every task has ended, so none is being written."""
    by_folder = {}
    for target in targets:
        if not naming.is_url(target):
            by_folder.setdefault(os.path.dirname(target), set()).add(os.path.basename(target))
    for folder, names in by_folder.items():
        for entry in os.scandir(folder) if os.path.isdir(folder) else ():
            if entry.name.startswith(".tmp-") and any(entry.name.endswith(n) for n in names):
                os.remove(entry.path)


def _one_line(error):
    return " ".join(str(error).split()) or type(error).__name__
