"""The number format of the loss network: float32, or bfloat16 where the CPU computes it natively.

On CPUs with AVX512-BF16 or AMX-BF16, TensorFlow's oneDNN kernels run the VGG convolutions in
bfloat16 faster than float32 runs with XLA (forward and backward; the README's speed section and
bench_results/bench_race.json give the figures, from tools/bench/bench_race.py). XLA's CPU backend
does not use those kernels (in XLA the bfloat16 pass is the slower one), so a bfloat16 loss is
compiled as a plain graph. The loss terms themselves (Gram matrices, squared differences) stay
float32: the network's outputs are cast back before any sum. Without XLA's temporaries and with
half-size activations, a bfloat16 optimisation also peaks lower in memory
(encoders.vgg_layers.estimate_memory_bytes; bench_results/bench_memory*.json).
"""

from nst_tf.errors import NstError

PRECISIONS = ("auto", "float32", "bfloat16")
CPU_FLAGS_FILE = "/proc/cpuinfo"
NATIVE_BFLOAT16_FLAGS = ("avx512_bf16", "amx_bf16")


def cpu_has_native_bfloat16(cpuinfo=CPU_FLAGS_FILE):
    """Whether the CPU lists a bfloat16 dot-product instruction set (Linux's /proc/cpuinfo;
    False where that file does not exist)."""
    try:
        with open(cpuinfo, encoding="utf-8", errors="replace") as file:
            flags = {word for line in file if line.startswith("flags") for word in line.split()}
    except OSError:
        return False
    return any(flag in flags for flag in NATIVE_BFLOAT16_FLAGS)


def resolve(precision, cpuinfo=CPU_FLAGS_FILE, gpu=None):
    """ "float32" or "bfloat16" for a precision choice.

    Args:
      precision: "float32", "bfloat16", or "auto": bfloat16 if the CPU computes it natively and
        there is no GPU, else float32.
      cpuinfo: where the CPU's flags are listed.
      gpu: whether there is a GPU, or None to ask TensorFlow (which imports it).

    Raises:
      NstError: an unknown choice.
    """
    check(precision)
    if precision != "auto":
        return precision
    if not cpu_has_native_bfloat16(cpuinfo):
        return "float32"
    if gpu is None:
        import tensorflow as tf

        gpu = bool(tf.config.list_physical_devices("GPU"))
    return "float32" if gpu else "bfloat16"


def check(precision):
    """Raises a one-line NstError unless `precision` is one of PRECISIONS."""
    if precision not in PRECISIONS:
        raise NstError(f"unknown precision {precision!r}: choose one of {', '.join(PRECISIONS)}")


def of_model(model):
    """ "bfloat16" if any layer of the Keras model computes in bfloat16, else "float32"."""
    dtypes = {getattr(layer, "compute_dtype", "float32") for layer in model.layers}
    return "bfloat16" if "bfloat16" in dtypes else "float32"
