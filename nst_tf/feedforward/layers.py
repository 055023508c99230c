"""The old path of nst_tf.feedforward.network_layers, kept while export/delegable.py,
export/equalization.py and pretrained/arbitrary.py (open on issue 25) still import it; delete
it once they import network_layers."""

from nst_tf.feedforward.network_layers import (
    CropLike,
    InstanceNormalization,
    PadToMultiple,
    ReflectionPad,
)

__all__ = ["CropLike", "InstanceNormalization", "PadToMultiple", "ReflectionPad"]
