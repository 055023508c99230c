"""The allocator policy of one-shot commands: freed memory is reused, not mapped afresh."""

import os
import subprocess
import sys
import textwrap

import pytest

from nst_tf.cli import allocator

# In a fresh process: page faults of touching a 20 MiB block allocated after one was freed (numpy
# asked not to use huge pages, so that a fault is a page).
REFAULTS = textwrap.dedent(
    """
    import resource, sys
    import numpy as np
    from nst_tf.cli import allocator
    if sys.argv[1] == "keep":
        assert allocator.keep_freed_memory()
    block = np.ones(20 << 20, np.uint8)
    del block
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    block = np.ones(20 << 20, np.uint8)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_a_freed_block_is_reused_instead_of_mapped_and_faulted_afresh():
    def faults(policy):
        done = subprocess.run(
            [sys.executable, "-c", REFAULTS, policy],
            capture_output=True, text=True, check=True,
            env={**os.environ, "NUMPY_MADVISE_HUGEPAGE": "0"},
        )  # fmt: skip
        return int(done.stdout)

    pages = (20 << 20) // 4096
    assert faults("default") > pages // 2  # glibc gave the block back and maps a new one
    assert faults("keep") < pages // 20


def test_other_systems_are_left_alone(monkeypatch):
    monkeypatch.setattr(allocator.sys, "platform", "darwin")
    assert allocator.keep_freed_memory() is False
