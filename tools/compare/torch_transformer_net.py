"""Johnson's transformation network in PyTorch, for tools/bench/bench_inference.py only (torch is never
a dependency of nst_tf): the architecture of nst_tf's "standard" network and of PyTorch's
example TransformerNet (9x9 and 3x3 convolutions 32-64-128, 5 residual blocks, nearest
upsampling then a convolution, affine instance normalisation, reflection padding)."""

from torch import nn


def _conv(channels_in, channels_out, kernel, stride=1, norm=True, relu=True):
    layers = [nn.ReflectionPad2d(kernel // 2), nn.Conv2d(channels_in, channels_out, kernel, stride)]
    if norm:
        layers.append(nn.InstanceNorm2d(channels_out, affine=True))
    if relu:
        layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class _Residual(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.body = nn.Sequential(
            _conv(channels, channels, 3), _conv(channels, channels, 3, relu=False)
        )

    def forward(self, x):
        return x + self.body(x)


def transformer_net(width=32, residual_blocks=5):
    """The network (float images (batch, 3, height, width) in, same shape out), in eval mode."""
    return nn.Sequential(
        _conv(3, width, 9),
        _conv(width, 2 * width, 3, stride=2),
        _conv(2 * width, 4 * width, 3, stride=2),
        *[_Residual(4 * width) for _ in range(residual_blocks)],
        nn.Upsample(scale_factor=2, mode="nearest"),
        _conv(4 * width, 2 * width, 3),
        nn.Upsample(scale_factor=2, mode="nearest"),
        _conv(2 * width, width, 3),
        _conv(width, 3, 9, norm=False, relu=False),
    ).eval()
