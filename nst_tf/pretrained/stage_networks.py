"""Magenta's arbitrary transformer (nst_tf.pretrained.arbitrary) cut into the stages that
nst_tf.pretrained.staged_painting runs: Keras networks sharing the transformer's layers, from
which the shipped LiteRT files of the stages are converted (nst_tf.export.litert_files).
"""

import keras

from nst_tf.pretrained.arbitrary import CONTRACT, EXPAND, RESIDUAL_BLOCKS
from nst_tf.pretrained.layers import RowMoments
from nst_tf.pretrained.sizes import STYLE_VECTOR_SIZE


def transformer_stages(transformer):
    """The transformer (given_moments=False) cut into sizes.STAGES that share its layers.

    Returns:
      dict stage -> keras.Model:
        contract: content (batch, height, width, 3) in [0, 1], sides multiples of SIZE_MULTIPLE
          -> features at a quarter of the height and width; on bands of rows, each band seeing
          CONTRACT_MARGIN rows more on each side, it gives the rows of the whole;
        residuals: [features, style vectors] -> the first upsampling's features (half the
          height and width, even sides);
        expand_moments: those -> [sums, squares]: each row's sums over the width of the next
          convolution's output (twice the rows) and of its squares, for its norm;
        expand: [those features, style vectors, mean, variance (batch, 1, 1, channels) of the
          next convolution's output] -> {"raw": the last convolution's output (the image
          before its norm and sigmoid), "sums" and "squares" of it as above, "scale" and
          "shift" (batch, 3) of its norm}. On bands of rows, each seeing EXPAND_MARGIN rows more
          on each side, the last two give the rows of the whole.
    """
    layer = transformer.get_layer
    style = keras.Input((STYLE_VECTOR_SIZE,), name="style_vector")

    def conv(x, name):
        return layer(name)(layer(f"{name}_pad")(x))

    def norm(x, name, mean=None, variance=None):
        if mean is None:
            mean, variance = layer(f"{name}_moments")(x)
        shift, scale = layer(f"{name}_beta")(style), layer(f"{name}_gamma")(style)
        return layer(f"{name}_norm")([x, mean, variance, shift, scale])

    content = keras.Input((None, None, 3), name="content")
    x = layer("pad_to_multiple")(content)
    for name, *_ in CONTRACT:
        x = conv(x, name)
    contract = keras.Model(content, x, name=f"{transformer.name}_contract")

    features = keras.Input((None, None, CONTRACT[-1][1]), name="features")
    x = features
    for block in range(1, RESIDUAL_BLOCKS + 1):
        first, second = f"residual{block}_conv1", f"residual{block}_conv2"
        y = layer(f"{first}_relu")(norm(conv(x, first), first))
        x = layer(f"residual{block}_add")([x, norm(conv(y, second), second)])
    (upsampled, _, _, _), (before_last, channels, _, _), (last, *_) = EXPAND
    x = conv(layer(f"{upsampled}_upsample")(x), upsampled)
    x = layer(f"{upsampled}_relu")(norm(x, upsampled))
    residuals = keras.Model([features, style], x, name=f"{transformer.name}_residuals")

    def before_last_conv(half):
        return conv(layer(f"{before_last}_upsample")(half), before_last)

    half = keras.Input((None, None, EXPAND[0][1]), name="features")
    expand_moments = keras.Model(
        half, RowMoments()(before_last_conv(half)), name=f"{transformer.name}_expand_moments"
    )
    half = keras.Input((None, None, EXPAND[0][1]), name="features")
    mean = keras.Input((1, 1, channels), name="mean")
    variance = keras.Input((1, 1, channels), name="variance")
    x = norm(before_last_conv(half), before_last, mean, variance)
    raw = conv(layer(f"{before_last}_relu")(x), last)
    sums, squares = RowMoments()(raw)
    outputs = {
        "raw": raw, "sums": sums, "squares": squares,
        "scale": layer(f"{last}_gamma")(style), "shift": layer(f"{last}_beta")(style),
    }  # fmt: skip
    expand = keras.Model([half, style, mean, variance], outputs, name=f"{transformer.name}_expand")
    return {
        "contract": contract,
        "residuals": residuals,
        "expand_moments": expand_moments,
        "expand": expand,
    }
