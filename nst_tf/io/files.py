"""Files: the image endings we read, and atomic writing (a crash never leaves half a file).

Everything nst_tf writes goes through `atomic_path` (files or folders written by other
libraries: SavedModels, .keras files, videos) or `write_atomically` (bytes we produce).
"""

import contextlib
import errno
import json
import os
import shutil
import tempfile

from nst_tf.errors import NstError

# Image file endings read from folders (training data, calibration, normalisation, batches).
IMAGE_ENDINGS = (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff")


def is_image_file(name):
    """Whether a file name ends in one of IMAGE_ENDINGS (any case)."""
    return os.fspath(name).lower().endswith(IMAGE_ENDINGS)


def list_image_files(folder):
    """The image files under `folder` (recursive), sorted.

    Args:
      folder: a directory.

    Returns:
      list of paths ending in one of IMAGE_ENDINGS (any case).

    Raises:
      NstError: the folder does not exist or holds no such file.
    """
    if not os.path.isdir(folder):
        raise NstError(f"folder not found: {folder}")
    found = []
    for root, _, names in os.walk(folder):
        found.extend(os.path.join(root, name) for name in names if is_image_file(name))
    if not found:
        raise NstError(f"no images ({', '.join(IMAGE_ENDINGS)}) in the folder {folder}")
    return sorted(found)


def check_writable_destination(path):
    """Raises NstError unless a file can be written at `path` (parent folders are created)."""
    path = os.fspath(path)
    if os.path.isdir(path):
        raise NstError(f"cannot write {path}: it is a folder")
    folder = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as error:
        raise NstError(f"cannot create the folder of {path}: {error.strerror}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise NstError(f"cannot write {path}: no permission to write in {folder}")


@contextlib.contextmanager
def atomic_path(target):
    """Yields a temporary path beside `target` (same ending); renames it to `target` on success.

    On any error the temporary file or folder is removed and `target` is left as it was.

    Raises:
      NstError: the parent folder cannot be created or written.
    """
    target = os.fspath(target)
    parent = os.path.dirname(os.path.abspath(target))
    try:
        os.makedirs(parent, exist_ok=True)
    except OSError as error:
        raise NstError(f"cannot write {target}: {error.strerror}") from None
    temporary = os.path.join(parent, f".tmp-{os.path.basename(target)}")
    _remove(temporary)  # left by a killed run
    try:
        yield temporary
        os.replace(temporary, target)
    finally:
        _remove(temporary)


def _remove(path):
    """Removes a file or folder if it exists."""
    if os.path.isdir(path):
        shutil.rmtree(path, ignore_errors=True)
    elif os.path.exists(path):
        os.remove(path)


def write_atomically(path, write, keep_existing=False):
    """Calls `write(file)` on a temporary file beside `path`, then renames it to `path`.

    Args:
      path: destination file.
      write: function taking a binary file object.
      keep_existing: never replace a file already at `path` (a hard link puts the new file
        there only if nothing is, so of two writers at once exactly one wins); on a file
        system without hard links, a rename after checking.

    Returns:
      whether the file was written (False: kept_existing and a file was there).
    """
    check_writable_destination(path)
    if keep_existing and os.path.exists(path):
        return False
    folder = os.path.dirname(os.path.abspath(path))
    try:
        handle, temporary = tempfile.mkstemp(
            dir=folder, prefix=".tmp-", suffix=os.path.basename(path)
        )
    except OSError as error:
        raise NstError(f"cannot write {path}: {error.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes owner-only files; match open()'s
        if keep_existing:
            return _link_unless_there(temporary, path)
        os.replace(temporary, path)
        return True
    except BaseException as error:
        if isinstance(error, OSError):
            raise NstError(f"cannot write {path}: {error.strerror or error}") from None
        raise
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def _link_unless_there(temporary, path):
    """Puts `temporary` at `path` unless a file is there; whether it did."""
    try:
        os.link(temporary, path)
        return True
    except FileExistsError:
        return False
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
    if os.path.exists(path):  # no hard links here: check, then rename
        return False
    os.replace(temporary, path)
    return True


def write_json(path, value):
    """Writes `value` as indented JSON, atomically (see write_atomically)."""
    write_atomically(path, lambda f: f.write(json.dumps(value, indent=1).encode()))
