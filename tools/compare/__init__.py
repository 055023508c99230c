"""The PyTorch (and SciPy) sides that nst_tf is compared with in the benchmarks."""
