"""The one exception type for mistakes a user can fix (bad files, flags, sizes)."""


class NstError(ValueError):
    """A user-facing error: the CLI prints its message on one line and exits with code 2."""
