"""How close an export's images are to the Keras network's: PSNR, whose one definition is in
nst_tf.metrics."""

from nst_tf.metrics import psnr  # the one PSNR, here where the exports' parity is measured

__all__ = ["psnr"]
