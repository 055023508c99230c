"""The scripts that rebuild the shipped files, measure nst_tf, draw the README's pictures and
compare it with PyTorch; tools/README.md is their index. Run them from the repository's root as
modules (`python -m tools.bench.bench_fast`), so that they use this checkout's nst_tf."""

import os

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
