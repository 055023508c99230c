"""The C allocator's policy for a command that ends when its work is done.

glibc maps blocks of 128 KiB and more afresh and gives them back to the system when they are
freed, and trims freed memory at the top of its heap. A one-pass stylisation loads its networks
one after another, each allocating and freeing tens of megabytes: every new page costs a page
fault (most of the wait on a small machine), and pages kept for reuse cost none.
"""

import ctypes
import sys

# mallopt's parameters (malloc.h) and their values here: blocks up to 32 MiB (glibc's own ceiling
# for its sliding threshold) come from the heap, and freed memory at its top is kept.
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20
TRIM_THRESHOLD = 1 << 30


def keep_freed_memory():
    """Has glibc keep freed memory for reuse; a no-op on other systems (returns whether it did)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    return bool(
        mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
